from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from articles import jobs
from articles import selectors as article_reads
from articles.models import Story
from articles.services.stories import StoryNameError, story_create
from briefs import selectors as brief_reads
from briefs.models import Brief
from web.feeds import timeline_feed_url
from web.forms import PageQueryForm, RerunAnalysisForm, StoryCreateForm, query_int
from web.htmx import redirect_htmx, render_htmx, require_permission, wants_partial
from web.views.briefs import brief_pane_context
from web.views.sources import ARTICLE_PAGE, article_page_context
from web.views.text import article_text_context

WORKSPACE = "articles/story_detail.html"
EVIDENCE = "articles/claim_evidence.html"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("story_list")


@require_GET
@login_required
def story_list(request: HttpRequest) -> HttpResponse:
    query = PageQueryForm(request.GET).value("q", "").strip()
    stories = brief_reads.with_changes_since_publication(list(brief_reads.story_list(query)))
    for story in stories:
        story.analysis_state = article_reads.analysis_state(story)
    return render_htmx(
        request,
        "articles/story_list.html",
        {"stories": stories, "query": query},
        partial="story-table",
        targets=["story-table"],
    )


@require_POST
@login_required
def story_create_view(request: HttpRequest) -> HttpResponse:
    require_permission(request, "articles.add_story")
    try:
        form = StoryCreateForm(request.POST)
        form.is_valid()  # every value is acceptable here; the service refuses a bad title
        story = story_create(title=form.cleaned_data["title"], user=request.user)
    except StoryNameError as error:
        messages.error(request, str(error))
        return redirect("story_list")
    messages.success(request, f"Story “{story.title}” created. Import its articles below.")
    return redirect("story_import", slug=story.slug)


def _claim_filter(query: PageQueryForm) -> tuple[str, int | None]:
    claim_filter = query.value("filter", "all")
    if claim_filter not in article_reads.CLAIM_FILTERS:
        claim_filter = "all"
    return claim_filter, query.value("entity")


def _shown(request: HttpRequest, parameter: str, page: int) -> int:
    """How many entries a paged list shows: `page`, or more after "Show more" (`?<parameter>=`)."""
    return max(page, PageQueryForm(request.GET).value(parameter, 0))


def _summary_algorithm(query: PageQueryForm, algorithms: list[str]) -> str:
    algorithm = query.value("algorithm", "")
    if algorithm not in algorithms:
        algorithm = settings.SUMMARY_ALGORITHM if settings.SUMMARY_ALGORITHM in algorithms else algorithms[0]
    return algorithm


def _common_context(request: HttpRequest, story: Story, brief: Brief) -> dict:
    """What every pane's links and forms carry: the algorithm and the claim filter."""
    algorithms = article_reads.summary_algorithms(story)
    query = PageQueryForm(request.GET)
    claim_filter, entity_id = _claim_filter(query)
    return {
        "story": story,
        "brief": brief,
        "algorithm": _summary_algorithm(query, algorithms),
        "algorithms": algorithms,
        "claim_filter": claim_filter,
        "entity_id": entity_id,
    }


def claims_context(request: HttpRequest, story: Story, brief: Brief, common: dict | None = None) -> dict:
    """What the claims pane needs (claims_pane_html renders it, and caches the HTML)."""
    context = common or _common_context(request, story, brief)
    claim_filter, entity_id = context["claim_filter"], context["entity_id"]
    shown = _shown(request, "shown", article_reads.CLAIMS_SHOWN)

    entities = article_reads.story_entities(story)
    claims = article_reads.story_claims(story, claim_filter=claim_filter, entity_id=entity_id, limit=shown)
    total = (
        len(claims)
        if len(claims) < shown
        else article_reads.story_claim_count(story, claim_filter=claim_filter, entity_id=entity_id)
    )
    entity = next((e for e in entities if e.pk == entity_id), None)
    if entity is None and entity_id:
        entity = story.entities.filter(pk=entity_id).first()
    return {
        **context,
        "claims": claims,
        "claims_total": total,
        "claims_more": min(total - len(claims), article_reads.CLAIMS_SHOWN),
        "claims_shown_next": len(claims) + article_reads.CLAIMS_SHOWN,
        "claim_filters": article_reads.CLAIM_FILTERS,
        "entities": entities,
        "entity": entity,
    }


def sources_context(request: HttpRequest, story: Story, brief: Brief, common: dict | None = None) -> dict:
    """What the sources pane needs: the first articles with their summaries, and their overlaps."""
    context = common or _common_context(request, story, brief)
    shown = _shown(request, "sources", article_reads.SOURCES_SHOWN)
    articles = article_reads.story_articles(story, context["algorithm"], limit=shown)
    total = len(articles) if len(articles) < shown else article_reads.story_article_count(story)
    return {
        **context,
        "articles": articles,
        "articles_total": total,
        "sources_more": min(total - len(articles), article_reads.SOURCES_SHOWN),
        "sources_shown_next": len(articles) + article_reads.SOURCES_SHOWN,
        "sources_page": article_reads.SOURCES_SHOWN,
        "overlap": article_reads.overlap_matrix(story, articles, total),
        "overlap_leaders": article_reads.overlap_leaders(story, articles, total),
    }


