"""Analysis on real Celery workers (Redis broker, PostgreSQL): jobs finish once, survive a killed worker,
and one failing article does not stop the others."""

from __future__ import annotations

import pytest
from django.db.models import Count

from articles import jobs
from articles.models import Article, Job, Mention, Sentence, Summary
from articles.nlp.entities import analyze_text

from .conftest import wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(600)]


def analysis_jobs():
    return Job.objects.filter(kind=Job.Kind.ANALYSIS)


def assert_rows_written_once(article: Article) -> None:
    expected = analyze_text(article.body, article.title)
    assert article.sentences.count() == len(expected.sentences)
    assert article.mentions.count() == len(expected.mentions)
    assert (
        not Sentence.objects.filter(article=article).values("index").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert Summary.objects.filter(article=article).count() == 1


def test_a_real_worker_analyses_every_article_once(workers, seed_story):
    workers.start()
    for article in seed_story.articles.all():
        jobs.enqueue_analysis(article)

    wait_for(
        lambda: set(analysis_jobs().values_list("state", flat=True)) == {"succeeded"},
        240,
        "analyses",
        workers,
    )
    for article in seed_story.articles.all():
        assert article.analyzed_at is not None
        assert_rows_written_once(article)
    assert set(analysis_jobs().values_list("attempts", flat=True)) == {1}
    names = set(seed_story.entities.values_list("name", "label"))
    assert {("Melanie Krause", "PERSON"), ("IRS", "ORG")} <= names
    # All articles analysed: the synthesis job was queued and picked up by the worker.
    wait_for(
        lambda: Job.objects.filter(kind=Job.Kind.SYNTHESIS, state__in=["succeeded", "failed"]).count() == 1,
        120,
        "the story's synthesis",
        workers,
    )


def test_a_task_killed_mid_run_runs_again_on_a_new_worker_without_duplicates(workers, seed_story):
    article = seed_story.articles.order_by("id").first()
    # Test-only hook: the first worker's analysis sleeps long enough to be killed while running.
    first = workers.start(WORKBENCH_TEST_ANALYSIS_DELAY="60")
    job = jobs.enqueue_analysis(article)
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.RUNNING, 120, "the job to start", workers)
    first.kill()
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING  # the kill left it unfinished

    # A new worker: the unacknowledged message comes back once its visibility timeout has passed.
    workers.start(CELERY_VISIBILITY_TIMEOUT="1")
    wait_for(
        lambda: Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED, 240, "the job to run again", workers
    )

    job.refresh_from_db()
    assert job.attempts == 2
    assert_rows_written_once(article)
    assert Mention.objects.filter(article=article).values("start", "end").distinct().count() == (
        Mention.objects.filter(article=article).count()
    )


def test_one_failing_article_fails_its_own_job_and_the_others_finish(workers, seed_story):
    broken = seed_story.articles.order_by("id").last()
    Article.objects.filter(pk=broken.pk).update(body="")
    workers.start()
    for article in seed_story.articles.all():
        jobs.enqueue_analysis(article)

    wait_for(
        lambda: not analysis_jobs().filter(state__in=["queued", "running"]).exists(), 240, "analyses", workers
    )
    failed = analysis_jobs().get(article=broken)
    assert failed.state == Job.State.FAILED
    assert "has no text to analyse" in failed.error and str(broken.pk) in failed.error
    assert (
        sorted(analysis_jobs().exclude(article=broken).values_list("state", flat=True)) == ["succeeded"] * 4
    )
    assert not Sentence.objects.filter(article=broken).exists()
