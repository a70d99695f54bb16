"""Importing coverage: files, folders, URLs, feeds, JSON and CSV into a story's articles.

Front doors (the import_articles command, the web form, the Celery task) call the service:
`create_import_batch(story, sources)` records what was given, `run_import_batch(batch_id)` reads and
stores it. The readers (text, html, feeds, structured) are plain Python and need no Django; the service is
loaded on first use so that importing a reader does not require configured settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from articles.importing.errors import BatchRejected, ImportFailure
from articles.importing.sources import ImportSource, sources_from_paths

if TYPE_CHECKING:
    from articles.importing.service import create_import_batch, run_import_batch

__all__ = [
    "BatchRejected",
    "ImportFailure",
    "ImportSource",
    "create_import_batch",
    "run_import_batch",
    "sources_from_paths",
]

_SERVICE_NAMES = {"create_import_batch", "run_import_batch"}


def __getattr__(name: str) -> Any:
    if name in _SERVICE_NAMES:
        from articles.importing import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
