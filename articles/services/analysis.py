"""Analysing an article: its sentences, summaries and entity mentions, then the story's entities.

The pipeline (articles.nlp) computes; this module writes. Every write replaces what an earlier run wrote, in
one transaction, so running it twice never duplicates a row. Sentences that come out the same as last time are
kept (with their ids), so what synthesis and briefs refer to survives a re-analysis that changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Mention, Sentence, Summary
from articles.nlp.embeddings import embed, to_bytes
from articles.nlp.entities import analyze_text
from articles.nlp.language import not_analysed_reason
from articles.nlp.summarizers import SummaryError, check_algorithm, summarize
from articles.nlp.types import SentenceSpan

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ANALYSIS_STEPS = 3


class AnalysisError(Exception):
    """An article that cannot be analysed, with a reason a person can act on."""


@dataclass(frozen=True)
class AnalysisOutcome:
    article_id: int
    sentences: int
    boilerplate: int
    mentions: int
    algorithm: str
    skipped: bool = False


def default_algorithm() -> str:
    return check_algorithm(settings.SUMMARY_ALGORITHM)


def _record_not_analysed(
    article: Article, reason: str, algorithm: str, progress: Progress | None
) -> AnalysisOutcome:
    """An article the pipeline cannot read (its language): the reason is recorded and nothing of an earlier
    analysis is kept. analyzed_at is set all the same, so the story's synthesis does not wait for it."""
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        locked.summaries.all().delete()
        locked.mentions.all().delete()
        locked.sentences.all().delete()
        locked.analysis_note = reason
        locked.analyzed_at = timezone.now()
        locked.save(update_fields=["analysis_note", "analyzed_at"])
    logger.info("Article %s: %s", article.pk, reason)
    if progress is not None:
        progress(ANALYSIS_STEPS, ANALYSIS_STEPS, reason)
    return AnalysisOutcome(article.pk, 0, 0, 0, algorithm, skipped=True)


def analyze_article(
    article_id: int, algorithm: str | None = None, *, force: bool = False, progress: Progress | None = None
) -> AnalysisOutcome:
    """Sentences, mentions and the summary by `algorithm` (default: SUMMARY_ALGORITHM) for one article.

    Without `force`, an analysed article only gets the summaries it lacks; with it, everything is recomputed.
    An article in a language the pipeline cannot read (articles.nlp.language) is left out, with the reason in
    its analysis_note; that is an outcome (skipped), not an error.
    """
    try:
        algorithm = check_algorithm(algorithm or settings.SUMMARY_ALGORITHM)
        default = default_algorithm()
    except SummaryError as exc:
        raise AnalysisError(str(exc)) from None
    article = Article.objects.select_related("story").get(pk=article_id)
    label = f"Article {article.pk} “{article.title[:80]}”"
    if not article.body.strip():
        raise AnalysisError(f"{label} has no text to analyse (its body is empty).")
    if reason := not_analysed_reason(article.language):
        return _record_not_analysed(article, reason, algorithm, progress)
    if article.analysis_note:
        Article.objects.filter(pk=article.pk).update(analysis_note="")
    step = _stepper(progress)
    wanted = list(dict.fromkeys([default, algorithm]))

    if not force and article.analyzed_at is not None and article.sentences.exists():
        spans = [s.to_span() for s in article.sentences.all()]
        have = set(article.summaries.values_list("algorithm", flat=True))
        missing = [name for name in wanted if name not in have]
        step("sentences and entities already analysed")
        with transaction.atomic():
            for name in missing:
                _write_summary(article, spans, name)
        step("summary" if missing else "summary already there")
        step("done")
        return AnalysisOutcome(
            article.pk,
            len(spans),
            sum(s.is_boilerplate for s in spans),
            article.mentions.count(),
            algorithm,
            skipped=not missing,
        )

    result = analyze_text(article.body, article.title, model=settings.SPACY_MODEL)
    if not result.sentences:
        raise AnalysisError(f"{label}: no sentences found in its text.")
    # Each sentence's embedding is computed once, here, outside the transaction; synthesis reads it.
    embeddings = sentence_embeddings(result.sentences)
    step("sentences, entities and embeddings")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        _write_sentences(locked, result.sentences, embeddings)
        Mention.objects.filter(article=locked).delete()
        Mention.objects.bulk_create(
            Mention(article=locked, start=m.start, end=m.end, text=m.text[:300], label=m.label[:20])
            for m in result.mentions
        )
        for name in wanted:
            _write_summary(locked, result.sentences, name)
        step("summary")
        locked.analyzed_at = timezone.now()
        locked.save(update_fields=["analyzed_at"])
    # The story's entities are consolidated once, by the story stage (articles.services.synthesis), not
    # here for every article under a lock on the story.
    step("done")
    return AnalysisOutcome(
        article.pk,
        len(result.sentences),
        sum(s.is_boilerplate for s in result.sentences),
        len(result.mentions),
        algorithm,
    )


def _stepper(progress: Progress | None) -> Callable[[str], None]:
    done = 0

    def step(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, ANALYSIS_STEPS, what)

    return step


def sentence_embeddings(spans: list[SentenceSpan]) -> list[bytes | None]:
    """The stored embedding of each sentence (None for boilerplate, which no claim reads)."""
    rows = [k for k, span in enumerate(spans) if not span.is_boilerplate]
    vectors = embed([spans[k].text for k in rows]) if rows else []
    stored: list[bytes | None] = [None] * len(spans)
    for k, vector in zip(rows, vectors, strict=True):
        stored[k] = to_bytes(vector)
    return stored


def _write_sentences(article: Article, spans: list[SentenceSpan], embeddings: list[bytes | None]) -> None:
    existing = list(article.sentences.order_by("index"))
    same_text = [(s.index, s.start, s.end, s.text) for s in existing] == [
        (s.index, s.start, s.end, s.text) for s in spans
    ]
    if same_text:
        for row, vector in zip(existing, embeddings, strict=True):
            row.embedding = vector
        Sentence.objects.bulk_update(existing, ["embedding"])
        changed = []
        for row, span in zip(existing, spans, strict=True):
            if (row.is_boilerplate, row.boilerplate_reason) != (span.is_boilerplate, span.boilerplate_reason):
                row.is_boilerplate, row.boilerplate_reason = (
                    span.is_boilerplate,
                    span.boilerplate_reason[:100],
                )
                changed.append(row)
        Sentence.objects.bulk_update(changed, ["is_boilerplate", "boilerplate_reason"])
        if changed:
            article.summaries.all().delete()
        return
    article.summaries.all().delete()
    article.sentences.all().delete()
    Sentence.objects.bulk_create(
        Sentence(
            article=article,
            index=s.index,
            start=s.start,
            end=s.end,
            text=s.text,
            is_boilerplate=s.is_boilerplate,
            boilerplate_reason=s.boilerplate_reason[:100],
            embedding=vector,
        )
        for s, vector in zip(spans, embeddings, strict=True)
    )


def _write_summary(article: Article, spans: list[SentenceSpan], algorithm: str) -> Summary:
    try:
        result = summarize(
            article.body,
            spans,
            algorithm,
            sentences=settings.SUMMARY_SENTENCES,
            title=article.title,
            model=settings.SPACY_MODEL,
        )
    except SummaryError as exc:
        raise AnalysisError(f"Article {article.pk}: {exc}") from None
    summary, _ = Summary.objects.update_or_create(
        article=article,
        algorithm=algorithm,
        defaults={
            "params": result.params,
            "versions": result.versions,
            "sentence_indices": result.sentence_indices,
            "text": result.text,
            "created": timezone.now(),
        },
    )
    return summary
