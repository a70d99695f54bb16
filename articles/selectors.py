"""Reads of a story's coverage for the workbench pages: its articles, summaries, overlaps, claims,
evidence, entities and candidate brief. Query counts do not grow with the number of articles or claims:
lists are fetched with select_related/prefetch_related, counts with annotations. The brief's own reads are
in briefs/selectors.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from articles.models import (
    Article,
    ArticleOverlap,
    CandidateBrief,
    Claim,
    Discrepancy,
    Entity,
    ImportBatch,
    Mention,
    Sentence,
    Story,
    Summary,
    WatchedSource,
)
from articles.rules import shorten, source_groups

T = TypeVar("T")


CLAIM_FILTERS = {
    "all": "All claims",
    "agreed": "Agreed by 2+ sources",
    "unique": "Unique reporting",
    "discrepancies": "With discrepancies",
}


FALLBACK_ALGORITHMS = ["lexrank", "lsa", "luhn", "textrank", "lead"]


def count_subquery_by(queryset: QuerySet, group: str) -> Subquery:
    """A correlated COUNT subquery (no join fan-out when several counts are annotated together)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def count_subquery(queryset: QuerySet) -> Subquery:
    return count_subquery_by(queryset, "story")


def analysis_state(story: Story) -> str:
    """A word for the story list: from the annotations of story_list()."""
    if story.active_job_count:
        return "running"
    if story.article_count == 0:
        return "no articles"
    if story.failed_job_count and story.analyzed_count < story.article_count:
        return "failed"
    if story.analyzed_count >= story.article_count:
        return "analysed"
    return "not analysed"


def summary_algorithms(story: Story) -> list[str]:
    try:
        from articles.nlp.summarizers import ALGORITHMS

        known = list(ALGORITHMS)
    except ImportError:
        known = list(FALLBACK_ALGORITHMS)
    computed = Summary.objects.filter(article__story=story).values_list("algorithm", flat=True).distinct()
    for name in [settings.SUMMARY_ALGORITHM, *computed]:
        if name not in known:
            known.append(name)
    return known


SOURCES_SHOWN = 30  # articles per "page" of the sources pane; "Show more" asks for the next ones


OVERLAP_MATRIX_MAX_ARTICLES = 30  # beyond this, each article with the one covering most of it


CLAIMS_SHOWN = 50  # claims per "page" of the claims pane; "Show more" asks for the next ones


CLAIM_OUTLETS_SHOWN = 8  # source labels on a claim; beyond, "and N more"


# What the sources pane shows of an article: never its texts (body, raw input, standfirst).
ARTICLE_LISTING_FIELDS = (
    "id",
    "story_id",
    "outlet_id",
    "outlet__name",
    "title",
    "byline",
    "url",
    "published_at",
    "published_time_known",
    "source_name",
    "near_duplicate_of_id",
    "near_duplicate_similarity",
    "analyzed_at",
    "language",
)


def story_article_count(story: Story) -> int:
    return story.articles.count()


def story_articles(story: Story, algorithm: str, limit: int | None = None) -> list[Article]:
    """The story's articles in reading order (the first `limit`), each with its `algorithm` summary."""
    articles = (
        story.articles.select_related("outlet")
        .only(*ARTICLE_LISTING_FIELDS)
        .prefetch_related(
            Prefetch(
                "summaries",
                queryset=Summary.objects.filter(algorithm=algorithm).only("id", "article_id", "text"),
                to_attr="selected_summaries",
            )
        )
    )
    if limit is not None:
        articles = articles[:limit]
    return list(articles)


@dataclass
class OverlapRow:
    article: Article
    cells: list[float | None]


def overlap_matrix(story: Story, articles: list[Article], article_count: int) -> list[OverlapRow]:
    """Row: an article; column: another article; cell: how much of the row's article the other one covers.

    Only when `articles` are all the story's articles (`article_count`) and no more than
    OVERLAP_MATRIX_MAX_ARTICLES (see overlap_leaders)."""
    if article_count > OVERLAP_MATRIX_MAX_ARTICLES or len(articles) < article_count:
        return []
    coverage = {
        (article_id, other_id): value
        for article_id, other_id, value in ArticleOverlap.objects.filter(story=story).values_list(
            "article_id", "other_id", "coverage"
        )
    }
    if not coverage:
        return []
    return [
        OverlapRow(article=a, cells=[None if a.pk == b.pk else coverage.get((a.pk, b.pk)) for b in articles])
        for a in articles
    ]


