"""How every workbench view answers: the full page, or (for an HTMX request) only the partial it targets."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

PERMISSION_MESSAGES = {
    "articles.add_story": "create stories",
    "articles.change_article": "correct articles' source details",
    "briefs.edit_brief": "edit briefs",
    "briefs.publish_brief": "publish or unpublish briefs",
    "briefs.import_articles": "import articles",
    "briefs.rerun_analysis": "re-run the analysis",
}


def require_permission(request: HttpRequest, permission: str) -> None:
    """Refuse the request (403, with a sentence saying what is missing) unless the user has the permission."""
    if not request.user.has_perm(permission):
        what = PERMISSION_MESSAGES.get(permission, permission)
        raise PermissionDenied(f"Your account ({request.user.get_username()}) may not {what}.")


def render_page_or_partial(
    request: HttpRequest,
    template: str,
    context: dict,
    partials: Iterable[str] = (),
    *,
    status: int = 200,
) -> HttpResponse:
    """Render `template`, or only `template#<target>` when an HTMX request targets one of `partials` by id."""
    target = request.htmx.target if request.htmx else None
    if target and target in set(partials):
        return render(request, f"{template}#{target}", context, status=status)
    return render(request, template, context, status=status)
