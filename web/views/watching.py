"""The Sources page: the feeds the workbench watches, what each poll found, the editor's actions on them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from articles import jobs
from articles import selectors as article_reads
from articles.models import WatchedSource
from articles.services import watching
from web.forms import SourceActionForm, WatchedSourceForm
from web.htmx import render_htmx, require_permission

SOURCES_PAGE = "articles/sources.html"


def _page(request: HttpRequest, form: WatchedSourceForm, status: int = 200) -> HttpResponse:
    context = {
        "sources": article_reads.watched_sources(),
        "form": form,
        "min_interval": settings.SOURCE_MIN_INTERVAL_MINUTES,
    }
    return render_htmx(
        request, SOURCES_PAGE, context, partial="source-table", targets=["source-table"], status=status
    )


@require_GET
@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, "articles.view_watchedsource")
    return _page(request, WatchedSourceForm())


@require_POST
@login_required
def source_add(request: HttpRequest) -> HttpResponse:
    require_permission(request, "articles.add_watchedsource")
    form = WatchedSourceForm(request.POST)
    if not form.is_valid():
        for problem in form.problems():
            messages.error(request, problem)
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        source = watching.add_source(
            request.user,
            url=data["url"],
            story=data["story"],
            name=data["name"],
            interval_minutes=data["interval_minutes"],
        )
    except watching.SourceError as error:
        messages.error(request, str(error))
        return _page(request, form, status=400)
    _poll_due_now()
    messages.success(
        request, f"Watching {source}: its first poll runs now, then every {source.interval_minutes} minutes."
    )
    return redirect("source_list")


@require_POST
@login_required
def source_action(request: HttpRequest, source_id: int) -> HttpResponse:
    require_permission(request, "articles.change_watchedsource")
    source = get_object_or_404(WatchedSource, pk=source_id)
    form = SourceActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Pause, Resume or Poll now.")
        return redirect("source_list")
    action = form.cleaned_data["action"]
    if action == "poll":
        watching.poll_soon(request.user, source)
        _poll_due_now()
        messages.success(request, f"{source}: polling now; what it finds appears below.")
    else:
        watching.set_paused(request.user, source, action == "pause")
        if action == "resume":
            _poll_due_now()
        messages.success(request, f"{source}: {'paused' if action == 'pause' else 'watched again'}.")
    return redirect("source_list")


def _poll_due_now() -> None:
    """Send the due polls at once (as tasks on the real stack); the embedded worker finds them by itself
    within seconds, so that a web request never waits for a feed."""
    if settings.JOBS_RUNNER != "worker":
        jobs.poll_due_sources()
