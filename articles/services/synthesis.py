"""A story's synthesis: claims across sources, discrepancies, article overlap and the candidate brief.

The pipeline (articles.nlp.brief, claims, discrepancies) computes from the story's analysed sentences; this
module writes. `synthesize_story` replaces everything an earlier run wrote, in one transaction, so running it
twice never duplicates a row. A claim whose representative sentence is unchanged keeps its row (and id), so
what editors linked to it survives a re-run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.bulk import sync_pairs, update_rows
from articles.models import (
    ArticleOverlap,
    CandidateBrief,
    CandidateBriefSentence,
    Claim,
    Discrepancy,
    Mention,
    Sentence,
    Story,
)
from articles.nlp.brief import ALGORITHM, BriefParams, BriefResult
from articles.nlp.claims import Mention as ClaimMention
from articles.nlp.claims import SentenceRef, SourceDocument, article_coverage, entity_key
from articles.nlp.embeddings import DIMENSIONS, embed_article, from_bytes, is_current, to_bytes
from articles.nlp.synthesis import synthesize
from articles.services.entities import consolidate_story_entities

logger = logging.getLogger(__name__)


def synthesis_params(word_budget: int | None = None) -> BriefParams:
    """The engine's parameters from the settings: the story synthesis, find_claims and summarize_clusters
    (with its --words) all read them here."""
    return BriefParams(
        word_budget=word_budget or settings.BRIEF_WORD_BUDGET,
        claim_threshold=settings.CLAIM_SIMILARITY_THRESHOLD,
        unique_max_similarity=settings.UNIQUE_MAX_SIMILARITY,
        redundancy_threshold=settings.BRIEF_REDUNDANCY_THRESHOLD,
    )


def synthesize_story(story: Story, params: BriefParams | None = None) -> CandidateBrief:
    """Recompute the story's claims, discrepancies, article overlaps and candidate brief from its
    sentences, mentions and sentence embeddings (articles.nlp.synthesis, the engine `find_claims` runs)."""
    params = params or synthesis_params()
    consolidate_story_entities(story.pk)  # the story's entities, once per synthesis (the claims link to them)
    articles = list(story.articles.select_related("outlet").order_by("published_at", "id"))
    sentences_by_article: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in Sentence.objects.filter(article__story=story).order_by("article_id", "index"):
        sentences_by_article[sentence.article_id].append(sentence)
    _embed_stale(sentences_by_article)
    mentions_by_article: dict[int, list[ClaimMention]] = defaultdict(list)
    # With the entities the consolidation above assigned: the claims read the story's names from them
    # instead of consolidating the mentions a second time.
    for article_id, start, end, text, label, name in Mention.objects.filter(article__story=story).values_list(
        "article_id", "start", "end", "text", "label", "entity__name"
    ):
        key = entity_key(name) if name else ""
        mentions_by_article[article_id].append(ClaimMention(start, end, text, label, key))
    index_of = {article.pk: d for d, article in enumerate(articles)}
    documents = [
        SourceDocument(
            sentences=[sentence.to_span() for sentence in sentences_by_article[article.pk]],
            source=article.source_key,  # one outlet, one source; an unknown outlet, its own
            label=article.source_label,
            mentions=mentions_by_article[article.pk],
            embeddings=_stored_embeddings(sentences_by_article[article.pk]),
            copy_of=index_of.get(article.near_duplicate_of_id),
        )
        for article in articles
    ]
    synthesis = synthesize(documents, params)
    result, flags = synthesis.brief, synthesis.flags
    coverage = article_coverage(result.table, len(articles), params.claim_threshold)

    sentence_at = {
        SentenceRef(d, sentence.index): sentence
        for d, article in enumerate(articles)
        for sentence in sentences_by_article[article.pk]
    }

    def sentence_of(row: int) -> Sentence:
        return sentence_at[result.table.refs[row]]

    with transaction.atomic():
        Story.objects.select_for_update().filter(pk=story.pk).first()
        claims = _write_claims(story, result, sentence_of)
        Discrepancy.objects.filter(claim__story=story).delete()
        Discrepancy.objects.bulk_create(
            Discrepancy(
                claim=claims[int(result.claim_of[flag.row_a])],
                other_claim=(
                    claims[int(result.claim_of[flag.row_b])]
                    if result.claim_of[flag.row_b] != result.claim_of[flag.row_a]
                    else None
                ),
                kind=flag.kind,
                sentence_a=sentence_of(flag.row_a),
                sentence_b=sentence_of(flag.row_b),
                value_a=flag.value_a[:300],
                value_b=flag.value_b[:300],
                explanation=flag.explanation,
            )
            for flag in flags
        )
        ArticleOverlap.objects.filter(story=story).delete()
        ArticleOverlap.objects.bulk_create(
            ArticleOverlap(story=story, article=article, other=other, coverage=float(coverage[a, b]))
            for a, article in enumerate(articles)
            for b, other in enumerate(articles)
            if a != b and coverage[a, b] > 0
        )
        CandidateBrief.objects.filter(story=story).delete()
        candidate = CandidateBrief.objects.create(
            story=story,
            algorithm=ALGORITHM,
            params={**params.as_dict(), "articles": len(articles), "sentences": len(result.table)},
            created=timezone.now(),
        )
        CandidateBriefSentence.objects.bulk_create(
            CandidateBriefSentence(
                candidate=candidate,
                position=position,
                sentence=sentence_at[chosen.ref],
                claim=claims[chosen.claim],
            )
            for position, chosen in enumerate(result.sentences)
        )
    logger.info(
        "Synthesised story %s: %d claims, %d discrepancies, %d brief sentences",
        story.pk,
        len(result.claims),
        len(flags),
        len(result.sentences),
    )
    return candidate


def _embed_stale(sentences_by_article: dict[int, list[Sentence]]) -> None:
    """Embed and store, once, the articles with a sentence whose stored embedding is missing or another
    graph's (analysed before the encoder changed): the claims then compare vectors of one graph, and the next
    synthesis reads them instead of computing them again. A whole article is embedded, as its analysis does
    (embed_article), so its sentences get the vectors an analysis would give them."""
    changed: list[Sentence] = []
    for sentences in sentences_by_article.values():
        if all(s.is_boilerplate or is_current(s.embedding) for s in sentences):
            continue
        for sentence, vector in zip(sentences, embed_article(sentences), strict=True):
            if vector is not None:
                sentence.embedding = to_bytes(vector)
                changed.append(sentence)
    if changed:
        update_rows(Sentence, changed, ["embedding"])
        logger.info(
            "Embedded %d sentence(s) again: they had no embedding of the current encoder.", len(changed)
        )


def _stored_embeddings(sentences: list[Sentence]) -> np.ndarray | None:
    """The sentences' embeddings from analysis; rows never embedded are zero (the engine computes them)."""
    if not sentences:
        return None
    vectors = np.zeros((len(sentences), DIMENSIONS), dtype=np.float32)
    found = False
    for row, sentence in enumerate(sentences):
        vector = from_bytes(sentence.embedding)
        if vector is not None:
            vectors[row] = vector
            found = True
    return vectors if found else None


