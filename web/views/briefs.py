"""The brief's pages and actions. Every action is a POST carrying the brief's version the editor saw (and an
item's form the item's version: briefs.services decides a conflict where the change is); the answer is the
re-rendered brief pane (HTMX) or a redirect to the workspace with a message (no JavaScript). A refused save of
an item or the headline comes back as its form, the editor's text beside the colleague's (409).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article, Claim, Sentence, Story
from articles.rules import shorten
from briefs import selectors as brief_reads
from briefs.checks import RESOLUTIONS, cited_sentences, evidence_links, item_flags, publish_warnings
from briefs.models import Brief, BriefItem, Publication
from briefs.presentation import brief_changes, cite, snapshot_json, snapshot_markdown
from briefs.services import (
    BriefActionError,
    BriefConflict,
    HeaderConflict,
    ItemConflict,
    brief_add_claim,
    brief_add_own_item,
    brief_add_sentence,
    brief_attach_source,
    brief_detach_source,
    brief_edit_item,
    brief_get_or_create,
    brief_merge_items,
    brief_move_item,
    brief_publish,
    brief_remove_item,
    brief_resolve_flag,
    brief_restore_revision,
    brief_snapshot,
    brief_start_from_candidate,
    brief_unpublish,
    brief_update_header,
    presence_ping,
)
from web import forms
from web.htmx import render_htmx, require_permission, wants_partial

BRIEF_TEMPLATE = "briefs/brief.html"


def source_options(articles: list[Article]) -> str:
    """The <option>s of an "attach a source" list, escaped once for every list that shows them."""
    return format_html_join(
        "",
        '<option value="{}">{}: {}</option>',
        ((a.pk, a.source_label, shorten(a.title, 50)) for a in articles),
    )


def _source_articles(story: Story) -> list[Article]:
    """The story's articles for an "attach a source" list, with what `source_label` reads (outlet, URL)."""
    return list(
        story.articles.select_related("outlet").only(
            "id", "story_id", "title", "source_name", "url", "outlet__name"
        )
    )


def _item_source_context(story: Story, item_id: int) -> dict:
    """What an item's edit form lists of the story's articles, in one query: its sources (each with a
    Detach button) and the others (to attach)."""
    cited = BriefItem.articles.through.objects.filter(briefitem_id=item_id, article_id=OuterRef("pk"))
    articles = list(
        story.articles.select_related("outlet")
        .only("id", "story_id", "title", "source_name", "url", "outlet__name")
        .annotate(is_source=Exists(cited))
    )
    return {
        "item_sources": [a for a in articles if a.is_source],
        "item_source_options": source_options([a for a in articles if not a.is_source]),
    }


def brief_pane_context(story: Story, *, brief: Brief | None = None) -> dict:
    """The brief pane's context. `brief`, when given, comes from brief_reads.brief_with_items."""
    if brief is None:
        brief = brief_reads.brief_with_items(story)
    live = brief.live_publication
    items = brief_reads.brief_items(brief)
    # The pane lists sources to attach only on unsourced items (each item's edit form has its own).
    articles = _source_articles(story) if any(not item.articles.all() for item in items) else []
    cited = cited_sentences(items)
    flags = item_flags(items, cited)
    links = evidence_links(items, cited)
    for n, item in enumerate(items):
        item.flags = flags.get(item.pk, [])
        # Each source badge leads to the sentence the item cites from it, highlighted in the article's text.
        item.sources = [(article, links[item.pk].get(article.pk)) for article in item.articles.all()]
        # The Up and Down buttons move an item next to the one the editor sees above or below it.
        item.above_id = items[n - 1].pk if n > 0 else None
        item.below_id = items[n + 1].pk if n + 1 < len(items) else None
    return {
        "story": story,
        "brief": brief,
        "items": items,
        "publish_warnings": publish_warnings(brief, items, flags) if brief.pk is not None else [],
        "resolutions": RESOLUTIONS,
        "live_publication": live,
        "changes": brief_reads.changes_since(story, live),
        "unpublished_changes": bool(live and live.revision_number != brief.version),
        "candidate_items": brief.candidate_item_count,
        "source_options": source_options(articles),
        "presence_ping_seconds": brief_reads.PRESENCE_PING_SECONDS,
    }


