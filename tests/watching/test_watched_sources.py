"""A watched feed, polled as the pipeline polls it (articles.jobs.poll_source), against a local feed server
that changes between polls: new entries, a 304, a failure and its back-off, a slow sender, a web page that
is no feed, and entries another story already holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from articles import jobs
from articles.importing import ImportSource
from articles.models import Article, Story, WatchedSource
from articles.services import watching


def watch(feeds, story, accounts, **options) -> WatchedSource:
    return watching.add_source(accounts["editor"], url=feeds.feed_url, story=story, **options)


def poll(source: WatchedSource) -> WatchedSource:
    """One poll, and the import, analysis and synthesis jobs it queues, run as they commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.poll_source(source.pk)
    return WatchedSource.objects.get(pk=source.pk)


def titles(story: Story) -> set[str]:
    return set(story.articles.values_list("title", flat=True))


def test_a_watched_feed_brings_each_new_entry_once(feeds, story, accounts):
    feeds.add_entry("Council approves harbour budget")
    feeds.add_entry("Ferry timetable changes from May")
    source = poll(watch(feeds, story, accounts))

    assert titles(story) == {"Council approves harbour budget", "Ferry timetable changes from May"}
    assert source.last_error == ""
    assert "2 new entries" in source.last_result
    assert story.articles.filter(analyzed_at__isnull=False).count() == 2  # the pipeline analysed them

    # Nothing changed: the server is asked conditionally and answers 304; nothing is fetched or imported.
    source = poll(source)
    assert feeds.not_modified == 1
    assert source.last_result == "No change since the last poll."
    assert story.articles.count() == 2

    # A new entry: only it is read; the pages of the two already imported are not fetched again.
    feeds.add_entry("Bridge repairs to start in June")
    source = poll(source)
    assert "Bridge repairs to start in June" in titles(story)
    assert story.articles.count() == 3
    assert feeds.page_requests == {1: 1, 2: 1, 3: 1}
    assert "1 new entry" in source.last_result


def test_an_entry_another_story_holds_is_not_imported_again(feeds, story, accounts):
    first = feeds.add_entry("Council approves harbour budget")
    feeds.add_entry("Ferry timetable changes from May")
    other = Story.objects.create(title="Harbour", slug="harbour")
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.start_import(other, [ImportSource(name=first, url=first)])
    assert titles(other) == {"Council approves harbour budget"}

    poll(watch(feeds, story, accounts))

    assert titles(story) == {"Ferry timetable changes from May"}
    assert Article.objects.filter(title="Council approves harbour budget").count() == 1


def test_a_feed_whose_entries_are_all_imported_makes_no_import(feeds, story, accounts):
    feeds.add_entry("Council approves harbour budget")
    source = poll(watch(feeds, story, accounts))
    batches = source.batches.count()
    # The feed changes (another story's entry is gone, say) without a new entry: no new import batch.
    source.etag = ""
    source.content_digest = ""
    source.save()
    source = poll(source)
    assert source.batches.count() == batches
    assert "No new entries" in source.last_result


def test_a_failing_feed_shows_why_and_is_polled_less_often_until_it_answers(feeds, story, accounts):
    feeds.add_entry("Council approves harbour budget")
    feeds.status = 503
    source = poll(watch(feeds, story, accounts, interval_minutes=10))
    assert "HTTP 503" in source.last_error
    assert source.failures == 1
    assert source.next_poll_at - source.last_polled_at == timedelta(minutes=10)

    source = poll(source)
    assert source.failures == 2
    assert source.next_poll_at - source.last_polled_at == timedelta(minutes=20)
    assert story.articles.count() == 0

    feeds.status = 200
    source = poll(source)
    assert (source.failures, source.last_error) == (0, "")
    assert source.next_poll_at - source.last_polled_at == timedelta(minutes=10)
    assert titles(story) == {"Council approves harbour budget"}


def test_a_feed_trickled_slowly_fails_at_the_download_deadline(feeds, story, accounts, settings):
    settings.IMPORT_FETCH_TIMEOUT = 1.5
    feeds.add_entry("Council approves harbour budget")
    feeds.trickle = True
    source = poll(watch(feeds, story, accounts))
    assert source.failures == 1
    assert "1.5" in source.last_error and "seconds" in source.last_error
    assert story.articles.count() == 0


def test_a_web_page_that_declares_no_feed_is_not_watched(feeds, story, accounts):
    page = feeds.add_entry("Council approves harbour budget")
    source = poll(watching.add_source(accounts["editor"], url=page, story=story))
    assert "not a feed" in source.last_error
    assert "declares no feed" in source.last_error
    assert story.articles.count() == 0


