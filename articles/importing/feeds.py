"""RSS and Atom feeds: one item per entry, from the entry's full text or else from the page it links to."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from articles.importing.errors import ImportFailure
from articles.importing.html import domain_of, html_fragment_to_text, html_line_to_text
from articles.importing.pagemeta import without_site_name
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import Paragraph, count_words, split_article
from articles.importing.urls import check_url
from articles.rules import is_http_url

# An entry whose content has more words than this is taken as the full article; a shorter one is a teaser and
# the page it links to is fetched instead.
FULL_TEXT_WORDS = 150
# When that page cannot be fetched (unreachable, refused, too slow), an entry with at least this many words of
# its own is imported from them, with a warning; a shorter one (a one-line teaser, which repeats the headline
# and holds no more than one sentence of reporting) fails, naming the page and why it was not fetched.
MIN_OWN_TEXT_WORDS = 40
FEED_ROOT_PATTERN = re.compile(r"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)

# Reads the page an entry links to: (url, label) -> ParsedArticle, raising ImportFailure.
PageReader = Callable[[str, str], ParsedArticle]


def looks_like_feed(text: str) -> bool:
    return bool(FEED_ROOT_PATTERN.search(text[:2000]))


def read_feed(
    data: bytes,
    name: str,
    *,
    max_entries: int,
    read_page: PageReader,
    skip_link: Callable[[str], bool] | None = None,
) -> list[Entry]:
    # A stream, never the bytes themselves: feedparser treats a bare string as a path or URL to open.
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version") or (parsed.get("bozo") and not parsed.entries):
        raise ImportFailure(f"{name}: not an RSS or Atom feed")
    if not parsed.entries:
        raise ImportFailure(f"{name}: the feed has no entries")
    feed_title = html_line_to_text(parsed.feed.get("title", ""))
    entries = [
        _read_entry(entry, f"{name} entry {number}", feed_title, read_page, skip_link)
        for number, entry in enumerate(parsed.entries[:max_entries], start=1)
    ]
    if len(parsed.entries) > max_entries:
        entries[0].warnings.append(
            f"{name}: {len(parsed.entries)} entries; only the first {max_entries} were read "
            "(IMPORT_MAX_FEED_ENTRIES)"
        )
    return entries


def entry_links(data: bytes) -> list[str] | None:
    """The links of an RSS or Atom feed's entries, in order ("" for an entry without one); None when the
    data is not such a feed."""
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version"):
        return None
    return [_entry_link(entry) for entry in parsed.entries]


def _entry_link(entry: Any) -> str:
    return str(entry.get("link", "")).strip()


@dataclass
class FeedItem:
    """One entry of a feed of any kind (RSS, Atom, JSON Feed), as plain text."""

    title: str
    link: str
    text: str  # the entry's own text, paragraphs separated by blank lines
    raw: str  # the entry's content as the feed gave it (the audit copy)
    published_at: datetime | None = None
    published_time_known: bool = True
    byline: str = ""
    language: str = ""
    source_format: str = "feed"


def _read_entry(
    entry: Any, label: str, feed_title: str, read_page: PageReader, skip_link: Callable[[str], bool] | None
) -> Entry:
    content_html = _content_html(entry)
    item = FeedItem(
        title=html_line_to_text(entry.get("title", "")),
        link=_entry_link(entry),
        text=html_fragment_to_text(content_html),
        raw=content_html,
        published_at=_entry_date(entry),
        byline=html_line_to_text(entry.get("author", ""))[:300],
    )
    return read_feed_item(item, label, feed_title, read_page, skip_link)


def read_feed_item(
    item: FeedItem,
    label: str,
    feed_title: str,
    read_page: PageReader,
    skip_link: Callable[[str], bool] | None = None,
) -> Entry:
    """An entry as an article: its own text when it is the full article, else the page it links to, else
    (that page cannot be fetched) its own text when it has at least MIN_OWN_TEXT_WORDS words. An entry whose
    link `skip_link` knows (a watched feed's entry already imported) is skipped unread."""
    link = item.link if is_http_url(item.link) else ""
    if link and skip_link is not None and skip_link(link):
        return Entry(label=label, skipped=True)
    title, text, content_html = item.title, item.text, item.raw
    words = count_words(text)
    published_at, byline = item.published_at, item.byline
    warnings: list[str] = []
    if link:
        checked = check_url(link, f"{label}, link")
        if checked.problem:
            if words < MIN_OWN_TEXT_WORDS:
                return Entry(label=label, error=f"{checked.problem}; the page was not fetched")
            warnings.append(f"{checked.problem}; the entry's own text ({words} words) is stored without it")
        elif checked.warning:
            warnings.append(checked.warning)
        link = checked.url
    fetch_failed = False
    if link and words <= FULL_TEXT_WORDS:
        try:
            article = read_page(link, label)
        except ImportFailure as failure:
            reason = _without_prefix(str(failure), label)
            if words < MIN_OWN_TEXT_WORDS:
                own = f"; the entry's own text is only {words} words" if words else ""
                extra = (
                    f" (at least {MIN_OWN_TEXT_WORDS} are needed to import it without the page)"
                    if words
                    else ""
                )
                return Entry(label=label, error=f"{label}: {link}: {reason}{own}{extra}")
            warnings.append(
                f"{label}: the linked page could not be fetched ({link}: {reason}); imported the feed's own "
                f"text, {words} words"
            )
            fetch_failed = True
        else:
            article.source_format = item.source_format
            if article.published_at is None and published_at is not None:
                article.published_at, article.published_time_known = published_at, item.published_time_known
            article.language = article.language or item.language
            article.byline = article.byline or byline
            if not article.outlet_name or article.outlet_name == article.outlet_domain:
                article.outlet_name = feed_title or article.outlet_name
            article.title = without_site_name(article.title, [feed_title], article.outlet_domain)
            return Entry(label=label, article=article, warnings=warnings)
    if not text:
        return Entry(label=label, error=f"{label}: no content and no link to fetch")
    if words <= FULL_TEXT_WORDS and not fetch_failed and not link:
        warnings.append(f"{label}: only {words} words of content and no link; imported as it is")
    parts = split_article([Paragraph(p) for p in text.split("\n\n")], title=title)
    article = ParsedArticle(
        title=parts.title,
        standfirst=parts.standfirst,
        byline=byline,
        body=parts.body,
        url=link,
        published_at=published_at,
        published_time_known=item.published_time_known,
        language=item.language,
        outlet_name=feed_title or domain_of(link),
        outlet_domain=domain_of(link),
        source_format=item.source_format,
        raw_input=content_html,
        source_name=link or label,
    )
    return Entry(label=label, article=article, warnings=warnings)


def _content_html(entry: Any) -> str:
    contents = [str(item.get("value", "")) for item in entry.get("content", []) or []]
    contents.append(str(entry.get("summary", "")))
    return max(contents, key=len)


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6], tzinfo=UTC)
    return None


def _without_prefix(message: str, prefix: str) -> str:
    return message[len(prefix) + 2 :] if message.startswith(prefix + ": ") else message
