"""Throughput of the analysis pipeline against a naive one, in the same run, on the same articles.

    .venv/bin/python bench/analysis.py [PATH] [--limit N] [--processes 2]

PATH is a Multi-News style JSON Lines file (default ../shared/eval/multinews-val.jsonl); every document of
every cluster is one article. Both pipelines produce sentences, entity mentions and the default summary:

- naive: one full `nlp(text)` per article (every component of the model: tagger, parser, lemmatizer, ...)
  and one sumy call over the parser's sentences;
- workbench: articles.nlp as the workers run it: one pipeline with only `senter` and `ner`, batched with
  nlp.pipe, boilerplate marked, then the default summary (boilerplate left out), as articles.nlp.summarizers.

Prints a Markdown table (articles per second, ratio) and how far the entity mentions agree. A benchmark, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

DEFAULT_PATH = PROJECT_DIR.parent / "shared" / "eval" / "multinews-val.jsonl"


def load_articles(path: Path, limit: int) -> list[str]:
    articles: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                articles.extend(doc for doc in json.loads(line)["documents"] if doc.strip())
    return articles[:limit] if limit else articles


def naive(texts: list[str], model: str, algorithm: str, sentences: int) -> tuple[float, list[set]]:
    import spacy
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    from articles.nlp.segmentation import sumy_tokenizer
    from articles.nlp.summarizers import ALGORITHMS

    nlp = spacy.load(model)
    nlp("Warm up the model once.")
    tokenizer = sumy_tokenizer()
    summarizer_class = _summarizer_class(algorithm, ALGORITHMS)
    stop_words = get_stop_words("english")
    entities: list[set] = []
    started = time.perf_counter()
    for text in texts:
        doc = nlp(text)
        entities.append({(e.start_char, e.end_char, e.label_) for e in doc.ents})
        summarizer = summarizer_class(Stemmer("english"))
        summarizer.stop_words = stop_words
        document = ObjectDocumentModel(
            [Paragraph([Sentence(s.text, tokenizer) for s in doc.sents if s.text.strip()])]
        )
        summarizer(document, sentences)
    return time.perf_counter() - started, entities


def _summarizer_class(algorithm: str, known: tuple[str, ...]):
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
    }
    if algorithm not in classes:
        raise SystemExit(
            f"The naive baseline covers {', '.join(classes)}; SUMMARY_ALGORITHM is {algorithm!r}."
        )
    return classes[algorithm]


def workbench(
    texts: list[str], model: str, algorithm: str, sentences: int, processes: int
) -> tuple[float, list[set], int]:
    from articles.nlp.entities import analyze_texts
    from articles.nlp.segmentation import load_pipeline
    from articles.nlp.summarizers import summarize

    load_pipeline(model, with_entities=True)("Warm up the model once.")
    summarize("Warm up. The summarizer too.", [], algorithm, sentences=1, model=model)
    started = time.perf_counter()
    analyses = analyze_texts(texts, model=model, n_process=processes)
    boilerplate = 0
    for text, analysis in zip(texts, analyses, strict=True):
        summarize(text, analysis.sentences, algorithm, sentences=sentences, model=model)
        boilerplate += sum(s.is_boilerplate for s in analysis.sentences)
    elapsed = time.perf_counter() - started
    entities = [{(m.start, m.end, m.label) for m in a.mentions} for a in analyses]
    return elapsed, entities, boilerplate


def agreement(a: list[set], b: list[set]) -> tuple[int, float]:
    identical = sum(x == y for x, y in zip(a, b, strict=True))
    shared = sum(len(x & y) for x, y in zip(a, b, strict=True))
    union = sum(len(x | y) for x, y in zip(a, b, strict=True))
    return identical, shared / union if union else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "path", nargs="?", default=str(DEFAULT_PATH), help="Multi-News style JSON Lines file."
    )
    parser.add_argument("--limit", type=int, default=0, help="Only the first N articles (default: all).")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="Also run the workbench pipeline with nlp.pipe(n_process=N) (default 2; 1 to skip).",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")
    import django

    django.setup()
    from django.conf import settings

    path = Path(args.path)
    if not path.is_file():
        raise SystemExit(f"{path}: no such file (give the path to multinews-val.jsonl)")
    texts = load_articles(path, args.limit)
    model, algorithm, count = settings.SPACY_MODEL, settings.SUMMARY_ALGORITHM, settings.SUMMARY_SENTENCES
    words = sum(len(t.split()) for t in texts)
    print(
        f"{len(texts)} articles ({words:,} words) from {path.name}; "
        f"model {model}, summary {algorithm} x {count}"
    )
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPU(s)\n", flush=True)

    naive_time, naive_entities = naive(texts, model, algorithm, count)
    ours_time, our_entities, boilerplate = workbench(texts, model, algorithm, count, processes=1)
    rows = [
        ("naive: full `nlp(text)` + one sumy call per article", naive_time),
        ("workbench: senter+ner, `nlp.pipe`, boilerplate marked, summary", ours_time),
    ]
    parallel_entities = None
    if args.processes > 1:
        parallel_time, parallel_entities, _ = workbench(
            texts, model, algorithm, count, processes=args.processes
        )
        rows.append((f"workbench, `nlp.pipe(n_process={args.processes})`", parallel_time))

    print("| pipeline | seconds | articles/s | × naive |")
    print("| --- | ---: | ---: | ---: |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} | {len(texts) / seconds:.2f} | {naive_time / seconds:.2f} |")

    identical, jaccard = agreement(naive_entities, our_entities)
    print(
        f"\nEntity mentions (start, end, label): identical in {identical} of {len(texts)} articles; "
        f"{jaccard:.1%} of all mentions shared (the naive run bounds entities by the parser's sentences, "
        "the workbench by the senter's and by line breaks)."
    )
    if parallel_entities is not None:
        same = parallel_entities == our_entities
        print(
            f"n_process={args.processes} gives {'the same' if same else 'DIFFERENT'} mentions as one process."
        )
    print(f"Boilerplate sentences marked (left out of summaries): {boilerplate}.")


if __name__ == "__main__":
    main()
