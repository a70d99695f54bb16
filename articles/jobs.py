"""The pipeline: import -> analyse -> synthesise, as Job rows run by Celery or the embedded worker.

This module (with articles/tasks.py, the Celery tasks, and articles/worker.py, the embedded worker) is the
only place that knows Celery and Job rows. The services below it (articles.importing.service,
articles.services.analysis, articles.services.synthesis) return what they made; the pipeline chains them: an
import stores articles and each new one gets an analysis job in the same transaction
(`run_import_batch(on_article=enqueue_analysis)`), and the story's synthesis is queued once the story has
settled (`maybe_enqueue_synthesis`). The front doors (web form, commands, admin) start work here:
`start_import`, `import_now`, `rerun_analysis`, `enqueue_synthesis`.

Each unit of work (an import batch, an article's analysis, a story's synthesis) is a Job. `enqueue_*` creates
the row and, once the surrounding transaction commits, sends the Celery task with the job's id. When
the broker cannot be reached the job simply stays `queued` (nothing is raised at the user);
`requeue_jobs` (the `requeue_jobs` command, and every worker when it starts) sends such jobs again.
Without a broker, jobs run eagerly in the process that creates them, or (WORKBENCH_JOBS=worker, as
`manage.py serve` runs the web server) wait in the database for the embedded worker (articles/worker.py).

A running job holds a lease: its process writes a heartbeat every JOB_HEARTBEAT_SECONDS. A job whose heartbeat
is older than JOB_LEASE_SECONDS was left by a process that stopped; `recover_stale_jobs` queues it again, or,
after JOB_MAX_ATTEMPTS runs, fails it with the reason (and, for an import, fails the items it never reached),
so that nothing stays "running" for ever and the story's synthesis still runs once.

`run_*_job` are what the tasks call: they move the job through running -> succeeded / failed, record progress
(n of m), timings and a readable error, and re-raise only transient errors (database or broker unreachable)
for the task to retry with backoff. On the embedded default (no broker) the same code runs eagerly,
in-process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from articles.importing.service import Progress, create_import_batch, run_import_batch
from articles.importing.sources import ImportSource
from articles.models import Article, ImportBatch, ImportItem, Job, Story, StoryAction
from articles.services import inbox, watching
from articles.services.sources import SourceUpdate

logger = logging.getLogger(__name__)

# Test-only hook: seconds an analysis job sleeps once it is running, so the worker tests can kill a worker in
# the middle of a task deterministically. Never set it in a deployment.
TEST_DELAY_ENV = "WORKBENCH_TEST_ANALYSIS_DELAY"
# The same for a story's synthesis: the job sleeps after synthesize_story has written its rows and before the
# job is marked done, the worst moment for a kill (a rerun must replace those rows, not add to them).
TEST_SYNTHESIS_DELAY_ENV = "WORKBENCH_TEST_SYNTHESIS_DELAY"
DISPATCHED = "dispatched_at"
# The Celery task of each kind of job (articles/tasks.py), sent by name so that this module need not import
# the tasks that call it; articles/apps.py registers them when Django starts.
TASK_NAMES = {
    Job.Kind.IMPORT: "articles.run_import_batch",
    Job.Kind.ANALYSIS: "articles.analyze_article",
    Job.Kind.SYNTHESIS: "articles.synthesize_story",
}
POLL_TASK = "articles.poll_source"


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying: the database or the broker unreachable for a moment."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError)


TRANSIENT_ERRORS = _transient_errors()


# --- Front doors -----------------------------------------------------------------------------------------


def start_import(story: Story, sources: list[ImportSource], user=None) -> ImportBatch:
    """Record a batch (articles.importing.service) and queue its import job, sent once the batch commits."""
    with transaction.atomic():
        batch = create_import_batch(story, sources, user)
        enqueue_import(batch)
    return batch


def import_now(batch_id: int, progress: Progress | None = None, *, analyze: bool = True) -> ImportBatch:
    """Run a batch's import in this process (the import command, setup_demo, an import job).

    With `analyze`, each new article's analysis is queued as it is stored, and the story's synthesis once the
    batch is done and the story has settled (whichever of the batch and the last analysis ends last).
    """
    batch = run_import_batch(batch_id, progress, on_article=enqueue_analysis if analyze else None)
    if analyze:
        for story_id in _stories_fed(batch.story_id, batch.pk):
            maybe_enqueue_synthesis(story_id)
    return batch


def _stories_fed(story_id: int | None, batch_id: int | None) -> list[int]:
    """The stories an import fed: its story, or (an Inbox source's batch) each story its articles went to."""
    if story_id:
        return [story_id]
    if batch_id is None:
        return []
    return sorted(set(Article.objects.filter(import_batch_id=batch_id).values_list("story_id", flat=True)))


def rerun_analysis(articles: list[Article], algorithm: str | None = None) -> int:
    """Queue the analysis of these articles again (with `algorithm` for the summaries); returns how many."""
    with transaction.atomic():  # every job exists before the first is sent: one synthesis after the last
        for article in articles:
            enqueue_analysis(article, algorithm=algorithm, force=True)
    return len(articles)


def resynthesise_sorted(action: StoryAction) -> None:
    """Queue the synthesis of each story an Inbox action (articles.services.inbox) or its undo moved articles
    into or out of, once its articles are analysed (an analysis still running asks for it when it ends)."""
    for story in Story.objects.filter(pk__in=inbox.stories_changed(action)):
        if story.articles.exists() and not story.articles.filter(analyzed_at__isnull=True).exists():
            enqueue_synthesis(story)


def resynthesise_after(update: SourceUpdate, story: Story) -> SourceUpdate:
    """Queue the story's synthesis again when a source correction calls for it (update.synthesis_needed)."""
    if update.synthesis_needed:
        enqueue_synthesis(story)
        update.synthesis_queued = True
    return update


# --- Enqueueing ----------------------------------------------------------------------------------------


def enqueue_import(batch: ImportBatch) -> Job:
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        story_id=batch.story_id,
        batch=batch,
        progress_total=batch.items.filter(entry=0).count(),
    )
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def enqueue_analysis(article: Article, algorithm: str | None = None, force: bool = False) -> Job:
    """A job analysing one article; an identical job still waiting in the queue is reused."""
    params = {"algorithm": algorithm, "force": bool(force)}
    waiting = (
        Job.objects.filter(kind=Job.Kind.ANALYSIS, article=article, state=Job.State.QUEUED)
        .order_by("-created")
        .first()
    )
    if waiting is not None and _same_request(waiting.params, params):
        return waiting
    job = Job.objects.create(
        kind=Job.Kind.ANALYSIS,
        story_id=article.story_id,
        article=article,
        params=params,
        progress_total=_analysis_steps(),
    )
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def enqueue_synthesis(story: Story) -> Job:
    """A job synthesising the story; one still waiting in the queue is reused."""
    waiting = Job.objects.filter(kind=Job.Kind.SYNTHESIS, story=story, state=Job.State.QUEUED).first()
    if waiting is not None:
        return waiting
    job = Job.objects.create(kind=Job.Kind.SYNTHESIS, story=story, progress_total=1)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def _same_request(a: dict, b: dict) -> bool:
    return a.get("algorithm") == b.get("algorithm") and bool(a.get("force")) == bool(b.get("force"))


