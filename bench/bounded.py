"""Bounded analysis: summarizer time with the candidate cap against the uncapped algorithm, the whole
analysis of a 40,000-sentence article, the reading page of it, and the cap's effect on ROUGE.

    .venv/bin/python bench/bounded.py [PATH.jsonl] [--sizes 1000,7000,40000] [--uncapped-max 1000]
        [--quality-limit 100] [--skip-analysis] [--skip-page]

Articles of N sentences are built from the Multi-News clusters' documents in file order (cycling when the file
has fewer), segmented once before timing. `capped` is summarize() as the workbench runs it (at most
MAX_CANDIDATES sentences reach the algorithm, pre-selected by position and TF-IDF centroid); `uncapped`
lifts the cap (max_candidates=None) and is timed for real up to --uncapped-max sentences, then extrapolated
by the N squared law and marked "~". Quality: each cluster's documents joined into one article, summarised
to a 250-word budget by each algorithm without a cap, with the default cap and with caps of 50 and 25
candidates, ROUGE F1 against the cluster's reference ("articles narrowed": how many the cap touched).
The whole analysis is timed on two articles of the largest size: short sentences (the shape of the upload
that once froze the site, 40,000 sentences in about 750 KB) and Multi-News sentences. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import DEFAULT_DATA, load_clusters  # noqa: E402

from articles.nlp.segmentation import segment  # noqa: E402
from articles.nlp.summarizers import MAX_CANDIDATES, summarize  # noqa: E402

QUADRATIC = ("lexrank", "textrank", "reduction", "lsa", "sumbasic")


def article_text(clusters: list[dict], sentences: int) -> str:
    """Paragraphs from the clusters' documents, cycling, until the text holds about `sentences` lines."""
    lines: list[str] = []
    while len(lines) < sentences:
        for cluster in clusters:
            for document in cluster["documents"]:
                lines.extend(line.strip() for line in document.split("\n") if len(line.split()) > 3)
                if len(lines) >= sentences:
                    break
            if len(lines) >= sentences:
                break
    return "\n".join(lines)


def prefix(text: str, spans: list, count: int) -> tuple[str, list]:
    kept = spans[:count]
    return text[: kept[-1].end], kept


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def speed_table(text: str, spans: list, sizes: list[int], uncapped_max: int) -> None:
    print(f"## Summary time (s), cap {MAX_CANDIDATES} candidates vs. uncapped\n")
    print("| algorithm | " + " | ".join(f"{n:,} capped | {n:,} uncapped" for n in sizes) + " |")
    print("| --- |" + " --- | --- |" * len(sizes))
    for algorithm in QUADRATIC:
        cells, measured = [], None
        for size in sizes:
            part_text, part = prefix(text, spans, size)
            capped, _ = timed(lambda t=part_text, p=part, a=algorithm: summarize(t, p, a, sentences=3))
            if size <= uncapped_max:
                uncapped, _ = timed(
                    lambda t=part_text, p=part, a=algorithm: summarize(
                        t, p, a, sentences=3, max_candidates=None
                    )
                )
                measured = (size, uncapped)
                shown = f"{uncapped:.1f}"
            elif measured:
                shown = f"~{measured[1] * (size / measured[0]) ** 2:,.0f}"
            else:
                shown = "not run"
            cells.append(f"{capped:.2f} | {shown}")
        print(f"| {algorithm} | " + " | ".join(cells) + " |")
    print()


def short_sentences(count: int) -> str:
    """The hostile upload's shape: `count` short sentences, about 19 characters each, a few per line."""
    words = ("harbour", "port", "fire", "crew", "dock", "ship", "crane", "shed")
    sentences = [f"The {words[n % 8]} {n} {words[n * 7 % 8]}." for n in range(count)]
    return "\n".join(" ".join(sentences[k : k + 5]) for k in range(0, count, 5))