# The claims pane's HTML is cached per state of the story's claims (articles.selectors.cached_for_synthesis:
# the synthesis stamp, and Story.updated, which a source correction moves) and per view of it (filter, entity,
# page, algorithm, whether the reader may add to the brief). Its forms are cached with stand-ins for the
# reader's CSRF token and the brief's version, put back on every answer. The stand-ins are derived from the
# SECRET_KEY, so no text in a claim can carry one.
_PANE_TOKEN = salted_hmac("workbench.claims-pane", "csrf").hexdigest()[:32]
_PANE_VERSION = salted_hmac("workbench.claims-pane", "version").hexdigest()[:32]
# A deployment with another template renders anew instead of reading the previous one's HTML.
_PANE_SOURCE = (Path(settings.BASE_DIR) / "templates" / WORKSPACE).read_bytes()
_PANE_TEMPLATE = hashlib.sha256(_PANE_SOURCE).hexdigest()[:12]


def claims_pane_html(request: HttpRequest, story: Story, brief: Brief, common: dict | None = None) -> str:
    """The claims pane as HTML for this reader, from the cache when the story's claims are unchanged."""
    context = common or _common_context(request, story, brief)
    can_edit = request.user.has_perm("briefs.edit_brief")
    parts = (
        "claims-pane",
        _PANE_TEMPLATE,
        story.updated.timestamp(),
        context["claim_filter"],
        context["entity_id"],
        _shown(request, "shown", article_reads.CLAIMS_SHOWN),
        context["algorithm"],
        can_edit,
    )

    def render_pane() -> str:
        pane = claims_context(request, story, brief, context) | {
            "pane_csrf_token": _PANE_TOKEN,
            "pane_brief_version": _PANE_VERSION,
        }
        return render_to_string(f"{WORKSPACE}#claims-pane", pane, request=request)

    html = article_reads.cached_for_synthesis(story, parts, render_pane)
    # Both stand-ins are replaced by values of the reader's own (a token and a number: nothing to escape).
    return mark_safe(  # noqa: S308
        html.replace(_PANE_TOKEN, get_token(request)).replace(_PANE_VERSION, str(brief.version))
    )


def workspace_context(request: HttpRequest, story: Story, brief: Brief) -> dict:
    common = _common_context(request, story, brief)
    return {
        **common,
        "claims_pane_html": claims_pane_html(request, story, brief, common),
        **sources_context(request, story, brief, common),
        **brief_pane_context(story, brief=brief),
    }


@require_GET
@login_required
def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = article_reads.story_with_synthesis_stamp(slug)
    if story is None:
        raise Http404(f"No story “{slug}”.")
    if wants_partial(request, ["claims-pane"]):
        brief = brief_reads.brief_or_default(story)
        return HttpResponse(claims_pane_html(request, story, brief))
    if wants_partial(request, ["sources-pane"]):
        brief = brief_reads.brief_or_default(story)
        return render_htmx(request, WORKSPACE, sources_context(request, story, brief), partial="sources-pane")
    brief = brief_reads.brief_with_items(story)
    return render(request, WORKSPACE, workspace_context(request, story, brief))


@require_GET
@login_required
def article_text(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    article = article_reads.article_for_reading(story, article_id)
    if article is None:
        raise Http404(f"Story “{story.title}” has no article {article_id}.")
    if not wants_partial(request):
        return render(request, ARTICLE_PAGE, article_page_context(request, story, article))
    context = {
        "story": story,
        "article": article,
        "brief": brief_reads.brief_or_default(story),
        **article_text_context(article, query_int(request, "part"), query_int(request, "sentence")),
    }
    return render_htmx(request, WORKSPACE, context, partial="article-text")


@require_GET
@login_required
def claim_evidence(request: HttpRequest, slug: str, claim_id: int) -> HttpResponse:
    """A claim's evidence: the sentence each source wrote and the discrepancies on it, each sentence linked to
    its place in the article. The full page, or (HTMX, when the claim is opened in the workspace) its body."""
    story = get_object_or_404(Story, slug=slug)
    evidence = article_reads.claim_evidence(story, claim_id)
    if evidence is None:
        raise Http404(
            f"Story “{story.title}” has no claim {claim_id}; it may have been replaced by a new analysis."
        )
    context = {"story": story, "claim": evidence.claim, "evidence": evidence}
    return render_htmx(request, EVIDENCE, context, partial="claim-evidence")


@require_POST
@login_required
def story_rerun_analysis_view(request: HttpRequest, slug: str) -> HttpResponse:
    require_permission(request, "briefs.rerun_analysis")
    story = get_object_or_404(Story, slug=slug)
    form = RerunAnalysisForm(request.POST)
    algorithm = (form.cleaned_data["algorithm"] if form.is_valid() else "") or None
    if algorithm and algorithm not in article_reads.summary_algorithms(story):
        messages.error(request, f"“{algorithm}” is not a summary algorithm of this workbench.")
        return redirect(story)
    count = jobs.rerun_analysis(list(story.articles.all()), algorithm)
    messages.success(
        request,
        f"Analysis queued again for {count} article{'s' if count != 1 else ''}"
        + (f" with {algorithm}." if algorithm else "."),
    )
    url = story.get_absolute_url() + (f"?algorithm={algorithm}" if algorithm else "")
    return redirect_htmx(request, url)


@require_GET
@login_required
def story_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    """The story as it unfolded: each outlet's first report, each claim's second source, each discrepancy;
    and what arrived since the brief was last published."""
    story = get_object_or_404(Story, slug=slug)
    live = brief_reads.live_publication(story.slug)
    context = {
        "story": story,
        "events": brief_reads.story_timeline(story),
        "changes": brief_reads.changes_since(story, live),
        "published_at": live.published_at if live else None,
        "feed_url": timeline_feed_url(request.user, story),
    }
    return render(request, "articles/timeline.html", context)
