"""Analysis through services, jobs and commands on the embedded default (SQLite, eager Celery)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import jobs
from articles.models import Article, Entity, Job, Mention, Sentence, Story, Summary
from articles.nlp.summarizers import ALGORITHMS
from articles.services.analysis import analyze_article


def export(story: Story) -> dict:
    out = StringIO()
    call_command("export_story", story.slug, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def row_counts(story: Story) -> tuple[int, int, int, int]:
    return (
        Sentence.objects.filter(article__story=story).count(),
        Summary.objects.filter(article__story=story).count(),
        Mention.objects.filter(article__story=story).count(),
        Entity.objects.filter(story=story).count(),
    )


def test_analyze_command_writes_sentences_summaries_and_story_entities(
    seed_story, settings, django_capture_on_commit_callbacks
):
    # The story's entities come from its synthesis, queued when the command commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("analyze", "--story", seed_story.slug, stdout=StringIO())
    data = export(seed_story)

    assert len(data["articles"]) == 5
    for article in data["articles"]:
        assert set(article) >= {"id", "title", "outlet", "url", "sentence_count", "summary"}
        assert article["sentence_count"] > 5
        assert article["summary"]["algorithm"] == settings.SUMMARY_ALGORITHM
        assert len(article["summary"]["sentences"]) == settings.SUMMARY_SENTENCES
    entities = {(e["name"], e["label"]): e for e in data["entities"]}
    krause = entities[("Melanie Krause", "PERSON")]
    assert "Krause" in krause["aliases"]
    assert krause["articles"] == sorted(a["id"] for a in data["articles"])
    irs = entities[("IRS", "ORG")]
    assert "Internal Revenue Service" in irs["aliases"]
    assert not any(name in ("Krause", "Internal Revenue Service") for name, _ in entities)
    assert Article.objects.filter(story=seed_story, analyzed_at__isnull=True).count() == 0
    assert set(Job.objects.filter(kind=Job.Kind.ANALYSIS).values_list("state", flat=True)) == {"succeeded"}


def test_running_the_analysis_again_replaces_rows_and_never_duplicates(seed_story):
    call_command("analyze", "--story", seed_story.slug, stdout=StringIO())
    first = row_counts(seed_story)
    sentence_ids = sorted(Sentence.objects.filter(article__story=seed_story).values_list("id", flat=True))
    entity_ids = sorted(Entity.objects.filter(story=seed_story).values_list("id", flat=True))

    call_command("analyze", "--story", seed_story.slug, "--force", stdout=StringIO())
    call_command("analyze", "--story", seed_story.slug, "--force", stdout=StringIO())

    assert row_counts(seed_story) == first
    # Unchanged sentences and entities keep their rows (what claims and briefs point at survives).
    assert (
        sorted(Sentence.objects.filter(article__story=seed_story).values_list("id", flat=True))
        == sentence_ids
    )
    assert sorted(Entity.objects.filter(story=seed_story).values_list("id", flat=True)) == entity_ids


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_analyze_with_each_algorithm_and_force_succeeds(seed_story, algorithm, settings):
    out = StringIO()
    call_command("analyze", "--algorithm", algorithm, "--force", stdout=out)
    assert "5 of 5 article(s) analysed" in out.getvalue()
    for article in seed_story.articles.all():
        summary = article.summaries.get(algorithm=algorithm)
        assert len(summary.sentence_indices) == 3
        assert summary.params["sentences"] == 3
        assert summary.versions["sumy"] and summary.versions["spacy_model"].startswith(settings.SPACY_MODEL)
        chosen = article.sentences.filter(index__in=summary.sentence_indices)
        assert not chosen.filter(is_boilerplate=True).exists()
        # The default algorithm's summary is always there too.
        assert article.summaries.filter(algorithm=settings.SUMMARY_ALGORITHM).exists()


def test_an_unknown_algorithm_is_refused_with_the_list_of_names(seed_story):
    with pytest.raises(CommandError, match="choose one of lexrank, textrank, lsa, luhn, edmundson, kl"):
        call_command("analyze", "--algorithm", "bogus", stdout=StringIO())


def test_the_default_algorithm_is_a_setting(seed_story, settings):
    settings.SUMMARY_ALGORITHM = "luhn"
    call_command("analyze", "--story", seed_story.slug, stdout=StringIO())
    assert set(Summary.objects.values_list("algorithm", flat=True)) == {"luhn"}
    assert {a["summary"]["algorithm"] for a in export(seed_story)["articles"]} == {"luhn"}


def test_the_seed_comment_prompt_is_stored_as_boilerplate(seed_story):
    call_command("analyze", "--story", seed_story.slug, stdout=StringIO())
    marked = Sentence.objects.filter(article__story=seed_story, is_boilerplate=True)
    assert ("Leave a Comment", "comment prompt") in set(marked.values_list("text", "boilerplate_reason"))


def test_a_failing_article_fails_its_own_job_with_a_reason_and_the_others_finish(
    seed_story, django_capture_on_commit_callbacks
):
    broken = seed_story.articles.order_by("id").first()
    Article.objects.filter(pk=broken.pk).update(body="   ")
    with django_capture_on_commit_callbacks(execute=True):
        for article in seed_story.articles.all():
            jobs.enqueue_analysis(article)

    failed = Job.objects.get(kind=Job.Kind.ANALYSIS, article=broken)
    assert failed.state == Job.State.FAILED
    assert (
        failed.error
        == f"Article {broken.pk} “{broken.title[:80]}” has no text to analyse (its body is empty)."
    )
    assert failed.finished_at is not None
    others = Job.objects.filter(kind=Job.Kind.ANALYSIS).exclude(article=broken)
    assert sorted(others.values_list("state", flat=True)) == ["succeeded"] * 4
    assert all(job.progress_done == job.progress_total == 3 for job in others)
    # Every article analysed or failed: the story's synthesis was queued (and, eagerly, run) once.
    assert Job.objects.filter(kind=Job.Kind.SYNTHESIS, story=seed_story).count() == 1


def test_synthesis_is_queued_only_when_the_last_article_is_analysed(
    seed_story, django_capture_on_commit_callbacks
):
    articles = list(seed_story.articles.order_by("id"))
    with django_capture_on_commit_callbacks(execute=True):
        for article in articles[:-1]:
            jobs.enqueue_analysis(article)
        assert not Job.objects.filter(kind=Job.Kind.SYNTHESIS).exists()
    # (still inside nothing: each enqueue committed and ran eagerly)
    assert not Job.objects.filter(kind=Job.Kind.SYNTHESIS).exists()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_analysis(articles[-1])
    assert Job.objects.filter(kind=Job.Kind.SYNTHESIS, story=seed_story).count() == 1


def test_with_the_broker_down_the_job_stays_queued_and_requeue_sends_it_later(
    seed_story, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from articles import tasks

    article = seed_story.articles.first()
    sent: list[int] = []

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.analyze_article_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue_analysis(article)  # no exception reaches the caller
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert jobs.DISPATCHED not in job.params

    monkeypatch.setattr(tasks.analyze_article_task, "apply_async", lambda args, **kw: sent.append(args[0]))
    out = StringIO()
    call_command("requeue_jobs", stdout=out)
    assert sent == [job.pk]
    assert "1 queued job(s) sent." in out.getvalue()


def test_a_repeated_delivery_of_a_finished_job_does_nothing(seed_story):
    article = seed_story.articles.first()
    job = Job.objects.create(kind=Job.Kind.ANALYSIS, story=seed_story, article=article, params={})
    jobs.run_analysis_job(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 1)
    before = row_counts(seed_story)
    assert jobs.run_analysis_job(job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 1
    assert row_counts(seed_story) == before


def test_analyze_article_service_skips_what_is_already_there(seed_story):
    article = seed_story.articles.first()
    first = analyze_article(article.pk)
    again = analyze_article(article.pk)
    assert again.skipped and again.sentences == first.sentences
    other = analyze_article(article.pk, "textrank")
    assert not other.skipped
    assert set(article.summaries.values_list("algorithm", flat=True)) == {"lexrank", "textrank"}


def test_analysing_an_article_leaves_the_story_entities_to_the_story_stage(seed_story):
    """One article's analysis does not redo the whole story's entities (under a lock on the story row) for
    every article: the synthesis consolidates them once."""
    from articles.services.synthesis import synthesize_story

    first, second, *rest = seed_story.articles.order_by("pk")
    analyze_article(first.pk)
    analyze_article(second.pk)
    assert not Entity.objects.filter(story=seed_story).exists()
    for article in rest:
        analyze_article(article.pk)
    synthesize_story(seed_story)
    krause = Entity.objects.get(story=seed_story, name="Melanie Krause", label="PERSON")
    assert krause.articles.count() >= 3