def analysis_rows(texts: dict[str, str]) -> None:
    from articles.nlp.embeddings import embed
    from articles.nlp.entities import analyze_text

    print("## The whole analysis of one long article (no database)\n")
    print("| article | characters | sentences | spaCy in pieces (s) | embeddings (s) | LexRank summary (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, text in texts.items():
        elapsed_nlp, result = timed(lambda t=text: analyze_text(t))
        kept = [s.text for s in result.sentences if not s.is_boilerplate]
        elapsed_embed, _ = timed(lambda k=kept: embed(k))
        elapsed_summary, _ = timed(lambda t=text, r=result: summarize(t, r.sentences, "lexrank", sentences=3))
        print(
            f"| {name} | {len(text):,} | {len(result.sentences):,} | {elapsed_nlp:.1f} |"
            f" {elapsed_embed:.1f} | {elapsed_summary:.2f} |"
        )
    print()


def page_row(sizes: list[int]) -> None:
    """The reading page's time for articles of each size, on a throwaway file-backed SQLite database."""
    folder = tempfile.mkdtemp(prefix="bench-bounded-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.test")
    import django

    django.setup()
    import hashlib

    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from articles.models import Article, Mention, Sentence, Story

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    print("## Reading page of one article (first part; s)\n")
    print("| sentences | page (s) | ratio to the smallest | bytes |")
    print("| --- | --- | --- | --- |")
    base = None
    for size in sizes:
        story = Story.objects.create(title=f"Bench {size}", slug=f"bench-{size}")
        lines = [f"Sentence {n} names Harbour Works {n}." for n in range(size)]
        body = "\n".join(lines)
        article = Article.objects.create(
            story=story,
            title="Long",
            body=body,
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
            source_format="text",
        )
        rows, mentions, position = [], [], 0
        for n, line in enumerate(lines):
            rows.append(
                Sentence(article=article, index=n, start=position, end=position + len(line), text=line)
            )
            start = position + line.index("Harbour")
            mentions.append(Mention(article=article, start=start, end=position + len(line) - 1, label="ORG"))
            position += len(line) + 1
        Sentence.objects.bulk_create(rows, batch_size=2000)
        Mention.objects.bulk_create(mentions, batch_size=2000)
        url = reverse("article_text", args=[story.slug, article.pk])
        client.get(url)  # warm
        elapsed, response = timed(lambda u=url: client.get(u))
        assert response.status_code == 200, response.status_code
        base = base or elapsed
        print(f"| {size:,} | {elapsed:.2f} | {elapsed / base:.1f} | {len(response.content):,} |")
    print()


def quality_table(clusters: list[dict], words: int = 250) -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    caps = [None, MAX_CANDIDATES, 50, 25]
    totals = {(a, c): [0.0, 0.0, 0.0] for a in QUADRATIC[:4] for c in caps}
    narrowed = {c: 0 for c in caps}
    sizes = []
    for cluster in clusters:
        text = "\n\n".join(cluster["documents"])
        spans = segment(text)
        sizes.append(sum(not s.is_boilerplate for s in spans))
        reference = cluster["summary"]
        for algorithm in QUADRATIC[:4]:
            for cap in caps:
                result = summarize(text, spans, algorithm, word_budget=words, max_candidates=cap)
                narrowed[cap] += algorithm == "lexrank" and "max_candidates" in result.params
                score = scorer.score(reference, "\n".join(spans[i].text for i in result.sentence_indices))
                for k, key in enumerate(("rouge1", "rouge2", "rougeLsum")):
                    totals[(algorithm, cap)][k] += 100 * score[key].fmeasure / len(clusters)
    sizes.sort()
    print(
        f"## ROUGE F1 of the cap, {len(clusters)} Multi-News clusters as one article each, "
        f"{words}-word budget (sentences per article: median {sizes[len(sizes) // 2]}, max {sizes[-1]})\n"
    )
    print("| algorithm | cap | articles narrowed | R-1 | R-2 | R-Lsum |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (algorithm, cap), (r1, r2, rl) in totals.items():
        print(f"| {algorithm} | {cap or 'none'} | {narrowed[cap]} | {r1:.2f} | {r2:.2f} | {rl:.2f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="1000,7000,40000")
    parser.add_argument("--uncapped-max", type=int, default=1000)
    parser.add_argument("--quality-limit", type=int, default=100)
    parser.add_argument("--skip-analysis", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path}: no such file (pass the Multi-News JSONL path as the first argument)")
    sizes = sorted(int(n) for n in args.sizes.split(","))
    clusters = load_clusters(args.path)
    text = article_text(clusters, sizes[-1])
    spans = [s for s in segment(text)]
    print(f"# Bounded analysis ({len(spans):,} sentences built, {len(text):,} characters)\n")
    speed_table(text, spans, [n for n in sizes if n <= len(spans)], args.uncapped_max)
    if not args.skip_analysis:
        analysis_rows(
            {
                f"{sizes[-1]:,} short sentences": short_sentences(sizes[-1]),
                f"{sizes[-1]:,} news sentences": prefix(text, spans, sizes[-1])[0],
            }
        )
    if not args.skip_quality:
        quality_table(clusters[: args.quality_limit])
    if not args.skip_page:
        page_row(sizes)


if __name__ == "__main__":
    main()
