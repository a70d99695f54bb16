"""Speed of the candidate brief's `select` stage against sumy LexRank, on the same sentences in the same run.

    .venv/bin/python bench/speed.py [PATH.jsonl] [--sizes 500,5000,50000] [--sumy-max 5000]

Stories of N sentences are built from the Multi-News clusters' articles in file order (cycling through the
file again when it has fewer sentences than N, as a big breaking event's many rewrites would). Segmentation is
done before timing; `select` is everything after it: vectors, similarity, ranking, claims, redundancy removal,
order.

sumy's LexRank fills an N x N dense matrix in pure Python, so its time grows with N squared. It is timed for
real up to --sumy-max sentences (5,000: about three minutes); beyond that its time is extrapolated from the
largest measured size by the N squared law and marked as such. Peak memory of our select is measured with
tracemalloc in a separate pass (so tracing does not slow the timed pass); sumy's is the size of its dense
matrix, which dominates it. "Pairs kept" counts the sentence pairs held by our two sparse graphs (the
centrality graph, each sentence's nearest neighbours; the fact graph, every pair a claim could use plus each
sentence's nearest weaker ones): memory grows with them, not with N².
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import DEFAULT_DATA, lexrank_summary, load_clusters, segment_many, sumy_lexrank  # noqa: E402

from articles.nlp.brief import BriefParams, select_brief  # noqa: E402
from articles.nlp.claims import SourceDocument  # noqa: E402
from articles.nlp.types import SentenceSpan  # noqa: E402


def build_story(clusters: list[dict], sentence_count: int) -> list[SourceDocument]:
    """Articles from the clusters, in order and cycling, until the story holds `sentence_count` usable
    sentences."""
    documents: list[SourceDocument] = []
    total = 0
    while total < sentence_count:
        for cluster in clusters:
            for spans in segment_many(cluster["documents"]):
                kept = [s for s in spans if not s.is_boilerplate][: sentence_count - total]
                if not kept:
                    continue
                kept = [SentenceSpan(i, s.start, s.end, s.text) for i, s in enumerate(kept)]
                documents.append(SourceDocument(sentences=kept, source=f"article {len(documents) + 1}"))
                total += len(kept)
                if total >= sentence_count:
                    return documents
    return documents


def time_ours(
    documents: list[SourceDocument], params: BriefParams
) -> tuple[float, tuple[int, int], dict[str, float]]:
    gc.collect()
    started = time.perf_counter()
    result = select_brief(documents, params)
    elapsed = time.perf_counter() - started
    return elapsed, (result.table.graph.nnz // 2, result.table.facts.nnz // 2), result.timings


def peak_memory_ours(documents: list[SourceDocument], params: BriefParams) -> int:
    gc.collect()
    tracemalloc.start()
    select_brief(documents, params)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def time_sumy(sentences: list[str], words: int) -> float:
    gc.collect()
    summarizer = sumy_lexrank()
    started = time.perf_counter()
    lexrank_summary(sentences, words, summarizer)
    return time.perf_counter() - started


def megabytes(value: float) -> str:
    return f"{value / 2**20:,.0f} MB" if value >= 2**20 else f"{value / 2**10:,.0f} kB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument(
        "--sumy-max", type=int, default=5000, help="largest story sumy runs on; larger ones are extrapolated"
    )
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path}: no such file (pass the Multi-News JSONL path as the first argument)")
    sizes = [int(size) for size in args.sizes.split(",")]
    clusters = load_clusters(args.path)
    params = BriefParams(word_budget=args.words)

    rows = []
    measured: tuple[int, float] | None = None  # (size, seconds) of sumy's largest real run
    for size in sizes:
        documents = build_story(clusters, size)
        sentences = [span.text for document in documents for span in document.sentences]
        ours, pairs, stages = time_ours(documents, params)
        peak = peak_memory_ours(documents, params)
        if size <= args.sumy_max or measured is None:
            sumy_seconds, how = time_sumy(sentences, args.words), "measured"
            measured = (size, sumy_seconds)
        else:
            sumy_seconds = measured[1] * (size / measured[0]) ** 2
            how = f"extrapolated (N² from {measured[0]:,})"
        rows.append((size, len(documents), ours, pairs, peak, sumy_seconds, how, stages))
        print(
            f"... {size:,} sentences: ours {ours:.2f} s, sumy {sumy_seconds:.1f} s ({how})", file=sys.stderr
        )

    print(f"# Speed of `select` against sumy LexRank ({args.words}-word brief, same sentences, same run)\n")
    print(
        "| sentences | articles | ours: select | sumy LexRank | speed-up | pairs kept (graph + facts) "
        "| ours: peak memory | sumy: dense matrix |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size, articles, ours, (graph_pairs, fact_pairs), peak, sumy_seconds, how, _ in rows:
        print(
            f"| {size:,} | {articles:,} | {ours:.2f} s | {sumy_seconds:,.1f} s ({how}) "
            f"| {sumy_seconds / ours:,.0f}× "
            f"| {graph_pairs:,} + {fact_pairs:,} | {megabytes(peak)} | {megabytes(8 * size * size)} |"
        )
    print("\nOur select by step (seconds):\n")
    print(
        "| sentences | vectors + similarity | ranking + claims | redundancy + order |\n"
        "| --- | --- | --- | --- |"
    )
    for size, *_, stages in rows:
        print(
            f"| {size:,} | {stages['vectors_similarity']:.2f} | {stages['ranking_claims']:.2f} "
            f"| {stages['redundancy_order']:.2f} |"
        )


if __name__ == "__main__":
    main()
