"""News agency XML: IPTC NewsML-G2 news items (alone or in a newsMessage) and NITF documents.

Parsed with lxml under a parser that resolves no entities, loads no DTD and reaches no network, so an XML file
cannot read local files or expand into gigabytes. Namespaces are dropped before reading: agencies use several
versions of both schemas, and the element names are what matter.
"""

from __future__ import annotations

import re

from lxml import etree

from articles.importing.errors import ImportFailure
from articles.importing.html import is_date_only, parse_date
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import Paragraph, split_article, text_paragraphs

XML_ROOT_PATTERN = re.compile(r"<(?:[\w.-]+:)?([A-Za-z][\w.-]*)[\s/>]")
# Elements whose text is a paragraph of an article body (NITF, XHTML and the NITF inside NewsML-G2).
BLOCK_ELEMENTS = frozenset(
    {"p", "hl2", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "block"}
)
NOT_NEWS_ITEMS = {
    "packageItem": "a packageItem, which groups other items",
    "conceptItem": "a conceptItem, which describes a concept, not an article",
    "knowledgeItem": "a knowledgeItem, which holds concepts, not an article",
    "planningItem": "a planningItem, which plans coverage, not an article",
}


def xml_root_name(text: str) -> str:
    """The local name of the first element of an XML document ("newsItem", "nitf", "rss"), or ""."""
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text[:4000], flags=re.DOTALL)
    match = XML_ROOT_PATTERN.search(body)
    return match.group(1) if match else ""