@dataclass
class OverlapLeader:
    article: Article
    other: Article
    coverage: float
    other_listed: bool  # the other article is in the same list (else it is linked to its own page)


def overlap_leaders(story: Story, articles: list[Article], article_count: int) -> list[OverlapLeader]:
    """For a story too large for the matrix: each of `articles` and the article that covers most of it."""
    if article_count <= OVERLAP_MATRIX_MAX_ARTICLES or not articles:
        return []
    best = ArticleOverlap.objects.filter(article=OuterRef("pk")).order_by("-coverage", "other_id")
    rows = (
        story.articles.filter(pk__in=[a.pk for a in articles])
        .annotate(
            best_other=Subquery(best.values("other_id")[:1]),
            best_coverage=Subquery(best.values("coverage")[:1]),
        )
        .values_list("pk", "best_other", "best_coverage")
    )
    best_of = {pk: (other, coverage) for pk, other, coverage in rows if other is not None}
    listed = {article.pk: article for article in articles}
    others = dict(listed)
    missing = {other for other, _ in best_of.values() if other not in listed}
    if missing:
        others.update(
            (a.pk, a)
            for a in story.articles.select_related("outlet")
            .only("id", "story_id", "outlet_id", "outlet__name", "title", "url", "source_name")
            .filter(pk__in=missing)
        )
    for article in others.values():
        article.short_title = shorten(article.title, 60)
    return [
        OverlapLeader(
            article=a,
            other=others[best_of[a.pk][0]],
            coverage=best_of[a.pk][1],
            other_listed=best_of[a.pk][0] in listed,
        )
        for a in articles
        if a.pk in best_of and best_of[a.pk][0] in others
    ]


def _claims(story: Story, claim_filter: str, entity_id: int | None) -> QuerySet[Claim]:
    claims = story.claims.all()
    if claim_filter == "agreed":
        claims = claims.filter(support__gte=2)
    elif claim_filter == "unique":
        claims = claims.filter(unique=True)
    elif claim_filter == "discrepancies":
        claims = claims.filter(Exists(Discrepancy.objects.filter(_flagged(OuterRef("pk")))))
    if entity_id:
        claims = claims.filter(entities__pk=entity_id).distinct()
    return claims


def story_claim_count(story: Story, *, claim_filter: str = "all", entity_id: int | None = None) -> int:
    return _claims(story, claim_filter, entity_id).count()


def story_claims(
    story: Story, *, claim_filter: str = "all", entity_id: int | None = None, limit: int | None = None
) -> list[Claim]:
    """The claims of the filter in order, each with `outlet_labels` (its sources' labels, without loading
    the sentences), `flags` (its discrepancies, as `claim` or `other_claim`) and `short_text`."""
    claims = (
        _claims(story, claim_filter, entity_id)
        .only("id", "story_id", "position", "text", "support", "unique")
        .annotate(closest_article=F("closest__article_id"))
        .order_by("position", "id")
    )
    if limit is not None:
        claims = claims[:limit]
    result = list(claims)
    if not result:
        return result
    article_ids: dict[int, list[int]] = {claim.pk: [] for claim in result}
    for claim_id, article_id in (
        Claim.sentences.through.objects.filter(claim_id__in=article_ids)
        .order_by("sentence__article_id")
        .values_list("claim_id", "sentence__article_id")
        .distinct()
    ):
        article_ids[claim_id].append(article_id)
    closest = {claim.closest_article for claim in result if not claim.unique and claim.closest_article}
    labels = _source_labels_and_keys(story, {pk for ids in article_ids.values() for pk in ids} | closest)
    flags = claim_flags(list(article_ids))
    for claim in result:
        claim.closest_label = (
            labels[claim.closest_article][0]
            if claim.support == 1 and not claim.unique and claim.closest_article in labels
            else ""
        )
        claim.flags = flags[claim.pk]
        claim.outlet_labels = distinct_source_labels(labels[pk] for pk in article_ids[claim.pk])
        claim.outlet_labels_shown = claim.outlet_labels[:CLAIM_OUTLETS_SHOWN]
        claim.outlet_labels_more = len(claim.outlet_labels) - len(claim.outlet_labels_shown)
        claim.short_text = shorten(claim.text, 60)
    return result


DISCREPANCY_FIELDS = (
    "id",
    "claim",
    "other_claim",
    "kind",
    "value_a",
    "value_b",
    "explanation",
    "sentence_a",
    "sentence_b",
)