def _refused_context(story: Story, conflict: BriefConflict | None) -> dict:
    """What the pane shows of a refused edit beside the colleague's: the editor's text, who saved theirs."""
    if isinstance(conflict, ItemConflict) and conflict.refused_text is not None:
        if conflict.item is None:
            return {"refused_removed": {"text": conflict.refused_text}}
        refused = {
            "id": conflict.item_id,
            "text": conflict.refused_text,
            "by": conflict.item.updated_by.get_username() if conflict.item.updated_by else "someone",
            "at": conflict.item.updated,
        }
        return {"refused_item": refused} | _item_source_context(story, conflict.item_id)
    if isinstance(conflict, HeaderConflict):
        headline, standfirst = conflict.refused
        by = conflict.changed_by.get_username() if conflict.changed_by else "someone"
        return {
            "refused_header": {
                "headline": headline,
                "standfirst": standfirst,
                "by": by,
                "at": conflict.changed_at,
            }
        }
    return {}


def _pane_response(
    request: HttpRequest,
    story: Story,
    *,
    notice: str = "",
    error: str = "",
    conflict: BriefConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    if wants_partial(request):
        context = brief_pane_context(story) | {
            "notice": notice,
            "error": error,
            "conflict": str(conflict or ""),
        }
        context |= _refused_context(story, conflict)
        return render_htmx(request, BRIEF_TEMPLATE, context, partial="brief-pane", status=status)
    if conflict is not None:
        refused = _refused_context(story, conflict)
        if "refused_item" in refused:  # the edit page again, the editor's text beside the colleague's
            item = BriefItem.objects.select_related("brief").get(pk=conflict.item_id)
            context = {"story": story, "brief": item.brief, "item": item, "conflict": str(conflict)} | refused
            return render(request, "briefs/item_edit_page.html", context, status=status)
        messages.warning(request, f"{conflict}{_refused_text(refused)}")
    elif error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(story.get_absolute_url() + "#brief-pane")


def _refused_text(refused: dict) -> str:
    """The refused text, for the message of a page without the form to keep it in."""
    if "refused_removed" in refused:
        return f" Your text: “{refused['refused_removed']['text']}”"
    if "refused_header" in refused:
        header = refused["refused_header"]
        return f" Your headline: “{header['headline']}”; your standfirst: “{header['standfirst']}”"
    return ""


BriefAction = Callable[..., str]


def brief_action(
    form_class: type[forms.BriefActionForm] = forms.BriefActionForm,
    permission: str = "briefs.edit_brief",
) -> Callable[[BriefAction], Callable[..., HttpResponse]]:
    """Wrap an action `(request, brief, data, **url_kwargs) -> notice` with login, permission, the POST
    read by `form_class` (web.forms: `data` is its cleaned_data, `data["version"]` the brief's version the
    editor saw) and the answers to conflicts and errors."""

    def decorator(action: BriefAction) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        @wraps(action)
        def view(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
            require_permission(request, permission)
            brief = Brief.objects.select_related("story").filter(story__slug=slug).first()
            if brief is None:
                brief = brief_get_or_create(get_object_or_404(Story, slug=slug))
            story = brief.story
            form = form_class(request.POST)
            if not form.is_valid():
                if "version" in form.errors:
                    return _pane_response(request, story, error=forms.VERSION_MISSING, status=400)
                first = next(iter(form.errors.values()))[0]
                return _pane_response(request, story, error=first, status=422)
            try:
                notice = action(request, brief, form.cleaned_data, **kwargs)
            except BriefConflict as conflict:
                return _pane_response(request, story, conflict=conflict, status=409)
            except BriefActionError as problem:
                return _pane_response(request, story, error=str(problem), status=422)
            return _pane_response(request, story, notice=notice)

        return view

    return decorator


@brief_action(forms.AddClaimForm)
def add_claim(request: HttpRequest, brief: Brief, data: dict) -> str:
    claim = Claim.objects.filter(story=brief.story, pk=data["claim"]).first()
    if claim is None:
        raise BriefActionError("That claim no longer exists (the analysis was run again); reload the page.")
    brief_add_claim(brief, claim, user=request.user, expected_version=data["version"])
    return "Claim added to the brief."


@brief_action(forms.AddSentenceForm)
def add_sentence(request: HttpRequest, brief: Brief, data: dict) -> str:
    sentence = Sentence.objects.select_related("article").filter(pk=data["sentence"]).first()
    if sentence is None or sentence.article.story_id != brief.story_id:
        raise BriefActionError(
            "That sentence no longer exists (the analysis was run again); reload the page."
        )
    brief_add_sentence(brief, sentence, user=request.user, expected_version=data["version"])
    return "Sentence added to the brief."


@brief_action(forms.ItemTextForm)
def add_own_item(request: HttpRequest, brief: Brief, data: dict) -> str:
    brief_add_own_item(brief, text=data["text"], user=request.user, expected_version=data["version"])
    return "Your item was added. It is unsourced until you attach a source."


@brief_action()
def start_from_candidate(request: HttpRequest, brief: Brief, data: dict) -> str:
    brief = brief_start_from_candidate(brief, user=request.user, expected_version=data["version"])
    return f"Started from the candidate brief: {brief.items.count()} items."


@brief_action(forms.HeaderForm)
def update_header(request: HttpRequest, brief: Brief, data: dict) -> str:
    saved = brief_update_header(
        brief,
        headline=data["headline"],
        standfirst=data["standfirst"],
        user=request.user,
        expected_version=data["version"],
    ).saved
    return (
        "Headline and standfirst saved."
        if saved
        else "Nothing to save: the headline and standfirst are unchanged."
    )


@brief_action()
def remove_item(request: HttpRequest, brief: Brief, data: dict, item_id: int) -> str:
    brief_remove_item(
        brief,
        item_id,
        user=request.user,
        expected_version=data["version"],
        item_version=data["item_version"],
    )
    return "Item removed (it stays in the history)."


@brief_action(forms.MoveItemForm)
def move_item(request: HttpRequest, brief: Brief, data: dict, item_id: int) -> str:
    """Move an item `before` or `after` another (the Up and Down buttons, drag and drop: refused only if the
    item changed or the other went), or to the place `to` or one place up or down (`direction`) from where it
    is now (refused if the brief changed since the version the editor saw)."""
    versions = {"user": request.user, "expected_version": data["version"]}
    before, after = data["before"], data["after"]
    if before is not None or after is not None:
        moved = brief_move_item(
            brief,
            item_id,
            before=before,
            after=None if before is not None else after,
            item_version=data["item_version"],
            **versions,
        )
    else:
        item = brief.items.filter(pk=item_id).first()
        if item is None:
            raise BriefActionError(
                "That item is not in the brief any more; it may have been removed or merged."
            )
        direction = data["direction"]
        if direction in ("up", "down"):
            to_position = item.position + (-1 if direction == "up" else 1)
        elif data["to"] is not None:
            to_position = data["to"]
        else:
            raise BriefActionError("Choose where to move the item first.")
        moved = brief_move_item(brief, item_id, to_position=to_position, **versions)
    return "Item moved." if moved.saved else "Nothing to move: the item is already there."


@brief_action(forms.MergeItemsForm)
def merge_items(request: HttpRequest, brief: Brief, data: dict) -> str:
    item_ids = data["items"]
    brief_merge_items(brief, item_ids, text=data["text"], user=request.user, expected_version=data["version"])
    return f"{len(set(item_ids))} items merged; their sources are united."


def _story_article(brief: Brief, article_id: int) -> Article:
    """The chosen source, which must be one of the story's articles."""
    article = Article.objects.filter(story=brief.story, pk=article_id).first()
    if article is None:
        raise BriefActionError("That article is not in this story.")
    return article


@brief_action(forms.SourceChoiceForm)
def attach_source(request: HttpRequest, brief: Brief, data: dict, item_id: int) -> str:
    article = _story_article(brief, data["article"])
    item = brief_attach_source(
        brief,
        item_id,
        article=article,
        user=request.user,
        expected_version=data["version"],
        item_version=data["item_version"],
    )
    if not item.saved:
        return f"Nothing to save: {article.source_label} is already a source of this item."
    return f"{article.source_label} attached as a source."


@brief_action(forms.SourceChoiceForm)
def detach_source(request: HttpRequest, brief: Brief, data: dict, item_id: int) -> str:
    article = _story_article(brief, data["article"])
    item = brief_detach_source(
        brief,
        item_id,
        article=article,
        user=request.user,
        expected_version=data["version"],
        item_version=data["item_version"],
    )
    if not item.saved:
        return f"Nothing to detach: {article.source_label} is not a source of this item."
    return f"{article.source_label} detached from item {item.position + 1}."


@brief_action()
def restore_revision(request: HttpRequest, brief: Brief, data: dict, number: int) -> str:
    brief_restore_revision(brief, number, user=request.user, expected_version=data["version"])
    return f"Revision {number} restored (as a new revision)."


@brief_action(forms.PublishForm, permission="briefs.publish_brief")
def publish(request: HttpRequest, brief: Brief, data: dict) -> str:
    publication = brief_publish(
        brief,
        user=request.user,
        expected_version=data["version"],
        confirm_warnings=data["confirm_warnings"] == "yes",
    )
    if publication.warnings:
        count = len(publication.warnings)
        return (
            f"Published revision {publication.revision.number} with {count} confirmed "
            f"warning{'s' if count != 1 else ''} (recorded with the publication)."
        )
    return f"Published revision {publication.revision.number}."


@brief_action(forms.ResolveFlagForm)
def resolve_flag(request: HttpRequest, brief: Brief, data: dict, item_id: int) -> str:
    item = brief_resolve_flag(
        brief,
        item_id,
        key=data["key"],
        resolution=data["resolution"],
        user=request.user,
        expected_version=data["version"],
        item_version=data["item_version"],
    )
    if not item.saved:
        return f"Nothing to save: the flag on item {item.position + 1} was already settled that way."
    return f"Flag on item {item.position + 1} settled; the history records how."


@require_GET
@login_required
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page as it would look if the current draft were published now (nothing is published)."""
    story = get_object_or_404(Story, slug=slug)
    brief = brief_reads.brief_or_default(story)
    if brief.pk is None:
        raise Http404("This story has no brief yet: add an item first.")
    snapshot = brief_snapshot(brief)
    context = {"publication": None, "preview": True, "brief": cite(snapshot), "story": story}
    response = render(request, "briefs/public.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


@brief_action(permission="briefs.publish_brief")
def unpublish(request: HttpRequest, brief: Brief, data: dict) -> str:
    brief_unpublish(brief, user=request.user, expected_version=data["version"])
    return "Unpublished: the public page is gone; the history is kept."


@login_required
def edit_item(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """GET: the inline edit form for one item. POST: save its text."""
    if request.method == "POST":
        return _save_item(request, slug=slug, item_id=item_id)
    require_permission(request, "briefs.edit_brief")
    story = get_object_or_404(Story, slug=slug)
    item = BriefItem.objects.select_related("brief").filter(brief__story=story, pk=item_id).first()
    if item is None:
        raise Http404("That item is not in the brief any more; it may have been removed or merged.")
    context = {"story": story, "brief": item.brief, "item": item} | _item_source_context(story, item.pk)
    return render_htmx(
        request, BRIEF_TEMPLATE, context, partial="item-edit", page="briefs/item_edit_page.html"
    )


@brief_action(forms.ItemTextForm)
def _save_item(request: HttpRequest, brief: Brief, data: dict, item_id: int) -> str:
    item = brief_edit_item(
        brief,
        item_id,
        text=data["text"],
        user=request.user,
        expected_version=data["version"],
        item_version=data["item_version"],
    )
    if not item.saved:
        return "Nothing to save: the item's text is unchanged."
    return "Item saved; it is marked as edited."


def brief_presence(request: HttpRequest, slug: str) -> HttpResponse:
    """The open brief pane's ping, a POST every PRESENCE_PING_SECONDS (it writes: never a GET). It records
    that an editor has the brief open (a Viewer's records nothing) and answers who else has it open and,
    when the brief moved past the version the pane shows (`version`), who changed it, with a Reload button."""
    if not request.user.is_authenticated:
        if wants_partial(request):
            return HttpResponse(status=286)  # the session ended: htmx stops asking, nothing to show
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    story = get_object_or_404(Story, slug=slug)
    if request.user.has_perm("briefs.edit_brief"):
        presence_ping(story, request.user)
    brief = brief_reads.brief_or_default(story)
    presence = forms.PresenceForm(request.POST)
    shown = presence.cleaned_data["version"] if presence.is_valid() else None
    changed = shown is not None and brief.version > shown
    context = {
        "story": story,
        "others": brief_reads.present_others(story, request.user),
        "changed": brief if changed else None,
        "changed_by_me": changed and brief.updated_by_id == request.user.pk,
    }
    return render(request, f"{BRIEF_TEMPLATE}#presence", context)


@require_GET
@login_required
def brief_pane(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    if not wants_partial(request):
        return redirect(story.get_absolute_url() + "#brief-pane")
    return render_htmx(request, BRIEF_TEMPLATE, brief_pane_context(story), partial="brief-pane")


# --- History ---------------------------------------------------------------------------------------


@require_GET
@login_required
def history(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    brief = brief_reads.brief_or_default(story)
    revisions = list(brief_reads.revisions(brief))
    numbers = [r.number for r in revisions]
    newer = forms.query_int(request, "b") or (numbers[0] if numbers else None)
    older = forms.query_int(request, "a")
    if older is None and newer is not None:
        older = next((n for n in numbers if n < newer), newer)
    changes, problem = None, ""
    if older is not None and newer is not None:
        old_revision, new_revision = brief_reads.revision(brief, older), brief_reads.revision(brief, newer)
        if old_revision and new_revision:
            changes = brief_changes(old_revision.snapshot, new_revision.snapshot)
        else:
            problem = f"This brief has no revision {older if not old_revision else newer}."
    context = {
        "story": story,
        "brief": brief,
        "revisions": revisions,
        "publications": brief_reads.publications(brief),
        "older": older,
        "newer": newer,
        "changes": changes,
        "problem": problem,
    }
    return render_htmx(request, "briefs/history.html", context, partial="diff", targets=["diff"])


# --- Exports ---------------------------------------------------------------------------------------

EXPORT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


@require_GET
@login_required
def export_revision(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    brief = brief_reads.brief_or_default(story)
    revision = brief_reads.revision(brief, number)
    if revision is None or fmt not in EXPORT_TYPES:
        raise Http404(f"No revision {number} of this brief as {fmt}.")
    if fmt == "md":
        body = snapshot_markdown(revision.snapshot)
    elif fmt == "json":
        body = snapshot_json(
            revision.snapshot,
            story=story.slug,
            revision=revision.number,
            saved_at=revision.created.isoformat(),
            saved_by=revision.author.get_username() if revision.author else None,
        )
    else:
        body = render_to_string(
            "briefs/export.html", {"brief": cite(revision.snapshot), "revision": revision, "story": story}
        )
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    disposition = "inline" if forms.PageQueryForm(request.GET).value("view") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{story.slug}-r{revision.number}.{fmt}"'
    return response


# --- Public ----------------------------------------------------------------------------------------


@require_GET
def public_brief(request: HttpRequest, slug: str) -> HttpResponse:
    """The live publication of a story's brief, readable without an account."""
    publication = brief_reads.live_publication(slug)
    if publication is None:
        earlier = Publication.objects.filter(brief__story__slug=slug).order_by("-unpublished_at").first()
        context = {"earlier": earlier, "now": timezone.now()}
        return render(request, "briefs/public_gone.html", context, status=410 if earlier else 404)
    context = {"publication": publication, "brief": cite(publication.revision.snapshot)}
    return render(request, "briefs/public.html", context)


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "briefs/public_index.html", {"publications": brief_reads.live_publications()})