def parse_xml(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = f" line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise ImportFailure(f"{name}{line}: malformed XML ({exc.msg})") from None
    if root is None:
        raise ImportFailure(f"{name}: malformed XML (no root element)")
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
        for key in list(element.attrib):
            if key.startswith("{"):
                local = etree.QName(key).localname
                element.attrib[local] = element.attrib.pop(key)  # xml:lang becomes lang
    return root


# --- NewsML-G2 ---------------------------------------------------------------------------------------


def read_newsml(data: bytes, name: str, *, max_entries: int) -> list[Entry]:
    root = parse_xml(data, name)
    if root.tag == "newsItem":
        return [_news_item(root, name, data.decode("utf-8", "replace"))]
    if root.tag in NOT_NEWS_ITEMS:
        raise ImportFailure(
            f"{name}: not a news item ({NOT_NEWS_ITEMS[root.tag]}); import the newsItem files themselves"
        )
    if root.tag != "newsMessage":
        raise ImportFailure(
            f"{name}: not a NewsML-G2 newsItem or newsMessage (the root element is <{root.tag}>)"
        )
    items = root.findall("./itemSet/*")
    news = [item for item in items if item.tag == "newsItem"]
    if not news:
        kinds = sorted({item.tag for item in items}) or ["nothing"]
        raise ImportFailure(f"{name}: the newsMessage holds no newsItem (found {', '.join(kinds)})")
    if len(news) > max_entries:
        raise ImportFailure(
            f"{name}: {len(news):,} news items, over the limit of {max_entries:,} per file "
            "(IMPORT_MAX_ENTRIES); nothing was imported from it: split the message and import the parts"
        )
    entries: list[Entry] = []
    for number, item in enumerate(news, start=1):
        label = f"{name} item {number}"
        try:
            entries.append(_news_item(item, label, etree.tostring(item, encoding="unicode")))
        except ImportFailure as failure:
            entries.append(Entry(label=label, error=str(failure)))
    others = sorted({item.tag for item in items if item.tag != "newsItem"})
    if others:
        skipped = len(items) - len(news)
        plural = "s" if skipped != 1 else ""
        entries[0].warnings.append(
            f"{name}: {skipped} item{plural} of the message not read ({', '.join(others)}: not news items); "
            "only its newsItems were"
        )
    return entries


def _news_item(item: etree._Element, label: str, raw: str) -> Entry:
    content_meta = item.find("contentMeta")
    item_meta = item.find("itemMeta")
    headline = _text(_first(content_meta, "headline")) if content_meta is not None else ""
    standfirst = ""
    if content_meta is not None:
        for description in content_meta.findall("description"):
            if "summary" in description.get("role", "") or not description.get("role"):
                standfirst = _text(description)
                break
    byline = _text(_first(content_meta, "by")) if content_meta is not None else ""
    language = ""
    if content_meta is not None and content_meta.find("language") is not None:
        language = content_meta.find("language").get("tag", "")
    language = language or item.get("lang", "")
    date_raw = ""
    for parent, tag in (
        (item_meta, "firstCreated"),
        (item_meta, "versionCreated"),
        (content_meta, "contentCreated"),
    ):
        if parent is not None and _text(parent.find(tag)):
            date_raw = _text(parent.find(tag))
            break
    outlet = ""
    if item_meta is not None and item_meta.find("provider") is not None:
        provider = item_meta.find("provider")
        outlet = (
            provider.get("literal", "")
            or _text(provider.find("name"))
            or _qcode_name(provider.get("qcode", ""))
        )
    paragraphs, problem = _g2_body(item)
    if problem:
        raise ImportFailure(f"{label}: {problem}")
    return _entry(label, "newsml", raw, headline, standfirst, byline, paragraphs, date_raw, outlet, language)


def _g2_body(item: etree._Element) -> tuple[list[Paragraph], str]:
    content_set = item.find("contentSet")
    if content_set is None:
        return [], "the news item has no contentSet, so no text to import"
    for inline in content_set.findall("inlineXML"):
        paragraphs = block_paragraphs(inline)
        if paragraphs:
            return paragraphs, ""
    for inline in content_set.findall("inlineData"):
        if inline.get("contenttype", "text/plain").startswith("text/") and (inline.text or "").strip():
            return text_paragraphs(inline.text.replace("\r\n", "\n")), ""
    remote = content_set.find("remoteContent")
    if remote is not None:
        where = remote.get("href") or remote.get("residref") or "another file"
        return (
            [],
            f"the news item's text is not inside it (only a remoteContent reference to {where}); import that",
        )
    return [], "the news item's contentSet holds no text (inlineXML or inlineData)"


# --- NITF --------------------------------------------------------------------------------------------


def read_nitf(data: bytes, name: str) -> list[Entry]:
    root = parse_xml(data, name)
    if root.tag != "nitf":
        raise ImportFailure(f"{name}: not an NITF document (the root element is <{root.tag}>)")
    head, body = root.find("head"), root.find("body")
    body_head = body.find("body.head") if body is not None else None
    headline = ""
    standfirst = ""
    byline = ""
    if body_head is not None:
        hedline = body_head.find("hedline")
        if hedline is not None:
            headline = _text(hedline.find("hl1"))
            standfirst = _text(hedline.find("hl2"))
        byline = re.sub(r"^by\s+", "", _text(body_head.find("byline")), flags=re.IGNORECASE)
        standfirst = standfirst or _text(body_head.find("abstract"))
    if not headline and head is not None:
        headline = _text(head.find("title"))
    date_raw = outlet = ""
    if head is not None:
        docdata = head.find("docdata")
        if docdata is not None:
            for tag in ("date.issue", "date.release"):
                found = docdata.find(tag)
                if found is not None and found.get("norm"):
                    date_raw = found.get("norm", "")
                    break
        pubdata = head.find("pubdata")
        if pubdata is not None:
            outlet = pubdata.get("name", "")
        if not outlet and docdata is not None and docdata.find("doc.copyright") is not None:
            outlet = docdata.find("doc.copyright").get("holder", "")
    content = body.find("body.content") if body is not None else None
    paragraphs = block_paragraphs(content) if content is not None else []
    if not paragraphs:
        raise ImportFailure(f"{name}: the NITF document has no text in <body.content>")
    language = root.get("lang", "") or (head.get("lang", "") if head is not None else "")
    raw = data.decode("utf-8", "replace")
    return [_entry(name, "nitf", raw, headline, standfirst, byline, paragraphs, date_raw, outlet, language)]


# --- Shared ------------------------------------------------------------------------------------------


def block_paragraphs(element: etree._Element) -> list[Paragraph]:
    """The paragraphs of a body: its block elements' text in order (none twice), else its whole text."""
    paragraphs: list[Paragraph] = []
    for block in element.iter(*BLOCK_ELEMENTS):
        if any(ancestor.tag in BLOCK_ELEMENTS for ancestor in block.iterancestors()):
            continue
        text = _text(block)
        if text:
            paragraphs.append(
                Paragraph(text, is_heading=block.tag in {"hl2", "h1", "h2", "h3", "h4", "h5", "h6"})
            )
    if not paragraphs:
        text = "".join(element.itertext()).strip()
        return text_paragraphs(text) if text else []
    return paragraphs


def _entry(
    label: str,
    source_format: str,
    raw: str,
    headline: str,
    standfirst: str,
    byline: str,
    paragraphs: list[Paragraph],
    date_raw: str,
    outlet: str,
    language: str,
) -> Entry:
    warnings: list[str] = []
    parts = split_article(paragraphs, title=headline)
    if not parts.body:
        return Entry(label=label, error=f"{label}: no article text, only a headline")
    published_at = parse_date(date_raw)
    if date_raw and published_at is None:
        warnings.append(f"{label}: the date {date_raw[:40]!r} is not an ISO 8601 date; left empty")
    article = ParsedArticle(
        title=parts.title,
        standfirst=standfirst or parts.standfirst,
        byline=re.sub(r"^by\s+", "", byline or parts.byline, flags=re.IGNORECASE)[:300],
        body=parts.body,
        published_at=published_at,
        published_time_known=not is_date_only(date_raw),
        outlet_name=outlet,
        language=language[:12],
        source_format=source_format,
        raw_input=raw,
        source_name=label,
    )
    return Entry(label=label, article=article, warnings=warnings)


def _first(parent: etree._Element | None, tag: str) -> etree._Element | None:
    return parent.find(tag) if parent is not None else None


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _qcode_name(qcode: str) -> str:
    """ "nprov:AFP" -> "AFP"."""
    return qcode.split(":", 1)[-1] if qcode else ""