SENTENCE_LABEL_FIELDS = (
    "id",
    "article",
    "article__story",
    "article__outlet",
    "article__outlet__name",
    "article__url",
    "article__source_name",
)


def _flagged(claim_id: int | OuterRef) -> Q:
    """The discrepancies shown on a claim: those of its own sentences and those where it is the other side."""
    return Q(claim_id=claim_id) | Q(other_claim_id=claim_id)


def claim_flags(claim_ids: list[int]) -> dict[int, list[Discrepancy]]:
    """Claim id: its discrepancies (as `claim` or `other_claim`) with their sides' labels, in one query."""
    flags: dict[int, list[Discrepancy]] = {pk: [] for pk in claim_ids}
    if not flags:
        return flags
    discrepancies = (
        Discrepancy.objects.filter(Q(claim_id__in=claim_ids) | Q(other_claim_id__in=claim_ids))
        # Only the sources' labels are shown: leave the articles' texts in the database.
        .select_related("sentence_a__article__outlet", "sentence_b__article__outlet")
        .only(
            *DISCREPANCY_FIELDS,
            *(f"sentence_{side}__{field}" for side in "ab" for field in SENTENCE_LABEL_FIELDS),
        )
        .order_by("id")
    )
    for discrepancy in discrepancies:
        for claim_id in {discrepancy.claim_id, discrepancy.other_claim_id}:
            if claim_id in flags:
                flags[claim_id].append(discrepancy)
    return flags


def source_labels(story: Story, article_ids: set[int]) -> dict[int, str]:
    """Article id: Article.source_label, for the given articles of the story (one light query)."""
    return {pk: label for pk, (label, _) in _source_labels_and_keys(story, article_ids).items()}


def _source_labels_and_keys(story: Story, article_ids: set[int]) -> dict[int, tuple[str, str]]:
    articles = (
        story.articles.select_related("outlet")
        .only("id", "story_id", "outlet_id", "outlet__name", "url", "source_name")
        .filter(pk__in=article_ids)
    )
    return {article.pk: (article.source_label, article.source_key) for article in articles}


def distinct_source_labels(labels_and_keys) -> list[str]:
    """Each label once, in order; a label several sources share (two articles of unknown outlets are both
    "Unknown outlet") says how many: "Unknown outlet ×2"."""
    keys: dict[str, set[str]] = {}
    for label, key in labels_and_keys:
        keys.setdefault(label, set()).add(key)
    return [label if len(found) == 1 else f"{label} ×{len(found)}" for label, found in keys.items()]


# What a claim's evidence shows of a sentence and its article: never the article's texts or the embedding.
EVIDENCE_SENTENCE_FIELDS = (
    "id",
    "article",
    "index",
    "text",
    "article__id",
    "article__story",
    "article__title",
    "article__published_at",
    "article__url",
    "article__source_name",
    "article__outlet",
    "article__outlet__name",
    "article__near_duplicate_of",
    "article__near_duplicate_of__id",
    "article__near_duplicate_of__url",
    "article__near_duplicate_of__source_name",
    "article__near_duplicate_of__outlet",
    "article__near_duplicate_of__outlet__name",
)


EVIDENCE_SENTENCE_RELATED = ("article__outlet", "article__near_duplicate_of__outlet")


CLAIM_EVIDENCE_FIELDS = (
    "id",
    "story",
    "position",
    "text",
    "support",
    "unique",
    "closest",
    "closest_similarity",
)


@dataclass
class EvidenceSentence:
    """A sentence shown as evidence: what its source wrote, and which source."""

    sentence: Sentence
    label: str  # the outlet (Article.source_label)
    copy_of: str  # for a wire copy (Article.near_duplicate_of), the original's label; else ""

    @classmethod
    def of(cls, sentence: Sentence) -> EvidenceSentence:
        original = sentence.article.near_duplicate_of
        return cls(sentence, sentence.article.source_label, original.source_label if original else "")


@dataclass
class EvidenceFlag:
    """A discrepancy as the evidence of one claim shows it."""

    discrepancy: Discrepancy
    side_a: EvidenceSentence
    side_b: EvidenceSentence
    other_claim_id: int | None  # the claim of the other side, when it is not the claim shown


@dataclass
class ClaimEvidence:
    claim: Claim
    members: list[EvidenceSentence]  # the sentence each source wrote, in the sources' order
    flags: list[EvidenceFlag]
    # A one-source claim not labelled unique: the most similar sentence of another source.
    closest: EvidenceSentence | None = None

    @property
    def copies(self) -> int:
        """How many members come from wire copies (which do not add support)."""
        return sum(1 for member in self.members if member.copy_of)


