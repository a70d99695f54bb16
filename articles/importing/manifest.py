"""A folder's manifest.json: the outlet, web address and date of the files beside it.

    {
      "about": "Free text, for people (optional).",
      "files": {
        "000_062758445608dbed.txt": {"outlet": "Harbour Gazette", "url": "https://…",
                                     "published_at": "2025-04-08"},
        "nested/wire.md": {"outlet": "Port News"}
      }
    }

File names are relative to the folder holding the manifest; every field of an entry is optional. What a
manifest says wins over what a file says of itself. A manifest that cannot be read, an entry for a file that
is not there and a field that is not valid are problems, each named for the person importing; the files
import anyway (a bad field is left out, the entry's other fields kept). Plain Python: no Django needed.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from articles.importing.html import parse_date
from articles.importing.records import SourceDetails
from articles.importing.urls import check_url, shown_url, valid_http_url

MANIFEST_NAME = "manifest.json"
ENTRY_FIELDS = ("outlet", "url", "published_at")
TOP_LEVEL_FIELDS = ("about", "files")
EXAMPLE = '{"files": {"article.txt": {"outlet": "…", "url": "https://…", "published_at": "2025-04-08"}}}'


def read_manifest(
    manifest: Path, files: list[Path], max_bytes: int
) -> tuple[dict[Path, SourceDetails], list[str]]:
    """The details of each file the manifest names (among `files`), and the problems found, each a sentence
    starting with the manifest's path."""
    name = str(manifest)
    try:
        if manifest.stat().st_size > max_bytes:
            return {}, [f"{name}: too large to be a manifest; the files are imported without it"]
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return {}, [f"{name}: cannot be read ({reason}); the files are imported without it"]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, [
            f"{name} line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
            "the files are imported without it"
        ]
    except RecursionError:
        return {}, [
            f"{name}: not a manifest (nested too deeply; expected an object such as {EXAMPLE}); "
            "the files are imported without it"
        ]
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {}, [
            f"{name}: not a manifest (expected an object such as {EXAMPLE}); "
            "the files are imported without it"
        ]
    problems = [
        f"{name}: unknown field “{key}” (a manifest has {', '.join(TOP_LEVEL_FIELDS)})"
        for key in data
        if key not in TOP_LEVEL_FIELDS
    ]
    folder = manifest.parent
    by_name = {PurePosixPath(file.relative_to(folder).as_posix()): file for file in files}
    details: dict[Path, SourceDetails] = {}
    for entry_name, entry in data["files"].items():
        file = by_name.get(PurePosixPath(str(entry_name).replace("\\", "/")))
        if file is None:
            problems.append(f"{name}: lists “{entry_name}”, which is not in {folder}")
            continue
        if not isinstance(entry, dict):
            problems.append(
                f"{name}: the entry for “{entry_name}” is not an object (such as "
                '{"outlet": "…"}); the file is imported without it'
            )
            continue
        fields, entry_problems = _entry_details(entry)
        problems.extend(f"{name}: “{entry_name}”: {problem}" for problem in entry_problems)
        if any(fields.values()):
            details[file] = SourceDetails(**fields)
    return details, problems


def _entry_details(entry: dict) -> tuple[dict[str, str], list[str]]:
    fields = {key: "" for key in ENTRY_FIELDS}
    problems = [
        f"unknown field “{key}” (an entry has {', '.join(ENTRY_FIELDS)}); left out"
        for key in entry
        if key not in ENTRY_FIELDS
    ]
    for key in ENTRY_FIELDS:
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(f"{key} is not text; left out")
            continue
        value = " ".join(value.split())
        if key == "url" and value:
            checked = check_url(value, "url")
            if checked.problem:
                problems.append(f"{checked.problem}; left out")
                continue
            if checked.warning:
                problems.append(checked.warning)
            value = checked.url
        if key == "outlet" and len(value) > 200:
            problems.append("outlet is longer than 200 characters; left out")
        elif key == "url" and value and not valid_http_url(value):
            problems.append(f"url “{shown_url(value)}” is not an http(s) address; left out")
        elif key == "published_at" and value and parse_date(value) is None:
            problems.append(
                f"published_at “{value}” is not a date (write 2025-04-08 or 2025-04-08T14:30+02:00); left out"
            )
        else:
            fields[key] = value
    return fields, problems
