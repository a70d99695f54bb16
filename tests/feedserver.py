"""A local news site with an RSS feed that changes between polls, for the watched-source tests.

It serves a home page that declares its feed, and `/feed.xml` (RSS 2.0, newest entry first) with an ETag and
a Last-Modified date, answering 304 to a request that sends them back unchanged; each entry links to an HTML
page of its own (`/news/<n>.html`). A test adds entries, makes the feed fail (`status`) or trickle slowly
(`trickle`), and reads what was asked (`feed_requests`, `not_modified`, `page_requests`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from tests.texts import make_text

LEDE = "{title}. The council confirmed the decision on Tuesday after a long debate in the chamber."


@dataclass
class FeedServer:
    base: str = ""
    entries: list[tuple[int, str]] = field(default_factory=list)  # (number, title), newest first
    status: int = 200  # the feed's answer: 200, or an error status
    trickle: bool = False  # send the feed two bytes a second
    feed_requests: int = 0
    not_modified: int = 0  # 304 answers
    page_requests: dict[int, int] = field(default_factory=dict)
    section_requests: int = 0  # of the section page /local/, which lists the entries without a feed
    bodies: dict[int, str] = field(default_factory=dict)  # an entry's own text (paragraphs), when given
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_entry(self, title: str, body: str = "") -> str:
        """Publish a new entry (at the top of the feed), its page holding `body` (paragraphs apart by blank
        lines) or else prose of its own; returns its page's address."""
        with self._lock:
            number = len(self.entries) + 1
            self.entries.insert(0, (number, title))
            if body:
                self.bodies[number] = body
        return self.page_url(number)

    def page_url(self, number: int) -> str:
        return f"{self.base}/news/{number}.html"

    @property
    def feed_url(self) -> str:
        return f"{self.base}/feed.xml"

    @property
    def section_url(self) -> str:
        return f"{self.base}/local/"

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{escape(title)}</title><link>{self.page_url(number)}</link>"
            f"<guid>{self.page_url(number)}</guid><description>{escape(title)}.</description></item>"
            for number, title in self.entries
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Regional Herald</title>'
            f"<link>{self.base}/</link><description>News</description>{items}</channel></rss>"
        ).encode()

    def page(self, number: int) -> bytes | None:
        found = [title for n, title in self.entries if n == number]
        if not found:
            return None
        title = found[0]
        if number in self.bodies:
            paragraphs = self.bodies[number].split("\n\n")
        else:
            paragraphs = [LEDE.format(title=title), *make_text(number * 7919).split("\n\n")]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return (
            f"<!DOCTYPE html><html lang='en'><head><title>{escape(title)}</title>"
            "<meta property='og:site_name' content='Regional Herald'></head>"
            f"<body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
        ).encode()


def start_feed_server() -> tuple[FeedServer, ThreadingHTTPServer]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                self._feed()
            elif self.path == "/":  # the site's home page, which declares its feed
                home = (
                    "<!DOCTYPE html><html><head><title>Regional Herald</title>"
                    '<link rel="alternate" type="application/rss+xml" title="News" href="/feed.xml">'
                    "</head><body><h1>Regional Herald</h1></body></html>"
                )
                self._send(200, "text/html; charset=utf-8", home.encode())
            elif self.path == "/local/":  # a section page: no feed, links to its articles among others
                with state._lock:
                    state.section_requests += 1
                    items = "".join(
                        f'<li><h2><a href="/news/{n}.html">{escape(title)}</a></h2></li>'
                        for n, title in state.entries
                    )
                section = (
                    "<!DOCTYPE html><html><head><title>Local news - Regional Herald</title></head><body>"
                    '<nav><a href="/">Home</a> <a href="/about">About us</a> '
                    '<a href="/tag/council">Council</a> <a href="/login">Log in</a> '
                    '<a href="/page/2">Older</a> '
                    '<a href="https://ads.example/offer-of-the-day-now">Offer</a></nav>'
                    f"<main><ul>{items}</ul></main>"
                    f"<footer>Page generated at {time.time():.6f}</footer></body></html>"
                )
                self._send(200, "text/html; charset=utf-8", section.encode())
            elif self.path.startswith("/news/") and self.path.endswith(".html"):
                number = int(self.path[len("/news/") : -len(".html")])
                with state._lock:
                    state.page_requests[number] = state.page_requests.get(number, 0) + 1
                    body = state.page(number)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self._send(200, "text/html; charset=utf-8", body)
            else:
                self.send_error(404, "Not Found")

        def _feed(self) -> None:
            with state._lock:
                state.feed_requests += 1
                body = state.feed()
                status, trickle = state.status, state.trickle
            if status != 200:
                self.send_error(status)
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                with state._lock:
                    state.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(usegmt=True))
            if trickle:
                self.end_headers()
                try:
                    for start in range(0, len(body), 2):
                        self.wfile.write(body[start : start + 2])
                        self.wfile.flush()
                        time.sleep(1)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return state, server