def claim_evidence(story: Story, claim_id: int) -> ClaimEvidence | None:
    """The claim of the story with its member sentences and its discrepancies (as `claim` or `other_claim`),
    each sentence with its source; None when the story has no such claim.

    Two queries: the claim with its members (read through the claim–sentence table, so the claim comes with
    them), and the discrepancies; a third only for a claim without members."""
    memberships = list(
        Claim.sentences.through.objects.filter(claim_id=claim_id, claim__story=story)
        .select_related("claim", *(f"sentence__{related}" for related in EVIDENCE_SENTENCE_RELATED))
        .only(
            "claim",
            "sentence",
            *(f"claim__{field}" for field in CLAIM_EVIDENCE_FIELDS),
            *(f"sentence__{field}" for field in EVIDENCE_SENTENCE_FIELDS),
        )
        .order_by(
            F("sentence__article__published_at").asc(nulls_last=True),
            "sentence__article_id",
            "sentence__index",
        )
    )
    if memberships:
        claim = memberships[0].claim
    else:
        claim = story.claims.only(*CLAIM_EVIDENCE_FIELDS).filter(pk=claim_id).first()
        if claim is None:
            return None
    discrepancies = (
        Discrepancy.objects.filter(_flagged(claim.pk))
        .select_related(
            *(f"sentence_{side}__{related}" for side in "ab" for related in EVIDENCE_SENTENCE_RELATED)
        )
        .only(
            *DISCREPANCY_FIELDS,
            *(f"sentence_{side}__{field}" for side in "ab" for field in EVIDENCE_SENTENCE_FIELDS),
        )
        .order_by("id")
    )
    flags = [
        EvidenceFlag(
            discrepancy=d,
            side_a=EvidenceSentence.of(d.sentence_a),
            side_b=EvidenceSentence.of(d.sentence_b),
            other_claim_id=next((pk for pk in (d.claim_id, d.other_claim_id) if pk and pk != claim.pk), None),
        )
        for d in discrepancies
    ]
    closest = None
    if claim.support == 1 and not claim.unique and claim.closest_id:
        sentence = (
            Sentence.objects.select_related(*EVIDENCE_SENTENCE_RELATED)
            .only(*EVIDENCE_SENTENCE_FIELDS)
            .filter(pk=claim.closest_id)
            .first()
        )
        closest = EvidenceSentence.of(sentence) if sentence is not None else None
    return ClaimEvidence(
        claim=claim,
        members=[EvidenceSentence.of(m.sentence) for m in memberships],
        flags=flags,
        closest=closest,
    )


SYNTHESIS_CACHE_SECONDS = 300  # bounds how long an edit made outside the pipeline (the admin) may go unseen


def story_with_synthesis_stamp(slug: str) -> Story | None:
    """The story, with `synthesis_stamp`: when its candidate brief was made (None before any synthesis).

    Every synthesis replaces the candidate brief with the claims, so the stamp names one state of the
    story's claims: what is derived from them may be cached under it."""
    stamp = CandidateBrief.objects.filter(story=OuterRef("pk")).values("created")[:1]
    return Story.objects.annotate(synthesis_stamp=Subquery(stamp)).filter(slug=slug).first()


def cached_for_synthesis(story: Story, parts: tuple, compute: Callable[[], T]) -> T:
    """compute(), cached (the default cache: Redis on the real stack, this process's memory on the embedded
    default) for the story's current synthesis and `parts`.

    Not cached while the story has no synthesis (its articles are still being imported or analysed)."""
    stamp = getattr(story, "synthesis_stamp", None)
    if stamp is None:
        return compute()
    key = "wb:synthesis:" + ":".join(str(part) for part in (story.pk, stamp.timestamp(), *parts))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SYNTHESIS_CACHE_SECONDS)
    return value


def story_entities(story: Story, limit: int = 60) -> list[Entity]:
    return list(story.entities.only("id", "story_id", "name", "label", "mention_count")[:limit])


def candidate_brief(story: Story) -> CandidateBrief | None:
    return CandidateBrief.objects.filter(story=story).annotate(item_count=Count("sentences")).first()


def article_for_reading(story: Story, article_id: int) -> Article | None:
    return (
        story.articles.select_related("outlet")
        .prefetch_related(
            Prefetch("sentences", queryset=Sentence.objects.order_by("index")),
            Prefetch("mentions", queryset=Mention.objects.select_related("entity").order_by("start")),
        )
        .filter(pk=article_id)
        .first()
    )


