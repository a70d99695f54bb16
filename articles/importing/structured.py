"""JSON (one object or a list), JSON Lines and CSV, with the fields title, text, url, outlet, published_at.

Only `text` is required. Unknown extra fields are ignored. A file with more articles than `max_entries`
(settings.IMPORT_MAX_ENTRIES) is refused as a whole, naming the limit: nothing is cut silently. A CSV file's
delimiter (comma, semicolon, tab or vertical bar) is the one under which its header names the fields, and a
row that does not split into the header's columns fails alone instead of becoming a garbled article.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from typing import Any

from articles.importing.errors import ImportFailure
from articles.importing.html import domain_of, is_date_only, parse_date
from articles.importing.records import Entry, ParsedArticle
from articles.importing.text import split_article, text_paragraphs
from articles.importing.urls import check_url, shown_url
from articles.rules import is_http_url

FIELDS = ("title", "text", "url", "outlet", "published_at")
# The default of settings.IMPORT_MAX_ENTRIES: articles in one JSON, JSON Lines or CSV file.
MAX_ENTRIES = 1000
CSV_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars (|)"}
NESTED_TOO_DEEPLY = (
    "the JSON is nested too deeply (lists or objects inside each other hundreds of levels deep); an article "
    'is one flat object such as {"title": "…", "text": "…"}'
)


def read_json(text: str, name: str, *, max_entries: int = MAX_ENTRIES) -> list[Entry]:
    return json_records(load_json(text, name), name, max_entries=max_entries)


def load_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(
            f"{name} line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise ImportFailure(f"{name}: {NESTED_TOO_DEEPLY}") from None


def json_records(document: Any, name: str, *, max_entries: int = MAX_ENTRIES) -> list[Entry]:
    """The workbench's own JSON: one record object, or a list of them."""
    if isinstance(document, dict):
        return [record_entry(document, name, "json")]
    if not isinstance(document, list):
        raise ImportFailure(
            f"{name}: expected a JSON object or a list of objects, found {_json_type(document)}"
        )
    if not document:
        raise ImportFailure(f"{name}: an empty list, no articles")
    _refuse_over(len(document), max_entries, name, "entries")
    return [
        record_entry(item, f"{name} entry {number}", "json") for number, item in enumerate(document, start=1)
    ]


def read_json_lines(text: str, name: str, *, max_entries: int = MAX_ENTRIES) -> list[Entry]:
    lines = [(number, line) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    _refuse_over(len(lines), max_entries, name, "lines")
    entries: list[Entry] = []
    for number, line in lines:
        label = f"{name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            entries.append(
                Entry(label=label, error=f"{label}, column {exc.colno}: malformed JSON ({exc.msg})")
            )
            continue
        except RecursionError:
            entries.append(Entry(label=label, error=f"{label}: {NESTED_TOO_DEEPLY}"))
            continue
        entries.append(record_entry(record, label, "jsonl"))
    if not entries:
        raise ImportFailure(f"{name}: no lines with JSON objects")
    return entries


def read_csv(text: str, name: str, *, max_entries: int = MAX_ENTRIES) -> list[Entry]:
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))
    delimiter = csv_delimiter(text)
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
            f"{name}: the header row names none of the fields {', '.join(FIELDS)} (found {found}); the "
            "first line must name the columns, separated by commas, semicolons, tabs or vertical bars"
        )
    if "text" not in named:
        raise ImportFailure(f"{name}: the header row has no 'text' column (found {found})")
    shown_columns = ", ".join(column or "(blank)" for column in columns)
    other = _rows_delimiter(text, delimiter, len(columns))
    if other:
        raise ImportFailure(
            f"{name}: the header row is separated by {CSV_DELIMITERS[delimiter]} but the rows by "
            f"{CSV_DELIMITERS[other]}, so the rows cannot be matched to the columns {shown_columns}; "
            "separate the header and every row the same way"
        )
    rows: list[tuple[str, list[str]]] = []
    broken: Entry | None = None
    row_start = reader.line_num + 1
    try:
        for row in reader:
            label = f"{name} line {row_start}"
            row_start = reader.line_num + 1
            if any(cell.strip() for cell in row):
                rows.append((label, row))
    except csv.Error as exc:
        label = f"{name} line {row_start}"
        broken = Entry(
            label=label, error=f"{label}: malformed CSV ({exc}); the rest of the file was not read"
        )
    _refuse_over(len(rows), max_entries, name, "rows")
    entries: list[Entry] = []
    for label, row in rows:
        extra = row[len(columns) :]
        if len(row) < len(columns) or any(cell.strip() for cell in extra):
            entries.append(
                Entry(
                    label=label,
                    error=(
                        f"{label}: {len(row)} value{'s' if len(row) != 1 else ''} where the header has "
                        f"{len(columns)} columns ({shown_columns}), so the row cannot be matched to them; "
                        f"separate it with {CSV_DELIMITERS[delimiter]} like the header, and put a value "
                        "that holds the delimiter in double quotes"
                    ),
                )
            )
            continue
        record = {column: cell for column, cell in zip(columns, row, strict=False) if column in FIELDS}
        raw = dict(zip(columns, row, strict=False))
        entries.append(record_entry(record, label, "csv", raw_record=raw))
    if broken is not None:
        entries.append(broken)
    if not entries:
        raise ImportFailure(f"{name}: no rows after the header")
    return entries


