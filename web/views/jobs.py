"""The job status fragment: a story's background jobs, refreshing itself while any is queued or running.

In the workspace it is one line (what is running now, or when the last job finished, and failures) that
expands on demand to the current jobs; the full page (without HTMX) lists the last JOBS_SHOWN jobs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from articles.models import Job, Story
from web.htmx import render_htmx, wants_partial

JOBS_SHOWN = 30
# In the workspace: the queued and running jobs and at most this many finished ones.
RECENT_FINISHED_SHOWN = 5
REFRESH_SECONDS = 2


def _recent(jobs: list[Job]) -> list[Job]:
    active = [job for job in jobs if job.is_active]
    finished = [job for job in jobs if not job.is_active][:RECENT_FINISHED_SHOWN]
    return sorted(active + finished, key=lambda job: (job.created, job.pk), reverse=True)


def _activity(story: Story, active: dict[tuple[str, str], int], importing: Job | None) -> str:
    """What the story's pipeline is doing now, counted over all its jobs: "Importing: 40 of 200 files;
    Analysing: 120 of 200 articles analysed; Synthesis queued"."""

    def count(kind: str, state: str | None = None) -> int:
        return sum(n for (k, s), n in active.items() if k == kind and (state is None or s == state))

    parts = []
    if count(Job.Kind.IMPORT):
        if importing is not None and importing.state == Job.State.RUNNING and importing.progress_total:
            parts.append(f"Importing: {importing.progress_done} of {importing.progress_total} files")
        else:
            parts.append("Import queued" if not count(Job.Kind.IMPORT, Job.State.RUNNING) else "Importing")
    if count(Job.Kind.ANALYSIS):
        totals = story.articles.aggregate(
            articles=Count("id"), analysed=Count("id", filter=Q(analyzed_at__isnull=False))
        )
        parts.append(f"Analysing: {totals['analysed']} of {totals['articles']} articles analysed")
    if count(Job.Kind.SYNTHESIS, Job.State.RUNNING):
        parts.append("Synthesising the story (claims, discrepancies, candidate brief)")
    elif count(Job.Kind.SYNTHESIS):
        parts.append("Synthesis queued")
    return "; ".join(parts)


@login_required
def job_status(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    jobs = list(
        Job.objects.filter(story=story)
        .select_related("article", "batch")
        .order_by("-created", "-id")[:JOBS_SHOWN]
    )
    fragment = wants_partial(request)
    shown = _recent(jobs) if fragment else jobs
    # Counted over every job of the story, not only those listed (a 200-article import queues 200 analyses).
    active_counts = {
        (row["kind"], row["state"]): row["n"]
        for row in Job.objects.filter(story=story, state__in=[Job.State.QUEUED, Job.State.RUNNING])
        .values("kind", "state")
        .annotate(n=Count("id"))
    }
    importing = next((job for job in jobs if job.kind == Job.Kind.IMPORT and job.is_active), None)
    counts = {state: 0 for state in Job.State.values}
    for job in shown:
        counts[job.state] += 1
    last_finished = next((job for job in shown if job.finished_at), None)
    context = {
        "story": story,
        "jobs": shown,
        "hidden": len(jobs) - len(shown),
        "counts": counts,
        "active": bool(active_counts),
        "activity": _activity(story, active_counts, importing) if active_counts else "",
        "last_finished": last_finished,
        "fragment": fragment,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render_htmx(request, "articles/jobs.html", context, partial="job-status")