# --- Watched sources ---------------------------------------------------------------------------------


@dataclass
class BatchCounts:
    imported: int
    duplicates: int
    failed: int
    pending: int


def watched_sources() -> list[WatchedSource]:
    """Every watched source with its story and, as `latest_batch` (None before the first), the import batch
    of its latest poll that found new entries, with `counts` of what that import did; three queries."""
    sources = list(WatchedSource.objects.select_related("story").order_by("name", "url"))
    latest_ids = {
        row["watched_source"]: row["latest"]
        for row in ImportBatch.objects.filter(watched_source__in=[s.pk for s in sources])
        .values("watched_source")
        .annotate(latest=Max("id"))
    }
    batches = {
        batch.pk: batch
        for batch in ImportBatch.objects.filter(pk__in=latest_ids.values()).annotate(
            imported=Count("items", filter=Q(items__status__in=["imported", "near_duplicate"])),
            duplicates=Count("items", filter=Q(items__status="duplicate")),
            failed=Count("items", filter=Q(items__status="failed")),
            pending=Count("items", filter=Q(items__status="pending")),
        )
    }
    for source in sources:
        batch = batches.get(latest_ids.get(source.pk))
        source.latest_batch = batch
        source.counts = (
            BatchCounts(batch.imported, batch.duplicates, batch.failed, batch.pending) if batch else None
        )
    return sources


# --- What changed: since a moment (the last publication), and the story's timeline ---------------------


@dataclass
class ArticleTimes:
    story_id: int
    created: datetime  # when it arrived in the workbench
    source: int  # its independent source (articles.nlp.claims.source_groups), within its story


def _article_times(rows) -> dict[int, ArticleTimes]:
    """ArticleTimes by article id from (id, story_id, created, outlet_id, near_duplicate_of_id) rows: the
    sources grouped by the synthesis' own rule (one per outlet; a wire copy is its original's source)."""
    by_story: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_story[row[1]].append(row)
    times = {}
    for story_rows in by_story.values():
        index = {row[0]: n for n, row in enumerate(story_rows)}
        groups = source_groups(
            [Article.source_key_of(outlet_id, pk) for pk, _, _, outlet_id, _ in story_rows],
            [index.get(copy_of) for *_, copy_of in story_rows],
        )
        for (pk, story_id, created, _, _), group in zip(story_rows, groups, strict=True):
            times[pk] = ArticleTimes(story_id, created, int(group))
    return times


def _independent_sources(article_ids, times: dict[int, ArticleTimes]) -> set[int]:
    """The independent sources of these articles, as the synthesis counts a claim's support."""
    return {times[a].source for a in article_ids}


@dataclass
class CoverageChanges:
    """What arrived after `since` (counted from when each supporting article arrived in the workbench)."""

    since: datetime
    new_articles: int = 0
    new_sources: int = 0  # outlets (or unknown-outlet articles) with no article before `since`, copies aside
    new_claims: int = 0  # claims every source of which arrived after `since`
    new_shared_claims: int = 0  # of those, the ones reported by two or more sources
    claims_gained_support: int = 0  # claims that had sources before and have more now
    new_discrepancies: int = 0  # flags with a side in an article that arrived after `since`

    @property
    def any(self) -> bool:
        return bool(self.new_articles)


