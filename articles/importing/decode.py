"""Bytes to text: UTF-8, UTF-16 (with a byte-order mark, or recognised without one), else Windows-1252
with a warning, else a clear failure; binary files refused."""

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

    Order: a byte-order mark, then UTF-16 recognised by where its NUL bytes fall (with a warning), then the
    charset the source declared (an HTTP header or an HTML meta tag), then UTF-8, then Windows-1252 (the
    usual encoding of older Windows files) with a warning.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(_newlines(data.decode("utf-16")))
        except UnicodeDecodeError:
            raise ImportFailure(f"{name}: starts like UTF-16 text but is not valid UTF-16") from None
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        text, order = utf16
        return DecodedText(
            _newlines(text), f"{name}: UTF-16 text ({order}) without a byte-order mark; read as UTF-16"
        )
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


def utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """(text, "little-endian" or "big-endian") when the bytes are UTF-16 text without a byte-order mark.

    In UTF-16, every character of the Latin alphabets, digits, spaces and punctuation (most of any text,
    and its spaces and line breaks in every script) has a zero high byte: the NUL bytes fall on odd
    offsets (little-endian) or on even ones (big-endian), and hardly ever on the other side. Binary data
    has NULs on both sides. A file that looks so must also decode cleanly, without control characters.
    """
    sample = data[: SAMPLE_BYTES - SAMPLE_BYTES % 2]
    if len(data) % 2 or len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd >= pairs * 0.1 and even <= odd * 0.02:
        encoding, order = "utf-16-le", "little-endian"
    elif even >= pairs * 0.1 and odd <= even * 0.02:
        encoding, order = "utf-16-be", "big-endian"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    head = text[: SAMPLE_BYTES // 2]
    control = sum(1 for char in head if ord(char) in CONTROL_BYTES or char == "\x00")
    if "\x00" in head or control / len(head) > 0.02:
        return None
    return text, order


META_CHARSET_PATTERN = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def html_declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a <meta> tag near its start."""
    match = META_CHARSET_PATTERN.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _newlines(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
