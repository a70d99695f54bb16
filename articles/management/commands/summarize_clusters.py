"""Summarise clusters of documents from a JSON Lines file, with the story's candidate-brief code, no database.

    python manage.py summarize_clusters INPUT.jsonl --words 250 --output OUT.jsonl [--timings]

Each input line is {"id": ..., "documents": ["text", ...]}; each output line is {"id": ..., "summary": "..."}.
A bad line is reported with its line number and skipped; the others are still summarised.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.nlp.brief import cluster_documents, select_brief
from articles.nlp.segmentation import segment_many
from articles.services.synthesis import synthesis_params


class BadLine(ValueError):
    pass


def parse_cluster(line: str) -> tuple[Any, list[str]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise BadLine('expected a JSON object with "id" and "documents"')
    if "id" not in record:
        raise BadLine('missing "id"')
    if not isinstance(record["id"], str | int):
        raise BadLine('"id" must be a string or a number')
    documents = record.get("documents")
    if not isinstance(documents, list) or not documents:
        raise BadLine('"documents" must be a non-empty list of texts')
    for number, document in enumerate(documents, start=1):
        if not isinstance(document, str):
            raise BadLine(f'"documents" item {number} is not a text (found {type(document).__name__})')
    if not any(document.strip() for document in documents):
        raise BadLine('every text in "documents" is empty')
    return record["id"], documents


class Command(BaseCommand):
    help = (
        "Write a summary of each cluster of documents in a JSON Lines file (the candidate-brief algorithm)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "input", type=Path, help='JSON Lines: {"id": ..., "documents": ["text", ...]} per line.'
        )
        parser.add_argument(
            "--words", type=int, default=settings.BRIEF_WORD_BUDGET, help="Word budget per summary."
        )
        parser.add_argument(
            "--output", type=Path, help="Where to write the summaries (default: standard output)."
        )
        parser.add_argument(
            "--timings",
            action="store_true",
            help="Print seconds per stage as one JSON object on standard error.",
        )

    def handle(self, *args, input: Path, words: int, output: Path | None, timings: bool, **options):
        if words < 1:
            raise CommandError(f"--words must be at least 1 (got {words}).")
        if not input.is_file():
            raise CommandError(f"{input}: no such file.")
        params = synthesis_params(words)
        seconds = {"read": 0.0, "segment": 0.0, "select": 0.0, "write": 0.0}
        failures: list[str] = []
        done = 0
        started = time.perf_counter()
        out = output.open("w", encoding="utf-8") if output else self.stdout
        try:
            with input.open(encoding="utf-8", errors="replace") as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    t0 = time.perf_counter()
                    try:
                        cluster_id, texts = parse_cluster(line)
                    except BadLine as exc:
                        failures.append(f"{input}:{number}: {exc}")
                        self.stderr.write(failures[-1])
                        continue
                    t1 = time.perf_counter()
                    segmented = segment_many(texts)
                    t2 = time.perf_counter()
                    brief = select_brief(cluster_documents(segmented), params)
                    t3 = time.perf_counter()
                    record = {"id": cluster_id, "summary": brief.text}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    t4 = time.perf_counter()
                    seconds["read"] += t1 - t0
                    seconds["segment"] += t2 - t1
                    seconds["select"] += t3 - t2
                    seconds["write"] += t4 - t3
                    done += 1
        finally:
            if output:
                out.close()
        if timings:
            report = {name: round(value, 4) for name, value in seconds.items()}
            report.update(total=round(time.perf_counter() - started, 4), clusters=done)
            print(json.dumps(report), file=sys.stderr)
        if failures:
            raise CommandError(
                f"{len(failures)} line(s) of {input} could not be summarised (see above); {done} were."
            )
        if output:
            self.stderr.write(f"Wrote {done} summaries to {output}.")
