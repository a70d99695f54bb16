"""Interrupted work finishes: a job left "running" by a process that stopped (killed, crashed, restarted)
holds a lease that runs out; `requeue_jobs` (and the embedded worker, and celery beat) then run it again or,
after JOB_MAX_ATTEMPTS runs, fail it with a reason, so that nothing stays running for ever, an import's batch
page ends, and the story still gets its synthesis once.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.importing import create_import_batch, sources_from_paths
from articles.models import ImportItem, Job, Story
from articles.services.analysis import analyze_article
from tests.conftest import SEEDS_DIR


def left_running(minutes_ago: float, **fields) -> Job:
    """A job as a killed process leaves it: running, its last heartbeat `minutes_ago`."""
    then = timezone.now() - timedelta(minutes=minutes_ago)
    return Job.objects.create(
        state=Job.State.RUNNING, started_at=then, heartbeat_at=then, attempts=1, **fields
    )


def requeue() -> str:
    out = StringIO()
    call_command("requeue_jobs", stdout=out, stderr=out)
    return out.getvalue()


def test_an_analysis_left_running_by_a_stopped_process_runs_again_and_the_story_is_synthesised(
    seed_story, django_capture_on_commit_callbacks
):
    articles = list(seed_story.articles.order_by("id"))
    for article in articles[1:]:
        analyze_article(article.pk)
    stuck = left_running(10, kind=Job.Kind.ANALYSIS, story=seed_story, article=articles[0])
    assert not seed_story.claims.exists()

    with django_capture_on_commit_callbacks(execute=True):  # as the command's own commits would
        requeue()

    stuck.refresh_from_db()
    assert stuck.state == Job.State.SUCCEEDED and stuck.attempts == 2 and not stuck.error
    articles[0].refresh_from_db()
    assert articles[0].analyzed_at is not None
    syntheses = Job.objects.filter(story=seed_story, kind=Job.Kind.SYNTHESIS)
    assert [job.state for job in syntheses] == [Job.State.SUCCEEDED]
    assert seed_story.claims.exists()


def test_a_job_whose_lease_is_fresh_is_left_to_the_process_running_it(seed_story):
    article = seed_story.articles.first()
    busy = left_running(0.1, kind=Job.Kind.ANALYSIS, story=seed_story, article=article)
    requeue()
    busy.refresh_from_db()
    assert busy.state == Job.State.RUNNING and busy.attempts == 1
    assert not Job.objects.filter(kind=Job.Kind.SYNTHESIS).exists()


@pytest.fixture
def stuck_import(db):
    story = Story.objects.create(title="Harbour", slug="harbour")
    batch = create_import_batch(story, sources_from_paths([str(SEEDS_DIR)]))
    return story, batch


def test_an_import_interrupted_too_often_fails_with_its_reason_and_its_batch_page_ends(
    stuck_import, settings, admin_user
):
    story, batch = stuck_import
    settings.JOB_MAX_ATTEMPTS = 3
    job = left_running(10, kind=Job.Kind.IMPORT, story=story, batch=batch)
    Job.objects.filter(pk=job.pk).update(attempts=3)

    requeue()

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "given up after 3 interrupted runs" in job.error and "import the files again" in job.error
    items = list(batch.items.all())
    assert items and {item.status for item in items} == {ImportItem.Status.FAILED}
    assert all("Import it again" in item.message for item in items)
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("import_batch", args=[story.slug, batch.pk])).content.decode()
    assert 'hx-trigger="every 2s"' not in page  # the report no longer polls "in progress"
    assert "Import it again" in page


def test_an_import_left_running_is_run_again_and_imports_its_files(stuck_import):
    story, batch = stuck_import
    job = left_running(10, kind=Job.Kind.IMPORT, story=story, batch=batch)

    requeue()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    assert story.articles.count() == 5
    assert not batch.items.filter(status=ImportItem.Status.PENDING).exists()
