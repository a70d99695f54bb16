"""Celery's limits: each kind of job goes to its own queue, tasks have time limits, and celery beat sends
again the jobs whose message was lost. Checked here without a broker process (kombu's in-memory transport, the
settings in subprocesses); tests/realstack/test_queues_and_limits.py runs them on Redis with real workers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import pools as kombu_pools

from articles import jobs, tasks
from articles.models import Job
from tests.foundation.test_settings import PRODUCTION, last_line, run_python
from tests.workbench.wb_factories import build_story
from workbench.celery import app

QUEUE_OF_KIND = {Job.Kind.IMPORT: "imports", Job.Kind.ANALYSIS: "analysis", Job.Kind.SYNTHESIS: "synthesis"}


def use_broker(url: str | None, write: str | None = None, read: str | None = None) -> None:
    app.conf.update(broker_url=url, broker_write_url=write, broker_read_url=read)
    kombu_pools.reset()  # kombu's process-wide pools, one per URL: none may hand back a connection elsewhere
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_in_memory():
    """Tasks are published to kombu's in-memory broker (on the real stack too: never to a shared Redis)
    instead of run in-process."""
    eager, brokers = (
        app.conf.task_always_eager,
        (app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url),
    )
    app.conf.task_always_eager = False
    use_broker("memory://localhost/", "memory://localhost/", "memory://localhost/")
    queues = [*QUEUE_OF_KIND.values(), app.conf.task_default_queue]

    def waiting() -> dict[str, int]:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            return {name: channel.queue_declare(queue=name, passive=False).message_count for name in queues}

    def purge() -> None:
        with app.connection_for_write() as connection:
            for name in queues:
                connection.default_channel.queue_purge(name)

    purge()
    try:
        yield waiting
    finally:
        purge()
        use_broker(*brokers)
        app.conf.task_always_eager = eager


def test_each_kind_of_job_is_sent_to_its_own_queue(db, broker_in_memory):
    story = build_story().story
    for kind in QUEUE_OF_KIND:
        job = Job.objects.create(kind=kind, story=story, article=story.articles.first())
        assert jobs.dispatch(job.pk)
    assert broker_in_memory() == {"imports": 1, "analysis": 1, "synthesis": 1, app.conf.task_default_queue: 0}


def test_beat_sends_the_stale_job_check_to_a_queue_that_workers_consume(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-jobs"]
    assert entry["task"] in app.tasks and entry["schedule"] == settings.REQUEUE_CHECK_SECONDS == 300
    assert app.amqp.router.route({}, entry["task"])["queue"].name in settings.TASK_QUEUES


def test_the_stale_job_check_sends_again_only_jobs_queued_too_long_since_they_were_last_sent(
    db, broker_in_memory
):
    story = build_story().story
    now = timezone.now()
    long_ago, just_now = now - timedelta(minutes=20), now - timedelta(minutes=1)

    def job(created, sent=None, **fields) -> Job:
        params = {jobs.DISPATCHED: sent.isoformat()} if sent else {}
        return Job.objects.create(
            kind=Job.Kind.SYNTHESIS, story=story, created=created, params=params, **fields
        )

    lost = job(long_ago, sent=long_ago)  # sent 20 minutes ago, still queued: its message was lost
    never_sent = job(long_ago)  # the broker was down when it was made, and no worker started since
    left = [
        job(long_ago, sent=just_now),  # sent again a minute ago
        job(just_now),  # new: its send is under way
        job(long_ago, sent=long_ago, attempts=1),  # in Celery's retry backoff: its retry brings it back
        job(long_ago, sent=long_ago, state=Job.State.RUNNING),
        job(long_ago, sent=long_ago, state=Job.State.SUCCEEDED),
    ]
    before = {j.pk: j.params for j in left}

    assert tasks.requeue_stale_jobs(timedelta(minutes=15)) == (2, 0)
    assert broker_in_memory()["synthesis"] == 2
    for sent in (lost, never_sent):
        sent.refresh_from_db()
        assert timezone.datetime.fromisoformat(sent.params[jobs.DISPATCHED]) >= now
    assert {j.pk: j.params for j in Job.objects.filter(pk__in=before)} == before

    # Sent again just now: the next check, a few minutes later, leaves them alone.
    assert tasks.requeue_stale_jobs(timedelta(minutes=15)) == (0, 0)
    assert broker_in_memory()["synthesis"] == 2


PROBE = (
    "import json, django; django.setup(); import articles.tasks; from workbench.celery import app; "
    "names = ['articles.run_import_batch', 'articles.analyze_article', 'articles.synthesize_story']; "
    "print(json.dumps({n: [app.tasks[n].soft_time_limit, app.tasks[n].time_limit] for n in names}))"
)


def test_tasks_have_time_limits_and_imports_longer_ones():
    # Interrupted at the soft limit (the job fails with the reason), killed at the hard one.
    assert json.loads(last_line(["-c", PROBE], PRODUCTION, SECRET_KEY="s" * 60)) == {
        "articles.run_import_batch": [1800, 1860],
        "articles.analyze_article": [600, 660],
        "articles.synthesize_story": [600, 660],
    }


@pytest.mark.parametrize(
    "env",
    [
        {"CELERY_TASK_SOFT_TIME_LIMIT": "700", "CELERY_TASK_TIME_LIMIT": "600"},
        {"IMPORT_TASK_TIME_LIMIT": "4000"},  # past the visibility timeout (3600)
    ],
)
def test_production_refuses_time_limits_that_would_run_a_task_twice_or_never_stop_it_softly(env):
    result = run_python(["manage.py", "check"], PRODUCTION, SECRET_KEY="s" * 60, **env)
    assert result.returncode != 0
    assert "Task time limits must be positive" in result.stderr and "Traceback" not in result.stderr
