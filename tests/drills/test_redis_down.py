"""Drill: Redis goes down while editors work (real stack: PostgreSQL, a redis-server of the test's own, a real
Celery worker).

The web side runs in-process with its broker pointed at the throwaway redis-server. While it is down, pages
and brief edits work and an import is recorded with its Job left queued, shown as waiting on the story's job
status. When Redis is back on the same port, a worker starts; its worker_ready hook (articles.tasks) sends the
queued job, which imports the files; their analyses and the story's synthesis follow, each job once.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from articles.jobs import DISPATCHED, enqueue_synthesis
from articles.models import ImportBatch, ImportItem, Job, Sentence
from briefs.models import Brief
from briefs.services import brief_get_or_create, brief_start_from_candidate
from tests.conftest import SEEDS_DIR
from tests.realstack.conftest import wait_for
from tests.workbench.wb_factories import build_story

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(600)]

SEEDS = sorted(SEEDS_DIR.glob("*.txt"))[:2]
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_with_redis_down_editing_goes_on_and_the_waiting_import_runs_once_redis_is_back(
    own_broker, drill_workers, editor_client, capsys
):
    own_redis = own_broker
    story = build_story(slug="redis-drill").story
    brief_start_from_candidate(brief_get_or_create(story), user=None, expected_version=0)
    articles_before = story.articles.count()

    own_redis.kill()
    assert not own_redis.answers()

    # Pages and brief edits do not need Redis.
    assert editor_client.get(reverse("story_list")).status_code == 200
    workspace = editor_client.get(story.get_absolute_url())
    assert workspace.status_code == 200 and story.title in workspace.content.decode()
    brief = Brief.objects.get(story=story)
    item = brief.items.order_by("position").first()
    edited = editor_client.post(
        reverse("brief_edit_item", args=[story.slug, item.pk]),
        {"version": brief.version, "text": "Written while Redis was down."},
        HTTP_HX_TARGET="brief-pane",
        **HTMX,
    )
    assert edited.status_code == 200 and "Written while Redis was down." in edited.content.decode()
    assert Brief.objects.get(pk=brief.pk).version == brief.version + 1

    # An import started now is recorded; its job waits, visibly.
    uploads = [SimpleUploadedFile(path.name, path.read_bytes(), "text/plain") for path in SEEDS]
    started = editor_client.post(reverse("story_import", args=[story.slug]), {"files": uploads})
    assert started.status_code == 302
    batch = ImportBatch.objects.get(story=story)
    job = Job.objects.get(batch=batch)
    assert job.kind == Job.Kind.IMPORT and job.state == Job.State.QUEUED
    assert DISPATCHED not in job.params  # it never reached the broker
    assert list(batch.items.values_list("status", flat=True)) == [ImportItem.Status.PENDING] * len(SEEDS)
    status = editor_client.get(reverse("story_jobs", args=[story.slug]), **HTMX).content.decode()
    assert f'id="job-{job.pk}"' in status and "job-queued" in status and "Queued" in status
    assert "Working — Import queued." in status  # the status line says what waits
    batch_page = editor_client.get(started["Location"]).content.decode()
    assert "Pending" in batch_page

    # Redis is back (empty: it keeps nothing on disk); a worker starts and sends the waiting job.
    own_redis.start()
    drill_workers.start(CELERY_BROKER_URL=own_redis.url)

    def all_done() -> bool:
        jobs = Job.objects.filter(story=story)
        return (
            jobs.filter(kind=Job.Kind.SYNTHESIS).exists()
            and not jobs.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists()
        )

    wait_for(all_done, 360, "the import, its analyses and the synthesis", drill_workers)

    jobs = Job.objects.filter(story=story)
    assert set(jobs.values_list("state", flat=True)) == {Job.State.SUCCEEDED}
    assert set(jobs.values_list("attempts", flat=True)) == {1}  # each job ran once
    assert sorted(batch.items.values_list("status", flat=True)) == [ImportItem.Status.IMPORTED] * len(SEEDS)
    new_articles = story.articles.filter(import_batch=batch)
    assert story.articles.count() == articles_before + len(SEEDS) == articles_before + new_articles.count()
    for article in new_articles:
        assert article.analyzed_at is not None
        assert jobs.filter(kind=Job.Kind.ANALYSIS, article=article).count() == 1
        assert article.sentences.exists()
    assert (
        not Sentence.objects.filter(article__story=story)
        .values("article", "index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert jobs.filter(kind=Job.Kind.SYNTHESIS).count() == 1
    assert story.claims.exists() and story.candidate_brief is not None

    # Nothing is left waiting: the requeue command finds no job to send.
    capsys.readouterr()
    call_command("requeue_jobs")
    assert "0 queued job(s) sent." in capsys.readouterr().out
    # The edit made while Redis was down is in the history.
    assert Brief.objects.get(pk=brief.pk).revisions.filter(number=brief.version + 1).exists()


def test_a_job_lost_with_redis_data_waits_until_requeue_jobs_all_and_then_runs_once(
    own_broker, drill_workers, capsys
):
    """Redis here keeps nothing on disk: a message it held when it stopped is gone. The job row is not."""
    own_redis = own_broker
    story = build_story(slug="lost-message").story
    job = enqueue_synthesis(story)  # sent to Redis; no worker is consuming yet
    assert DISPATCHED in Job.objects.get(pk=job.pk).params

    own_redis.kill()
    own_redis.start()  # back, empty
    drill_workers.start(CELERY_BROKER_URL=own_redis.url)
    # The worker's start hook sends only jobs that never reached a broker; this one did, so it still waits.
    assert Job.objects.get(pk=job.pk).state == Job.State.QUEUED

    capsys.readouterr()
    call_command("requeue_jobs", "--all")  # the operator's step after Redis lost its data (see the README)
    assert "1 queued job(s) sent." in capsys.readouterr().out
    wait_for(
        lambda: Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED,
        240,
        "the requeued job",
        drill_workers,
    )
    job.refresh_from_db()
    assert job.attempts == 1
    assert Job.objects.filter(story=story, kind=Job.Kind.SYNTHESIS).count() == 1
    assert story.claims.exists()
