"""An article's source details on its page: what they are, who corrected them, and the editors' form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles import jobs
from articles import selectors as article_reads
from articles.models import Article, Story
from articles.services.sources import (
    SourceDetailsConflict,
    SourceDetailsError,
    SourceUpdate,
    latest_correction_id,
)
from briefs import selectors as brief_reads
from briefs.services import article_source_correct
from web.forms import ArticleSourceForm, SeenCorrectionForm, query_int
from web.htmx import require_permission
from web.views.text import article_text_context

ARTICLE_PAGE = "articles/article_page.html"
PREFIX = "source"


def source_form_for(article: Article) -> ArticleSourceForm:
    """The form filled with the article's details as they are (the date in the workbench's time zone)."""
    published = timezone.localtime(article.published_at) if article.published_at else None
    return ArticleSourceForm(
        prefix=PREFIX,
        initial={
            "outlet": article.outlet.name if article.outlet_id else "",
            "url": article.url,
            "byline": article.byline,
            "published_at": published.strftime("%Y-%m-%d %H:%M") if published else "",
        },
    )


def source_details_context(article: Article, form: ArticleSourceForm | None = None, **extra) -> dict:
    """What the article page's "Source details" section needs."""
    corrections = list(article.source_corrections.order_by("-created", "-id")[:20])
    return {
        "source_form": form or source_form_for(article),
        "corrections": corrections,
        "seen_correction": corrections[0].pk if corrections else 0,
        **extra,
    }


def article_page_context(request: HttpRequest, story: Story, article: Article, **extra) -> dict:
    return {
        "story": story,
        "article": article,
        "brief": brief_reads.brief_or_default(story),
        **article_text_context(article, query_int(request, "part"), query_int(request, "sentence")),
        **source_details_context(article, **extra),
    }


@require_POST
@login_required
def article_source_details(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    """Save an editor's correction of the article's outlet, URL, byline and date (audited)."""
    require_permission(request, "articles.change_article")
    story = get_object_or_404(Story, slug=slug)
    article = article_reads.article_for_reading(story, article_id)
    if article is None:
        raise Http404(f"Story “{story.title}” has no article {article_id}.")
    form = ArticleSourceForm(request.POST, prefix=PREFIX)
    if not form.is_valid():
        return _refused(request, story, article, form, status=422)
    seen_form = SeenCorrectionForm(request.POST)
    seen = seen_form.cleaned_data["seen_correction"] if seen_form.is_valid() else None
    if seen is None:
        seen = latest_correction_id(article)
    try:
        update = article_source_correct(article, request.user, seen_correction=seen, **form.cleaned_data)
        jobs.resynthesise_after(update, story)
    except SourceDetailsConflict as conflict:
        article = article_reads.article_for_reading(story, article_id)
        return _refused(request, story, article, form, status=409, source_conflict=str(conflict))
    except SourceDetailsError as error:
        form.add_error(None, str(error))
        return _refused(request, story, article, form, status=422)
    messages.success(request, _saved_message(update))
    return redirect(reverse("article_text", args=[story.slug, article.pk]) + "#source-details")


def _refused(
    request: HttpRequest, story: Story, article: Article, form, *, status: int, **extra
) -> HttpResponse:
    context = article_page_context(request, story, article, form=form, **extra)
    return render(request, ARTICLE_PAGE, context, status=status)


def _saved_message(update: SourceUpdate) -> str:
    warnings = "".join(f" {warning}" for warning in update.warnings)
    if not update.saved:
        return "Nothing to save: the source details are as they were." + warnings
    message = f"Source details saved: {update.correction.summary}."
    if update.brief_revision is not None:
        message += (
            f" The brief cites this article: its revision {update.brief_revision} holds the corrected source"
        )
        message += (
            "; the public page shows it once the brief is published again." if update.brief_published else "."
        )
    if update.synthesis_queued:
        message += " The claims' sources are being counted again (story synthesis queued)."
    return message + warnings