def _matched_claims(story: Story, result: BriefResult, sentence_of) -> dict[int, Claim]:
    """The existing Claim row each new claim continues (by claim number): the one sharing the most of its
    sentences (its representative counting first), each row continuing at most one claim. So a claim that
    gains a source in a re-synthesis, or gets another representative, keeps its row, and with it the brief
    items that cite it (and the flags they are shown: briefs.checks.item_flags follows item.claim)."""
    existing = {claim.pk: claim for claim in Claim.objects.filter(story=story)}
    claim_of_sentence: dict[int, int] = dict(
        Claim.sentences.through.objects.filter(claim__story=story).values_list("sentence_id", "claim_id")
    )
    candidates = []
    for number, group in enumerate(result.claims):
        shared: dict[int, int] = defaultdict(int)
        representative = sentence_of(group.representative).pk
        for row in group.members:
            claim_id = claim_of_sentence.get(sentence_of(row).pk)
            if claim_id is not None:
                shared[claim_id] += 1
        for claim_id, count in shared.items():
            same_representative = existing[claim_id].representative_id == representative
            candidates.append((count, same_representative, number, claim_id))
    matched: dict[int, Claim] = {}
    taken: set[int] = set()
    for _count, _same, number, claim_id in sorted(candidates, key=lambda c: (-c[0], not c[1], c[2], c[3])):
        if number not in matched and claim_id not in taken:
            matched[number] = existing[claim_id]
            taken.add(claim_id)
    return matched


# What a claim row holds from its synthesis (written only when one of them changed).
CLAIM_FIELDS = [
    "position",
    "text",
    "representative",
    "support",
    "unique",
    "closest",
    "closest_similarity",
    "salience",
]


def _write_claims(story: Story, result: BriefResult, sentence_of) -> list[Claim]:
    """One Claim row per claim, in the pipeline's order (index = claim number). A claim that continues one
    of the previous synthesis (_matched_claims) is updated in place; the others are new rows, and rows
    continued by no claim are deleted."""
    matched = _matched_claims(story, result, sentence_of)
    order = sorted(
        range(len(result.claims)), key=lambda k: (-result.claims[k].support, -result.claims[k].salience)
    )
    position_of = {k: position for position, k in enumerate(order)}
    claims: list[Claim] = []
    kept: set[int] = set()
    changed: list[Claim] = []
    attnames = [Claim._meta.get_field(name).attname for name in CLAIM_FIELDS]
    for number, group in enumerate(result.claims):
        representative = sentence_of(group.representative)
        fields = {
            "position": position_of[number],
            "text": representative.text,
            "representative": representative,
            "support": group.support,
            "unique": group.unique,
            "closest": sentence_of(group.closest) if group.closest is not None else None,
            "closest_similarity": round(group.closest_similarity, 4) if group.support == 1 else None,
            "salience": group.salience,
        }
        claim = matched.get(number)
        if claim is not None:
            before = [getattr(claim, attname) for attname in attnames]
            for name, value in fields.items():
                setattr(claim, name, value)
            if before != [getattr(claim, attname) for attname in attnames]:
                changed.append(claim)
            kept.add(claim.pk)
        else:
            claim = Claim(story=story, **fields)
        claims.append(claim)
    Claim.objects.filter(story=story).exclude(pk__in=kept).delete()
    update_rows(Claim, changed, CLAIM_FIELDS)  # only the rows whose values changed
    Claim.objects.bulk_create([c for c in claims if not c.pk])
    if not all(c.pk for c in claims):  # databases that do not return ids from bulk inserts
        by_representative = {c.representative_id: c.pk for c in Claim.objects.filter(story=story)}
        for claim in claims:
            claim.pk = claim.pk or by_representative[claim.representative_id]

    # The links: only those that changed are written (a claim that kept its sentences keeps its rows).
    members = [
        (claim.pk, sentence_of(row))
        for claim, group in zip(claims, result.claims, strict=True)
        for row in group.members
    ]
    sync_pairs(
        Claim.sentences.through,
        Claim.sentences.through.objects.filter(claim__story=story),
        "claim",
        "sentence",
        {(claim_id, sentence.pk) for claim_id, sentence in members},
    )
    sync_pairs(
        Claim.entities.through,
        Claim.entities.through.objects.filter(claim__story=story),
        "claim",
        "entity",
        _claim_entities(story, members),
    )
    return claims


