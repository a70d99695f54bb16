"""Feed entries whose linked page cannot be fetched keep their own text (issue 12), when they have enough."""

from __future__ import annotations

from articles.importing.feeds import MIN_OWN_TEXT_WORDS
from articles.models import ImportItem
from tests.texts import make_text

from .test_urls_and_feeds import as_html_paragraphs, fetch, rss


def words(text: str) -> int:
    return len(text.split())


def test_an_entry_whose_page_is_gone_is_imported_from_its_own_text_with_a_warning(story, site):
    own = make_text(300, paragraphs=2, sentences=3)  # about 70 words: more than a teaser, less than a story
    assert MIN_OWN_TEXT_WORDS <= words(own) <= 150
    gone = f"{site.base}/articles/gone"
    url = site.add(
        "/feed.xml",
        rss([{"title": "Harbour bridge closes", "link": gone, "content": as_html_paragraphs(own)}]),
        content_type="application/rss+xml",
    )

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.IMPORTED
    assert item.article.body == own
    assert item.article.title == "Harbour bridge closes"
    assert item.article.url == gone  # the entry's own address, though it could not be fetched
    assert item.article.source_format == "feed"
    assert item.article.outlet.name == "Wire Feed"
    assert item.message == (
        f"{url} entry 1: the linked page could not be fetched ({gone}: the server answered HTTP 404 Not "
        f"Found); imported the feed's own text, {words(own)} words"
    )


def test_an_unreachable_host_keeps_the_entry_text_too(story, site, closed_port_url):
    own = make_text(301, paragraphs=2, sentences=3)
    url = site.add(
        "/feed.xml",
        rss([{"title": "Storm warning", "link": closed_port_url, "summary": own}]),
        content_type="application/rss+xml",
    )

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.IMPORTED
    assert item.article.body == own
    assert "could not connect to 127.0.0.1" in item.message
    assert item.message.endswith(f"imported the feed's own text, {words(own)} words")


def test_a_teaser_shorter_than_the_minimum_still_fails_saying_why(story, site):
    teaser = "Council approves the harbour budget after a long night of talks."
    gone = f"{site.base}/articles/gone"
    url = site.add(
        "/feed.xml",
        rss([{"title": "Budget approved", "link": gone, "summary": teaser}]),
        content_type="application/rss+xml",
    )

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        f"{url} entry 1: {gone}: the server answered HTTP 404 Not Found; the entry's own text is only "
        f"{words(teaser)} words (at least {MIN_OWN_TEXT_WORDS} are needed to import it without the page)"
    )


def test_a_fetched_page_still_wins_over_the_entry_text(story, site):
    from .conftest import html_page

    page_text = make_text(302)
    page = site.add("/articles/1", html_page("The whole article", page_text))
    url = site.add(
        "/feed.xml",
        rss([{"title": "Teaser", "link": page, "summary": make_text(303, paragraphs=1, sentences=4)}]),
        content_type="application/rss+xml",
    )

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.IMPORTED
    assert item.article.body == page_text
    assert item.message == ""
