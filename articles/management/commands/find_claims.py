"""Claims and discrepancies of clusters of documents from a JSON Lines file, with the story synthesis' engine,
no database.

    python manage.py find_claims INPUT.jsonl --output OUT.jsonl

Each input line is {"id": ..., "documents": ["text", ...]}; each output line is

    {"id": ..., "claims": [{"support": 2, "sentences": [{"doc": 0, "start": 120, "end": 211}, ...]}, ...],
     "discrepancies": [{"kind": "number", "a": {"doc": 0, "start": 10, "end": 80},
                        "b": {"doc": 2, "start": 300, "end": 390},
                        "value_a": "40 ships", "value_b": "50 ships"}]}

Offsets are character offsets into the given document string (end exclusive). Every sentence that is not
junk (furniture, a heading, a fragment) is in exactly one claim, support-1 claims included. A bad line is
reported on standard error as INPUT.jsonl:LINE: reason and skipped; exit status 1 if any failed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.management.commands.summarize_clusters import BadLine, parse_cluster
from articles.nlp.synthesis import Synthesis, documents_from_texts, synthesize
from articles.services.synthesis import synthesis_params


def claims_record(cluster_id: Any, synthesis: Synthesis, documents: list) -> dict[str, Any]:
    """The output line of one cluster."""
    table = synthesis.brief.table
    span_of = {(d, span.index): span for d, document in enumerate(documents) for span in document.sentences}

    def where(row: int) -> dict[str, int]:
        ref = table.refs[row]
        span = span_of[(ref.document, ref.sentence)]
        return {"doc": ref.document, "start": span.start, "end": span.end}

    claims = [
        {"support": claim.support, "sentences": sorted((where(row) for row in claim.members), key=_order)}
        for claim in synthesis.brief.claims
    ]
    discrepancies = [
        {
            "kind": flag.kind,
            "a": where(flag.row_a),
            "b": where(flag.row_b),
            "value_a": flag.value_a,
            "value_b": flag.value_b,
        }
        for flag in synthesis.flags
    ]
    return {"id": cluster_id, "claims": claims, "discrepancies": discrepancies}


def _order(where: dict[str, int]) -> tuple[int, int]:
    return where["doc"], where["start"]


class Command(BaseCommand):
    help = "Write the claims and discrepancies of each cluster of documents in a JSON Lines file."

    def add_arguments(self, parser):
        parser.add_argument(
            "input", type=Path, help='JSON Lines: {"id": ..., "documents": ["text", ...]} per line.'
        )
        parser.add_argument(
            "--output", type=Path, help="Where to write the claims (default: standard output)."
        )

    def handle(self, *args, input: Path, output: Path | None, **options):
        if not input.is_file():
            raise CommandError(f"{input}: no such file.")
        params = synthesis_params()
        failures: list[str] = []
        done = 0
        out = output.open("w", encoding="utf-8") if output else self.stdout
        try:
            with input.open(encoding="utf-8", errors="replace") as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    try:
                        cluster_id, texts = parse_cluster(line)
                    except BadLine as exc:
                        failures.append(f"{input}:{number}: {exc}")
                        self.stderr.write(failures[-1])
                        continue
                    documents = documents_from_texts(
                        texts,
                        model=settings.SPACY_MODEL,
                        near_duplicate_threshold=settings.IMPORT_NEAR_DUPLICATE_THRESHOLD,
                    )
                    record = claims_record(cluster_id, synthesize(documents, params), documents)
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    done += 1
        finally:
            if output:
                out.close()
        if failures:
            raise CommandError(
                f"{len(failures)} line(s) of {input} could not be read (see above); {done} were."
            )
        if output:
            self.stderr.write(f"Wrote the claims of {done} cluster(s) to {output}.")
