"""Celery tasks: each takes a Job id and hands it to articles.jobs, which does the bookkeeping.

acks_late + reject_on_worker_lost (also set globally in the settings): a message is acknowledged only after
the task finished, so a worker killed mid-task leaves it to be delivered again; the work is idempotent.
Transient errors (database or broker unreachable) are retried with exponential backoff. Each kind of task has
its queue and time limits (CELERY_TASK_ROUTES, CELERY_TASK_*TIME_LIMIT in the settings); celery beat sends
requeue_stale_jobs periodically (CELERY_BEAT_SCHEDULE), which also recovers the jobs whose worker died
(their lease ran out: articles.jobs.recover_stale_jobs).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.utils import timezone

from articles import jobs
from articles.models import Job

logger = logging.getLogger(__name__)

TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": jobs.TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


def _final_attempt(task) -> bool:
    return task.request.retries >= task.max_retries


@shared_task(name="articles.run_import_batch", **TASK_OPTIONS)
def run_import_batch_task(self, job_id: int) -> None:
    jobs.run_import_job(job_id, final_attempt=_final_attempt(self))


@shared_task(name="articles.analyze_article", **TASK_OPTIONS)
def analyze_article_task(self, job_id: int) -> None:
    jobs.run_analysis_job(job_id, final_attempt=_final_attempt(self))


@shared_task(name="articles.synthesize_story", **TASK_OPTIONS)
def synthesize_story_task(self, job_id: int) -> None:
    jobs.run_synthesis_job(job_id, final_attempt=_final_attempt(self))


def requeue_stale_jobs(stale_after: timedelta) -> tuple[int, int]:
    """Send again the jobs still queued `stale_after` after they were last sent (or created, if never sent).

    Their message was lost (Redis lost its data, a publish failed while the broker was down and no worker has
    started since) or waits behind a long backlog; sending again is safe, as a delivery of a job that has
    already run is skipped. A job queued again after an attempt is in Celery's retry backoff, whose own
    message brings it back: it is left alone. Returns (sent, could not be sent).
    """
    cutoff = timezone.now() - stale_after
    stale = Job.objects.filter(state=Job.State.QUEUED, attempts=0, created__lte=cutoff).order_by("created")
    sent = waiting = 0
    for job in stale:
        last_sent = job.params.get(jobs.DISPATCHED)
        if last_sent and datetime.fromisoformat(last_sent) > cutoff:
            continue
        if jobs.dispatch(job.pk):  # records the new send time: the job is stale again only after stale_after
            sent += 1
        else:
            waiting += 1
    return sent, waiting


@shared_task(name="articles.requeue_stale_jobs", ignore_result=True)
def requeue_stale_jobs_task() -> None:
    from django.conf import settings

    requeued, failed = jobs.recover_stale_jobs()
    if requeued or failed:
        logger.warning(
            "%d job(s) left running by a stopped worker queued again; %d given up.", requeued, failed
        )
    sent, waiting = requeue_stale_jobs(timedelta(minutes=settings.REQUEUE_STALE_AFTER_MINUTES))
    if sent or waiting:
        logger.warning("Re-sent %d stale queued job(s); %d could not be sent.", sent, waiting)


@shared_task(name="articles.poll_due_sources", ignore_result=True)
def poll_due_sources_task() -> None:
    """Sent by celery beat every SOURCE_POLL_CHECK_SECONDS: one poll task per watched source that is due."""
    jobs.poll_due_sources()


@shared_task(
    name="articles.poll_source",
    ignore_result=True,
    acks_late=True,
    autoretry_for=jobs.TRANSIENT_ERRORS,
    retry_backoff=2,
    max_retries=3,
)
def poll_source_task(source_id: int) -> None:
    """One watched source's poll; what it finds is imported by an import job of its own."""
    jobs.poll_source(source_id)


@worker_process_init.connect
def prepare_worker_process(**_kwargs) -> None:
    """A Celery pool process: one embedding thread (the pool has a process per core; EMBEDDING_THREADS
    overrides), then the models, once, before its first task."""
    from articles.nlp.embeddings import THREADS_ENV

    os.environ.setdefault(THREADS_ENV, "1")
    load_models_once()


def load_models_once() -> None:
    """Load the spaCy pipeline, sumy, the sentence encoder and the language identifier once per process,
    before its first job."""
    from django.conf import settings

    from articles.nlp.language import load_identifier
    from articles.nlp.segmentation import load_pipeline
    from articles.nlp.summarizers import summarize

    try:
        load_pipeline(settings.SPACY_MODEL, with_entities=True)
        summarize("", [], settings.SUMMARY_ALGORITHM, sentences=1)  # imports sumy and NLTK's stemmer once
        from articles.nlp.embeddings import encoder

        encoder()
        load_identifier()
    except Exception as exc:  # the task reports it on the job; the worker itself keeps running
        logger.error(
            "Could not load the models (spaCy %s, sentence encoder, language identifier): %s",
            settings.SPACY_MODEL,
            exc,
        )


@worker_ready.connect
def requeue_on_worker_ready(**_kwargs) -> None:
    """Jobs that could not be sent while the broker was down are sent once a worker is up."""
    try:
        sent, waiting = jobs.requeue_jobs()
    except Exception as exc:  # a worker must start even when the database is not there yet
        logger.warning("Could not re-send queued jobs at worker start: %s", exc)
        return
    if sent or waiting:
        logger.info("Re-sent %d queued job(s); %d could not be sent.", sent, waiting)