def _analysis_steps() -> int:
    from articles.services.analysis import ANALYSIS_STEPS

    return ANALYSIS_STEPS


def dispatch(job_id: int) -> bool:
    """Send the job's task; False (and the job left queued) when the broker cannot take it."""
    from workbench.celery import app

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.state != Job.State.QUEUED:
        return False
    if settings.JOBS_RUNNER == "worker":
        return True  # the embedded worker takes it from the database
    task = app.tasks[TASK_NAMES[job.kind]]
    if not app.conf.task_always_eager:
        Job.objects.filter(pk=job.pk).update(params={**job.params, DISPATCHED: timezone.now().isoformat()})
    try:
        task.apply_async(args=[job.pk])  # to the task's queue (CELERY_TASK_ROUTES)
    except Exception as exc:  # any failure to publish: the job waits for requeue_jobs
        logger.warning(
            "Job %s stays queued: the task could not be sent (%s: %s)", job.pk, type(exc).__name__, exc
        )
        try:
            Job.objects.filter(pk=job.pk).update(
                params={k: v for k, v in job.params.items() if k != DISPATCHED}
            )
        except DatabaseError:
            pass
        return False
    return True


def requeue_jobs(include_sent: bool = False, older_than: timedelta | None = None) -> tuple[int, int]:
    """Send queued jobs whose task never reached the broker (or, with include_sent, every queued job).

    Jobs left running by a process that stopped are queued again first (recover_stale_jobs). Returns (sent,
    still waiting). Running a task twice is safe: jobs and analyses are idempotent.
    """
    recover_stale_jobs(dispatch_again=False)
    queued = Job.objects.filter(state=Job.State.QUEUED).order_by("created")
    if older_than is not None:
        queued = queued.filter(created__lte=timezone.now() - older_than)
    sent = waiting = 0
    for job in queued:
        if DISPATCHED in job.params and not include_sent:
            continue
        if dispatch(job.pk):
            sent += 1
        else:
            waiting += 1
    return sent, waiting


