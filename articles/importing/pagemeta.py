"""What a web page declares about itself: its publication time (with its zone), its title without the site's
name, its canonical address, its language, and the NewsArticle JSON-LD it embeds.

trafilatura's own guesses are the fallback: it cuts a <title> at the first separator ("Rotterdam - Antwerp
rail link delayed" became "Rotterdam"), and its date search returns a date found in the URL or the text as
midnight, ahead of a declared time. A page's declaration, when it makes one, is taken as it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from articles.importing.jsonld import (
    json_ld_articles,
    json_ld_body,
    json_ld_headline,
    json_ld_language,
    json_ld_names,
    json_ld_url,
)
from articles.rules import http_url, is_http_url

# <meta> names and properties that declare when an article was published, most specific first.
DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "article_date_original",
    "date",
)
SITE_NAME_META = ("og:site_name", "application-name", "publisher", "dc.publisher")
TITLE_META = ("og:title", "twitter:title")
TITLE_SEPARATORS = re.compile(r"\s+(?:[-–—|·•:/«»]|::|//)\s+")
SPACE_BEFORE_OFFSET = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+([+-]\d{2}:?\d{2}|Z|UTC|GMT)$", re.I)
DATE_ONLY = re.compile(r"\s*\d{4}-?\d{2}-?\d{2}\s*")


@dataclass
class DeclaredDate:
    value: datetime
    time_known: bool  # False: the page gave a date without a time of day
    zoned: bool  # the time came with its offset from UTC


@dataclass
class PageMeta:
    title: str = ""
    h1: str = ""
    site_names: tuple[str, ...] = ()
    published: DeclaredDate | None = None
    canonical_url: str = ""
    language: str = ""
    article_body: str = ""
    author: str = ""
    publisher: str = ""


def read_page_meta(html: str, page_url: str = "") -> PageMeta:
    try:
        root = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return PageMeta()
    meta = _meta_values(root)
    articles = _json_ld_articles(root)
    article = articles[0] if articles else {}
    dates: list[str] = []
    if article:
        dates += [str(article.get(key) or "") for key in ("datePublished", "dateCreated")]
    dates += [meta.get(name, "") for name in DATE_META]
    dates.append(_parsely_page_date(meta.get("parsely-page", "")))
    dates += root.xpath("//time[@itemprop='datePublished']/@datetime | //time[@pubdate]/@datetime")
    dates += root.xpath("(//article//time/@datetime)[1]")
    published = choose_date(dates)
    title = next((meta[name] for name in TITLE_META if meta.get(name)), "") or (
        json_ld_headline(article) if article else ""
    )
    if not title:
        found = root.find(".//title")
        title = found.text_content() if found is not None else ""
    h1 = root.xpath("(//h1)[1]")
    publisher = json_ld_names(article.get("publisher")) if article else ""
    names = tuple(name for name in (*(meta.get(key, "") for key in SITE_NAME_META), publisher) if name)
    canonical = ""
    for href in root.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"):
        canonical = _absolute(href, page_url)
        if canonical:
            break
    canonical = (
        canonical or _absolute(meta.get("og:url", ""), page_url) or (json_ld_url(article) if article else "")
    )
    language = (json_ld_language(article) if article else "") or (root.get("lang") or "").strip()
    return PageMeta(
        title=" ".join(title.split()),
        h1=" ".join(h1[0].text_content().split()) if h1 else "",
        site_names=names,
        published=published,
        canonical_url=canonical,
        language=language[:12],
        article_body=json_ld_body(article) if article else "",
        author=json_ld_names(article.get("author")) if article else "",
        publisher=publisher,
    )


def parse_declared_date(value: str) -> DeclaredDate | None:
    """An ISO 8601 (basic or extended, "2025-04-08 10:00:00 -0400" too) or RFC 2822 date; None if neither.
    A value without an offset is taken as UTC, and marked as not zoned."""
    value = " ".join((value or "").split())
    if not value:
        return None
    if DATE_ONLY.fullmatch(value):
        for pattern in ("%Y-%m-%d", "%Y%m%d"):
            try:
                day = datetime.strptime(value, pattern)
            except ValueError:
                continue
            return DeclaredDate(day.replace(tzinfo=UTC), time_known=False, zoned=False)
        return None
    candidate = SPACE_BEFORE_OFFSET.sub(r"\1\2", value)
    candidate = re.sub(r"(UTC|GMT)$", "+00:00", candidate, flags=re.I)
    parsed = None
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    zoned = parsed.tzinfo is not None
    return DeclaredDate(parsed if zoned else parsed.replace(tzinfo=UTC), time_known=True, zoned=zoned)


def choose_date(values: list[str]) -> DeclaredDate | None:
    """The first declared time that states its zone; else the first with a time; else the first date."""
    parsed = [found for found in (parse_declared_date(value) for value in values if value) if found]
    for wanted in (lambda d: d.time_known and d.zoned, lambda d: d.time_known, lambda d: True):
        for found in parsed:
            if wanted(found):
                return found
    return None


def without_site_name(title: str, names: list[str] | tuple[str, ...], domain: str = "") -> str:
    """The title without a site name at its end or start ("… - SpaceNews.com", "Reuters | …"), when that part
    is one of `names` or the site's domain; any other part is kept ("Rotterdam - Antwerp rail link")."""
    keys = {_name_key(name) for name in names if name}
    if domain:
        keys |= {_name_key(domain), _name_key(domain.split(".")[0])}
        labels = domain.split(".")
        if len(labels) >= 2:
            keys.add(_name_key(labels[-2]))  # news.example.co -> "example"
    keys.discard("")
    parts = TITLE_SEPARATORS.split(title)
    separators = TITLE_SEPARATORS.findall(title)
    if len(parts) < 2 or not keys:
        return title
    if _name_key(parts[-1]) in keys:
        return "".join(part + sep for part, sep in zip(parts[:-2], separators[:-1], strict=False)) + parts[-2]
    if _name_key(parts[0]) in keys:
        return title[len(parts[0]) + len(separators[0]) :]
    return title


