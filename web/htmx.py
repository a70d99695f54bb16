"""How every workbench view answers: the full page, or (for an HTMX request) only its named partial.

One way, used by every view (django-htmx's `request.htmx`, django-template-partials' `template#name`):

    return render_htmx(request, "articles/story_list.html", context, partial="story-table")

`targets` limits the partial to HTMX requests aimed at those element ids (a page whose other HTMX requests
want the whole page); `page` names a different full-page template. `wants_partial` answers the same
question for a view whose partial needs another context, and `redirect_htmx` redirects either kind of request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

PERMISSION_MESSAGES = {
    "articles.add_story": "create or sort stories",
    "articles.view_story": "see stories",
    "articles.change_article": "correct articles' source details",
    "briefs.edit_brief": "edit briefs",
    "briefs.publish_brief": "publish or unpublish briefs",
    "briefs.import_articles": "import articles",
    "briefs.rerun_analysis": "re-run the analysis",
    "articles.view_watchedsource": "see the watched sources",
    "articles.add_watchedsource": "add watched sources",
    "articles.change_watchedsource": "pause, resume or poll watched sources",
}


def require_permission(request: HttpRequest, permission: str) -> None:
    """Refuse the request (403, with a sentence saying what is missing) unless the user has the permission."""
    if not request.user.has_perm(permission):
        what = PERMISSION_MESSAGES.get(permission, permission)
        raise PermissionDenied(f"Your account ({request.user.get_username()}) may not {what}.")


def wants_partial(request: HttpRequest, targets: Iterable[str] = ()) -> bool:
    """An HTMX request (aimed at one of `targets`, the ids of the elements it swaps, when they are given)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not targets or htmx.target in set(targets)


def render_htmx(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str,
    targets: Iterable[str] = (),
    page: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """`template#partial` for an HTMX request (aimed at one of `targets`, when given); else the full page,
    `page` when given, else `template`."""
    if wants_partial(request, targets):
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, page or template, context, status=status)


def redirect_htmx(request: HttpRequest, url: str) -> HttpResponse:
    """Go to `url`: a redirect, or for an HTMX request an HX-Redirect (htmx loads the whole page)."""
    if wants_partial(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
