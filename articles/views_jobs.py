"""The job status fragment: a story's background jobs, refreshing itself while any is queued or running.

In the workspace it is one line (what is running now, or when the last job finished, and failures) that
expands on demand to the current jobs; the full page (without HTMX) lists the last JOBS_SHOWN jobs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.models import Job, Story

JOBS_SHOWN = 30
# In the workspace: the queued and running jobs and at most this many finished ones.
RECENT_FINISHED_SHOWN = 5
REFRESH_SECONDS = 2


def _recent(jobs: list[Job]) -> list[Job]:
    active = [job for job in jobs if job.is_active]
    finished = [job for job in jobs if not job.is_active][:RECENT_FINISHED_SHOWN]
    return sorted(active + finished, key=lambda job: (job.created, job.pk), reverse=True)


def _activity(active: list[Job]) -> str:
    """What is happening now, in a few words: the job furthest along of each kind."""
    parts = []
    for kind, label in Job.Kind.choices:
        of_kind = [job for job in active if job.kind == kind]
        if not of_kind:
            continue
        running = [job for job in of_kind if job.state == Job.State.RUNNING]
        with_progress = [job for job in running if job.progress_total]
        if with_progress:
            job = with_progress[0]
            parts.append(f"{label}: {job.progress_done} of {job.progress_total}")
        elif running:
            parts.append(
                f"{label}: {len(running)} running"
                + (f", {len(of_kind) - len(running)} queued" if len(of_kind) > len(running) else "")
            )
        else:
            parts.append(f"{label}: {len(of_kind)} queued")
    return "; ".join(parts)


@login_required
def job_status(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    jobs = list(
        Job.objects.filter(story=story)
        .select_related("article", "batch")
        .order_by("-created", "-id")[:JOBS_SHOWN]
    )
    fragment = bool(getattr(request, "htmx", False))
    shown = _recent(jobs) if fragment else jobs
    active = [job for job in shown if job.is_active]
    counts = {state: 0 for state in Job.State.values}
    for job in shown:
        counts[job.state] += 1
    last_finished = next((job for job in shown if job.finished_at), None)
    context = {
        "story": story,
        "jobs": shown,
        "hidden": len(jobs) - len(shown),
        "counts": counts,
        "active": bool(active),
        "activity": _activity(active),
        "last_finished": last_finished,
        "fragment": fragment,
        "refresh_seconds": REFRESH_SECONDS,
    }
    template = "articles/jobs.html#job-status" if fragment else "articles/jobs.html"
    return render(request, template, context)