def csv_delimiter(text: str) -> str:
    """The delimiter under which the header row names the most fields; csv.Sniffer (restricted to the
    delimiters of CSV_DELIMITERS) breaks a tie, then the count on the header line."""
    header = text.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(text[:16384], delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""

    def score(delimiter: str) -> tuple[int, bool, int]:
        try:
            cells = next(csv.reader([header], delimiter=delimiter), [])
        except csv.Error:
            cells = []
        named = len({cell.strip().lower() for cell in cells} & set(FIELDS))
        return named, delimiter == sniffed, header.count(delimiter)

    return max(CSV_DELIMITERS, key=score)


def _rows_delimiter(text: str, delimiter: str, columns: int) -> str | None:
    """Another delimiter, absent from the header line, that splits the first rows into the header's number of
    columns (nine in ten of them at least) more often than the header's own delimiter does: a file whose
    header and rows were written differently, whose rows would otherwise become garbled articles."""
    header_line = text.split("\n", 1)[0]

    def fitting(candidate: str) -> float:
        try:
            reader = csv.reader(io.StringIO(text), delimiter=candidate)
            rows = [row for row in itertools.islice(reader, 1, 51) if any(cell.strip() for cell in row)]
        except csv.Error:
            return 0.0
        return sum(len(row) == columns for row in rows) / len(rows) if rows else 0.0

    own = fitting(delimiter)
    for other in CSV_DELIMITERS:
        if other != delimiter and other not in header_line:
            share = fitting(other)
            if share >= 0.9 and share > own:
                return other
    return None


def _refuse_over(count: int, max_entries: int, name: str, what: str) -> None:
    if count > max_entries:
        raise ImportFailure(
            f"{name}: {count:,} {what} of articles, over the limit of {max_entries:,} per file "
            f"(IMPORT_MAX_ENTRIES); nothing was imported from it: split it into files of at most "
            f"{max_entries:,} {what} and import those"
        )


def record_entry(record: Any, label: str, source_format: str, raw_record: dict | None = None) -> Entry:
    """One article from a JSON object or CSV row; a row that cannot be used fails alone. `raw_record` is
    the audit copy when it is not `record` itself (a CSV row with all its columns)."""
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
    raw = dict(raw_record if raw_record is not None else record)
    url = _string_field(record, "url", label, warnings)
    if url and not is_http_url(url):
        warnings.append(f"{label}, field 'url': not an http(s) address ({shown_url(url)!r}); left empty")
        url = ""
    elif url:
        checked = check_url(url, f"{label}, field 'url'")
        if checked.problem:
            warnings.append(f"{checked.problem}; left empty")
        elif checked.warning:
            warnings.append(checked.warning)
            raw["url"] = checked.url  # not even the audit copy keeps the password
        url = checked.url
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
    try:
        raw_input = json.dumps(raw, ensure_ascii=False)
    except RecursionError:
        return Entry(label=label, error=f"{label}: {NESTED_TOO_DEEPLY}")
    article = ParsedArticle(
        title=parts.title,
        standfirst=parts.standfirst,
        byline=parts.byline,
        body=parts.body,
        url=url,
        published_at=published_at,
        published_time_known=not is_date_only(published_raw),
        outlet_name=" ".join(outlet.split()),
        outlet_domain=domain_of(url),
        source_format=source_format,
        raw_input=raw_input,
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
    return "a number" if isinstance(value, int | float) else "a value of another kind"