def test_a_section_page_without_a_feed_is_watched_through_the_articles_it_links(feeds, story, accounts):
    feeds.add_entry("Council approves harbour budget")
    feeds.add_entry("Ferry timetable changes from May")
    source = poll(watching.add_source(accounts["editor"], url=feeds.section_url, story=story))
    assert source.last_error == ""
    assert "2 new articles linked" in source.last_result
    # The articles it lists, not its navigation (home, about, tag, login) nor another site's links.
    assert titles(story) == {"Council approves harbour budget", "Ferry timetable changes from May"}

    # The page is different at each visit (its footer's time), its list of articles is not: no change.
    source = poll(source)
    assert source.last_result == "No change since the last poll."
    assert feeds.section_requests == 2

    feeds.add_entry("Bridge repairs to start in June")
    source = poll(source)
    assert "1 new article linked" in source.last_result
    assert story.articles.count() == 3
    assert feeds.page_requests == {1: 1, 2: 1, 3: 1}  # the articles already imported are not fetched again


def test_a_sites_page_is_watched_through_the_feed_it_declares(feeds, story, accounts):
    feeds.add_entry("Council approves harbour budget")
    source = poll(watching.add_source(accounts["editor"], url=feeds.base + "/", story=story))
    assert source.last_error == ""
    assert source.url == feeds.feed_url
    assert source.last_result.startswith(f"The page declares the feed {feeds.feed_url}, watched from now on.")
    assert titles(story) == {"Council approves harbour budget"}


@pytest.mark.parametrize(
    ("url", "interval", "message"),
    [
        ("ftp://example.com/feed.xml", 15, "is not an http:// or https:// address"),
        ("https://example.com/feed.xml", 1, "at most every 5 minutes"),
    ],
)
def test_a_source_that_cannot_be_watched_says_why(story, accounts, url, interval, message):
    with pytest.raises(watching.SourceError, match=message):
        watching.add_source(accounts["editor"], url=url, story=story, interval_minutes=interval)
    assert not WatchedSource.objects.exists()


def test_a_feed_is_watched_once(story, accounts):
    watching.add_source(accounts["editor"], url="https://example.com/feed.xml", story=story)
    with pytest.raises(watching.SourceError, match="already watched, for the story “Council budget”"):
        watching.add_source(accounts["chief"], url="https://example.com/feed.xml", story=story)


def test_a_viewer_may_not_add_or_pause_sources(story, accounts):
    with pytest.raises(PermissionDenied):
        watching.add_source(accounts["viewer"], url="https://example.com/feed.xml", story=story)
    source = watching.add_source(accounts["editor"], url="https://example.com/feed.xml", story=story)
    with pytest.raises(PermissionDenied):
        watching.set_paused(accounts["viewer"], source, True)


def test_a_paused_source_is_not_polled_until_resumed(feeds, story, accounts):
    feeds.add_entry("Council approves harbour budget")
    source = watch(feeds, story, accounts)
    watching.set_paused(accounts["editor"], source, True)
    assert jobs.poll_due_sources() == 0
    assert feeds.feed_requests == 0
    watching.set_paused(accounts["editor"], source, False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert jobs.poll_due_sources() == 1
    assert titles(story) == {"Council approves harbour budget"}
    assert jobs.poll_due_sources() == 0  # polled: not due again before its interval


def test_a_feed_the_reader_chokes_on_says_so_on_the_source(feeds, story, accounts, monkeypatch):
    feeds.add_entry("Council approves harbour budget")

    def broken(data):
        raise RuntimeError("a reader bug")

    monkeypatch.setattr(watching, "feed_links", broken)
    source = poll(watch(feeds, story, accounts))
    assert source.failures == 1
    assert "the importer met something in it that it does not handle" in source.last_error
    assert "a reader bug" not in source.last_error  # the details go to the server log, not to the editor


def test_a_section_page_gives_its_teasers_links_not_its_furniture():
    from articles.importing.pagemeta import section_links

    html = """<html><body>
      <header><h1><a href="/the-daily-herald-home">Herald</a></h1><nav><a href="/terms-of-service">Terms</a>
        <a href="/world/europe/">Europe</a></nav></header>
      <main>
        <article><h2><a href="/2026/12/03/council-approves-harbour-budget">Council approves budget</a></h2>
          <p>By <a href="/author/jane-doe-smith">Jane Doe Smith</a></p></article>
        <h3><a href="/world/europe/belgian-rail-strike-halts-trains?ref=home#top">Rail strike</a></h3>
        <h3><a href="https://other.example/world/another-sites-story-here">Elsewhere</a></h3>
        <h3><a href="/tag/council-budget-news">Council</a></h3>
        <p><a href="/subscribe-to-our-newsletter">Subscribe</a></p>
      </main>
      <aside><h3><a href="/most-read-story-of-the-day">Most read</a></h3></aside>
      <footer><a href="/contact-us-now-please">Contact</a></footer></body></html>"""
    assert section_links(html, "https://www.herald.example/local/") == [
        "https://www.herald.example/2026/12/03/council-approves-harbour-budget",
        "https://www.herald.example/world/europe/belgian-rail-strike-halts-trains?ref=home",
    ]
