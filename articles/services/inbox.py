"""The Inbox: stories the workbench forms by itself from watched feeds, and the editor's actions on them.

A watched source without a story is an *Inbox source*: each of its new entries goes to the story it reports
on. The placement is `articles.nlp.stories` (the method `cluster_stories` runs and bench/stories.py measures)
over the workbench's own stories: an index of the stories that received an article in the last
STORY_WINDOW_DAYS days, built from their latest articles' stored evidence (`Article.story_vector`,
`Article.story_terms`; computed once per article, at its import or when the index first needs it). An
entry joins the best story when the clustering's score reaches its threshold (an accepted story or a
candidate alike), else it starts a *candidate* story in the Inbox, titled after it.

The editor then sorts the candidates: **accept** one (optionally renamed), **merge** it into another story,
**split** articles off into a new candidate, or **move** articles to another story. Every action is a
StoryAction row (who, when, what moved) and can be undone while the articles it moved are still where it put
them. An article cited by its story's brief is never moved away from it: the brief's citations would point
outside the story. The pipeline synthesises again each story an action changed
(articles.jobs.resynthesise_sorted, given the action).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from articles.bulk import update_rows
from articles.models import (
    Article,
    ArticleOverlap,
    CandidateBrief,
    Claim,
    Entity,
    Job,
    Mention,
    Sentence,
    Story,
    StoryAction,
)
from articles.nlp.embeddings import from_bytes
from articles.nlp.stories import (
    ArticleEvidence,
    StoryIndex,
    StoryParams,
    StreamArticle,
    article_evidence,
    evidence_from_analysis,
)
from articles.rules import shorten
from articles.services import require_permission
from articles.services.stories import story_create

logger = logging.getLogger(__name__)

SORT_PERMISSION = "articles.add_story"
OPEN = (Story.Status.STORY, Story.Status.CANDIDATE)


class InboxError(ValueError):
    """An action on the Inbox's stories that cannot be done as asked; the message says why, for the editor."""


def story_params() -> StoryParams:
    return StoryParams(threshold=settings.STORY_THRESHOLD, window_days=settings.STORY_WINDOW_DAYS)


# --- an article's evidence ---------------------------------------------------------------------------


def evidence_for(articles: list[StreamArticle]) -> list[ArticleEvidence]:
    """The clustering's evidence of articles not stored yet (one spaCy pass, one embedding pass)."""
    return article_evidence(articles, story_params()) if articles else []


def stored_evidence(article: Article) -> ArticleEvidence | None:
    if article.story_vector is None or article.story_terms is None:
        return None
    vector = np.frombuffer(bytes(article.story_vector), dtype=np.float32)
    return ArticleEvidence(vector, article.story_terms, article.published_at)


def evidence_fields(evidence: ArticleEvidence) -> dict:
    """The article's fields that store its evidence, as stored."""
    return {
        "story_vector": np.asarray(evidence.vector, dtype=np.float32).tobytes(),
        "story_terms": {term: round(float(count), 3) for term, count in evidence.terms.items()},
    }


def keep_evidence(article: Article, evidence: ArticleEvidence) -> None:
    """Set the article's stored evidence (saved by the caller)."""
    for name, value in evidence_fields(evidence).items():
        setattr(article, name, value)


