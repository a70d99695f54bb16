"""The job status fragment: login required, lists the story's jobs, refreshes itself only while work runs."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Job, Story


@pytest.fixture
def story(db) -> Story:
    return Story.objects.create(title="Harbour plan", slug="harbour-plan")


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_user("jobwatcher", password="a-long-test-password")
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_log_in(client, story):
    response = client.get(reverse("story_jobs", args=[story.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_active_jobs_refresh_every_two_seconds_and_show_progress(editor_client, story):
    article = Article.objects.create(
        story=story, title="Council rejects plan", body="Text.", content_hash="x"
    )
    Job.objects.create(
        kind=Job.Kind.ANALYSIS,
        story=story,
        article=article,
        state=Job.State.RUNNING,
        progress_done=1,
        progress_total=3,
    )
    response = editor_client.get(reverse("story_jobs", args=[story.slug]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in html
    assert "<html" not in html  # the fragment only
    assert "Council rejects plan" in html and "1 of 3" in html and "Running" in html


def test_finished_jobs_stop_refreshing_and_show_a_failure_reason(editor_client, story):
    Job.objects.create(kind=Job.Kind.SYNTHESIS, story=story, state=Job.State.SUCCEEDED)
    Job.objects.create(
        kind=Job.Kind.ANALYSIS, story=story, state=Job.State.FAILED, error="Article 7 has no text to analyse."
    )
    response = editor_client.get(reverse("story_jobs", args=[story.slug]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "hx-trigger" not in html
    assert "Article 7 has no text to analyse." in html
    assert "1 failed" in html


def test_without_htmx_the_jobs_are_a_full_page(editor_client, story):
    response = editor_client.get(reverse("story_jobs", args=[story.slug]))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "No background jobs for this story yet." in response.content.decode()


def test_in_the_workspace_the_jobs_are_one_line_that_opens_on_the_current_ones(editor_client, story):
    for n in range(12):
        Job.objects.create(
            kind=Job.Kind.ANALYSIS, story=story, state=Job.State.SUCCEEDED, error="", params={"n": n}
        )
    article = Article.objects.create(story=story, title="Ferry strike ends", body="Text.", content_hash="y")
    Job.objects.create(
        kind=Job.Kind.ANALYSIS,
        story=story,
        article=article,
        state=Job.State.RUNNING,
        progress_done=2,
        progress_total=5,
    )
    Job.objects.create(kind=Job.Kind.SYNTHESIS, story=story, state=Job.State.QUEUED)
    html = editor_client.get(
        reverse("story_jobs", args=[story.slug]), HTTP_HX_REQUEST="true"
    ).content.decode()
    summary = html.split("<summary", 1)[1].split("</summary>", 1)[0]
    assert "Analysing: 0 of 1 articles analysed; Synthesis queued" in summary
    assert "<details" in html and '<details class="jobs-panel" data-jobs-panel open' not in html  # closed
    assert html.count('class="job job-') == 2 + 5  # the running and queued jobs, five finished ones
    assert "7 older not shown here" in html
    # The full page lists them all, open.
    page = editor_client.get(reverse("story_jobs", args=[story.slug])).content.decode()
    assert page.count('class="job job-') == 14


def test_a_large_import_reads_as_articles_analysed_of_the_story_counted_over_every_job(editor_client, story):
    # 60 articles, 20 analysed, 40 analyses waiting: more jobs than the fragment lists.
    for n in range(60):
        article = Article.objects.create(
            story=story, title=f"Article {n}", body="Text.", content_hash=f"h{n}"
        )
        if n < 20:
            Article.objects.filter(pk=article.pk).update(analyzed_at=timezone.now())
            Job.objects.create(
                kind=Job.Kind.ANALYSIS, story=story, article=article, state=Job.State.SUCCEEDED
            )
        else:
            Job.objects.create(kind=Job.Kind.ANALYSIS, story=story, article=article, state=Job.State.QUEUED)
    html = editor_client.get(
        reverse("story_jobs", args=[story.slug]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Analysing: 20 of 60 articles analysed" in html
    assert html.count('class="job job-') < 60  # one line, not a table of every job

    Job.objects.filter(kind=Job.Kind.ANALYSIS).update(state=Job.State.SUCCEEDED)
    Article.objects.update(analyzed_at=timezone.now())
    Job.objects.create(kind=Job.Kind.SYNTHESIS, story=story, state=Job.State.RUNNING)
    html = editor_client.get(
        reverse("story_jobs", args=[story.slug]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Synthesising the story" in html and "Analysing" not in html
