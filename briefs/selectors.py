"""Every read the workbench pages make. Query counts do not grow with the number of articles or claims: lists
are fetched with select_related/prefetch_related, counts with annotations.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import (
    Article,
    ArticleOverlap,
    CandidateBrief,
    Claim,
    Discrepancy,
    Entity,
    Job,
    Mention,
    Sentence,
    Story,
    Summary,
)
from briefs.models import Brief, BriefItem, Publication, Revision

CLAIM_FILTERS = {
    "all": "All claims",
    "agreed": "Agreed by 2+ sources",
    "unique": "Unique reporting",
    "discrepancies": "With discrepancies",
}
FALLBACK_ALGORITHMS = ["lexrank", "lsa", "luhn", "textrank", "lead"]


def _count(queryset: QuerySet) -> Subquery:
    """A correlated COUNT subquery (no join fan-out when several counts are annotated together)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("story").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def story_list(query: str = "") -> QuerySet[Story]:
    stories = Story.objects.select_related("brief", "brief__updated_by").annotate(
        article_count=_count(Article.objects.filter(story=OuterRef("pk"))),
        analyzed_count=_count(Article.objects.filter(story=OuterRef("pk"), analyzed_at__isnull=False)),
        outlet_count=Coalesce(
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
        active_job_count=_count(
            Job.objects.filter(story=OuterRef("pk"), state__in=[Job.State.QUEUED, Job.State.RUNNING])
        ),
        failed_job_count=_count(Job.objects.filter(story=OuterRef("pk"), state=Job.State.FAILED)),
    )
    if query:
        stories = stories.filter(Q(title__icontains=query) | Q(slug__icontains=query.replace(" ", "-")))
    return stories.order_by("-updated")


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


def brief_with_items(story: Story) -> Brief | None:
    return (
        Brief.objects.select_related("story", "updated_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=BriefItem.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "articles",
                        queryset=Article.objects.select_related("outlet")
                        .defer("body", "raw_input")
                        .order_by("published_at"),
                    )
                ),
            ),
            Prefetch(
                "publications",
                queryset=Publication.objects.filter(unpublished_at__isnull=True).select_related("revision"),
                to_attr="live",
            ),
        )
        .filter(story=story)
        .first()
    )


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


def story_articles(story: Story, algorithm: str) -> list[Article]:
    return list(
        story.articles.select_related("outlet")
        .defer("body", "raw_input")
        .prefetch_related(
            Prefetch(
                "summaries",
                queryset=Summary.objects.filter(algorithm=algorithm),
                to_attr="selected_summaries",
            )
        )
    )


@dataclass
class OverlapRow:
    article: Article
    cells: list[float | None]


OVERLAP_MATRIX_MAX_ARTICLES = 30  # beyond this, each article with the one covering most of it
CLAIMS_SHOWN = 50  # claims per "page" of the claims pane; "Show more" asks for the next ones


def overlap_matrix(story: Story, articles: list[Article]) -> list[OverlapRow]:
    """Row: an article; column: another article; cell: how much of the row's article the other one covers.

    Empty for stories of more than OVERLAP_MATRIX_MAX_ARTICLES articles (see overlap_leaders)."""
    if len(articles) > OVERLAP_MATRIX_MAX_ARTICLES:
        return []
    coverage = {(o.article_id, o.other_id): o.coverage for o in ArticleOverlap.objects.filter(story=story)}
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


def overlap_leaders(story: Story, articles: list[Article]) -> list[OverlapLeader]:
    """For a story too large for the matrix: each article and the other article that covers most of it."""
    if len(articles) <= OVERLAP_MATRIX_MAX_ARTICLES:
        return []
    best = ArticleOverlap.objects.filter(article=OuterRef("pk")).order_by("-coverage", "other_id")
    rows = story.articles.annotate(
        best_other=Subquery(best.values("other_id")[:1]), best_coverage=Subquery(best.values("coverage")[:1])
    ).values_list("pk", "best_other", "best_coverage")
    by_pk = {article.pk: article for article in articles}
    best_of = {pk: (other, coverage) for pk, other, coverage in rows if other is not None}
    return [
        OverlapLeader(article=a, other=by_pk[best_of[a.pk][0]], coverage=best_of[a.pk][1])
        for a in articles
        if a.pk in best_of and best_of[a.pk][0] in by_pk
    ]


def _claims(story: Story, claim_filter: str, entity_id: int | None) -> QuerySet[Claim]:
    claims = story.claims.all()
    if claim_filter == "agreed":
        claims = claims.filter(support__gte=2)
    elif claim_filter == "unique":
        claims = claims.filter(support=1)
    elif claim_filter == "discrepancies":
        claims = claims.filter(discrepancies__isnull=False).distinct()
    if entity_id:
        claims = claims.filter(entities__pk=entity_id).distinct()
    return claims


def story_claim_count(story: Story, *, claim_filter: str = "all", entity_id: int | None = None) -> int:
    return _claims(story, claim_filter, entity_id).count()


def story_claims(
    story: Story, *, claim_filter: str = "all", entity_id: int | None = None, limit: int | None = None
) -> list[Claim]:
    claims = (
        _claims(story, claim_filter, entity_id)
        .prefetch_related(
            # Only the sources' labels are shown: leave the articles' texts in the database.
            Prefetch(
                "sentences",
                queryset=Sentence.objects.select_related("article__outlet")
                .defer("article__body", "article__raw_input")
                .order_by("article_id"),
            ),
            Prefetch(
                "discrepancies",
                queryset=Discrepancy.objects.select_related(
                    "sentence_a__article__outlet", "sentence_b__article__outlet"
                ).defer(
                    "sentence_a__article__body",
                    "sentence_a__article__raw_input",
                    "sentence_b__article__body",
                    "sentence_b__article__raw_input",
                ),
            ),
        )
        .order_by("position", "id")
    )
    if limit is not None:
        claims = claims[:limit]
    result = list(claims)
    for claim in result:
        labels = []
        for sentence in claim.sentences.all():
            label = sentence.article.source_label
            if label not in labels:
                labels.append(label)
        claim.outlet_labels = labels
    return result


def story_entities(story: Story) -> list[Entity]:
    return list(story.entities.annotate(claim_count=Count("claims")).order_by("-mention_count", "name")[:60])


def candidate_brief(story: Story) -> CandidateBrief | None:
    return CandidateBrief.objects.filter(story=story).annotate(item_count=Count("sentences")).first()


def revisions(brief: Brief) -> QuerySet[Revision]:
    return brief.revisions.select_related("author").defer("snapshot").order_by("-number")


def revision(brief: Brief, number: int) -> Revision | None:
    return brief.revisions.select_related("author").filter(number=number).first()


def publications(brief: Brief) -> QuerySet[Publication]:
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
