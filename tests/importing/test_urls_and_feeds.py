"""Web pages and RSS/Atom feeds, fetched from a local http.server."""

from __future__ import annotations

from html import escape

from articles.importing import ImportSource
from articles.models import Article, ImportItem
from tests.texts import make_text

from .conftest import html_page, import_file, import_sources


def fetch(story, url: str, format_hint: str | None = None) -> list[ImportItem]:
    return import_sources(story, [ImportSource(name=url, url=url, format_hint=format_hint)])


def rss(entries: list[dict[str, str]], title: str = "Wire Feed") -> str:
    items = "".join(
        "<item>"
        f"<title>{escape(entry['title'])}</title>"
        + (f"<link>{entry['link']}</link>" if entry.get("link") else "")
        + (f"<description>{escape(entry['summary'])}</description>" if entry.get("summary") else "")
        + (
            f"<content:encoded><![CDATA[{entry['content']}]]></content:encoded>"
            if entry.get("content")
            else ""
        )
        + "<pubDate>Tue, 08 Apr 2025 10:00:00 GMT</pubDate><author>desk@wire.example (Wire Desk)</author>"
        "</item>"
        for entry in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>https://wire.example/</link>{items}</channel></rss>"
    )


def as_html_paragraphs(text: str) -> str:
    return "".join(f"<p>{paragraph}</p>" for paragraph in text.split("\n\n"))


def test_a_web_page_is_fetched_and_read(story, site):
    text = make_text(20)
    url = site.add(
        "/news/bridge",
        html_page(
            "Bridge reopens", text, site_name="Metro Daily", author="Ann Lee", date="2025-04-01T08:00:00Z"
        ),
    )

    (item,) = fetch(story, url)

    article = item.article
    assert item.status == ImportItem.Status.IMPORTED
    assert article.source_format == "url"
    assert article.title == "Bridge reopens"
    assert article.byline == "Ann Lee"
    assert article.url == url
    assert article.outlet.name == "Metro Daily"
    assert article.published_at.isoformat() == "2025-04-01T08:00:00+00:00"
    assert article.body == text
    assert "Copyright footer" not in article.body and "Home" not in article.body


def test_a_page_without_a_site_name_gets_its_domain_as_outlet(story, site):
    url = site.add("/plain", html_page("Plain page", make_text(21)))

    (item,) = fetch(story, url)

    assert item.article.outlet.name == "127.0.0.1"
    assert item.article.outlet.domain == "127.0.0.1"


def test_an_unreachable_host_fails_clearly(story, closed_port_url):
    (item,) = fetch(story, closed_port_url)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == f"{closed_port_url}: could not connect to 127.0.0.1 (host unreachable or refused)"


def test_an_http_error_fails_clearly(story, site):
    url = site.base + "/missing"

    (item,) = fetch(story, url)

    assert item.message == f"{url}: the server answered HTTP 404 Not Found"


