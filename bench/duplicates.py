"""Near-duplicate detection at import: the inverted index against comparing with every text, in one run.

    .venv/bin/python bench/duplicates.py [PATH] [--articles 1000]

Adds the first N distinct documents of a Multi-News style file (default: multinews-val.jsonl) to a
story one at a time, as an import does (each new text is first matched against those before it), once with
articles.nlp.duplicates.NearDuplicateIndex and once with the plain scan over every earlier text (the
baseline, the workbench's method before the index), checks both find the same matches, and prints seconds and
the ratio. A benchmark, not a test: it asserts nothing but that the answers agree.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from articles.nlp.duplicates import NearDuplicateIndex, NearMatch, shingles, similarity  # noqa: E402
from bench.load import DEFAULT_PATH, load_documents  # noqa: E402

THRESHOLD = 0.8


def plain_scan(texts: list[str]) -> list[NearMatch | None]:
    seen: list[tuple[int, frozenset[str]]] = []
    found = []
    for number, text in enumerate(texts):
        probe = shingles(text)
        best = None
        for key, other in seen:
            score = similarity(probe, other)
            if score >= THRESHOLD and (best is None or score > best.similarity):
                best = NearMatch(key, score)
        found.append(best)
        seen.append((number, probe))
    return found


def indexed(texts: list[str]) -> list[NearMatch | None]:
    index = NearDuplicateIndex(THRESHOLD)
    found = []
    for number, text in enumerate(texts):
        found.append(index.best_match(text))
        index.add(number, text)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    texts = [text for _, text in load_documents(args.path, args.articles)]
    # Some wire copies, so that there is something to find: every tenth text again, lightly cut.
    texts += [text[: int(len(text) * 0.9)] for text in texts[::10]]
    rows = []
    for name, method in (("scan every earlier text (baseline)", plain_scan), ("inverted index", indexed)):
        started = time.perf_counter()
        result = method(texts)
        rows.append((name, time.perf_counter() - started, result))
    assert [(m.key, round(m.similarity, 9)) if m else None for m in rows[0][2]] == [
        (m.key, round(m.similarity, 9)) if m else None for m in rows[1][2]
    ], "the index must find exactly what the scan finds"
    copies = sum(m is not None for m in rows[1][2])
    print(f"{len(texts)} texts, {copies} near-duplicates found (the same by both methods)\n")
    print("| method | seconds | texts/s | × baseline |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds, _ in rows:
        print(f"| {name} | {seconds:.2f} | {len(texts) / seconds:.0f} | {rows[0][1] / seconds:.1f} |")


if __name__ == "__main__":
    main()
