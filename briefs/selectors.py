"""Reads of the editorial side: the story list with its briefs, the brief with its items, presence,
revisions and publications. The reads of a story's coverage (articles, claims, evidence) are in
articles/selectors.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles import selectors as article_reads
from articles.models import (
    Article,
    CandidateBrief,
    CandidateBriefSentence,
    Discrepancy,
    Job,
    Story,
)
from articles.selectors import candidate_brief, count_subquery, count_subquery_by
from briefs.checks import RESOLUTIONS, flag_key
from briefs.models import Brief, BriefItem, Presence, Publication, Revision


def story_list(query: str = "") -> QuerySet[Story]:
    """The workbench's stories (not the Inbox's candidates, nor candidates merged away), annotated."""
    stories = (
        Story.objects.filter(status=Story.Status.STORY)
        .select_related("brief", "brief__updated_by")
        .annotate(
            article_count=count_subquery(Article.objects.filter(story=OuterRef("pk"))),
            analyzed_count=count_subquery(
                Article.objects.filter(story=OuterRef("pk"), analyzed_at__isnull=False)
            ),
            named_outlet_count=Coalesce(
                Subquery(
                    Article.objects.filter(story=OuterRef("pk"), outlet__isnull=False)
                    .order_by()
                    .values("story")
                    .annotate(n=Count("outlet", distinct=True))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            # An article whose outlet is unknown is a source of its own, unless it is a copy of another
            # article of the story (as the synthesis counts independent sources).
            unknown_outlet_count=count_subquery(
                Article.objects.filter(
                    story=OuterRef("pk"), outlet__isnull=True, near_duplicate_of__isnull=True
                )
            ),
            outlet_count=F("named_outlet_count") + F("unknown_outlet_count"),
            active_job_count=count_subquery(
                Job.objects.filter(story=OuterRef("pk"), state__in=[Job.State.QUEUED, Job.State.RUNNING])
            ),
            failed_job_count=count_subquery(Job.objects.filter(story=OuterRef("pk"), state=Job.State.FAILED)),
        )
    )
    if query:
        stories = stories.filter(Q(title__icontains=query) | Q(slug__icontains=query.replace(" ", "-")))
    return stories.order_by("-updated")


@dataclass
class LivePublication:
    """What the brief pane shows of the live publication (read with the brief, no query of its own)."""

    revision_number: int
    published_at: datetime
    articles_since: int = 0  # articles that arrived in the story after it


def brief_or_default(story: Story) -> Brief:
    """The story's brief, or, before its first edit, an unsaved empty one at version 0.

    Pages read the brief through this (or brief_with_items), so that a GET never writes: the row is made by
    the first edit (briefs.services.brief_get_or_create, called by the editing views)."""
    brief = Brief.objects.select_related("updated_by").filter(story=story).first() or Brief(story=story)
    brief.story = story
    return brief


def brief_with_items(story: Story) -> Brief:
    """The brief with its items and their sources, in three queries; before the brief's first edit, an
    unsaved empty one (brief_or_default).

    Annotated with what the pane shows besides: `live_publication` (LivePublication or None, with how many
    articles arrived since) and
    `candidate_item_count` (None when the story has no candidate brief yet).
    """
    live = Publication.objects.filter(brief=OuterRef("pk"), unpublished_at__isnull=True)
    live_in_articles = Publication.objects.filter(brief=OuterRef(OuterRef("pk")), unpublished_at__isnull=True)
    brief = (
        Brief.objects.select_related("story", "updated_by")
        .annotate(
            live_revision_number=Subquery(live.values("revision__number")[:1]),
            live_published_at=Subquery(live.values("published_at")[:1]),
            articles_since_publication=count_subquery(
                Article.objects.filter(
                    story=OuterRef("story_id"),
                    created__gt=Subquery(live_in_articles.values("published_at")[:1]),
                )
            ),
            has_candidate=Exists(CandidateBrief.objects.filter(story=OuterRef("story_id"))),
            candidate_sentences=count_subquery_by(
                CandidateBriefSentence.objects.filter(candidate__story=OuterRef("story_id")),
                "candidate",
            ),
        )
        .prefetch_related(
            Prefetch(
                "items",
                queryset=BriefItem.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "articles",
                        queryset=Article.objects.select_related("outlet")
                        .defer(*ARTICLE_BULK_FIELDS)
                        .order_by("published_at"),
                    )
                ),
            ),
        )
        .filter(story=story)
        .first()
    )
    if brief is None:
        brief = Brief(story=story)
        brief.live_publication = None
        candidate = candidate_brief(story)
        brief.candidate_item_count = candidate.item_count if candidate is not None else None
        return brief
    brief.live_publication = (
        LivePublication(brief.live_revision_number, brief.live_published_at, brief.articles_since_publication)
        if brief.live_revision_number is not None
        else None
    )
    brief.candidate_item_count = brief.candidate_sentences if brief.has_candidate else None
    return brief


# The article columns no brief pane reads: its text, the file it came from, and the story-placement evidence
# (a vector and a term list per article), which would otherwise be loaded for every source of every item.
ARTICLE_BULK_FIELDS = ("body", "raw_input", "story_vector", "story_terms")

PRESENCE_PING_SECONDS = 20  # how often an open brief pane says it is open (and asks who else is)


PRESENCE_SECONDS = 3 * PRESENCE_PING_SECONDS  # not seen for longer: the pane was closed


def present_others(story: Story, user) -> list[str]:
    """The usernames of the others who have the story's brief open (briefs.models.Presence), by name."""
    since = timezone.now() - timedelta(seconds=PRESENCE_SECONDS)
    others = (
        Presence.objects.filter(story=story, last_seen__gte=since).exclude(user=user).select_related("user")
    )
    return sorted(presence.user.get_username() for presence in others)