def _fill_missing_evidence(articles: list[Article]) -> None:
    """Give the articles that have none their evidence (an article of a story made by hand, the first time an
    Inbox import compares with it): from what its analysis stored, with no model run; only an article not
    analysed yet is read with the models."""
    missing = [a for a in articles if a.story_vector is None or a.story_terms is None]
    params = story_params()
    for start in range(0, len(missing), 200):
        chunk = missing[start : start + 200]
        spans: dict[int, list] = defaultdict(list)
        vectors: dict[int, dict[int, np.ndarray]] = defaultdict(dict)
        for sentence in Sentence.objects.filter(article__in=chunk).order_by("article_id", "index"):
            spans[sentence.article_id].append(sentence.to_span())
            vector = from_bytes(sentence.embedding)
            if vector is not None:
                vectors[sentence.article_id][sentence.index] = vector
        mentions: dict[int, list] = defaultdict(list)
        for article_id, at, label, text in Mention.objects.filter(article__in=chunk).values_list(
            "article_id", "start", "label", "text"
        ):
            mentions[article_id].append((at, label, text))
        unread = []
        for article in chunk:
            evidence = evidence_from_analysis(
                spans[article.pk], mentions[article.pk], vectors[article.pk], params, article.published_at
            )
            if evidence is None:
                unread.append(article)
            else:
                keep_evidence(article, evidence)
        found = evidence_for([StreamArticle(a.pk, a.body, a.title, a.published_at) for a in unread])
        for article, evidence in zip(unread, found, strict=True):
            keep_evidence(article, evidence)
        update_rows(Article, chunk, ["story_vector", "story_terms"])


# --- placing an Inbox source's entries ---------------------------------------------------------------


@dataclass
class StoryPlacer:
    """The index of recent stories for one import batch of an Inbox source (see the module docstring)."""

    index: StoryIndex
    since: datetime | None = None  # when the newest article it holds arrived, to pick up others' articles
    at_since: set[int] = field(default_factory=set)  # the articles it holds that arrived at `since`

    @classmethod
    def load(cls) -> StoryPlacer:
        placer = cls(StoryIndex(story_params()))
        cutoff = timezone.now() - timedelta(days=settings.STORY_WINDOW_DAYS)
        recent = (
            Article.objects.filter(story__status__in=OPEN, created__gte=cutoff)
            .order_by("-created", "-id")
            .only("id", "story_id", "title", "body", "published_at", "created", "story_vector", "story_terms")
        )[: settings.STORY_INDEX_MAX_ARTICLES]
        placer._take(list(reversed(recent)))
        return placer

    def refresh(self) -> None:
        """Take in the articles other imports stored since the index was loaded. (What editors moved meanwhile
        is seen by the next import's index.)"""
        if self.since is None:
            return
        newer = (
            Article.objects.filter(story__status__in=OPEN, created__gte=self.since)
            .exclude(pk__in=self.at_since)
            .order_by("created", "id")
            .only("id", "story_id", "title", "body", "published_at", "created", "story_vector", "story_terms")
        )
        self._take(list(newer[: settings.STORY_INDEX_MAX_ARTICLES]))

    def _held(self, article: Article) -> None:
        if self.since is None or article.created > self.since:
            self.since, self.at_since = article.created, {article.pk}
        elif article.created == self.since:
            self.at_since.add(article.pk)

    def _take(self, articles: list[Article]) -> None:
        _fill_missing_evidence(articles)
        for article in articles:
            self.index.join(article.story_id, stored_evidence(article), count=True)
            self._held(article)

    def story_for(self, evidence: ArticleEvidence, title: str) -> Story:
        """The story an entry goes to: the open story it belongs to, or a new candidate titled after it.
        The entry is not in the index until `joined`."""
        self.refresh()
        number, _score = self.index.place(evidence)
        if number is not None:
            story = Story.objects.filter(pk=number).first()
            # A candidate merged meanwhile sends its entries on to the story it went into.
            while story is not None and story.status == Story.Status.MERGED and story.merged_into_id:
                story = Story.objects.filter(pk=story.merged_into_id).first()
            if story is not None and story.status in OPEN:
                return story
        return story_create(title=title or "Untitled story", status=Story.Status.CANDIDATE)

    def joined(self, article: Article, evidence: ArticleEvidence) -> None:
        self.index.join(article.story_id, evidence)
        self._held(article)


# --- what the Inbox shows ----------------------------------------------------------------------------


