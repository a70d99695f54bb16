"""The download deadline holds against a server that trickles bytes, and a feed's page fetches share a budget.

The trickling servers never finish on their own: before the wall-clock deadline existed, these fetches hung
(each read got two bytes long before the socket timeout), so the tests carry a generous pytest timeout that
turns a hang into a failure. They assert what the editor is told, never how long it took.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articles.importing import ImportSource
from articles.models import Article, ImportItem
from tests.texts import make_text

from .conftest import html_page, import_sources
from .test_urls_and_feeds import rss

pytestmark = pytest.mark.timeout(60)


@dataclass
class Trickler:
    base: str
    pages: dict[str, tuple[str, bytes]]

    def __str__(self) -> str:
        return self.base


@pytest.fixture
def trickler(settings) -> Iterator[Trickler]:
    """A server whose /body answers at once and then sends its page two bytes at a time, forever, whose
    /headers sends even its status line and headers that way, and whose other paths answer normally with
    pages registered in `pages`."""
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    stop = threading.Event()
    pages: dict[str, tuple[str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                if self.path == "/headers":
                    self._trickle(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Pad: " + b"x" * 10**6
                    )
                elif self.path.startswith("/body"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.flush()
                    self._trickle(b"<html><body><p>" + b"slow words " * 10**6)
                elif self.path in pages:
                    content_type, body = pages[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_error(404, "Not Found")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _trickle(self, data: bytes) -> None:
            for start in range(0, len(data), 2):
                if stop.is_set():
                    return
                self.wfile.write(data[start : start + 2])
                self.wfile.flush()
                time.sleep(0.02)

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield Trickler(base, pages)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def fetch(story, url: str) -> list[ImportItem]:
    return import_sources(story, [ImportSource(name=url, url=url)])


def test_a_page_trickled_two_bytes_at_a_time_fails_at_the_deadline_naming_it(story, trickler, settings):
    settings.IMPORT_FETCH_TIMEOUT = 0.5
    url = f"{trickler}/body"

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        f"{url}: the download did not finish within 0.5 seconds (the server sent it too slowly; "
        "IMPORT_FETCH_TIMEOUT limits the whole download); try again later, or save the page in a browser "
        "and import the file"
    )
    assert not Article.objects.exists()


def test_headers_trickled_two_bytes_at_a_time_fail_at_the_deadline_too(story, trickler, settings):
    settings.IMPORT_FETCH_TIMEOUT = 0.5
    url = f"{trickler}/headers"

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.FAILED
    assert item.message.startswith(f"{url}: the download did not finish within 0.5 seconds")


def test_a_feeds_page_fetches_share_one_budget(story, trickler, settings):
    """The first entry's page trickles and uses the whole budget; the later ones are not fetched: the one
    with enough text of its own keeps it, the teaser fails, both saying why."""
    settings.IMPORT_FETCH_TIMEOUT = 30
    settings.IMPORT_FEED_FETCH_BUDGET = 0.5
    own = make_text(310, paragraphs=2, sentences=3)
    fast_page = "/fast"
    trickler.pages[fast_page] = ("text/html; charset=utf-8", html_page("Fast", make_text(311)).encode())
    entries = [
        {"title": "Slow one", "link": f"{trickler}/body-1", "summary": "A teaser."},
        {"title": "Long own text", "link": f"{trickler}{fast_page}", "summary": own},
        {"title": "Short teaser", "link": f"{trickler}{fast_page}", "summary": "Another teaser."},
    ]
    trickler.pages["/feed.xml"] = ("application/rss+xml", rss(entries).encode())
    url = f"{trickler}/feed.xml"

    first, second, third = fetch(story, url)

    assert first.status == ImportItem.Status.FAILED
    assert first.message.startswith(
        f"{url} entry 1: {trickler}/body-1: not fetched in time: this feed's page fetches may take 0.5 "
        "seconds in all (IMPORT_FEED_FETCH_BUDGET)"
    )
    assert second.status == ImportItem.Status.IMPORTED
    assert second.article.body == own
    assert second.message.startswith(
        f"{url} entry 2: the linked page could not be fetched ({trickler}{fast_page}: not fetched: this "
        "feed's page fetches had used up their 0.5 seconds (IMPORT_FEED_FETCH_BUDGET)"
    )
    assert third.status == ImportItem.Status.FAILED
    assert "had used up their 0.5 seconds (IMPORT_FEED_FETCH_BUDGET)" in third.message
