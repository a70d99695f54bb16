"""IPTC 7901, the wire services' text format: messages framed by control characters.

    SOH  <service and message number> <priority> <category> <word count> <optional information>  CR LF
         <keyword / catch-line>  CR LF
    STX  <heading and text>
    ETX  <post-text: the date and time, "ddhhmm" with an optional zone, month and year>
    EOT

A file may hold several messages; each is one entry.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from articles.importing.errors import ImportFailure
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import split_article, text_paragraphs

SOH, STX, ETX, EOT = "\x01", "\x02", "\x03", "\x04"
MONTHS = {
    name: number for number, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)
}
POST_TEXT_DATE = re.compile(
    r"(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})\s*(?P<zone>GMT|UTC|Z)?\s+(?P<month>[A-Za-z]{3})\s+(?P<year>\d{2,4})"
)


def looks_like_iptc7901(data: bytes) -> bool:
    start = data.lstrip(b"\r\n\x16 ")[:1]
    return start == b"\x01" and b"\x02" in data[:4096] and b"\x03" in data


def read_iptc7901(data: bytes, name: str, *, max_entries: int) -> list[Entry]:
    # Control characters are the format here, so the text is decoded without the binary-file check.
    warning = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text = data.decode("cp1252", "replace")
        warning = (
            f"{name}: not valid UTF-8 (byte 0x{data[error.start]:02X} at offset {error.start}); "
            "read as Windows-1252"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    messages = [part for part in text.split(SOH)[1:] if part.strip(EOT + "\n\x16 ")]
    if not messages:
        raise ImportFailure(f"{name}: no IPTC 7901 message (nothing starts with the SOH character)")
    if len(messages) > max_entries:
        raise ImportFailure(
            f"{name}: {len(messages):,} messages, over the limit of {max_entries:,} per file "
            "(IMPORT_MAX_ENTRIES); nothing was imported from it: split it and import the parts"
        )
    several = len(messages) > 1
    entries = []
    for number, message in enumerate(messages, start=1):
        label = f"{name} message {number}" if several else name
        entries.append(_message(message, label))
    if warning:
        entries[0].warnings.insert(0, warning)
    return entries


def _message(message: str, label: str) -> Entry:
    if STX not in message:
        return Entry(label=label, error=f"{label}: the IPTC 7901 message has no text (no STX character)")
    header, _, rest = message.partition(STX)
    body, _, post_text = rest.partition(ETX)
    header_lines = [line.strip() for line in header.split("\n") if line.strip()]
    service = header_lines[0].split()[0] if header_lines and header_lines[0].split() else ""
    catchline = " ".join(header_lines[1:])
    paragraphs = text_paragraphs(body.strip(EOT + " \n"))
    parts = split_article(paragraphs)
    if not parts.body:
        return Entry(label=label, error=f"{label}: no article text, only a headline")
    title = parts.title if not parts.title_derived or not catchline else catchline
    warnings: list[str] = []
    published_at = _post_text_date(post_text)
    if post_text.strip(EOT + " \n") and published_at is None:
        warnings.append(
            f"{label}: the post-text {post_text.strip(EOT + ' ')[:40]!r} gives no full date (day, time, "
            "month and year); the article is stored without one"
        )
    outlet = re.match(r"[A-Za-z]{2,}", service)
    article = ParsedArticle(
        title=title,
        standfirst=parts.standfirst,
        byline=parts.byline,
        body=parts.body,
        published_at=published_at,
        outlet_name=outlet.group(0).upper() if outlet else "",
        source_format="iptc7901",
        raw_input=SOH + message,
        source_name=label,
    )
    return Entry(label=label, article=article, warnings=warnings)


def _post_text_date(post_text: str) -> datetime | None:
    """The post-text's "081000 GMT APR 25": a time with no zone is taken as UTC."""
    match = POST_TEXT_DATE.search(post_text)
    if match is None:
        return None
    month = MONTHS.get(match.group("month").upper())
    year = int(match.group("year"))
    year = year + 2000 if year < 100 else year
    try:
        return datetime(
            year,
            month or 0,
            int(match.group("day")),
            int(match.group("hour")),
            int(match.group("minute")),
            tzinfo=UTC,
        )
    except ValueError:
        return None
