"""Group a stream of articles into stories, with the workbench's online clustering, no database.

    python manage.py cluster_stories INPUT.jsonl --output OUT.jsonl [--threshold 0.275] [--window-days 7]

Each input line is {"id": ..., "text": "...", "title"?: "...", "published_at"?: "2025-04-08T09:30:00+02:00"},
read in the given order as a stream; each output line is {"id": ..., "story": N}, where N numbers the stories
in the order they started (1 is the story of the first article). A bad line is reported on standard error as
INPUT.jsonl:LINE: reason and skipped; exit status 1 if any failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.nlp.stories import StoryParams, StreamArticle, cluster_stream


class BadLine(ValueError):
    pass


def parse_article(line: str) -> StreamArticle:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise BadLine('expected a JSON object with "id" and "text"')
    if "id" not in record:
        raise BadLine('missing "id"')
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        raise BadLine('"id" must be a string or a number')
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine('"text" must be the article text (a string)')
    if not text.strip():
        raise BadLine('"text" is empty')
    title = record.get("title") or ""
    if not isinstance(title, str):
        raise BadLine('"title" must be a string when given')
    return StreamArticle(record["id"], text, title, parse_published_at(record.get("published_at")))


def parse_published_at(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadLine('"published_at" must be an ISO 8601 date or time, such as "2025-04-08T09:30:00+02:00"')
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(
            f'"published_at" is not an ISO 8601 date or time ({value[:40]!r}); write it like '
            '"2025-04-08" or "2025-04-08T09:30:00+02:00"'
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # a time without a zone is read as UTC


class Command(BaseCommand):
    help = "Group the articles of a JSON Lines stream into stories (online, in the given order)."

    def add_arguments(self, parser):
        defaults = StoryParams()
        parser.add_argument(
            "input", type=Path, help='JSON Lines: {"id", "text", "title"?, "published_at"?} per line.'
        )
        parser.add_argument(
            "--output", type=Path, help="Where to write the stories (default: standard output)."
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=defaults.threshold,
            help=f"Evidence an article needs to join a story (default {defaults.threshold}).",
        )
        parser.add_argument(
            "--window-days",
            type=float,
            default=defaults.window_days,
            help="Dated articles join only stories with an article this many days away at most "
            f"(default {defaults.window_days}).",
        )

    def handle(
        self, *args, input: Path, output: Path | None, threshold: float, window_days: float, **options
    ):
        if not 0 < threshold <= 1:
            raise CommandError(f"--threshold must be above 0 and at most 1 (got {threshold}).")
        if window_days <= 0:
            raise CommandError(f"--window-days must be above 0 (got {window_days}).")
        if not input.is_file():
            raise CommandError(f"{input}: no such file.")
        params = StoryParams(threshold=threshold, window_days=window_days)
        failures: list[str] = []
        done = 0
        stories: dict[int, int] = {}

        def articles(lines) -> Iterator[StreamArticle]:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    yield parse_article(line)
                except BadLine as exc:
                    failures.append(f"{input}:{number}: {exc}")
                    self.stderr.write(failures[-1])

        out = output.open("w", encoding="utf-8") if output else self.stdout
        try:
            with input.open(encoding="utf-8", errors="replace") as lines:
                for article, assignment in cluster_stream(
                    articles(lines), params, model=settings.SPACY_MODEL
                ):
                    story = stories.setdefault(assignment.story, len(stories) + 1)
                    out.write(json.dumps({"id": article.id, "story": story}, ensure_ascii=False) + "\n")
                    done += 1
        finally:
            if output:
                out.close()
        if failures:
            raise CommandError(
                f"{len(failures)} line(s) of {input} could not be read (see above); {done} were."
            )
        if output:
            self.stderr.write(f"Wrote the stories of {done} article(s) ({len(stories)} stories) to {output}.")