def test_a_url_that_is_not_html_fails_clearly(story, site):
    url = site.add("/photo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == f"{url}: not a web page or feed (content type image/png)"


def test_the_size_limit_is_enforced_while_streaming(story, site, settings):
    settings.IMPORT_MAX_FILE_BYTES = 100_000
    url = site.add("/huge", stream_bytes=2_000_000)

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == f"{url}: larger than the 97 KB limit (stopped reading)"


def test_a_declared_size_over_the_limit_is_refused_before_reading(story, site, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    url = site.add("/long", html_page("Long", make_text(22, paragraphs=10)))

    (item,) = fetch(story, url)

    assert item.message.startswith(f"{url}: ") and item.message.endswith("KB, over the 1000 bytes limit")


def test_a_slow_server_times_out(story, site, settings):
    settings.IMPORT_FETCH_TIMEOUT = 0.3
    url = site.add("/slow", html_page("Slow", make_text(23)), delay=1.0)

    (item,) = fetch(story, url)

    assert item.message == f"{url}: no answer within 0.3 seconds"


def test_feed_entries_with_full_text_are_used_as_they_are(story, site):
    texts = [make_text(30, paragraphs=4, sentences=4), make_text(31, paragraphs=4, sentences=4)]
    entries = [
        {
            "title": f"Full story {n}",
            "link": f"{site.base}/not-fetched-{n}",
            "content": as_html_paragraphs(text),
        }
        for n, text in enumerate(texts, start=1)
    ]
    url = site.add("/feed.xml", rss(entries, title="Wire Service"), content_type="application/rss+xml")

    items = fetch(story, url)

    assert [(item.source, item.status) for item in items] == [
        (f"{url} entry 1", ImportItem.Status.IMPORTED),
        (f"{url} entry 2", ImportItem.Status.IMPORTED),
    ]
    first = items[0].article
    assert first.title == "Full story 1"
    assert first.body == texts[0]
    assert first.url == f"{site.base}/not-fetched-1"  # the link is kept, not fetched (it would 404)
    assert first.outlet.name == "Wire Service"
    assert first.source_format == "feed"
    assert first.published_at.isoformat() == "2025-04-08T10:00:00+00:00"


def test_feed_entries_with_teasers_are_fetched_from_their_links(story, site):
    page_text = make_text(40)
    page_url = site.add("/articles/1", html_page("The whole article", page_text, site_name="Metro Daily"))
    entries = [
        {"title": "Teaser one", "link": page_url, "summary": "A short teaser."},
        {"title": "Teaser two", "link": f"{site.base}/articles/gone", "summary": "Another teaser."},
    ]
    url = site.add("/teasers.rss", rss(entries), content_type="text/xml")

    first, second = fetch(story, url)

    assert first.status == ImportItem.Status.IMPORTED
    assert first.article.body == page_text
    assert first.article.title == "The whole article"
    assert first.article.outlet.name == "Metro Daily"
    assert first.article.url == page_url
    assert first.article.published_at.isoformat() == "2025-04-08T10:00:00+00:00"  # from the feed entry
    assert second.status == ImportItem.Status.FAILED
    assert second.message == (
        f"{url} entry 2: {site.base}/articles/gone: the server answered HTTP 404 Not Found; the entry's own "
        "text is only 2 words (at least 40 are needed to import it without the page)"
    )


def test_feed_entries_beyond_the_limit_are_not_read(story, site, settings):
    settings.IMPORT_MAX_FEED_ENTRIES = 2
    entries = [
        {"title": f"Entry {n}", "content": as_html_paragraphs(make_text(50 + n, paragraphs=4))}
        for n in range(3)
    ]
    url = site.add("/many.xml", rss(entries), content_type="application/rss+xml")

    items = fetch(story, url)

    assert len(items) == 2
    assert items[0].message == f"{url}: 3 entries; only the first 2 were read (IMPORT_MAX_FEED_ENTRIES)"


def test_an_atom_feed_file_is_read(story):
    content = as_html_paragraphs(make_text(60, paragraphs=4))
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Atom Wire</title><id>urn:x</id><updated>2025-04-08T10:00:00Z</updated>"
        "<entry><title>Atom entry</title><id>urn:1</id><updated>2025-04-09T11:00:00Z</updated>"
        '<link href="https://atom.example/1"/>'
        f'<content type="html">{escape(content)}</content></entry></feed>'
    )

    (item,) = import_file(story, "wire.atom", atom)

    assert item.status == ImportItem.Status.IMPORTED
    assert item.source == "wire.atom entry 1"
    assert item.article.title == "Atom entry"
    assert item.article.outlet.name == "Atom Wire"
    assert item.article.url == "https://atom.example/1"
    assert "<p>" not in item.article.body and item.article.body.count("\n\n") == 3


def test_something_that_is_not_a_feed_fails_clearly(story, site):
    url = site.add("/note.xml", "<?xml version='1.0'?><note><to>Editors</to></note>", content_type="text/xml")
    page = site.add("/page", html_page("A page", make_text(70)))

    (from_url,) = fetch(story, url)
    (from_file,) = import_file(story, "notes.xml", "<?xml version='1.0'?><note>Hello</note>")
    (page_as_feed,) = fetch(story, page, format_hint="feed")

    assert from_url.message == f"{url}: not an RSS or Atom feed"
    assert from_file.message == (
        "notes.xml: not an RSS or Atom feed, nor NewsML-G2 or NITF (its root element is <note>); XML of this "
        "kind is not supported"
    )
    assert page_as_feed.message == f"{page}: not an RSS or Atom feed"
    assert not Article.objects.exists()
