"""The Sources page as an editor and a viewer see it, the admin's watched sources, and the embedded worker
polling a source by itself."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from articles import worker
from articles.models import Story, WatchedSource


def test_an_editor_watches_a_feed_and_sees_what_its_first_poll_brought(feeds, story, editor_client):
    feeds.add_entry("Council approves harbour budget")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor_client.post(
            reverse("source_add"),
            {"url": feeds.feed_url, "story": story.pk, "name": "Regional Herald", "interval_minutes": 30},
            follow=True,
        )
    assert "Watching Regional Herald" in response.content.decode()
    page = editor_client.get(reverse("source_list")).content.decode()  # once the import job has run
    assert "1 new entry" in page
    assert "1 imported" in page
    assert story.articles.get().title == "Council approves harbour budget"
    assert "every 30 min" in page


def test_a_bad_address_is_refused_with_its_reason_and_the_form_keeps_what_was_typed(story, editor_client):
    response = editor_client.post(
        reverse("source_add"), {"url": "feed.example/rss", "story": story.pk, "interval_minutes": 15}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "is not an http:// or https:// address" in page
    assert 'value="feed.example/rss"' in page
    assert not WatchedSource.objects.exists()


def test_a_failing_source_shows_its_error_on_the_page(feeds, story, editor_client):
    feeds.status = 500
    editor_client.post(
        reverse("source_add"), {"url": feeds.feed_url, "story": story.pk, "interval_minutes": 15}
    )
    page = editor_client.get(reverse("source_list")).content.decode()
    assert "HTTP 500" in page
    assert "source-failing" in page


def test_poll_now_and_pause_from_the_page(feeds, story, editor_client):
    editor_client.post(
        reverse("source_add"), {"url": feeds.feed_url, "story": story.pk, "interval_minutes": 15}
    )
    source = WatchedSource.objects.get()
    feeds.add_entry("Ferry timetable changes from May")
    with TestCase.captureOnCommitCallbacks(execute=True):
        editor_client.post(reverse("source_action", args=[source.pk]), {"action": "poll"})
    assert story.articles.get().title == "Ferry timetable changes from May"
    editor_client.post(reverse("source_action", args=[source.pk]), {"action": "pause"})
    page = editor_client.get(reverse("source_list")).content.decode()
    assert "Paused" in page and ">Resume<" in page


def test_a_viewer_reads_the_sources_but_may_not_add_one(viewer_client, story, accounts):
    from articles.services import watching

    watching.add_source(accounts["editor"], url="https://example.com/feed.xml", story=story, name="Example")
    page = viewer_client.get(reverse("source_list")).content.decode()
    assert "Example" in page
    assert "Watch a feed" not in page and "Poll now" not in page
    response = viewer_client.post(
        reverse("source_add"),
        {"url": "https://example.com/feed.xml", "story": story.pk, "interval_minutes": 15},
    )
    assert response.status_code == 403
    assert WatchedSource.objects.count() == 1


def test_the_admin_refuses_a_feed_polled_too_often(chief_client, accounts, story):
    accounts["chief"].is_superuser = True
    accounts["chief"].save()
    response = chief_client.post(
        reverse("admin:articles_watchedsource_add"),
        {
            "name": "",
            "url": "https://example.com/feed.xml",
            "story": story.pk,
            "interval_minutes": 1,
            "state": "active",
            "next_poll_at_0": "2026-01-01",
            "next_poll_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "A source is polled at most every 5 minutes." in response.content.decode()
    assert not WatchedSource.objects.exists()


def test_the_embedded_worker_polls_a_due_source_by_itself(transactional_db, feeds, settings):
    settings.JOBS_RUNNER = "worker"  # as `make run` serves: jobs wait in the database for the worker
    feeds.add_entry("Council approves harbour budget")
    story = Story.objects.create(title="Council budget", slug="council-budget")
    WatchedSource.objects.create(url=feeds.feed_url, story=story)
    worker.serve(until_idle=True, log=lambda line: None)
    assert story.articles.get().title == "Council approves harbour budget"
    assert WatchedSource.objects.get().last_result.startswith("1 new entry")
