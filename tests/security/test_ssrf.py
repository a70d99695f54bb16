"""Import URLs are not an SSRF vector: with IMPORT_ALLOW_PRIVATE_URLS off (the default, whatever DEBUG
says), a URL whose host is or resolves to a loopback, private or link-local address is refused before any
request is sent, redirects included, with an error naming the URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import articles.importing.fetch as fetch
from articles.importing import ImportSource, create_import_batch, run_import_batch
from articles.importing.errors import ImportFailure
from articles.importing.fetch import refuse_non_public
from articles.models import ImportItem, Story
from tests.foundation.test_settings import LOCAL, PRODUCTION, last_line

PAGE = (
    "<html><head><title>Inside</title></head><body><article><h1>Internal page</h1>"
    + "<p>"
    + " ".join("Secret internal words of the intranet page." for _ in range(30))
    + "</p></article></body></html>"
).encode()


class LocalServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.redirect_to = ""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path == "/start" and server.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", server.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            def log_message(self, format: str, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def intranet() -> Iterator[LocalServer]:
    server = LocalServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def production_policy(settings) -> None:
    settings.IMPORT_ALLOW_PRIVATE_URLS = False


def import_url(url: str, hint: str = "url") -> ImportItem:
    story, _ = Story.objects.get_or_create(slug="ssrf", defaults={"title": "SSRF"})
    batch = create_import_batch(story, [ImportSource(name=url, url=url, format_hint=hint)])
    run_import_batch(batch.pk)
    return batch.items.get()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin/",
        "http://10.1.2.3/",
        "http://172.16.0.5/",
        "http://192.168.1.1/router",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0:6379/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://2130706433/",  # 127.0.0.1 written as a number
    ],
)
def test_non_public_addresses_are_refused_with_the_url_named(url):
    with pytest.raises(ImportFailure) as refused:
        refuse_non_public(url, "the source")
    message = str(refused.value)
    assert message.startswith(f"the source: refused to fetch {url}: ")
    assert "IMPORT_ALLOW_PRIVATE_URLS" in message


def test_a_public_address_passes_the_check():
    refuse_non_public("https://93.184.216.34/news", "the source")  # no exception, no request sent


def test_an_import_of_an_internal_url_fails_and_sends_nothing(db, intranet, production_policy):
    url = intranet.url("/page")
    item = import_url(url)
    assert item.status == ImportItem.Status.FAILED
    assert item.message.startswith(f"{url}: refused to fetch {url}: 127.0.0.1 is 127.0.0.1")
    assert intranet.requests == []


def test_a_redirect_into_the_network_is_refused(db, intranet, production_policy, monkeypatch):
    """The first address passes the check (as a public site would); its redirect inside does not."""
    start = intranet.url("/start")
    intranet.redirect_to = intranet.url("/secret", host="localhost")
    checked = []

    def check(url: str, name: str) -> None:
        checked.append(url)
        if url != start:
            refuse_non_public(url, name)

    monkeypatch.setattr(fetch, "refuse_non_public", check)
    item = import_url(start)
    assert item.status == ImportItem.Status.FAILED
    assert f"refused to fetch {intranet.redirect_to}" in item.message
    assert checked == [start, intranet.redirect_to]
    assert intranet.requests == ["/start"], "the internal address was never requested"


def test_a_feed_entry_linking_inside_the_network_is_refused(db, intranet, production_policy):
    link = intranet.url("/entry")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        f"<item><title>Entry</title><link>{link}</link><description>Short.</description></item>"
        "</channel></rss>"
    ).encode()
    story = Story.objects.create(slug="ssrf-feed", title="SSRF feed")
    batch = create_import_batch(story, [ImportSource(name="feed.xml", data=feed)])
    run_import_batch(batch.pk)
    item = batch.items.get()
    assert item.status == ImportItem.Status.FAILED and f"refused to fetch {link}" in item.message
    assert intranet.requests == []


def test_with_private_addresses_allowed_the_same_url_imports(db, intranet, settings):
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    item = import_url(intranet.url("/page"))
    assert item.status == ImportItem.Status.IMPORTED, item.message
    assert intranet.requests == ["/page"]


PROBE = (
    "import django; django.setup(); from django.conf import settings as s; print(s.IMPORT_ALLOW_PRIVATE_URLS)"
)


@pytest.mark.parametrize(
    ("settings_module", "env", "expected"),
    [
        (LOCAL, {}, "False"),  # refused on a developer's machine too
        (LOCAL, {"DEBUG": "true"}, "False"),  # DEBUG does not turn the guard off
        (PRODUCTION, {"SECRET_KEY": "k" * 60}, "False"),
        (LOCAL, {"IMPORT_ALLOW_PRIVATE_URLS": "true"}, "True"),  # only its own variable does
        (PRODUCTION, {"SECRET_KEY": "k" * 60, "IMPORT_ALLOW_PRIVATE_URLS": "true"}, "True"),
    ],
)
def test_private_addresses_are_refused_unless_the_operator_allows_them(settings_module, env, expected):
    assert last_line(["-c", PROBE], settings_module, **env) == expected
