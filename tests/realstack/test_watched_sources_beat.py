"""A watched feed on the real stack: celery beat sends the polls, a real worker fetches the feed from a local
server that changes between polls (new entries, an unchanged feed answered 304, a failure, a slow sender),
imports, analyses and synthesises what is new, PostgreSQL holds it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from articles.models import Story, WatchedSource
from tests.feedserver import start_feed_server

from .conftest import wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(600)]


def make_due(source: WatchedSource) -> None:
    WatchedSource.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())


def fresh(source: WatchedSource) -> WatchedSource:
    return WatchedSource.objects.get(pk=source.pk)


def test_beat_and_a_worker_keep_a_story_fed_from_a_changing_feed(workers):
    feeds, server = start_feed_server()
    try:
        story = Story.objects.create(title="Council budget", slug="council-budget")
        feeds.add_entry("Council approves harbour budget")
        feeds.add_entry("Ferry timetable changes from May")
        source = WatchedSource.objects.create(url=feeds.feed_url, story=story, interval_minutes=15)
        env = {"IMPORT_ALLOW_PRIVATE_URLS": "true", "IMPORT_FETCH_TIMEOUT": "3"}
        worker = workers.start(**env)
        workers.start_beat(SOURCE_POLL_CHECK_SECONDS="1", **env)

        analysed = story.articles.filter(analyzed_at__isnull=False)
        wait_for(lambda: analysed.count() == 2, 180, "2 articles analysed", workers)
        wait_for(lambda: story.claims.exists(), 120, "the story's synthesis", workers)
        assert fresh(source).next_poll_at > timezone.now()  # polled once, next in its interval

        make_due(source)  # unchanged: a 304, nothing imported
        wait_for(lambda: feeds.not_modified == 1, 60, "a conditional poll answered 304", workers)
        wait_for(lambda: fresh(source).last_result.startswith("No change"), 30, "the 304 recorded", workers)

        feeds.add_entry("Bridge repairs to start in June")
        make_due(source)
        wait_for(lambda: story.articles.count() == 3, 120, "the new entry imported", workers)
        assert feeds.page_requests == {1: 1, 2: 1, 3: 1}

        feeds.status = 502
        make_due(source)
        wait_for(lambda: fresh(source).failures == 1, 60, "the failure recorded", workers)
        assert "HTTP 502" in fresh(source).last_error

        feeds.status = 200
        feeds.trickle = True
        feeds.add_entry("Library opening hours extended")
        make_due(source)
        wait_for(lambda: fresh(source).failures == 2, 60, "the slow feed cut at its deadline", workers)
        assert "3 seconds" in fresh(source).last_error
        assert story.articles.count() == 3
        assert "Traceback" not in worker.log()
    finally:
        server.shutdown()
        server.server_close()
