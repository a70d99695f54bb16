"""JSON (one object or a list), JSON Lines and CSV, with the fields title, text, url, outlet, published_at.

Only `text` is required. Unknown extra fields are ignored.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

from articles.importing.errors import ImportFailure
from articles.importing.html import domain_of, parse_date
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import split_article, text_paragraphs

FIELDS = ("title", "text", "url", "outlet", "published_at")


def read_json(text: str, name: str) -> list[Entry]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(
            f"{name} line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg})"
        ) from None
    if isinstance(document, dict):
        return [record_entry(document, name, "json")]
    if not isinstance(document, list):
        raise ImportFailure(
            f"{name}: expected a JSON object or a list of objects, found {_json_type(document)}"
        )
    if not document:
        raise ImportFailure(f"{name}: an empty list, no articles")
    return [
        record_entry(item, f"{name} entry {number}", "json") for number, item in enumerate(document, start=1)
    ]


def read_json_lines(text: str, name: str) -> list[Entry]:
    entries: list[Entry] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        label = f"{name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            entries.append(
                Entry(label=label, error=f"{label}, column {exc.colno}: malformed JSON ({exc.msg})")
            )
            continue
        entries.append(record_entry(record, label, "jsonl"))
    if not entries:
        raise ImportFailure(f"{name}: no lines with JSON objects")
    return entries


def read_csv(text: str, name: str) -> list[Entry]:
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise ImportFailure(f"{name} line 1: malformed CSV ({exc})") from None
    columns = [column.strip().lower() for column in header]
    named = [column for column in columns if column in FIELDS]
    found = ", ".join(repr(column) for column in columns[:8] if column) or "nothing"
    if not named:
        raise ImportFailure(
            f"{name}: the header row names none of the fields {', '.join(FIELDS)} (found {found})"
        )
    if "text" not in named:
        raise ImportFailure(f"{name}: the header row has no 'text' column (found {found})")
    entries: list[Entry] = []
    row_start = reader.line_num + 1
    try:
        for row in reader:
            label = f"{name} line {row_start}"
            row_start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            record = {column: cell for column, cell in zip(columns, row, strict=False) if column in FIELDS}
            raw = json.dumps(dict(zip(columns, row, strict=False)), ensure_ascii=False)
            entries.append(record_entry(record, label, "csv", raw_input=raw))
    except csv.Error as exc:
        label = f"{name} line {row_start}"
        entries.append(
            Entry(label=label, error=f"{label}: malformed CSV ({exc}); the rest of the file was not read")
        )
    if not entries:
        raise ImportFailure(f"{name}: no rows after the header")
    return entries


def record_entry(record: Any, label: str, source_format: str, raw_input: str | None = None) -> Entry:
    """One article from a JSON object or CSV row; a row that cannot be used fails alone."""
    if not isinstance(record, dict):
        return Entry(label=label, error=f"{label}: expected a JSON object, found {_json_type(record)}")
    text = record.get("text")
    if text is None:
        return Entry(label=label, error=f"{label}: no 'text' field")
    if not isinstance(text, str):
        return Entry(label=label, error=f"{label}: the 'text' field is {_json_type(text)}, not a string")
    if not text.strip():
        return Entry(label=label, error=f"{label}: the 'text' field is empty")
    warnings: list[str] = []
    title = _string_field(record, "title", label, warnings)
    url = _string_field(record, "url", label, warnings)
    if url and not url.lower().startswith(("http://", "https://")):
        warnings.append(f"{label}, field 'url': not an http(s) address ({url[:80]!r}); left empty")
        url = ""
    outlet = _string_field(record, "outlet", label, warnings)
    published_raw = _string_field(record, "published_at", label, warnings)
    published_at = parse_date(published_raw)
    if published_raw and published_at is None:
        warnings.append(
            f"{label}, field 'published_at': not an ISO 8601 date ({published_raw[:40]!r}); left empty"
        )
    parts = split_article(text_paragraphs(text.replace("\r\n", "\n")), title=" ".join(title.split()))
    if not parts.body:
        return Entry(label=label, error=f"{label}: the 'text' field holds only a headline")
    article = ParsedArticle(
        title=parts.title,
        standfirst=parts.standfirst,
        byline=parts.byline,
        body=parts.body,
        url=url[:2000],
        published_at=published_at,
        outlet_name=" ".join(outlet.split()),
        outlet_domain=domain_of(url),
        source_format=source_format,
        raw_input=raw_input if raw_input is not None else json.dumps(record, ensure_ascii=False),
        source_name=label,
    )
    return Entry(label=label, article=article, warnings=warnings)


def _string_field(record: dict, field: str, label: str, warnings: list[str]) -> str:
    value = record.get(field)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    warnings.append(f"{label}, field '{field}': {_json_type(value)}, not a string; ignored")
    return ""


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    for kind, label in names.items():
        if isinstance(value, kind):
            return label
    return "a number" if isinstance(value, int | float) else type(value).__name__
