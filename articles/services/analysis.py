"""Analysing an article: its sentences, summaries and entity mentions, then the story's entities.

The pipeline (articles.nlp) computes; this module writes. Everything heavy (spaCy, embeddings, summaries) is
computed first, with no transaction open, so other editors' writes go on meanwhile; then the rows are written
in one short transaction that replaces what an earlier run wrote, so running it twice never duplicates a row.
Sentences that come out the same as last time are kept (with their ids), so what synthesis and briefs refer
to survives a re-analysis that changes nothing. An article deleted meanwhile ends the analysis with
ArticleVanished (nothing written); a write that meets a locked database is tried again a few times.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from articles.models import Article, Mention, Sentence, Summary
from articles.nlp.embeddings import embed_article, to_bytes
from articles.nlp.entities import analyze_text
from articles.nlp.language import not_analysed_reason
from articles.nlp.summarizers import SummaryError, SummaryResult, check_algorithm, summarize
from articles.nlp.types import SentenceSpan

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ANALYSIS_STEPS = 3
# The longest body analysed. Longer ones are run through spaCy in pieces (articles.nlp.segmentation), so this
# is no limit of the model's: it keeps one job's time within the task time limit on the machine we size for
# (bench/bounded.py); the import's file limit is 5 MB.
MAX_ANALYSIS_CHARACTERS = 6_000_000
# A write that meets a database locked by another writer is tried this many times, a little later each time
# (SQLite itself waits `timeout` seconds on each try).
WRITE_ATTEMPTS = 3
WRITE_RETRY_PAUSE = 1.0


class AnalysisError(Exception):
    """An article that cannot be analysed, with a reason a person can act on."""


class ArticleVanished(AnalysisError):
    """The article was deleted before or while it was analysed; nothing was written."""


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

    def write(locked: Article) -> None:
        locked.summaries.all().delete()
        locked.mentions.all().delete()
        locked.sentences.all().delete()
        locked.analysis_note = reason
        locked.analyzed_at = timezone.now()
        locked.save(update_fields=["analysis_note", "analyzed_at"])

    write_rows(article, write)
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
    article = Article.objects.select_related("story").filter(pk=article_id).first()
    if article is None:
        raise ArticleVanished(f"Article {article_id} no longer exists (it was deleted): nothing to analyse.")
    label = _label(article)
    if not article.body.strip():
        raise AnalysisError(f"{label} has no text to analyse (its body is empty).")
    if len(article.body) > MAX_ANALYSIS_CHARACTERS:
        raise AnalysisError(
            f"{label} is too long to analyse: {len(article.body):,} characters, and the workbench analyses "
            f"at most {MAX_ANALYSIS_CHARACTERS:,}. Split it into shorter articles and import those."
        )
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
        summaries = [_summary(article, spans, name) for name in missing]
        if summaries:
            write_rows(article, lambda locked: _save_summaries(locked, summaries))
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

    # Everything heavy first, with no transaction open: the sentences and entities, each sentence's embedding
    # (synthesis reads it) and the summaries.
    result = analyze_text(article.body, article.title, model=settings.SPACY_MODEL)
    if not result.sentences:
        raise AnalysisError(f"{label}: no sentences found in its text.")
    embeddings = sentence_embeddings(result.sentences)
    step("sentences, entities and embeddings")
    summaries = [_summary(article, result.sentences, name) for name in wanted]
    step("summary")

    def write(locked: Article) -> None:
        _write_sentences(locked, result.sentences, embeddings)
        Mention.objects.filter(article=locked).delete()
        Mention.objects.bulk_create(
            Mention(article=locked, start=m.start, end=m.end, text=m.text[:300], label=m.label[:20])
            for m in result.mentions
        )
        _save_summaries(locked, summaries)
        locked.analyzed_at = timezone.now()
        locked.save(update_fields=["analyzed_at"])

    write_rows(article, write)
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


def _label(article: Article) -> str:
    return f"Article {article.pk} “{article.title[:80]}”"


def write_rows(article: Article, write: Callable[[Article], None]) -> None:
    """Run `write` on the article, locked, in one transaction; ArticleVanished if it was deleted meanwhile.

    A database locked by another writer is waited for and tried again (WRITE_ATTEMPTS); if it stays locked,
    AnalysisError says so and that nothing was saved.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                locked = Article.objects.select_for_update().filter(pk=article.pk).first()
                if locked is None:
                    raise ArticleVanished(
                        f"{_label(article)} was deleted while it was being analysed; nothing was saved."
                    )
                write(locked)
            return
        except OperationalError as exc:
            if not _is_lock_error(exc):
                raise
            if attempt == WRITE_ATTEMPTS:
                raise AnalysisError(
                    f"{_label(article)} was analysed, but its results could not be saved: the database "
                    f"stayed locked by another writer ({WRITE_ATTEMPTS} tries). Nothing was changed; run "
                    "the analysis again."
                ) from None
            logger.warning("%s: the database is locked (%s); trying again.", _label(article), exc)
            time.sleep(WRITE_RETRY_PAUSE * attempt)


def _is_lock_error(exc: OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "lock timeout" in message or "could not obtain lock" in message


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
    return [None if vector is None else to_bytes(vector) for vector in embed_article(spans)]


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


def _summary(article: Article, spans: list[SentenceSpan], algorithm: str) -> SummaryResult:
    try:
        return summarize(
            article.body,
            spans,
            algorithm,
            sentences=settings.SUMMARY_SENTENCES,
            title=article.title,
            model=settings.SPACY_MODEL,
        )
    except SummaryError as exc:
        raise AnalysisError(f"Article {article.pk}: {exc}") from None


def _save_summaries(article: Article, results: list[SummaryResult]) -> None:
    for result in results:
        Summary.objects.update_or_create(
            article=article,
            algorithm=result.algorithm,
            defaults={
                "params": result.params,
                "versions": result.versions,
                "sentence_indices": result.sentence_indices,
                "text": result.text,
                "created": timezone.now(),
            },
        )