def candidates():
    """The Inbox's candidate stories, most recently grown first, with their articles and outlets counted."""
    return (
        Story.objects.filter(status=Story.Status.CANDIDATE)
        .annotate(
            article_count=Count("articles", distinct=True),
            outlet_count=Count("articles__outlet", distinct=True),
            latest=Max("articles__created"),
        )
        .filter(article_count__gt=0)
        .order_by("-latest", "-id")
    )


def recently_sorted(days: float = 2.0):
    """Articles of Inbox sources the workbench put in an accepted story in the last `days` days."""
    return (
        Article.objects.filter(
            import_batch__isnull=False,
            import_batch__story__isnull=True,
            story__status=Story.Status.STORY,
            created__gte=timezone.now() - timedelta(days=days),
        )
        .select_related("story", "outlet")
        .order_by("-created", "-id")
    )


def recent_actions(limit: int = 20):
    return StoryAction.objects.select_related("story", "other", "user", "undone_by")[:limit]


def open_stories():
    """Stories an article can be moved or merged into."""
    return Story.objects.filter(status__in=OPEN).order_by("title", "id")


# --- the editor's actions ------------------------------------------------------------------------------


def _check_movable(articles: list[Article], to: Story) -> None:
    """Refuse a move the stories could not take: an article cited by its story's brief, a text the other
    story already holds, an article already there."""
    if to.status == Story.Status.MERGED:
        raise InboxError(f"“{to.title}” was merged into another story; choose that one.")
    here = [a for a in articles if a.story_id == to.pk]
    if here:
        raise InboxError(f"“{shorten(here[0].title, 80)}” is already in “{to.title}”.")
    cited = (
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .filter(
            Q(brief_items__brief__story_id=F("story_id"))
            | Q(sentences__brief_items__brief__story_id=F("story_id"))
        )
        .values_list("title", flat=True)
        .first()
    )
    if cited is not None:
        raise InboxError(
            f"“{shorten(cited, 80)}” is cited in its story's brief; "
            "remove it from the brief before moving it."
        )
    hashes = {a.content_hash for a in articles}
    clash = to.articles.filter(content_hash__in=hashes).values_list("title", flat=True).first()
    if clash is not None:
        raise InboxError(f"“{to.title}” already holds the same text (“{shorten(clash, 80)}”).")


def _apply_moves(moves: Iterable[tuple[int, int, int]], *, backwards: bool = False) -> set[int]:
    """Move each article (id, from, to) to its story (its `from` when `backwards`); the stories touched."""
    touched: set[int] = set()
    by_target: dict[int, list[int]] = {}
    for article_id, source, target in moves:
        destination = source if backwards else target
        by_target.setdefault(destination, []).append(article_id)
        touched.update((source, target))
    for destination, ids in by_target.items():
        Article.objects.filter(pk__in=ids).update(story_id=destination)
        # The articles' waiting or running analysis now belongs to their new story's settling.
        Job.objects.filter(article_id__in=ids, state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
            story_id=destination
        )
    return touched


def _settle(story_ids: Iterable[int]) -> None:
    """After articles moved: each story touched counts as changed, and one left empty loses what was derived
    from its articles. Synthesising the others again is the pipeline's (articles.jobs.resynthesise_sorted)."""
    for story in Story.objects.filter(pk__in=set(story_ids)):
        story.save(update_fields=["updated"])
        if not story.articles.exists():
            _clear_synthesis(story)


