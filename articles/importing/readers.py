"""Which reader a source needs, and reading it: every source becomes a list of Entry values."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import PurePosixPath

from articles.importing.decode import decode_text, html_declared_charset
from articles.importing.errors import ImportFailure
from articles.importing.feeds import entry_links, looks_like_feed, read_feed
from articles.importing.fetch import FetchedPage, fetch
from articles.importing.html import read_html
from articles.importing.iptc7901 import looks_like_iptc7901, read_iptc7901
from articles.importing.jsonformats import (
    JSON_FEED_VERSION,
    is_json_feed,
    json_feed_links,
    read_json_feed,
    read_json_ld,
)
from articles.importing.jsonld import is_json_ld
from articles.importing.mail import looks_like_email, read_email
from articles.importing.newsml import NOT_NEWS_ITEMS, read_newsml, read_nitf, xml_root_name
from articles.importing.records import Entry, ParsedArticle, ReadLimits
from articles.importing.sources import ImportSource, size_label
from articles.importing.structured import json_records, load_json, read_csv, read_json_lines
from articles.importing.text import read_markdown, read_plain_text

FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".jsonld": "jsonld",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "xml",
    ".nitf": "nitf",
    ".eml": "email",
}
# Formats named by a hint or found by looking inside: the XML ones by their root element, IPTC 7901 by its
# control characters, JSON Feed and JSON-LD by their markers, an e-mail by its header lines.
FORMATS = frozenset({*FORMAT_BY_SUFFIX.values(), "paste", "url", "newsml", "jsonfeed", "iptc7901"})
# Formats people send that the importer does not read, with what to do instead.
UNSUPPORTED_SUFFIXES = {
    ".rtf": "RTF documents",
    ".doc": "Word documents",
    ".docx": "Word documents",
    ".odt": "OpenDocument text files",
    ".pages": "Pages documents",
    ".pdf": "PDF documents",
    ".epub": "EPUB books",
    ".msg": "Outlook messages (.msg)",
    ".xls": "spreadsheets",
    ".xlsx": "spreadsheets",
    ".ods": "spreadsheets",
    ".zip": "ZIP archives",
}
SAVE_AS = "save it as plain text (.txt), HTML or e-mail (.eml) and import that"
READ_FORMATS = (
    "plain text, Markdown, HTML, JSON, JSON Lines, CSV, RSS, Atom, JSON Feed, NewsML-G2, NITF, IPTC 7901, "
    "e-mail (.eml) and schema.org NewsArticle JSON-LD"
)


def read_source(source: ImportSource, limits: ReadLimits) -> list[Entry]:
    """Read one source into entries; raises ImportFailure when the source as a whole cannot be read."""
    name = source.name
    if source.error:
        raise ImportFailure(source.error)
    hint = (source.format_hint or "").lower() or None
    if hint and hint not in FORMATS:
        raise ImportFailure(f"{name}: unknown format {hint!r} (the importer reads {READ_FORMATS})")
    if source.data is None:
        if source.url:
            return read_url(source.url, name, limits, expect_feed=hint == "feed")
        raise ImportFailure(f"{name}: nothing to read")
    return read_bytes(source.data, name, limits, hint=hint)


def read_bytes(data: bytes, name: str, limits: ReadLimits, *, hint: str | None = None) -> list[Entry]:
    if len(data) > limits.max_bytes:
        raise ImportFailure(f"{name}: {size_label(len(data))}, over the {size_label(limits.max_bytes)} limit")
    if not data:
        raise ImportFailure(f"{name}: empty file")
    if not data.strip():
        raise ImportFailure(f"{name}: empty file (only whitespace)")
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if not hint and suffix in UNSUPPORTED_SUFFIXES:
        raise ImportFailure(f"{name}: {UNSUPPORTED_SUFFIXES[suffix]} are not supported; {SAVE_AS}")
    source_format = hint or FORMAT_BY_SUFFIX.get(suffix)
    if source_format in (None, "text") and looks_like_iptc7901(data):
        source_format = "iptc7901"
    if source_format is None and looks_like_email(data):
        source_format = "email"
    if source_format == "iptc7901":
        return read_iptc7901(data, name, max_entries=limits.max_entries)
    if source_format == "email":
        return read_email(data, name)
    charset = html_declared_charset(data) if source_format in (None, "html") else None
    decoded = decode_text(data, name, declared_charset=charset)
    warnings = [decoded.warning] if decoded.warning else []
    text = decoded.text
    if source_format is None:
        source_format = sniff_format(text)
    if source_format == "rtf":
        raise ImportFailure(f"{name}: RTF documents are not supported; {SAVE_AS}")
    if source_format == "xml":
        source_format = xml_format(text, name)
    if source_format == "feed":
        entries = read_feed(
            data,
            name,
            max_entries=limits.max_feed_entries,
            read_page=_page_reader(limits),
            skip_link=limits.skip_link,
        )
    elif source_format == "newsml":
        entries = read_newsml(data, name, max_entries=limits.max_entries)
    elif source_format == "nitf":
        entries = read_nitf(data, name)
    elif source_format == "html":
        entries = [Entry(label=name, article=read_html(text, name))]
    elif source_format in ("json", "jsonld", "jsonfeed"):
        entries = read_json_text(text, name, limits, expect=source_format)
    elif source_format == "jsonl":
        entries = read_json_lines(text, name, max_entries=limits.max_entries)
    elif source_format == "csv":
        entries = read_csv(text, name, max_entries=limits.max_entries)
    elif source_format == "markdown":
        entries = [Entry(label=name, article=read_markdown(text, name))]
    elif source_format == "url":
        raise ImportFailure(f"{name}: a URL source needs an address, not file contents")
    else:
        entries = [Entry(label=name, article=read_plain_text(text, name, source_format=source_format))]
    if warnings:
        entries[0].warnings[:0] = warnings
    return entries


def fetch_within(
    url: str, name: str, limits: ReadLimits, *, etag: str = "", last_modified: str = ""
) -> FetchedPage:
    """fetch() under the import's limits (timeout, size, private addresses); conditional when given the
    validators the server sent last time (a watched feed's poll)."""
    return fetch(
        url,
        name,
        timeout=limits.fetch_timeout,
        max_bytes=limits.max_bytes,
        allow_private=limits.allow_private_addresses,
        etag=etag,
        last_modified=last_modified,
    )


def read_url(url: str, name: str, limits: ReadLimits, *, expect_feed: bool = False) -> list[Entry]:
    page = fetch_within(url, name, limits)
    if not page.data.strip():
        raise ImportFailure(f"{name}: the server sent an empty page")
    charset = page.charset or html_declared_charset(page.data)
    decoded = decode_text(page.data, name, declared_charset=charset)
    root = xml_root_name(decoded.text.lstrip()) if decoded.text.lstrip().startswith("<") else ""
    if page.is_json_type:
        entries = read_json_text(decoded.text, name, limits, expect="jsonfeed" if expect_feed else "json")
    elif expect_feed or page.is_feed_type or looks_like_feed(decoded.text):
        if root and not looks_like_feed(decoded.text) and root in ("newsItem", "newsMessage", "nitf"):
            entries = read_bytes(page.data, name, limits, hint="xml")
        else:
            entries = read_feed(
                page.data,
                name,
                max_entries=limits.max_feed_entries,
                read_page=_page_reader(limits),
                skip_link=limits.skip_link,
            )
    else:
        article = read_html(decoded.text, name, url=page.url, source_format="url")
        article.source_name = url
        entries = [Entry(label=name, article=article)]
    if decoded.warning:
        entries[0].warnings.insert(0, decoded.warning)
    return entries


def read_page(url: str, name: str, limits: ReadLimits) -> ParsedArticle:
    """One web page as an article (a feed entry's link); a feed or anything else there is a failure."""
    page = fetch_within(url, name, limits)
    if page.media_type not in ("text/html", "application/xhtml+xml"):
        raise ImportFailure(f"{name}: not a web page (content type {page.media_type})")
    decoded = decode_text(page.data, name, declared_charset=page.charset or html_declared_charset(page.data))
    article = read_html(decoded.text, name, url=page.url, source_format="url")
    article.source_name = url
    return article


def read_json_text(text: str, name: str, limits: ReadLimits, *, expect: str = "json") -> list[Entry]:
    """A JSON file: a JSON Feed, schema.org JSON-LD, or the workbench's own records."""
    document = load_json(text, name)
    if is_json_feed(document):
        return read_json_feed(
            document,
            name,
            max_entries=limits.max_feed_entries,
            read_page=_page_reader(limits),
            skip_link=limits.skip_link,
        )
    if expect == "jsonfeed":
        raise ImportFailure(f'{name}: not a JSON Feed (no "version": "{JSON_FEED_VERSION}1.1")')
    if is_json_ld(document) or expect == "jsonld":
        return read_json_ld(document, name, max_entries=limits.max_entries)
    return json_records(document, name, max_entries=limits.max_entries)


def xml_format(text: str, name: str) -> str:
    """Which XML format a document is, by its root element; any other XML is refused, naming the root."""
    root = xml_root_name(text.lstrip())
    if looks_like_feed(text):
        return "feed"
    if root in ("newsItem", "newsMessage", *NOT_NEWS_ITEMS):
        return "newsml"
    if root == "nitf":
        return "nitf"
    shown = f"<{root}>" if root else "none"
    raise ImportFailure(
        f"{name}: not an RSS or Atom feed, nor NewsML-G2 or NITF (its root element is {shown}); XML of this "
        "kind is not supported"
    )


def sniff_format(text: str) -> str:
    """The format of a file whose name says nothing: feed, news XML, HTML, JSON, JSON Lines or plain text."""
    start = text.lstrip()[:2000]
    lowered = start.lower()
    if start.startswith("{\\rtf"):
        return "rtf"
    if start.startswith("<"):
        if looks_like_feed(start):
            return "feed"
        if xml_root_name(start) in ("newsItem", "newsMessage", "nitf", *NOT_NEWS_ITEMS):
            return "xml"
        return "html"
    if "<html" in lowered or "<body" in lowered or "<p>" in lowered:
        return "html"
    if start.startswith(("{", "[")):
        first_line = start.split("\n", 1)[0].strip()
        if start.startswith("{") and first_line.endswith("}") and "\n{" in text.strip():
            return "jsonl"
        return "json"
    return "text"


def _page_reader(limits: ReadLimits):
    """Reads the pages a feed's entries link to, all of them within limits.feed_fetch_budget seconds: each
    fetch gets the smaller of its own limit and what is left, and once the budget is spent none is tried."""
    budget = limits.feed_fetch_budget
    ends = time.monotonic() + budget
    spent = (
        f"not fetched: this feed's page fetches had used up their {budget:g} seconds "
        "(IMPORT_FEED_FETCH_BUDGET); import the entry's address on its own"
    )

    def read(url: str, label: str) -> ParsedArticle:
        left = ends - time.monotonic()
        if left <= 0:
            raise ImportFailure(f"{label}: {spent}")
        if left >= limits.fetch_timeout:
            return read_page(url, label, limits)
        try:
            return read_page(url, label, dataclasses.replace(limits, fetch_timeout=left))
        except ImportFailure:
            if time.monotonic() >= ends:
                raise ImportFailure(
                    f"{label}: not fetched in time: this feed's page fetches may take {budget:g} seconds in "
                    "all (IMPORT_FEED_FETCH_BUDGET) and this one would have gone past that; import the "
                    "entry's address on its own"
                ) from None
            raise

    return read


def feed_links(data: bytes) -> list[str] | None:
    """The links of a feed's entries (RSS, Atom or JSON Feed), in order, "" for an entry without one; None
    when the data is not a feed."""
    if data.lstrip().startswith(b"{"):
        try:
            return json_feed_links(json.loads(data))
        except ValueError:
            return None
    return entry_links(data)