# --- Running -------------------------------------------------------------------------------------------


def start_job(job_id: int) -> Job | None:
    """Mark the job running (one more attempt); None when it is gone or already finished (a duplicate)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Job %s no longer exists; nothing to do.", job_id)
            return None
        if job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
            logger.info("Job %s already %s; skipping a repeated delivery.", job_id, job.state)
            return None
        job.state = Job.State.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        job.finished_at = None
        job.attempts += 1
        job.error = ""
        job.progress_done = 0
        job.save(
            update_fields=[
                "state",
                "started_at",
                "heartbeat_at",
                "finished_at",
                "attempts",
                "error",
                "progress_done",
            ]
        )
    return job


def record_progress(job: Job, done: int, total: int) -> None:
    job.progress_done, job.progress_total = done, total
    Job.objects.filter(pk=job.pk).update(
        progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )


@contextmanager
def heartbeat(job: Job) -> Iterator[None]:
    """While the job's work runs, a thread renews its lease every JOB_HEARTBEAT_SECONDS.

    Not for eager jobs: they run inside a request or a command, whose progress renews the lease, and a second
    connection writing beside a test's transaction would only wait for it.
    """
    if settings.JOBS_RUNNER == "eager":
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # the next beat tries again; the lease is generous
                    logger.warning("Job %s: could not renew its lease (%s)", job.pk, exc)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def describe(job: Job) -> str:
    if job.kind == Job.Kind.ANALYSIS:
        return f"Analysis of article {job.article_id}"
    return {Job.Kind.IMPORT: "Import", Job.Kind.SYNTHESIS: "Synthesis"}.get(job.kind, "Job")


def _time_limit(job: Job) -> int:
    if job.kind == Job.Kind.IMPORT:
        return settings.IMPORT_TASK_SOFT_TIME_LIMIT
    return settings.CELERY_TASK_SOFT_TIME_LIMIT


def recover_stale_jobs(*, dispatch_again: bool = True) -> tuple[int, int]:
    """Queue again (or, after JOB_MAX_ATTEMPTS runs, fail) the running jobs whose lease ran out.

    Their process stopped without finishing them: killed, crashed, restarted, or stopped at the hard time
    limit. Each is changed only if nobody renewed its lease meanwhile. A failed import also fails the items it
    never reached, so that its batch ends; a failed analysis or import lets the story's synthesis go ahead.
    Returns (queued again, failed).
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    stale = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    requeued = failed = 0
    for job in stale.order_by("created"):
        unchanged = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at)
        stopped = (
            f"the process running it stopped (no sign of life for over {settings.JOB_LEASE_SECONDS} s: "
            "killed, crashed, restarted, or over its time limit)"
        )
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            reason = (
                f"{describe(job)} was given up after {job.attempts} interrupted runs: {stopped}. "
                "Start it again from the story page (Re-run analysis, or import the files again)."
            )
            if unchanged.update(state=Job.State.FAILED, error=reason, finished_at=now):
                failed += 1
                logger.warning("Job %s failed: %s", job.pk, reason)
                _after_giving_up(job, reason)
        elif unchanged.update(
            state=Job.State.QUEUED,
            heartbeat_at=None,
            error=f"Run {job.attempts}: {stopped}; queued again.",
            params={k: v for k, v in job.params.items() if k != DISPATCHED},  # never sent since
        ):
            requeued += 1
            logger.warning("Job %s (%s) queued again: %s", job.pk, describe(job), stopped)
            if dispatch_again:
                dispatch(job.pk)
    return requeued, failed


