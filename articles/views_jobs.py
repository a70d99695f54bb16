"""The job status fragment: a story's background jobs, refreshing itself while any is queued or running."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.models import Job, Story

JOBS_SHOWN = 30
REFRESH_SECONDS = 2


@login_required
def job_status(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    jobs = list(
        Job.objects.filter(story=story)
        .select_related("article", "batch")
        .order_by("-created", "-id")[:JOBS_SHOWN]
    )
    counts = {state: 0 for state in Job.State.values}
    for job in jobs:
        counts[job.state] += 1
    context = {
        "story": story,
        "jobs": jobs,
        "counts": counts,
        "active": any(job.is_active for job in jobs),
        "refresh_seconds": REFRESH_SECONDS,
    }
    template = "articles/jobs.html#job-status" if getattr(request, "htmx", False) else "articles/jobs.html"
    return render(request, template, context)