def coverage_changes(since_by_story: dict[int, datetime]) -> dict[int, CoverageChanges]:
    """For each story id, what its coverage gained after the given moment; four queries for any number of
    stories (claims and flags are read only for stories that gained articles)."""
    changes = {story_id: CoverageChanges(since) for story_id, since in since_by_story.items()}
    if not changes:
        return changes
    times = _article_times(
        Article.objects.filter(story_id__in=since_by_story).values_list(
            "id", "story_id", "created", "outlet_id", "near_duplicate_of_id"
        )
    )

    def new(article_id: int) -> bool:
        entry = times[article_id]
        return entry.created > since_by_story[entry.story_id]

    old_sources: dict[int, set[int]] = defaultdict(set)
    new_sources: dict[int, set[int]] = defaultdict(set)
    for pk, entry in times.items():
        if new(pk):
            changes[entry.story_id].new_articles += 1
            new_sources[entry.story_id].add(entry.source)  # a wire copy is its original's source
        else:
            old_sources[entry.story_id].add(entry.source)
    for story_id, sources in new_sources.items():
        changes[story_id].new_sources = len(sources - old_sources[story_id])
    changed = [story_id for story_id, change in changes.items() if change.new_articles]
    if not changed:
        return changes
    members: dict[int, set[int]] = defaultdict(set)
    for claim_id, article_id in Claim.sentences.through.objects.filter(
        claim__story_id__in=changed
    ).values_list("claim_id", "sentence__article_id"):
        members[claim_id].add(article_id)
    for article_ids in members.values():
        change = changes[times[next(iter(article_ids))].story_id]
        before = _independent_sources([a for a in article_ids if not new(a)], times)
        now = _independent_sources(article_ids, times)
        if not before:
            change.new_claims += 1
            change.new_shared_claims += len(now) >= 2
        elif len(now) > len(before):
            change.claims_gained_support += 1
    for story_id, side_a, side_b in Discrepancy.objects.filter(claim__story_id__in=changed).values_list(
        "claim__story_id", "sentence_a__article_id", "sentence_b__article_id"
    ):
        changes[story_id].new_discrepancies += new(side_a) or new(side_b)
    return changes


@dataclass
class TimelineEvent:
    when: datetime
    kind: str  # "source" (an outlet's first report), "claim" (a fact reported by a second source), "flag"
    text: str
    detail: str = ""
    article: Article | None = None
    date_only: bool = False  # the outlet gave the day, not the time
    sources: list[tuple[str, datetime]] = field(default_factory=list)  # a claim's sources, and when each


def _reported_at(article: Article) -> tuple[datetime, bool]:
    """When the outlet reported it (its publication time), else when it arrived; and whether only the day is
    known."""
    if article.published_at is not None:
        return article.published_at, not article.published_time_known
    return article.created, False


def story_timeline(story: Story) -> list[TimelineEvent]:
    """The story as it unfolded, oldest first: when each outlet first reported it, when each claim was
    reported by a second independent source (with every source and when), and when each discrepancy
    appeared (when the later of its two reports did). Times are the outlets' publication times, or the
    arrival in the workbench for an article that gives none. Four queries."""
    articles = {a.pk: a for a in story.articles.select_related("outlet")}
    reported = {pk: _reported_at(article) for pk, article in articles.items()}
    events: list[TimelineEvent] = []
    first_of: dict[str, Article] = {}
    for article in sorted(articles.values(), key=lambda a: (reported[a.pk][0], a.pk)):
        first_of.setdefault(article.source_key, article)
    for article in first_of.values():
        when, date_only = reported[article.pk]
        events.append(
            TimelineEvent(
                when, "source", f"{article.source_label} first reports", article.title, article, date_only
            )
        )
    times = _article_times(
        [(pk, story.pk, a.created, a.outlet_id, a.near_duplicate_of_id) for pk, a in articles.items()]
    )
    members: dict[int, set[int]] = defaultdict(set)
    for claim_id, article_id in Claim.sentences.through.objects.filter(claim__story=story).values_list(
        "claim_id", "sentence__article_id"
    ):
        members[claim_id].add(article_id)
    claims = Claim.objects.filter(story=story, support__gte=2).values_list("id", "text")
    for claim_id, text in claims:
        ids = sorted(members.get(claim_id, ()), key=lambda a: (reported[a][0], a))
        seen: set[int] = set()
        second = None
        for article_id in ids:
            seen.add(article_id)
            if len(_independent_sources(seen, times)) >= 2:
                second = article_id
                break
        if second is None:
            continue
        when, date_only = reported[second]
        sources = [(articles[a].source_label, reported[a][0]) for a in ids]
        events.append(TimelineEvent(when, "claim", text, "", articles[second], date_only, sources))
    for kind, value_a, value_b, side_a, side_b in Discrepancy.objects.filter(claim__story=story).values_list(
        "kind", "value_a", "value_b", "sentence_a__article_id", "sentence_b__article_id"
    ):
        later = max((side_a, side_b), key=lambda a: (reported[a][0], a))
        other = side_b if later == side_a else side_a
        when, date_only = reported[later]
        events.append(
            TimelineEvent(
                when,
                "flag",
                f"Sources disagree ({kind}): “{value_a}” / “{value_b}”",
                f"{articles[later].source_label} against {articles[other].source_label}",
                articles[later],
                date_only,
            )
        )
    order = {"source": 0, "claim": 1, "flag": 2}
    return sorted(events, key=lambda e: (e.when, order[e.kind]))
