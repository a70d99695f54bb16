"""Summary quality: our candidate brief against sumy LexRank and the lead baseline, on Multi-News clusters.

    .venv/bin/python bench/quality.py [PATH.jsonl] [--words 250] [--limit N] [--param name=value ...]

All three systems see the same segmentation with boilerplate sentences removed and the same budget rule
(sentences are added in each system's order while they fit; none is cut). ROUGE-1/2/Lsum F1 from rouge-score
with stemming. The references are read by the scorer only. The file is scored in two halves (first half =
where the defaults were tuned, second half = held out) and as a whole. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from rouge_score import rouge_scorer  # noqa: E402
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence  # noqa: E402
from sumy.nlp.stemmers import Stemmer  # noqa: E402
from sumy.summarizers.lex_rank import LexRankSummarizer  # noqa: E402
from sumy.utils import get_stop_words  # noqa: E402

from articles.nlp.brief import BriefParams, cluster_documents, select_brief  # noqa: E402
from articles.nlp.segmentation import segment_many, sumy_tokenizer  # noqa: E402

DEFAULT_DATA = PROJECT_DIR.parent / "shared" / "eval" / "multinews-val.jsonl"


def sumy_lexrank() -> LexRankSummarizer:
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer


def sumy_document(sentences: list[str]) -> ObjectDocumentModel:
    tokenizer = sumy_tokenizer()
    return ObjectDocumentModel([Paragraph([Sentence(text, tokenizer) for text in sentences])])


def within_budget(sentences_in_order: list[str], words: int) -> list[int]:
    """Indices of the sentences taken in the given order while they fit the word budget."""
    taken, total = [], 0
    for index, text in enumerate(sentences_in_order):
        length = len(text.split())
        if total + length <= words:
            taken.append(index)
            total += length
    return taken


def lexrank_summary(
    sentences: list[str], words: int, summarizer: LexRankSummarizer | None = None
) -> list[str]:
    """sumy LexRank's ranking, filled to the budget, in document order."""
    summarizer = summarizer or sumy_lexrank()

    def fill_budget(infos):  # sumy hands its sentences sorted by rating, best first
        infos = list(infos)
        return [infos[i] for i in within_budget([str(info.sentence) for info in infos], words)]

    return [str(sentence) for sentence in summarizer(sumy_document(sentences), fill_budget)]


def lead_summary(documents_sentences: list[list[str]], words: int) -> list[str]:
    """First sentence of each article, then the second of each, and so on."""
    order = []
    for position in range(max((len(d) for d in documents_sentences), default=0)):
        order.extend(d[position] for d in documents_sentences if position < len(d))
    return [order[i] for i in within_budget(order, words)]


def load_clusters(path: Path) -> list[dict]:
    clusters = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    clusters.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    sys.exit(f"{path}:{number}: not valid JSON ({exc.msg})")
    return clusters


def parse_params(pairs: list[str]) -> BriefParams:
    params = BriefParams()
    types = {f.name: f.type for f in fields(BriefParams)}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in types:
            sys.exit(f"--param {pair}: unknown parameter; known: {', '.join(types)}")
        params = replace(params, **{name: (int if types[name] == "int" else float)(value)})
    return params


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--param", action="append", default=[], help="override a BriefParams field, e.g. support_weight=1"
    )
    args = parser.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path}: no such file (pass the Multi-News JSONL path as the first argument)")

    clusters = load_clusters(args.path)[: args.limit]
    params = replace(parse_params(args.param), word_budget=args.words)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    systems = ["candidate brief (ours)", "sumy LexRank", "lead"]
    scores: dict[str, list[tuple[float, float, float]]] = {name: [] for name in systems}
    summarizer = sumy_lexrank()
    started = time.perf_counter()
    for cluster in clusters:
        segmented = segment_many(cluster["documents"])
        kept = [[s.text for s in spans if not s.is_boilerplate] for spans in segmented]
        ours = select_brief(cluster_documents(segmented), params)
        outputs = {
            systems[0]: [s.text for s in ours.sentences],
            systems[1]: lexrank_summary([t for d in kept for t in d], args.words, summarizer),
            systems[2]: lead_summary(kept, args.words),
        }
        reference = "\n".join(s.text for s in segment_many([cluster["summary"]])[0])
        for name, sentences in outputs.items():
            result = scorer.score(reference, "\n".join(sentences))
            scores[name].append(tuple(100 * result[k].fmeasure for k in ("rouge1", "rouge2", "rougeLsum")))
    elapsed = time.perf_counter() - started

    half = (len(clusters) + 1) // 2
    parts = [
        (f"first half (clusters 1–{half}, tuning)", slice(0, half)),
        (f"second half (clusters {half + 1}–{len(clusters)}, held out)", slice(half, None)),
        (f"all {len(clusters)} clusters", slice(None)),
    ]
    print(f"# Summary quality on {args.path.name}, {args.words}-word budget, ROUGE F1 (stemming on)\n")
    print(f"Parameters: `{json.dumps(params.as_dict())}`; run time {elapsed:.0f} s.\n")
    for title, part in parts:
        print(f"## {title}\n")
        print("| system | R1 | R2 | RLsum |\n| --- | --- | --- | --- |")
        for name in systems:
            values = scores[name][part]
            means = [sum(v[k] for v in values) / max(len(values), 1) for k in range(3)]
            print(f"| {name} | {means[0]:.2f} | {means[1]:.2f} | {means[2]:.2f} |")
        ours_r1, ours_r2 = (sum(v[k] for v in scores[systems[0]][part]) for k in (0, 1))
        lex_r1, lex_r2 = (sum(v[k] for v in scores[systems[1]][part]) for k in (0, 1))
        count = max(len(scores[systems[0]][part]), 1)
        print(
            f"\nOurs minus LexRank: R1 {(ours_r1 - lex_r1) / count:+.2f}, "
            f"R2 {(ours_r2 - lex_r2) / count:+.2f} "
            "(goal: R2 >= +1.00 and R1 > 0)\n"
        )


if __name__ == "__main__":
    main()
