"""Text and links as literal Markdown, for the brief's Markdown export.

Whatever a brief embeds (a headline, an item, an outlet, an article's title, URL or quoted sentence) comes
from imported articles or an editor's typing, so a CommonMark renderer must read it as the text it is, never
as markup (https://spec.commonmark.org/0.31.2/):

- Text is put on one line (a line break could start a new block: an HTML block, a heading, a list), and
  every character that can open inline markup is backslash-escaped: ``\\ ` * _ [ ] { } < > # | ~ !`` (any
  ASCII punctuation may be escaped, spec 2.4), plus a ``- + =`` or ``1.``/``1)`` at its start (a list or a
  setext underline inside the list item it is written in). An ``&`` that would begin an entity reference
  (``&lt;``, ``&#60;``) is escaped too, so that the text reads as typed.
- A link destination is only ever an http(s) address (briefs.presentation.http_url), with the characters
  that could end it or start something else percent-encoded: spaces and other white space, control
  characters, ``< > ( ) " ' \\`` and `` ` ``. Percent-encoding keeps the address the same address; an ``&``
  that would begin an entity reference is backslash-escaped (spec 6.3: escapes work in destinations).
"""

from __future__ import annotations

import re

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~!])")
_BLOCK_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))")
_ENTITY_START = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_DESTINATION_UNSAFE = frozenset("<>()\"'\\`")


def markdown_text(text: str) -> str:
    """`text` as literal inline Markdown, on one line."""
    one_line = " ".join(str(text or "").split())
    escaped = _INLINE_SPECIAL.sub(r"\\\1", one_line)
    escaped = _BLOCK_START.sub(lambda match: _escape_start(match.group(1)), escaped, count=1)
    return _ENTITY_START.sub(r"\\&", escaped)


def markdown_destination(url: str) -> str:
    """An http(s) address as a link destination that a CommonMark renderer reads back as that address."""
    encoded = "".join(
        "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        if char in _DESTINATION_UNSAFE or char.isspace() or ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0
        else char
        for char in url.strip()
    )
    return _ENTITY_START.sub(r"\\&", encoded)


def markdown_link(text: str, url: str) -> str:
    """`[text](url)`, both escaped; just the escaped text when there is no address."""
    label = markdown_text(text)
    return f"[{label}]({markdown_destination(url)})" if url else label


def _escape_start(start: str) -> str:
    # "1." -> "1\." : a backslash before the digits would not stop the list; one before the dot does.
    return f"\\{start}" if not start[0].isdigit() else start + "\\"
