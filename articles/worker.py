"""The embedded worker: runs the jobs the database holds, on the embedded default (no Celery broker).

`manage.py serve` (`make run`) starts it beside the web server, both with WORKBENCH_JOBS=worker: the web
server only records jobs (an import, an analysis, a synthesis) and answers at once; this process claims them
one at a time, oldest first, and runs them through the same code a Celery task calls (articles.jobs), so
states, progress, errors and the once-per-settle synthesis are the same on both stacks. It loads the models
once, at start, so that no web request ever loads spaCy.

A claim is a conditional update (queued -> running), so two embedded workers never run one job. At every poll
the worker also recovers the jobs whose lease ran out (articles.jobs.recover_stale_jobs): a job left running
by a worker or a command that was killed is queued again, and given up with a reason after JOB_MAX_ATTEMPTS.
Stopped with Ctrl-C or SIGTERM, the worker puts the job it was running back in the queue, uncounted.
Every few seconds it also polls the watched sources that are due (celery beat's work on the real stack, every
SOURCE_POLL_CHECK_SECONDS), so that "Poll now" answers at once; their imports become jobs like any other.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from articles import jobs
from articles.models import Job

logger = logging.getLogger(__name__)
# How often the embedded worker looks for watched sources that are due (one indexed query).
EMBEDDED_SOURCE_CHECK_SECONDS = 5

RUNNERS: dict[str, Callable[..., Job | None]] = {
    Job.Kind.IMPORT: jobs.run_import_job,
    Job.Kind.ANALYSIS: jobs.run_analysis_job,
    Job.Kind.SYNTHESIS: jobs.run_synthesis_job,
}


class Stop(BaseException):
    """SIGTERM: stop after putting the current job back (a BaseException, like KeyboardInterrupt, so that the
    job's own error handling does not record it as the job failing)."""


def claim_next() -> Job | None:
    """The oldest queued job, now marked running by this worker; None when the queue is empty."""
    for job in Job.objects.filter(state=Job.State.QUEUED).order_by("created", "pk")[:20]:
        now = timezone.now()
        taken = Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, heartbeat_at=now
        )
        if taken:
            return job
    return None


def run_claimed(job: Job) -> None:
    """Run a job claim_next handed out, as a Celery task would."""
    final = job.attempts + 1 >= settings.JOB_MAX_ATTEMPTS
    try:
        RUNNERS[job.kind](job.pk, final_attempt=final)
    except jobs.TRANSIENT_ERRORS as exc:
        # The database was busy or away: the job is queued again (articles.jobs._run); wait a little.
        logger.warning("Job %s will be tried again: %s", job.pk, exc)
        time.sleep(min(30, 2**job.attempts))


def put_back(job: Job) -> None:
    """A job interrupted by the worker's own shutdown waits for the next start; the run is not counted."""
    try:
        Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
            state=Job.State.QUEUED,
            heartbeat_at=None,
            attempts=job.attempts,  # as claimed, before this run counted
            error="Interrupted when the workbench stopped; it runs again when the workbench starts.",
        )
    except DatabaseError as exc:  # the lease recovers it at the next start
        logger.warning("Could not put job %s back in the queue: %s", job.pk, exc)


def load_models() -> None:
    from articles.tasks import load_models_once

    load_models_once()


def serve(*, poll_seconds: float = 1.0, until_idle: bool = False, log: Callable[[str], None] = print) -> int:
    """Run jobs until stopped (or, with until_idle, until none is queued); the number of jobs run."""

    def on_term(_signum, _frame):
        raise Stop

    previous = signal.signal(signal.SIGTERM, on_term)
    load_models()
    ran = 0
    current: Job | None = None
    next_source_check = 0.0
    try:
        while True:
            close_old_connections()
            try:
                jobs.recover_stale_jobs(dispatch_again=False)
                if time.monotonic() >= next_source_check:  # the watched sources that are due, polled here
                    next_source_check = time.monotonic() + min(
                        EMBEDDED_SOURCE_CHECK_SECONDS, settings.SOURCE_POLL_CHECK_SECONDS
                    )
                    jobs.poll_due_sources()
                current = claim_next()
                if current is not None:
                    run_claimed(current)
            except DatabaseError as exc:
                logger.warning("The embedded worker could not reach the database: %s", exc)
                current = None
                time.sleep(poll_seconds)
                continue
            if current is None:
                if until_idle:
                    return ran
                time.sleep(poll_seconds)
                continue
            ran += 1
            done = Job.objects.filter(pk=current.pk).values_list("state", "error").first()
            if done:
                log(
                    f"{jobs.describe(current)} (job {current.pk}): {done[0]}"
                    + (f": {done[1]}" if done[1] else "")
                )
            current = None
    except (KeyboardInterrupt, Stop):
        if current is not None:
            put_back(current)
        log("The embedded worker stopped.")
        return ran
    finally:
        signal.signal(signal.SIGTERM, previous)