def brief_items(brief: Brief) -> list[BriefItem]:
    """The items as brief_with_items prefetched them; none for a brief not made yet."""
    return list(brief.items.all()) if brief.pk is not None else []


def revisions(brief: Brief) -> QuerySet[Revision]:
    if brief.pk is None:  # not made yet (brief_or_default): no history
        return Revision.objects.none()
    return brief.revisions.select_related("author").defer("snapshot").order_by("-number")


def revision(brief: Brief, number: int) -> Revision | None:
    if brief.pk is None:
        return None
    return brief.revisions.select_related("author").filter(number=number).first()


def publications(brief: Brief) -> QuerySet[Publication]:
    if brief.pk is None:
        return Publication.objects.none()
    return brief.publications.select_related("revision", "published_by", "unpublished_by").order_by(
        "-published_at"
    )


def live_publication(story_slug: str) -> Publication | None:
    return (
        Publication.objects.select_related("brief__story", "revision", "published_by")
        .filter(brief__story__slug=story_slug, unpublished_at__isnull=True)
        .first()
    )


def live_publications(limit: int = 50) -> QuerySet[Publication]:
    return (
        Publication.objects.select_related("brief__story", "revision", "published_by")
        .filter(unpublished_at__isnull=True)
        .order_by("-published_at")[:limit]
    )


def with_changes_since_publication(stories: list[Story]) -> list[Story]:
    """Each story with `changes`: what its coverage gained since its brief was last published
    (articles.selectors.CoverageChanges), or None when the brief is not published; at most five queries."""
    live = dict(
        Publication.objects.filter(brief__story__in=stories, unpublished_at__isnull=True).values_list(
            "brief__story_id", "published_at"
        )
    )
    changes = article_reads.coverage_changes(live)
    for story in stories:
        story.changes = changes.get(story.pk)
    return stories


def changes_since(
    story: Story, live: LivePublication | Publication | None
) -> article_reads.CoverageChanges | None:
    """What the story's coverage gained since its live publication (None when unpublished). A
    LivePublication (brief_with_items) says how many articles arrived since: when none did, no query."""
    if live is None:
        return None
    if getattr(live, "articles_since", None) == 0:
        return article_reads.CoverageChanges(live.published_at)
    return article_reads.coverage_changes({story.pk: live.published_at})[story.pk]


def flag_resolution_events(story: Story) -> list[article_reads.TimelineEvent]:
    """For the story's timeline: each discrepancy an editor settled in the brief (briefs.checks.RESOLUTIONS),
    when and by whom; two queries."""
    values = {
        flag_key(kind, a, b): (a, b)
        for kind, a, b in Discrepancy.objects.filter(claim__story=story).values_list(
            "kind", "value_a", "value_b"
        )
    }
    events = []
    for position, resolutions in BriefItem.objects.filter(brief__story=story).values_list(
        "position", "flag_resolutions"
    ):
        for entry in resolutions or []:
            when = parse_datetime(str(entry.get("at") or ""))
            key = str(entry.get("key") or "")
            if when is None or not key:
                continue
            value_a, value_b = values.get(key, ("", ""))
            how = RESOLUTIONS.get(entry.get("resolution"), str(entry.get("resolution")))
            how = how.format(value_a=value_a, value_b=value_b) if value_a else how.split(" “")[0]
            by = entry.get("by") or "an editor"
            events.append(
                article_reads.TimelineEvent(
                    when, "resolved", f"Settled in the brief ({key}): {how}", f"by {by}, item {position + 1}"
                )
            )
    return events


def story_timeline(story: Story) -> list[article_reads.TimelineEvent]:
    """The story's timeline (articles.selectors.story_timeline) and the flags editors settled, in order."""
    return sorted(
        article_reads.story_timeline(story) + flag_resolution_events(story), key=lambda event: event.when
    )
