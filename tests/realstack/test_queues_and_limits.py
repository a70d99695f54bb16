"""Celery's limits on the real stack (Redis, PostgreSQL, real workers and celery beat): each kind of job waits
in its own queue, a task past its soft time limit fails its job with the reason and the worker goes on, and
beat has a job whose message was lost sent again, and a job whose worker died run again once its lease ran
out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from articles import jobs, tasks
from articles.importing import ImportSource
from articles.models import Job
from tests.workbench.wb_factories import build_story

from .conftest import session_queue, wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(600)]


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queues = [session_queue(name) for name in settings.TASK_QUEUES]
    try:
        yield client
    finally:
        client.delete(*queues)
        client.close()


def test_each_kind_of_job_waits_in_its_own_queue(workers, broker):
    """No worker runs: the messages stay where an operator would look for them (redis-cli llen analysis)."""
    story = build_story(slug="queues").story
    jobs.start_import(story, [ImportSource(name="a.txt", data=b"Some words.", format_hint="text")])
    jobs.enqueue_analysis(story.articles.first())
    jobs.enqueue_synthesis(story)
    assert {name: broker.llen(session_queue(name)) for name in settings.TASK_QUEUES} == {
        "imports": 1,
        "analysis": 1,
        "synthesis": 1,
    }


@pytest.fixture
def short_analysis_limits() -> Iterator[None]:
    """What CELERY_TASK_SOFT_TIME_LIMIT=3 CELERY_TASK_TIME_LIMIT=30 make of the analysis task where it is
    sent: the limits travel with the message."""
    task = tasks.analyze_article_task
    saved = task.soft_time_limit, task.time_limit
    task.soft_time_limit, task.time_limit, task._exec_options = 3, 30, None
    try:
        yield
    finally:
        (task.soft_time_limit, task.time_limit), task._exec_options = saved, None


def test_a_task_past_its_soft_time_limit_fails_its_job_with_the_reason(workers, short_analysis_limits):
    story = build_story(slug="time-limit").story
    # Test-only hook: the analysis sleeps two minutes once running, far past its 3-second soft limit.
    worker = workers.start(
        WORKBENCH_TEST_ANALYSIS_DELAY="120", CELERY_TASK_SOFT_TIME_LIMIT="3", CELERY_TASK_TIME_LIMIT="30"
    )
    job = jobs.enqueue_analysis(story.articles.first(), force=True)
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.FAILED, 60, "the time limit", workers)

    job.refresh_from_db()
    assert "was stopped after 3 seconds, its time limit" in job.error and job.attempts == 1
    assert "Exceeded" not in job.error  # plain words, no exception class
    assert job.finished_at - job.started_at < timedelta(seconds=30)  # the soft limit, not the two minutes
    assert worker.process.poll() is None  # the worker itself goes on
    assert "Soft time limit (3s) exceeded" in worker.log()


def test_beat_has_a_job_whose_message_was_lost_sent_again(workers):
    story = build_story(slug="lost-and-found").story
    long_ago = timezone.now() - timedelta(minutes=20)
    # Sent 20 minutes ago and still queued: Redis lost the message (the worker's start hook, which sends only
    # jobs that never reached a broker, leaves it).
    lost = Job.objects.create(
        kind=Job.Kind.SYNTHESIS, story=story, created=long_ago, params={jobs.DISPATCHED: long_ago.isoformat()}
    )
    workers.start()
    assert Job.objects.get(pk=lost.pk).state == Job.State.QUEUED

    workers.start_beat(REQUEUE_CHECK_SECONDS="1")
    wait_for(lambda: Job.objects.get(pk=lost.pk).state == Job.State.SUCCEEDED, 120, "the lost job", workers)
    lost.refresh_from_db()
    assert lost.attempts == 1
    assert story.claims.exists()


def test_a_job_whose_worker_was_killed_runs_again_once_its_lease_runs_out(workers):
    story = build_story(slug="lease").story
    lease = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_LEASE_SECONDS": "4"}
    first = workers.start(WORKBENCH_TEST_ANALYSIS_DELAY="300", **lease)
    job = jobs.enqueue_analysis(story.articles.first(), force=True)
    wait_for(
        lambda: Job.objects.get(pk=job.pk).state == Job.State.RUNNING, 60, "the analysis to start", workers
    )
    first.kill()  # worker and pool: the message stays unacknowledged in Redis (visibility timeout 1 h)

    # A new worker (its start hook) or beat's next check finds the lease ran out and sends the job again.
    workers.start(**lease)
    workers.start_beat(REQUEUE_CHECK_SECONDS="1", **lease)
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED, 120, "the rerun", workers)
    job.refresh_from_db()
    assert job.attempts == 2 and not job.error