def _after_giving_up(job: Job, reason: str) -> None:
    if job.kind == Job.Kind.IMPORT and job.batch_id:
        ImportItem.objects.filter(batch_id=job.batch_id, status=ImportItem.Status.PENDING).update(
            status=ImportItem.Status.FAILED,
            payload=None,
            message="Not imported: the import stopped before reaching this file. Import it again.",
        )
        ImportBatch.objects.filter(pk=job.batch_id, finished__isnull=True).update(finished=timezone.now())
    if job.kind == Job.Kind.IMPORT:
        for story_id in _stories_fed(job.story_id, job.batch_id):
            maybe_enqueue_synthesis(story_id)
    elif job.kind == Job.Kind.ANALYSIS and job.story_id:
        maybe_enqueue_synthesis(job.story_id)


def finish_job(job: Job, error: str = "") -> None:
    job.state = Job.State.FAILED if error else Job.State.SUCCEEDED
    job.error = error
    job.finished_at = timezone.now()
    if not error:
        job.progress_done = job.progress_total
    # An update, not save(): a job deleted meanwhile with its story or article is simply gone, not an error.
    Job.objects.filter(pk=job.pk).update(
        state=job.state, error=job.error, finished_at=job.finished_at, progress_done=job.progress_done
    )


def _run(job_id: int, work: Callable[[Job], None], *, final_attempt: bool, describe: str) -> Job | None:
    """Run `work` for the job with state bookkeeping; transient errors are re-raised for a retry."""
    job = start_job(job_id)
    if job is None:
        return None
    try:
        with heartbeat(job):
            work(job)
    except SoftTimeLimitExceeded:
        finish_job(
            job,
            f"{describe} was stopped after {_time_limit(job)} seconds, its time limit. Very long articles or "
            "large imports take longer: import the file in parts, or raise the limit "
            "(CELERY_TASK_SOFT_TIME_LIMIT, IMPORT_TASK_SOFT_TIME_LIMIT).",
        )
        return job
    except TRANSIENT_ERRORS as exc:
        reason = f"{describe}: the database or the queue was unreachable ({type(exc).__name__}: {exc})"
        try:
            if final_attempt:
                finish_job(job, reason + "; gave up after several attempts.")
            else:
                Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, error=reason + "; retrying.")
        except DatabaseError:
            pass
        if final_attempt:
            return job
        raise
    except Exception as exc:
        from articles.services.analysis import AnalysisError, ArticleVanished

        if isinstance(exc, ArticleVanished):  # deleted meanwhile, and this job with it: nothing to record
            logger.info("Job %s: %s", job.pk, exc)
            return job
        if isinstance(exc, AnalysisError):
            reason = str(exc)
        else:
            logger.exception("Job %s (%s) failed", job.pk, describe)
            reason = f"{describe} failed unexpectedly: {type(exc).__name__}: {exc}"
        finish_job(job, reason)
        return job
    finish_job(job)
    return job


def run_analysis_job(job_id: int, *, final_attempt: bool = True, synthesise: bool = True) -> Job | None:
    """Run an article's analysis job; then, unless `synthesise` is false (a caller running several jobs,
    which asks once at the end), queue the story's synthesis if the story has settled."""

    def work(job: Job) -> None:
        from articles.services.analysis import analyze_article

        delay = os.environ.get(TEST_DELAY_ENV)
        if delay:
            time.sleep(float(delay))
        analyze_article(
            job.article_id,
            job.params.get("algorithm"),
            force=bool(job.params.get("force")),
            progress=lambda done, total, _what: record_progress(job, done, total),
        )

    job = Job.objects.filter(pk=job_id).only("kind", "article_id").first()
    finished = _run(job_id, work, final_attempt=final_attempt, describe=describe(job) if job else "Analysis")
    if synthesise and finished is not None and finished.state != Job.State.QUEUED and finished.story_id:
        maybe_enqueue_synthesis(finished.story_id)
    return finished


