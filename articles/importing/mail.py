"""E-mail messages (.eml), as press releases arrive: the subject is the title, the sender the outlet, the
Date header the publication time, the text part (else the HTML part) the body. Attachments are not read; the
import says which were left out."""

from __future__ import annotations

import re
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from articles.importing.errors import ImportFailure
from articles.importing.html import html_fragment_to_text
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import Paragraph, split_article, text_paragraphs

HEADER_LINE = re.compile(rb"^(?:From|To|Subject|Date|Received|Return-Path|MIME-Version|Message-ID)\s*:", re.I)
REPLY_PREFIX = re.compile(r"^(?:(?:re|fwd?|aw|wg|tr)\s*:\s*)+", re.IGNORECASE)
SIGNATURE = re.compile(r"\n-- ?\n")


def looks_like_email(data: bytes) -> bool:
    """A message starts with header lines; two of the usual ones among the first lines is enough."""
    lines = data.lstrip()[:2000].splitlines()[:12]
    return sum(bool(HEADER_LINE.match(line)) for line in lines) >= 2


def read_email(data: bytes, name: str) -> list[Entry]:
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not message.keys():
        raise ImportFailure(f"{name}: not an e-mail message (no header lines such as From: and Subject:)")
    warnings: list[str] = []
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = _part_text(body_part, name, warnings) if body_part is not None else ""
    if body_part is not None and body_part.get_content_subtype() == "plain" and not text.strip():
        html_part = message.get_body(preferencelist=("html",))
        text = _part_text(html_part, name, warnings) if html_part is not None else ""
    attachments = [
        part.get_filename() or part.get_content_type()
        for part in message.iter_attachments()
        if part is not body_part
    ]
    if attachments:
        shown = ", ".join(attachments[:5]) + (
            f" and {len(attachments) - 5} more" if len(attachments) > 5 else ""
        )
        plural = "s" if len(attachments) != 1 else ""
        warnings.append(
            f"{name}: {len(attachments)} attachment{plural} not imported ({shown}); only the message's own "
            "text was; import an attachment on its own if it holds the article"
        )
    text = SIGNATURE.split(text.replace("\r\n", "\n"), maxsplit=1)[0].strip()
    if not text:
        found = f" (only attachments: {', '.join(attachments[:5])})" if attachments else ""
        raise ImportFailure(f"{name}: the e-mail has no text part{found}; nothing to import")
    subject = REPLY_PREFIX.sub("", " ".join(str(message.get("subject", "")).split()))
    paragraphs = text_paragraphs(text) if "\n\n" in text or "\n" in text else [Paragraph(text)]
    parts = split_article(paragraphs, title=subject)
    if not parts.body:
        raise ImportFailure(f"{name}: the e-mail holds only a headline, no article text")
    published_at = None
    date = message.get("date")
    if date is not None:
        published_at = getattr(date, "datetime", None)
        if published_at is None:
            warnings.append(f"{name}: the Date header {str(date)[:40]!r} could not be read; left empty")
        elif published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=UTC)
    outlet, domain = _sender(message)
    article = ParsedArticle(
        title=parts.title,
        standfirst=parts.standfirst,
        byline=parts.byline,
        body=parts.body,
        published_at=published_at,
        outlet_name=outlet,
        outlet_domain=domain,
        language=str(message.get("content-language", "") or "")[:12],
        source_format="email",
        raw_input=data.decode("utf-8", "replace"),
        source_name=name,
    )
    return [Entry(label=name, article=article, warnings=warnings)]


def _part_text(part: EmailMessage, name: str, warnings: list[str]) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
        warnings.append(f"{name}: the text's declared charset could not be used; read as UTF-8")
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return html_fragment_to_text(content)
    return content


def _sender(message: EmailMessage) -> tuple[str, str]:
    sender = message.get("from")
    addresses = getattr(sender, "addresses", ()) if sender is not None else ()
    if not addresses:
        return "", ""
    address = addresses[0]
    domain = (address.domain or "").lower()
    return (address.display_name or domain).strip(), domain
