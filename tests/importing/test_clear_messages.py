"""Issue 14, case 9: every import error names the file, entry or field and says what to do, in plain words,
never an exception's class name; UTF-16 text without a byte-order mark is read, not refused as binary."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from articles.importing import sources_from_paths
from articles.models import ImportItem
from tests.importing.conftest import import_file, import_sources
from tests.texts import make_text

IMPORTING = Path(__file__).resolve().parents[2] / "articles" / "importing"
CLASS_NAME_IN_CODE = re.compile(r"type\(\w+\)\.__name__|__class__\.__name__")
CLASS_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception|Schema|URL)\b")


def assert_plain(message: str) -> None:
    assert not CLASS_NAME.search(message), message


def test_deeply_nested_json_says_so(story):
    (item,) = import_file(story, "deep.json", "[" * 100_000 + "]" * 100_000)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        "deep.json: the JSON is nested too deeply (lists or objects inside each other hundreds of levels "
        'deep); an article is one flat object such as {"title": "…", "text": "…"}'
    )


def test_a_deeply_nested_json_line_fails_alone(story):
    data = json.dumps({"text": make_text(90)}) + "\n" + '{"text": ' + "[" * 100_000 + "\n"

    good, deep = import_file(story, "items.jsonl", data)

    assert good.status == ImportItem.Status.IMPORTED
    assert deep.message.startswith("items.jsonl line 2: the JSON is nested too deeply")


@pytest.fixture
def redirecting_site(settings) -> Iterator[str]:
    """A local server whose /moved answers 302 to an ftp:// address."""
    settings.IMPORT_ALLOW_PRIVATE_URLS = True

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "ftp://files.example/story.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/moved"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_to_another_scheme_is_explained(story, redirecting_site):
    (item,) = import_sources(story, sources_from_paths([redirecting_site]))

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        f"{redirecting_site}: the site redirected to an address that is not http:// or https://, which "
        "cannot be fetched; open it in a browser and import the article's own web address, or a saved copy"
    )


def test_a_feed_link_with_a_malformed_host_fails_that_entry_in_plain_words(story):
    feed = (
        '<rss version="2.0"><channel><title>Wire</title><item><title>Strike ends</title>'
        "<link>http://[::1/strike</link><description>Teaser.</description></item></channel></rss>"
    )

    (item,) = import_file(story, "wire.xml", feed)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        "wire.xml entry 1, link: http://[::1/strike is not a valid web address (its host or port is "
        "malformed); the page was not fetched"
    )


@pytest.mark.parametrize(("encoding", "order"), [("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")])
def test_utf16_text_without_a_byte_order_mark_is_read(story, encoding, order):
    text = "Café owners welcome the new square\n\n" + make_text(91) + "\n\nThe mayor said: “It is done.”"

    (item,) = import_file(story, "letter.txt", text.encode(encoding))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    assert item.article.title == "Café owners welcome the new square"
    assert item.article.body.endswith("The mayor said: “It is done.”")
    assert item.message == f"letter.txt: UTF-16 text ({order}) without a byte-order mark; read as UTF-16"


def test_binary_data_with_nul_bytes_on_both_sides_is_still_refused(story):
    (item,) = import_file(story, "data.txt", bytes(range(256)) * 8)

    assert item.message == "data.txt: binary file (binary data), not text"


def test_no_import_message_is_built_from_an_exception_class_name():
    """What the issue found ("could not be read (RecursionError)", "(InvalidSchema)") came from messages
    built with type(exc).__name__; logs may name the class, messages for people may not."""
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(IMPORTING.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if CLASS_NAME_IN_CODE.search(line) and "logger." not in line
    ]
    assert found == []


def test_an_unexpected_reader_failure_names_the_file_and_what_to_do(story, monkeypatch):
    from articles.importing import service

    def broken(source, limits):
        raise AssertionError("internal invariant")

    monkeypatch.setattr(service, "read_source", broken)

    (item,) = import_file(story, "odd.html", "<p>text</p>")

    assert item.message.startswith("odd.html: could not be read: ")
    assert "check that it is the kind of file its name says" in item.message
    assert_plain(item.message)
