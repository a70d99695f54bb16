"""The Inbox on the real stack: celery beat polls an Inbox feed, a real worker sorts its entries into
candidate stories, analyses and synthesises each story once; an editor's merge is synthesised again by the
worker."""

from __future__ import annotations

import pytest

from articles import jobs
from articles.models import Article, Claim, Job, Story, WatchedSource
from articles.services import inbox
from briefs.services import ensure_demo_accounts
from tests.feedserver import start_feed_server
from tests.watching.events import QUAKE, STRIKE

from .conftest import wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(600)]


def test_beat_and_a_worker_sort_an_inbox_feed_into_stories(workers):
    feeds, server = start_feed_server()
    try:
        for title, body in (QUAKE[0], STRIKE[0], QUAKE[1]):
            feeds.add_entry(title, body)
        WatchedSource.objects.create(url=feeds.feed_url, story=None, interval_minutes=15)
        env = {"IMPORT_ALLOW_PRIVATE_URLS": "true"}
        workers.start(**env)
        workers.start_beat(SOURCE_POLL_CHECK_SECONDS="1", **env)

        analysed = Article.objects.filter(analyzed_at__isnull=False)
        wait_for(lambda: analysed.count() == 3, 180, "3 articles analysed", workers)
        candidates = Story.objects.filter(status=Story.Status.CANDIDATE)
        wait_for(
            lambda: (
                all(Claim.objects.filter(story=s).exists() for s in candidates) and candidates.count() == 2
            ),
            120,
            "both candidate stories synthesised",
            workers,
        )
        quake = Article.objects.get(title=QUAKE[0][0]).story
        strike = Article.objects.get(title=STRIKE[0][0]).story
        assert Article.objects.get(title=QUAKE[1][0]).story == quake != strike
        for story in (quake, strike):
            assert Job.objects.filter(story=story, kind=Job.Kind.SYNTHESIS).count() == 1

        editor = {u.username: u for u in ensure_demo_accounts("a-long-test-password-1")}["editor"]
        action = inbox.merge(editor, strike, quake)
        jobs.resynthesise_sorted(action)
        moved = Claim.objects.filter(story=quake, sentences__article__title=STRIKE[0][0])
        wait_for(lambda: moved.exists(), 120, "the merged story synthesised again by the worker", workers)
        assert not Claim.objects.filter(story=strike).exists()
    finally:
        server.shutdown()
        server.server_close()