def run_import_job(job_id: int, *, final_attempt: bool = True) -> Job | None:
    def work(job: Job) -> None:
        run_import_batch(
            job.batch_id,
            progress=lambda done, total, _item: record_progress(job, done, total),
            on_article=enqueue_analysis,
        )

    finished = _run(job_id, work, final_attempt=final_attempt, describe="Import")
    if finished is not None:
        for story_id in _stories_fed(finished.story_id, finished.batch_id):
            maybe_enqueue_synthesis(story_id)
    return finished


def run_synthesis_job(job_id: int, *, final_attempt: bool = True) -> Job | None:
    def work(job: Job) -> None:
        from articles.services.synthesis import synthesize_story

        synthesize_story(Story.objects.get(pk=job.story_id))
        delay = os.environ.get(TEST_SYNTHESIS_DELAY_ENV)
        if delay:
            time.sleep(float(delay))

    return _run(job_id, work, final_attempt=final_attempt, describe="Synthesis")


def maybe_enqueue_synthesis(story_id: int) -> Job | None:
    """Queue the story's synthesis once it has settled, and only once per settling.

    Settled: it has articles, every one analysed (or its analysis failed), and no analysis or import is still
    queued or running (nor an import item pending). Every front door asks when its work ends (an analysis
    job, an import job, a batch run by the import command, the analyze command once at its end); the first
    to find the story settled queues the synthesis, and the others find a synthesis queued, running or done
    since the last analysis or import finished and leave it at that.
    """
    with transaction.atomic():
        story = Story.objects.select_for_update().filter(pk=story_id).first()
        if story is None or not story.articles.exists():
            return None
        jobs = Job.objects.filter(story=story)
        if jobs.filter(
            kind__in=[Job.Kind.ANALYSIS, Job.Kind.IMPORT], state__in=[Job.State.QUEUED, Job.State.RUNNING]
        ).exists():
            return None
        if ImportItem.objects.filter(batch__story=story, status=ImportItem.Status.PENDING).exists():
            return None
        # An Inbox source's import still placing articles, some of them in this story.
        if Job.objects.filter(
            kind=Job.Kind.IMPORT,
            state__in=[Job.State.QUEUED, Job.State.RUNNING],
            story__isnull=True,
            batch__articles__story=story,
        ).exists():
            return None
        unanalysed = story.articles.filter(analyzed_at__isnull=True).exclude(
            jobs__kind=Job.Kind.ANALYSIS, jobs__state=Job.State.FAILED
        )
        if unanalysed.exists():
            return None
        last_change = (
            jobs.filter(kind__in=[Job.Kind.ANALYSIS, Job.Kind.IMPORT], finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        since = jobs.filter(kind=Job.Kind.SYNTHESIS).exclude(state=Job.State.FAILED)
        if last_change is not None:
            since = since.filter(created__gte=last_change)
        already = since.order_by("-created").first()
        if already is not None:
            return already
        return enqueue_synthesis(story)


# --- Watched sources -------------------------------------------------------------------------------------


def poll_source(source_id: int):
    """Poll one watched source (articles.services.watching); the import of its new entries is queued in
    the transaction that records it, and runs as any import job (analysis and synthesis follow)."""
    return watching.poll(source_id, on_batch=enqueue_import)


def poll_due_sources() -> int:
    """Poll the watched sources that are due: each as a task of its own on the real stack (celery beat sends
    this every SOURCE_POLL_CHECK_SECONDS), in this process on the embedded default (the embedded worker calls
    it as often). A poll whose task cannot be sent is due again after its lease. Returns how many were due."""
    from workbench.celery import app

    claimed = watching.claim_due_sources()
    for source_id in claimed:
        if settings.JOBS_RUNNER == "worker":
            poll_source(source_id)
            continue
        try:
            app.tasks[POLL_TASK].apply_async(args=[source_id])
        except Exception as exc:  # the broker is away: the source is due again when its lease ends
            logger.warning("Source %s: poll not sent (%s: %s)", source_id, type(exc).__name__, exc)
    return len(claimed)
