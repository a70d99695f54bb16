"""schema.org JSON-LD: finding the article objects of a document and reading their fields. Plain helpers,
used for .jsonld files (articles.importing.jsonformats) and for the JSON-LD a page embeds (pagemeta)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from articles.rules import is_http_url

# schema.org types of an article (NewsArticle and its subtypes, and the general ones news sites use).
ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "Article",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
    }
)


def is_json_ld(document: Any) -> bool:
    items = document if isinstance(document, list) else [document]
    return bool(items) and all(
        isinstance(item, dict) and ("@context" in item or "@graph" in item) and _mentions_schema_org(item)
        for item in items
    )


def json_ld_articles(document: Any) -> list[dict]:
    """The article objects (ARTICLE_TYPES) of a JSON-LD document, @graph and lists included."""
    return [node for node in nodes(document) if node_types(node) & ARTICLE_TYPES]


def json_ld_body(node: dict) -> str:
    """The article's text as the JSON-LD gives it (plain text, or sometimes HTML)."""
    body = _string(node.get("articleBody")) or _string(node.get("text"))
    return body.replace("\r\n", "\n")


def json_ld_headline(node: dict) -> str:
    return _string(node.get("headline")) or _string(node.get("name"))


def json_ld_url(node: dict) -> str:
    for value in (node.get("url"), node.get("mainEntityOfPage"), node.get("@id")):
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, str) and is_http_url(value):
            return value.strip()
    return ""


def json_ld_language(node: dict) -> str:
    value = node.get("inLanguage")
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return _string(value)[:12]


def json_ld_names(value: Any) -> str:
    """The names of a schema.org author or publisher: a string, a Person/Organization, or a list of them."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        if isinstance(item, str):
            names.append(item.strip())
        elif isinstance(item, dict):
            names.append(_string(item.get("name")))
    return ", ".join(name for name in names if name)


def nodes(document: Any) -> Iterator[dict]:
    items = document if isinstance(document, list) else [document]
    for item in items:
        if isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list):
                yield from (node for node in graph if isinstance(node, dict))


def node_types(node: dict) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if isinstance(v, str)}


def _mentions_schema_org(item: dict) -> bool:
    return "schema.org" in json.dumps(item.get("@context", ""))[:2000] or bool(node_types(item))


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