def _name_key(name: str) -> str:
    key = re.sub(r"[\W_]+", "", name.casefold())
    return key.removeprefix("the") if len(key) > 6 else key


def _meta_values(root) -> dict[str, str]:
    values: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (
            (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        )
        content = (element.get("content") or "").strip()
        if key and content and key not in values:
            values[key] = content
    return values


def _json_ld_articles(root) -> list[dict]:
    found: list[dict] = []
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            document = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        found += json_ld_articles(document)
    return found


def _parsely_page_date(value: str) -> str:
    try:
        document = json.loads(value) if value else {}
    except ValueError:
        return ""
    return str(document.get("pub_date") or "") if isinstance(document, dict) else ""


def _absolute(href: str, base: str) -> str:
    href = (href or "").strip()
    if not href:
        return ""
    if base and not is_http_url(href):
        href = urljoin(base, href)
    return http_url(href)


FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json")


# The last part of an article's address: words joined by hyphens or underscores ("council-approves-budget"),
# or a number (an id, a date), as news sites name them; a section's or a service page's is one plain word.
ARTICLE_SLUG = re.compile(
    r"(?:[^/]*[a-z0-9]+[-_][a-z0-9]+[-_][a-z0-9]+[^/]*|[^/]*\d{3,}[^/]*|\d+(?:\.html?)?)$", re.I
)


TEASER_LINKS = (
    "//a[ancestor::h1 or ancestor::h2 or ancestor::h3 or ancestor::h4 or ancestor::article]"
    "[not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside)]/@href"
)


def section_links(html: str, page_url: str, limit: int = 100) -> list[str]:
    """The articles a site's section page links to, in page order, for watching a page that declares no
    feed: its teasers' links (inside a headline or an `<article>`, not in the page's navigation, header,
    footer or sidebar) to the page's own site, that courlan's filters (those of trafilatura's crawler,
    strict) take for pages worth reading (not navigation, tag, category, login, search, feed or media
    addresses), and whose address ends as an article's does (a hyphenated slug or a number)."""
    from courlan.filters import extension_filter, is_navigation_page, is_not_crawlable, type_filter

    try:
        root = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return []
    site = urlsplit(page_url).netloc.lower()
    found: list[str] = []
    for href in root.xpath(TEASER_LINKS):
        url = _absolute(str(href).split("#")[0], page_url)
        if not url or url == page_url or url in found:
            continue
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        if (
            parts.netloc.lower() == site
            and ARTICLE_SLUG.search(path)
            and extension_filter(parts.path)
            and type_filter(url, strict=True)
            and not is_navigation_page(url)
            and not is_not_crawlable(url)
        ):
            found.append(url)
            if len(found) >= limit:
                break
    return found


def declared_feeds(html: str, page_url: str) -> list[str]:
    """The feeds a web page declares (`<link rel="alternate" type="application/rss+xml" href=…>`, as browsers
    and feed readers find them), as absolute http(s) addresses, in page order."""
    try:
        root = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return []
    found = []
    for link in root.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"):
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = _absolute(link.get("href", ""), page_url)
        if kind in FEED_LINK_TYPES and href and href not in found:
            found.append(href)
    return found
