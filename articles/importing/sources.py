"""What an import is given: files, folders, URLs or pasted text, as ImportSource values."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from articles.importing.records import SourceDetails
from articles.rules import is_http_url

OTHER_SCHEME_PATTERN = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class ImportSource:
    """One thing to import.

    `name` is what people see in messages (a file path, a URL or a label such as "pasted text"). Exactly one
    of `data` (the file's bytes or pasted text) and `url` (a page or feed to fetch) is normally set.
    `format_hint` is one of the SourceFormat values ("text", "markdown", "html", "feed", "json", "jsonl",
    "csv", "paste") when the caller knows better than the file name. `error` marks a source already known to
    be unreadable (a missing file, a file over the size limit); it is recorded as a failed item unread.
    `details` (outlet, URL, date) are stored on every article read from the source, over what it says itself.
    """

    name: str
    data: bytes | None = None
    url: str | None = None
    format_hint: str | None = None
    error: str | None = None
    details: SourceDetails | None = None


def sources_from_paths(paths: list[str], max_bytes: int | None = None) -> list[ImportSource]:
    """Files as given, folders read recursively (hidden files and folders skipped), URLs passed through.

    A path that does not exist or cannot be read, and a file larger than `max_bytes` (default:
    settings.IMPORT_MAX_FILE_BYTES), becomes a source carrying its error, so it is reported with the rest of
    the batch instead of stopping it. A file over the limit is never read into memory.

    A folder's manifest.json (see articles.importing.manifest) is not imported: it gives its files' outlets,
    URLs and dates; each of its problems becomes a failed source of its own, and the files import anyway.
    """
    from articles.importing.manifest import MANIFEST_NAME, read_manifest

    if max_bytes is None:
        from django.conf import settings

        max_bytes = settings.IMPORT_MAX_FILE_BYTES
    sources: list[ImportSource] = []
    for raw in paths:
        value = raw.strip()
        if is_http_url(value):
            sources.append(ImportSource(name=value, url=value))
        elif OTHER_SCHEME_PATTERN.match(value):
            sources.append(
                ImportSource(name=value, error=f"{value}: only http:// and https:// addresses can be fetched")
            )
        else:
            path = Path(value)
            if path.is_dir():
                files = _files_in(path)
                manifest = path / MANIFEST_NAME
                details: dict[Path, SourceDetails] = {}
                problems: list[str] = []
                if manifest in files:
                    files.remove(manifest)
                    details, problems = read_manifest(manifest, files, max_bytes)
                sources.extend(_file_source(file, max_bytes, details.get(file)) for file in files)
                sources.extend(ImportSource(name=str(manifest), error=problem) for problem in problems)
            else:
                sources.append(_file_source(path, max_bytes))
    return sources


def _files_in(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / name for name in sorted(files) if not name.startswith("."))
    return found


def _file_source(path: Path, max_bytes: int, details: SourceDetails | None = None) -> ImportSource:
    name = str(path)
    try:
        if not path.exists():
            return ImportSource(name=name, error=f"{name}: no such file or folder")
        if not path.is_file():
            return ImportSource(name=name, error=f"{name}: not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            return ImportSource(
                name=name, error=f"{name}: {size_label(size)}, over the {size_label(max_bytes)} limit"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return ImportSource(name=name, error=f"{name}: cannot be read ({exc.strerror or exc})")
    return ImportSource(name=name, data=data, details=details)


def size_label(size: int) -> str:
    """A byte count for people: 5 MB, 740 KB, 12 bytes."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"
