"""Bytes to text: UTF-8, else Windows-1252 with a warning, else a clear failure; binary files refused."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from articles.importing.errors import ImportFailure

# File signatures, so a refused file says what it looks like.
BINARY_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]
# Control characters other than tab, newline, form feed and carriage return.
CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13}
SAMPLE_BYTES = 8192


@dataclass(frozen=True)
class DecodedText:
    text: str
    warning: str | None = None


def binary_kind(data: bytes) -> str | None:
    """What a binary file looks like ("a PNG image", "binary data"), or None for text."""
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature) and (signature != b"MZ" or b"\x00" in data[:SAMPLE_BYTES]):
            return kind
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample:
        return "binary data"
    control = sum(1 for byte in sample if byte in CONTROL_BYTES)
    if sample and control / len(sample) > 0.02:
        return "binary data"
    return None


def decode_text(data: bytes, name: str, declared_charset: str | None = None) -> DecodedText:
    """Decode a file's bytes; newlines become "\\n".

    Order: a byte-order mark, then the charset the source declared (an HTTP header or an HTML meta tag), then
    UTF-8, then Windows-1252 (the usual encoding of older Windows files) with a warning.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(_newlines(data.decode("utf-16")))
        except UnicodeDecodeError:
            raise ImportFailure(f"{name}: starts like UTF-16 text but is not valid UTF-16") from None
    kind = binary_kind(data)
    if kind:
        raise ImportFailure(f"{name}: binary file ({kind}), not text")
    if declared_charset:
        try:
            return DecodedText(_newlines(data.decode(declared_charset)))
        except (LookupError, UnicodeDecodeError):
            pass  # A wrong or unknown declaration: fall back to what the bytes say.
    try:
        return DecodedText(_newlines(data.decode("utf-8-sig")))
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp1252_error:
            byte = data[cp1252_error.start]
            raise ImportFailure(
                f"{name}: not UTF-8 or Windows-1252 text (byte 0x{byte:02X} at offset {cp1252_error.start})"
            ) from None
        warning = (
            f"{name}: not valid UTF-8 (byte 0x{data[utf8_error.start]:02X} at offset {utf8_error.start}); "
            "read as Windows-1252"
        )
        return DecodedText(_newlines(text), warning)


META_CHARSET_PATTERN = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def html_declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a <meta> tag near its start."""
    match = META_CHARSET_PATTERN.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _newlines(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
