"""HTML pages and fragments to plain text: trafilatura for whole pages, lxml for feed fragments.

Only text leaves this module; the HTML itself is kept solely as the audit copy (Article.raw_input).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import urlparse

import lxml.html
import trafilatura
from lxml.etree import ParserError

from articles.importing.errors import ImportFailure
from articles.importing.pagemeta import PageMeta, read_page_meta, without_site_name
from articles.importing.records import ParsedArticle
from articles.importing.text import Paragraph, count_words, split_article
from articles.importing.urls import MAX_URL_LENGTH
from articles.rules import http_url

# Fewer words than this after extraction means there was no article, only navigation or a teaser.
MIN_HTML_ARTICLE_WORDS = 20
PARAGRAPH_MARK = "\ue000"
BLOCK_TAG_PATTERN = re.compile(
    r"<(?:br|/?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|tr|table|section|article|header|footer|pre|figure"
    r"|figcaption|aside|hr))\b[^>]*>",
    re.IGNORECASE,
)

# trafilatura reports what it discards at WARNING/INFO; that is noise in an import summary.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


def read_html(html: str, name: str, *, url: str = "", source_format: str = "html") -> ParsedArticle:
    """The main text and metadata of a page; navigation, scripts, comments and footers are dropped."""
    if not html.strip():
        raise ImportFailure(f"{name}: empty file (only whitespace)")
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_tables=True,
            date_extraction_params={
                "extensive_search": True,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except (ValueError, TypeError, ParserError) as exc:
        raise ImportFailure(f"{name}: the HTML could not be parsed ({exc})") from None
    text = (document.text or "") if document is not None else ""
    words = count_words(text)
    meta = read_page_meta(html, url)
    # The NewsArticle JSON-LD's articleBody (the publisher's own text, paragraphs kept) when it is at least as
    # long as what was extracted: the page may show only a teaser, or nothing trafilatura finds.
    embedded = meta.article_body
    if embedded and ("<" in embedded and ">" in embedded):
        embedded = html_fragment_to_text(embedded).replace("\n\n", "\n")
    if embedded and count_words(embedded) >= max(MIN_HTML_ARTICLE_WORDS, words):
        text, words = embedded, count_words(embedded)
    if words < MIN_HTML_ARTICLE_WORDS or document is None:
        found = f"only {words} word{'s' if words != 1 else ''}" if words else "nothing"
        raise ImportFailure(
            f"{name}: no article text found in the HTML "
            f"({found} left after dropping navigation, scripts and footers)"
        )
    # The page's declared canonical address (<link rel=canonical>, og:url, the JSON-LD's url) when it has one
    # that can be stored, else the address it was read from; the importer checks it again
    # (articles.importing.urls: no credentials, a too-long one refused aloud).
    addresses = [
        found for found in (meta.canonical_url, _http_url(document.url or ""), _http_url(url)) if found
    ]
    page_url = next((found for found in addresses if len(found) <= MAX_URL_LENGTH), "") or (
        addresses[0] if addresses else ""
    )
    domain = domain_of(page_url)
    site_name = _site_name(document.sitename or "", page_url)
    title = page_title(meta, _clean_line(document.title or ""), [site_name], domain)
    parts = split_article([Paragraph(line.strip()) for line in text.split("\n") if line.strip()], title=title)
    if meta.published is not None:
        published_at, time_known = meta.published.value, meta.published.time_known
    else:  # trafilatura's search: a date found in the URL or the text comes back as a naive midnight
        found = document.date or ""
        published_at = parse_date(found)
        time_known = not (is_date_only(found) or re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}T00:00:00\s*", found))
    return ParsedArticle(
        title=parts.title,
        standfirst=_standfirst(document.description or "", parts.body),
        byline=_clean_line(document.author or "") or meta.author[:300],
        body=parts.body,
        url=page_url,
        published_at=published_at,
        published_time_known=time_known,
        outlet_name=site_name or meta.publisher or domain,
        outlet_domain=domain,
        language=(document.language or meta.language or "")[:12],
        source_format=source_format,
        raw_input=html,
        source_name=name,
    )


def page_title(meta: PageMeta, fallback: str, site_names: list[str], domain: str) -> str:
    """The page's declared title (og:title, the JSON-LD headline, <title>) without the site's name; the
    page's <h1> when the title is that heading plus a section or site name ("… | Politics | The Guardian")."""
    declared = _clean_line(meta.title) or fallback
    title = without_site_name(declared, [*meta.site_names, *site_names], domain)
    h1 = _clean_line(meta.h1)
    if h1 and title != h1 and title.casefold().startswith(h1.casefold()):
        rest = title[len(h1) :]
        if re.match(r"\s+(?:[-–—|·•:/«»]|::|//)\s+", rest):
            return h1
    return title or fallback


def html_fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed entry's content), paragraphs separated by blank lines."""
    if "<" not in fragment and "&" not in fragment:
        return "\n\n".join(" ".join(block.split()) for block in fragment.split("\n\n") if block.strip())
    marked = BLOCK_TAG_PATTERN.sub(PARAGRAPH_MARK, fragment)
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for element in root.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    text = root.text_content()
    paragraphs = (" ".join(part.split()) for part in text.split(PARAGRAPH_MARK))
    return "\n\n".join(p for p in paragraphs if p)


def html_line_to_text(value: str) -> str:
    """A title or name that may carry markup or entities, as one plain line."""
    return " ".join(html_fragment_to_text(value).split()) if value else ""


def domain_of(url: str) -> str:
    try:
        host = (urlparse(url).hostname or "") if url else ""
    except ValueError:  # a malformed host ("http://[::1"): no domain
        return ""
    return host.removeprefix("www.")


def parse_date(value: str) -> datetime | None:
    """An ISO 8601 date or date-time; naive values are taken as UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_date_only(value: str) -> bool:
    """Whether an ISO 8601 value is a date without a time of day ("2025-04-08"): parse_date makes it midnight
    UTC, and the article records that no time was given, so the workbench shows the date alone."""
    return bool(re.fullmatch(r"\s*\d{4}-?\d{2}-?\d{2}\s*", value))


def _http_url(url: str) -> str:
    return http_url(url)


def _clean_line(value: str) -> str:
    return html_line_to_text(value) if ("<" in value or "&" in value) else " ".join(value.split())


def _site_name(name: str, page_url: str) -> str:
    """The page's own name for its site; trafilatura falls back to the host name, which is no name."""
    name = _clean_line(name)
    netloc = urlparse(page_url).netloc.lower() if page_url else ""
    if name.lower() in {netloc, netloc.removeprefix("www."), domain_of(page_url)}:
        return ""
    return name


def _standfirst(description: str, body: str) -> str:
    """The page's description, unless it only repeats the start of the body."""
    description = _clean_line(description)
    if not description:
        return ""
    probe = description.rstrip(".…").casefold()[:80]
    if probe and probe in " ".join(body[:2000].split()).casefold():
        return ""
    return description