def _claim_entities(story: Story, members: list[tuple[int, Sentence]]) -> set[tuple[int, int]]:
    """(claim, entity) pairs: the consolidated entities mentioned inside the claim's sentences."""
    mentions: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for article_id, start, end, entity_id in Mention.objects.filter(
        article__story=story, entity__isnull=False
    ).values_list("article_id", "start", "end", "entity_id"):
        mentions[article_id].append((start, end, entity_id))
    pairs: set[tuple[int, int]] = set()
    for claim_id, sentence in members:
        for start, end, entity_id in mentions.get(sentence.article_id, ()):
            if sentence.start <= start and end <= sentence.end:
                pairs.add((claim_id, entity_id))
    return pairs


# --- export ------------------------------------------------------------------------------------------


def synthesis_export(story: Story) -> dict[str, Any]:
    """The story's synthesis as plain data: `claims`, `overlap`, `candidate_brief` (schema: README)."""
    articles = list(story.articles.select_related("outlet").order_by("published_at", "id"))
    label = {article.pk: article.source_label for article in articles}

    def sentence_data(sentence: Sentence) -> dict[str, Any]:
        return {
            "id": sentence.pk,
            "article": sentence.article_id,
            "source": label.get(sentence.article_id, ""),
            "index": sentence.index,
            "text": sentence.text,
        }

    claims = []
    for claim in (
        story.claims.order_by("position")
        .select_related("closest")
        .prefetch_related("sentences", "discrepancies__sentence_a", "discrepancies__sentence_b", "entities")
    ):
        members = sorted(claim.sentences.all(), key=lambda s: (s.article_id, s.index))
        claims.append(
            {
                "id": claim.pk,
                "text": claim.text,
                "support": claim.support,
                "unique": claim.unique,
                # A one-source claim that is not unique: the closest sentence of another source.
                "closest": sentence_data(claim.closest) if claim.closest and not claim.unique else None,
                "outlets": list(dict.fromkeys(label[s.article_id] for s in members if s.article_id in label)),
                "salience": round(claim.salience, 6),
                "sentences": [sentence_data(s) for s in members],
                "entities": sorted(entity.name for entity in claim.entities.all()),
                "discrepancies": [
                    {
                        "kind": d.kind,
                        "value_a": d.value_a,
                        "value_b": d.value_b,
                        "sentence_a": sentence_data(d.sentence_a),
                        "sentence_b": sentence_data(d.sentence_b),
                        "explanation": d.explanation,
                    }
                    for d in claim.discrepancies.all()
                ],
            }
        )
    coverage = {(o.article_id, o.other_id): o.coverage for o in story.overlaps.all()}
    overlap = {
        "articles": [{"id": a.pk, "source": label[a.pk], "title": a.title} for a in articles],
        "note": "coverage[i][j]: the share of article i's words that article j also reports",
        "coverage": [
            [1.0 if a.pk == b.pk else round(coverage.get((a.pk, b.pk), 0.0), 4) for b in articles]
            for a in articles
        ],
    }
    candidate = CandidateBrief.objects.filter(story=story).first()
    brief = None
    if candidate is not None:
        rows = candidate.sentences.select_related("sentence", "claim").prefetch_related("claim__sentences")
        brief = {
            "algorithm": candidate.algorithm,
            "params": candidate.params,
            "created": candidate.created.isoformat(),
            "sentences": [
                {
                    **sentence_data(row.sentence),
                    "claim": row.claim_id,
                    "sources": (
                        list(
                            dict.fromkeys(
                                label[s.article_id]
                                for s in row.claim.sentences.all()
                                if s.article_id in label
                            )
                        )
                        if row.claim_id
                        else [label.get(row.sentence.article_id, "")]
                    ),
                }
                for row in rows
            ],
        }
    return {"claims": claims, "overlap": overlap, "candidate_brief": brief}
