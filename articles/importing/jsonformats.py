"""JSON that is not the workbench's own records: JSON Feed (jsonfeed.org 1.0 and 1.1) and schema.org
NewsArticle JSON-LD (a .jsonld or .json file, or the <script type="application/ld+json"> of a page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from articles.importing.errors import ImportFailure
from articles.importing.feeds import FeedItem, PageReader, read_feed_item
from articles.importing.html import (
    domain_of,
    html_fragment_to_text,
    html_line_to_text,
    is_date_only,
    parse_date,
)
from articles.importing.jsonld import (
    ARTICLE_TYPES,
    json_ld_articles,
    json_ld_body,
    json_ld_headline,
    json_ld_language,
    json_ld_names,
    json_ld_url,
    node_types,
    nodes,
)
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import split_article, text_paragraphs

JSON_FEED_VERSION = "https://jsonfeed.org/version/"


def is_json_feed(document: Any) -> bool:
    return isinstance(document, dict) and str(document.get("version", "")).startswith(JSON_FEED_VERSION)


# --- JSON Feed ---------------------------------------------------------------------------------------


def json_feed_links(document: Any) -> list[str] | None:
    """The links of a JSON Feed's items, in order ("" for an item without one); None when the document is
    not a JSON Feed with an items list."""
    if not is_json_feed(document) or not isinstance(document.get("items"), list):
        return None
    return [_item_link(item) if isinstance(item, dict) else "" for item in document["items"]]


def _item_link(item: dict) -> str:
    return _string(item.get("url")) or _string(item.get("external_url"))


def read_json_feed(
    document: dict,
    name: str,
    *,
    max_entries: int,
    read_page: PageReader,
    skip_link: Callable[[str], bool] | None = None,
) -> list[Entry]:
    items = document.get("items")
    if not isinstance(items, list):
        raise ImportFailure(f"{name}: the JSON Feed has no 'items' list")
    if not items:
        raise ImportFailure(f"{name}: the feed has no entries")
    feed_title = html_line_to_text(_string(document.get("title")))
    feed_language = _string(document.get("language"))
    feed_author = _authors(document)
    entries = []
    for number, item in enumerate(items[:max_entries], start=1):
        label = f"{name} entry {number}"
        if not isinstance(item, dict):
            entries.append(Entry(label=label, error=f"{label}: expected a JSON object, found another value"))
            continue
        html_content = _string(item.get("content_html"))
        text = html_fragment_to_text(html_content) if html_content else ""
        if not text:
            text = "\n\n".join(p.text for p in text_paragraphs(_string(item.get("content_text"))))
        if not text:
            text = html_fragment_to_text(_string(item.get("summary")))
        date_raw = _string(item.get("date_published")) or _string(item.get("date_modified"))
        feed_item = FeedItem(
            title=html_line_to_text(_string(item.get("title"))),
            link=_item_link(item),
            text=text,
            raw=json.dumps(item, ensure_ascii=False),
            published_at=parse_date(date_raw),
            published_time_known=not is_date_only(date_raw),
            byline=(_authors(item) or feed_author)[:300],
            language=_string(item.get("language")) or feed_language,
            source_format="jsonfeed",
        )
        entries.append(read_feed_item(feed_item, label, feed_title, read_page, skip_link))
    if len(items) > max_entries:
        entries[0].warnings.append(
            f"{name}: {len(items)} entries; only the first {max_entries} were read (IMPORT_MAX_FEED_ENTRIES)"
        )
    return entries


def _authors(record: dict) -> str:
    authors = record.get("authors")
    if not isinstance(authors, list):
        authors = [record["author"]] if isinstance(record.get("author"), dict) else []
    names = [_string(author.get("name")) for author in authors if isinstance(author, dict)]
    return ", ".join(name for name in names if name)


# --- JSON-LD -----------------------------------------------------------------------------------------


def read_json_ld(document: Any, name: str, *, max_entries: int) -> list[Entry]:
    articles = json_ld_articles(document)
    if not articles:
        found = sorted({kind for node in nodes(document) for kind in node_types(node)})
        shown = ", ".join(found[:6]) or "no @type"
        raise ImportFailure(
            f"{name}: JSON-LD without a NewsArticle or Article (found {shown}); nothing to import from it"
        )
    if len(articles) > max_entries:
        raise ImportFailure(
            f"{name}: {len(articles):,} articles, over the limit of {max_entries:,} per file "
            "(IMPORT_MAX_ENTRIES); nothing was imported from it: split it and import the parts"
        )
    several = len(articles) > 1
    return [
        json_ld_entry(node, f"{name} entry {number}" if several else name)
        for number, node in enumerate(articles, start=1)
    ]


def json_ld_entry(node: dict, label: str) -> Entry:
    body = json_ld_body(node)
    if "<" in body and ">" in body:
        body = html_fragment_to_text(body)
    if not body:
        return Entry(
            label=label,
            error=(
                f"{label}: the {sorted(node_types(node) & ARTICLE_TYPES)[0]} has no articleBody, only a "
                "description of the article; import the article's page (its address) instead"
            ),
        )
    parts = split_article(text_paragraphs(body), title=html_line_to_text(json_ld_headline(node)))
    if not parts.body:
        return Entry(label=label, error=f"{label}: the articleBody holds only a headline")
    date_raw = _string(node.get("datePublished")) or _string(node.get("dateCreated"))
    url = json_ld_url(node)
    article = ParsedArticle(
        title=parts.title,
        standfirst=html_line_to_text(_string(node.get("description"))) or parts.standfirst,
        byline=json_ld_names(node.get("author"))[:300] or parts.byline,
        body=parts.body,
        url=url,
        published_at=parse_date(date_raw),
        published_time_known=not is_date_only(date_raw),
        outlet_name=json_ld_names(node.get("publisher")) or domain_of(url),
        outlet_domain=domain_of(url),
        language=json_ld_language(node),
        source_format="jsonld",
        raw_input=json.dumps(node, ensure_ascii=False),
        source_name=label,
    )
    return Entry(label=label, article=article)


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