def stories_changed(action: StoryAction) -> set[int]:
    """The stories an action (or its undo) moved articles into or out of, that still exist."""
    ids = {source for _a, source, _t in action.moves} | {target for _a, _s, target in action.moves}
    return set(Story.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _clear_synthesis(story: Story) -> None:
    Claim.objects.filter(story=story).delete()
    ArticleOverlap.objects.filter(story=story).delete()
    CandidateBrief.objects.filter(story=story).delete()
    Entity.objects.filter(story=story).delete()


def _record(kind, story, other, user, summary, moves=(), statuses=(), titles=()) -> StoryAction:
    return StoryAction.objects.create(
        kind=kind,
        story=story,
        other=other,
        user=user,
        summary=summary[:500],
        moves=[list(m) for m in moves],
        statuses=[list(s) for s in statuses],
        titles=[list(t) for t in titles],
    )


def _articles_of(story: Story, article_ids: Iterable[int]) -> list[Article]:
    wanted = {int(i) for i in article_ids}
    found = list(Article.objects.filter(story=story, pk__in=wanted).order_by("published_at", "id"))
    if not wanted:
        raise InboxError("Choose at least one article.")
    if len(found) != len(wanted):
        raise InboxError(f"Some of the chosen articles are not in “{story.title}” (any more).")
    return found


def accept(user, story: Story, title: str = "") -> StoryAction:
    """Make a candidate a story of the workbench (listed with the others), renamed to `title` if given."""
    require_permission(user, SORT_PERMISSION, "sort stories")
    title = " ".join(title.split())[:300]
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.status != Story.Status.CANDIDATE:
            raise InboxError(f"“{story.title}” is not in the Inbox.")
        titles = [(story.pk, story.title, title)] if title and title != story.title else []
        statuses = [(story.pk, story.status, Story.Status.STORY)]
        story.status = Story.Status.STORY
        if titles:
            story.title = title
        story.save(update_fields=["status", "title", "updated"])
        return _record(
            StoryAction.Kind.ACCEPT,
            story,
            None,
            user,
            f"Accepted “{story.title}”",
            statuses=statuses,
            titles=titles,
        )


def merge(user, story: Story, into: Story) -> StoryAction:
    """Move all of a candidate's articles into another story; the candidate is left empty, marked merged."""
    require_permission(user, SORT_PERMISSION, "sort stories")
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        into = Story.objects.select_for_update().get(pk=into.pk)
        if story.status != Story.Status.CANDIDATE:
            raise InboxError(f"Only a story in the Inbox can be merged; “{story.title}” is not.")
        if into.pk == story.pk:
            raise InboxError("A story cannot be merged into itself.")
        articles = list(story.articles.all())
        _check_movable(articles, into)
        moves = [(a.pk, story.pk, into.pk) for a in articles]
        _apply_moves(moves)
        statuses = [(story.pk, story.status, Story.Status.MERGED)]
        story.status, story.merged_into = Story.Status.MERGED, into
        story.save(update_fields=["status", "merged_into", "updated"])
        _settle([story.pk, into.pk])
        return _record(
            StoryAction.Kind.MERGE,
            story,
            into,
            user,
            f"Merged “{story.title}” ({_count(len(moves))}) into “{into.title}”",
            moves=moves,
            statuses=statuses,
        )


def split(user, story: Story, article_ids: Iterable[int], title: str = "") -> StoryAction:
    """Move the chosen articles of a story into a new candidate story (titled `title`, or after the first)."""
    require_permission(user, SORT_PERMISSION, "sort stories")
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.status not in OPEN:
            raise InboxError(f"“{story.title}” was merged into another story.")
        articles = _articles_of(story, article_ids)
        if len(articles) == story.articles.count():
            raise InboxError("Choose some of the story's articles, not all: a split leaves two stories.")
        new = story_create(title=title or articles[0].title, user=user, status=Story.Status.CANDIDATE)
        _check_movable(articles, new)
        moves = [(a.pk, story.pk, new.pk) for a in articles]
        _apply_moves(moves)
        summary = f"Split {_count(len(moves))} off “{story.title}” into “{new.title}”"
        titles = _retitle(story, articles)
        _settle([story.pk, new.pk])
        return _record(
            StoryAction.Kind.SPLIT,
            story,
            new,
            user,
            summary,
            moves=moves,
            statuses=[(new.pk, "", Story.Status.CANDIDATE)],
            titles=titles,
        )


def move(user, story: Story, article_ids: Iterable[int], to: Story) -> StoryAction:
    """Move the chosen articles of a story to another story."""
    require_permission(user, SORT_PERMISSION, "sort stories")
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        to = Story.objects.select_for_update().get(pk=to.pk)
        articles = _articles_of(story, article_ids)
        _check_movable(articles, to)
        moves = [(a.pk, story.pk, to.pk) for a in articles]
        _apply_moves(moves)
        what = f"“{shorten(articles[0].title, 80)}”" if len(articles) == 1 else _count(len(articles))
        summary = f"Moved {what} from “{story.title}” to “{to.title}”"
        titles = _retitle(story, articles)
        _settle([story.pk, to.pk])
        return _record(StoryAction.Kind.MOVE, story, to, user, summary, moves=moves, titles=titles)


def _retitle(story: Story, gone: list[Article]) -> list[tuple[int, str, str]]:
    """A candidate is titled after one of its articles: when that article left, after the first one left
    (the change, for the action's record)."""
    if story.status != Story.Status.CANDIDATE or story.title not in {a.title for a in gone}:
        return []
    first = story.articles.order_by("published_at", "id").values_list("title", flat=True).first()
    if not first or first == story.title:
        return []
    before, story.title = story.title, first[:300]
    story.save(update_fields=["title", "updated"])
    return [(story.pk, before, story.title)]


def undo(user, action: StoryAction) -> StoryAction:
    """Put back what the action changed, while nothing has moved the same articles or stories since."""
    require_permission(user, SORT_PERMISSION, "sort stories")
    with transaction.atomic():
        action = StoryAction.objects.select_for_update().get(pk=action.pk)
        if action.undone_at is not None:
            raise InboxError("This action was undone already.")
        moved = {article_id: target for article_id, _source, target in action.moves}
        now_in = dict(Article.objects.filter(pk__in=moved).values_list("id", "story_id"))
        if any(now_in.get(article_id) != target for article_id, target in moved.items()):
            raise InboxError(
                f"“{action.summary}” cannot be undone: some of its articles have moved since (or were "
                "removed). Undo the later action first."
            )
        stories = {s.pk: s for s in Story.objects.select_for_update().filter(pk__in=_story_ids(action))}
        for story_id, _before, after in action.statuses:
            story = stories.get(story_id)
            if story is None or story.status != after:
                raise InboxError(
                    f"“{action.summary}” cannot be undone: a story it changed has changed since."
                )
        # The articles first: a story the action created is then empty and can go.
        touched = _apply_moves([tuple(m) for m in action.moves], backwards=True)
        for story_id, before, _after in action.statuses:
            story = stories[story_id]
            if not before:  # the action made this story: remove it, now that it is empty again
                if story.articles.exists() or _has_brief(story):
                    raise InboxError(
                        f"“{action.summary}” cannot be undone: “{story.title}” has articles "
                        "or a brief of its own now."
                    )
                story.delete()
                touched.discard(story_id)
                continue
            story.status = before
            if before != Story.Status.MERGED:
                story.merged_into = None
            story.save(update_fields=["status", "merged_into", "updated"])
        for story_id, before_title, _after_title in action.titles:
            if story_id in stories and Story.objects.filter(pk=story_id).exists():
                Story.objects.filter(pk=story_id).update(title=before_title)
        _settle(touched)
        action.undone_at = timezone.now()
        action.undone_by = user
        action.save(update_fields=["undone_at", "undone_by"])
        return action


def _story_ids(action: StoryAction) -> set[int]:
    ids = {s for s, _b, _a in action.statuses} | {s for s, _b, _a in action.titles}
    for _article, source, target in action.moves:
        ids.update((source, target))
    return ids


def _has_brief(story: Story) -> bool:
    return Story.objects.filter(pk=story.pk, brief__isnull=False).exists()


def _count(n: int) -> str:
    return f"{n} article{'' if n == 1 else 's'}"
