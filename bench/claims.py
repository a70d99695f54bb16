"""Claims quality: `find_claims`'s engine against a plain TF-IDF grouping and the engine it replaced.

    .venv/bin/python bench/claims.py [--dev DIR] [--msrp PATH] [--msrp-limit N] [--speed-sentences N]
                                     [--packaged-graph]

On the hand-labelled clusters of ../shared/eval/claims-dev/ (the seed story reported apart, as it was the demo
the old engine was written for), in one run:

- pairwise precision, recall and F1 of "same claim" over labelled sentences of different documents (a
  labelled sentence takes the claim of the system sentence that covers most of it, at least half; precision
  is lenient: a pair also counts as right when one sentence lists the other's fact under `also`);
- facts reported by 2+ documents recovered whole (all their sentences in one claim);
- the share of support-1 claims holding a labelled non-junk sentence whose fact truly is unique, and the same
  share among the claims the workspace labels "unique" (support 1 and no other source's sentence within
  UNIQUE_MAX_SIMILARITY; the baselines label every support-1 claim), with how many of them keep the label;
- discrepancy flags matching a labelled contradiction (precision) and labelled contradictions found (recall);
- seconds per 1,000 sentences (segmentation and tagging included).

Then accuracy on MSRP paraphrase pairs (the second half of msrp-train.jsonl: the first half is where the
thresholds were chosen), and the speed of the story synthesis on N sentences against sumy's LexRank on the
same sentences. Prints Markdown tables.

Systems: `engine` (this tree), `tfidf` (scikit-learn TF-IDF with English stop words, average linkage at 0.2,
one sentence per document per group, over the labelled sentences), `legacy` (the engine of commit eea8af2,
loaded from git history, with its own segmentation of the texts).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")

import django  # noqa: E402

django.setup()  # find_claims reads the engine's parameters from the settings (services.synthesis)

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from articles.management.commands.find_claims import claims_record  # noqa: E402
from articles.nlp.brief import BriefParams  # noqa: E402
from articles.nlp.synthesis import documents_from_texts, synthesize  # noqa: E402

SHARED = PROJECT_DIR.parent / "shared" / "eval"
LEGACY_COMMIT = "eea8af2"
TFIDF_THRESHOLD = 0.2


# --- systems: each maps a cluster's texts to {"claims": [[(doc, start, end), ...]], "flags": [(a, b)]} ----


def run_engine(texts: list[str], params: BriefParams) -> dict:
    documents = documents_from_texts(texts)
    synthesis = synthesize(documents, params)
    record = claims_record("x", synthesis, documents)
    return {
        "claims": [[(s["doc"], s["start"], s["end"]) for s in c["sentences"]] for c in record["claims"]],
        "support": [c["support"] for c in record["claims"]],
        # What the workspace labels "unique" (claims in find_claims' order): one source, nothing close.
        "unique": [claim.unique for claim in synthesis.brief.claims],
        "flags": [
            ((f["a"]["doc"], f["a"]["start"], f["a"]["end"]), (f["b"]["doc"], f["b"]["start"], f["b"]["end"]))
            for f in record["discrepancies"]
        ],
    }


def run_tfidf(cluster: dict) -> dict:
    """Average-linkage over TF-IDF cosine of the labelled sentences, one sentence per document per group."""
    sentences = cluster["sentences"]
    texts = [s["text"] for s in sentences]
    docs = [s["doc"] for s in sentences]
    vectors = TfidfVectorizer(stop_words="english").fit_transform(texts)
    similarity = (vectors @ vectors.T).toarray()
    groups = [[i] for i in range(len(texts))]
    while True:
        best, pair = TFIDF_THRESHOLD, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if {docs[i] for i in groups[a]} & {docs[i] for i in groups[b]}:
                    continue
                link = similarity[np.ix_(groups[a], groups[b])].mean()
                if link >= best:
                    best, pair = link, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] += groups.pop(b)
    claims = [[(docs[i], sentences[i]["start"], sentences[i]["end"]) for i in group] for group in groups]
    return {"claims": claims, "support": [len({c[0] for c in claim}) for claim in claims], "flags": []}


def load_legacy():
    """The engine of LEGACY_COMMIT (claims, discrepancies, brief), read from git into a temporary package."""
    folder = Path(tempfile.mkdtemp(prefix="legacy-engine-"))
    names = ("types", "claims", "discrepancies", "brief")
    for name in names:
        source = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "show", f"{LEGACY_COMMIT}:articles/nlp/{name}.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for other in names:
            source = source.replace(f"articles.nlp.{other}", f"legacy_{other}")
        (folder / f"legacy_{name}.py").write_text(source)
    sys.path.insert(0, str(folder))
    modules = {}
    for name in names:
        spec = importlib.util.spec_from_file_location(f"legacy_{name}", folder / f"legacy_{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"legacy_{name}"] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules


def run_legacy(legacy, texts: list[str]) -> dict:
    from articles.nlp.segmentation import segment_many

    segmented = segment_many(texts)
    documents = [
        legacy["claims"].SourceDocument(sentences=spans, source=f"document {n}")
        for n, spans in enumerate(segmented)
    ]
    result = legacy["brief"].select_brief(documents, legacy["brief"].BriefParams())
    flags = legacy["discrepancies"].find_discrepancies(result.table, result.claim_of)
    span_of = {(d, s.index): s for d, spans in enumerate(segmented) for s in spans}

    def where(row):
        ref = result.table.refs[row]
        span = span_of[(ref.document, ref.sentence)]
        return (ref.document, span.start, span.end)

    claims = [[where(row) for row in claim.members] for claim in result.claims]
    return {
        "claims": claims,
        "support": [claim.support for claim in result.claims],
        "flags": [(where(f.row_a), where(f.row_b)) for f in flags],
    }


# --- scoring -------------------------------------------------------------------------------------------


def _assign(cluster: dict, system: dict) -> list[int | None]:
    """The system claim of each labelled sentence: the system sentence covering most of it (at least half)."""
    spans_by_doc = defaultdict(list)
    for number, claim in enumerate(system["claims"]):
        for doc, start, end in claim:
            spans_by_doc[doc].append((start, end, number))
    result = []
    for sentence in cluster["sentences"]:
        length = sentence["end"] - sentence["start"]
        best, best_overlap = None, 0
        for start, end, number in spans_by_doc[sentence["doc"]]:
            overlap = min(end, sentence["end"]) - max(start, sentence["start"])
            if overlap > best_overlap:
                best, best_overlap = number, overlap
        result.append(best if best_overlap * 2 >= length else None)
    return result


def score_cluster(cluster: dict, system: dict) -> dict:
    sentences = cluster["sentences"]
    claim_of = _assign(cluster, system)
    counts = defaultdict(int)
    for i in range(len(sentences)):
        for j in range(i + 1, len(sentences)):
            a, b = sentences[i], sentences[j]
            if a["doc"] == b["doc"]:
                continue
            gold = a["fact"] == b["fact"]
            lenient = gold or a["fact"] in b.get("also", []) or b["fact"] in a.get("also", [])
            said = claim_of[i] is not None and claim_of[i] == claim_of[j]
            counts["gold"] += gold
            counts["said"] += said
            counts["tp_recall"] += gold and said
            counts["tp_precision"] += lenient and said
    docs_of_fact = defaultdict(set)
    rows_of_fact = defaultdict(list)
    for k, s in enumerate(sentences):
        docs_of_fact[s["fact"]].add(s["doc"])
        rows_of_fact[s["fact"]].append(k)
        for also in s.get("also", []):
            docs_of_fact[also].add(s["doc"])
    for rows in rows_of_fact.values():
        if len({sentences[k]["doc"] for k in rows}) >= 2:
            counts["multi"] += 1
            assigned = {claim_of[k] for k in rows}
            counts["whole"] += len(assigned) == 1 and None not in assigned
    labelled = system.get("unique") or [support == 1 for support in system["support"]]
    for number in range(len(system["claims"])):
        if system["support"][number] != 1:
            continue
        members = [k for k, c in enumerate(claim_of) if c == number and not sentences[k].get("junk")]
        if not members:
            continue
        truly = all(len(docs_of_fact[sentences[k]["fact"]]) == 1 for k in members)
        counts["unique_said"] += 1
        counts["unique_true"] += truly
        counts["labelled_said"] += labelled[number]
        counts["labelled_true"] += labelled[number] and truly
    # Discrepancies: a flag is right when its two sentences cover the two sides of a labelled one.
    key_of = {}
    for k, s in enumerate(sentences):
        key_of[k] = (s["doc"], s["start"], s["end"])
    sides = []
    for d in cluster.get("discrepancies", []):
        side_a = {tuple(d["a"]), *map(tuple, d.get("a_also", []))}
        side_b = {tuple(d["b"]), *map(tuple, d.get("b_also", []))}
        sides.append((side_a, side_b))
    found = set()
    for flag_a, flag_b in system["flags"]:
        la, lb = _labelled(cluster, flag_a), _labelled(cluster, flag_b)
        counts["flags"] += 1
        for number, (side_a, side_b) in enumerate(sides):
            if (la & side_a and lb & side_b) or (la & side_b and lb & side_a):
                counts["flags_true"] += 1
                found.add(number)
                break
    counts["contradictions"] += len(sides)
    counts["contradictions_found"] += len(found)
    return counts


def _labelled(cluster: dict, where: tuple[int, int, int]) -> set[tuple[int, int, int]]:
    """Labelled sentences that a system sentence covers at least half of (or that cover half of it)."""
    doc, start, end = where
    result = set()
    for s in cluster["sentences"]:
        if s["doc"] != doc:
            continue
        overlap = min(end, s["end"]) - max(start, s["start"])
        if overlap > 0 and (overlap * 2 >= s["end"] - s["start"] or overlap * 2 >= end - start):
            result.add((s["doc"], s["start"], s["end"]))
    return result


def _ratio(a: float, b: float) -> float:
    return 100.0 * a / b if b else 0.0


def summary_row(name: str, counts: dict, seconds: float, sentences: int) -> str:
    precision = _ratio(counts["tp_precision"], counts["said"])
    recall = _ratio(counts["tp_recall"], counts["gold"])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return (
        f"| {name} | {precision:.1f} | {recall:.1f} | {f1:.1f} | {counts['whole']}/{counts['multi']} | "
        f"{_ratio(counts['unique_true'], counts['unique_said']):.1f} | "
        f"{_ratio(counts['labelled_true'], counts['labelled_said']):.1f} "
        f"({counts['labelled_said']}/{counts['unique_said']}) | "
        f"{counts['flags_true']}/{counts['flags']} | "
        f"{counts['contradictions_found']}/{counts['contradictions']} | "
        f"{1000 * seconds / max(sentences, 1):.2f} |"
    )


def evaluate_dev(folder: Path, params: BriefParams, legacy) -> None:
    files = sorted(folder.glob("*.json"))
    groups = {
        "Multi-News clusters": [f for f in files if f.stem != "seeds"],
        "seed story (demo)": [f for f in files if f.stem == "seeds"],
    }
    for title, paths in groups.items():
        clusters = [json.loads(p.read_text()) for p in paths]
        sentences = sum(len(c["sentences"]) for c in clusters)
        print(f"\n### {title}: {len(clusters)} cluster(s), {sentences} labelled sentences\n")
        print(
            "| system | pair P | pair R | pair F1 | multi-source facts whole | support-1 truly unique % |"
            " labelled unique: truly unique % (labelled / support-1) |"
            " flags true | contradictions found | s / 1,000 sentences |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        runners = {
            "engine": lambda c: run_engine(c["documents"], params),
            "tfidf 0.2": run_tfidf,
            f"legacy ({LEGACY_COMMIT})": (lambda c: run_legacy(legacy, c["documents"])) if legacy else None,
        }
        for name, runner in runners.items():
            if runner is None:
                continue
            totals: dict = defaultdict(int)
            started = time.perf_counter()
            for cluster in clusters:
                for key, value in score_cluster(cluster, runner(cluster)).items():
                    totals[key] += value
            print(summary_row(name, totals, time.perf_counter() - started, sentences))


def evaluate_msrp(path: Path, params: BriefParams, limit: int | None) -> None:
    pairs = [json.loads(line) for line in path.open()]
    held_out = pairs[len(pairs) // 2 :]
    if limit:
        held_out = held_out[:limit]
    print(f"\n### MSRP paraphrase pairs: {len(held_out)} held-out pairs (second half of {path.name})\n")
    print("| system | accuracy % | precision of 'same' % | recall of 'same' % |")
    print("| --- | --- | --- | --- |")
    texts = [p["documents"] for p in held_out]
    labels = np.asarray([p["paraphrase"] for p in held_out], dtype=bool)

    def engine_same(pair):
        result = run_engine(pair, params)
        claim_of = {}
        for number, claim in enumerate(result["claims"]):
            for doc, _, _ in claim:
                claim_of.setdefault(doc, set()).add(number)
        return bool(claim_of.get(0, set()) & claim_of.get(1, set()))

    vectorizer = TfidfVectorizer(stop_words="english").fit([t for pair in texts for t in pair])

    def tfidf_same(pair):
        a, b = vectorizer.transform(pair)
        return float((a @ b.T).toarray()[0, 0]) >= TFIDF_THRESHOLD

    for name, decide in (("engine", engine_same), ("tfidf 0.2", tfidf_same), ("always same", lambda p: True)):
        said = np.asarray([decide(pair) for pair in texts], dtype=bool)
        accuracy = 100.0 * (said == labels).mean()
        precision = _ratio((said & labels).sum(), said.sum())
        recall = _ratio((said & labels).sum(), labels.sum())
        print(f"| {name} | {accuracy:.1f} | {precision:.1f} | {recall:.1f} |")


def evaluate_speed(sentence_count: int, params: BriefParams) -> None:
    """The story synthesis on `sentence_count` sentences (Multi-News articles, embeddings computed here and
    counted) against sumy's LexRank on the same sentences."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    from articles.nlp.embeddings import embed
    from articles.nlp.segmentation import sumy_tokenizer

    texts = []
    total = 0
    for line in (SHARED / "multinews-val.jsonl").open():
        for document in json.loads(line)["documents"]:
            texts.append(document)
            total += document.count(". ")
        if total > sentence_count * 1.3:
            break
    documents = documents_from_texts(texts, with_embeddings=False)
    # Trim to the wanted number of sentences.
    kept, count = [], 0
    for document in documents:
        if count >= sentence_count:
            break
        take = document.sentences[: sentence_count - count]
        count += len(take)
        kept.append(type(document)(sentences=take, source=document.source, mentions=document.mentions))
    sentences = [s.text for d in kept for s in d.sentences]
    started = time.perf_counter()
    vectors = embed(sentences)
    embedded = time.perf_counter() - started
    with_vectors = []
    offset = 0
    for document in kept:
        n = len(document.sentences)
        with_vectors.append(
            type(document)(
                sentences=document.sentences,
                source=document.source,
                mentions=document.mentions,
                embeddings=vectors[offset : offset + n],
            )
        )
        offset += n
    started = time.perf_counter()
    synthesize(with_vectors, params)
    synthesis = time.perf_counter() - started

    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = sumy_tokenizer()
    model = ObjectDocumentModel([Paragraph([Sentence(text, tokenizer) for text in sentences])])
    started = time.perf_counter()
    summarizer(model, 10)
    lexrank = time.perf_counter() - started
    print(f"\n### Speed: {len(sentences)} sentences, one run\n")
    print("| what | seconds | LexRank / it |")
    print("| --- | --- | --- |")
    print(f"| sumy LexRank (10 sentences) | {lexrank:.2f} | 1.0 |")
    print(f"| embeddings (once, at analysis) | {embedded:.2f} | {lexrank / embedded:.1f}x |")
    print(f"| synthesis with stored embeddings | {synthesis:.2f} | {lexrank / synthesis:.1f}x |")
    print(
        f"| synthesis + embeddings | {synthesis + embedded:.2f} | {lexrank / (synthesis + embedded):.1f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", type=Path, default=SHARED / "claims-dev")
    parser.add_argument("--msrp", type=Path, default=SHARED / "msrp-train.jsonl")
    parser.add_argument("--msrp-limit", type=int, default=None)
    parser.add_argument("--speed-sentences", type=int, default=5000)
    parser.add_argument("--no-legacy", action="store_true")
    parser.add_argument(
        "--packaged-graph",
        action="store_true",
        help="embed with the packaged float graph instead of the derived int8 one (EMBEDDING_QUANTIZED=0)",
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["dev", "msrp", "speed"])
    args = parser.parse_args()
    from django.conf import settings

    from articles.nlp.embeddings import QUANTIZED_ENV, encoder

    if args.packaged_graph:
        os.environ[QUANTIZED_ENV] = "0"
    print(f"Sentence encoder: {'int8 graph' if encoder().quantized else 'packaged graph'}")

    params = BriefParams(
        word_budget=settings.BRIEF_WORD_BUDGET, claim_threshold=settings.CLAIM_SIMILARITY_THRESHOLD
    )
    legacy = None if args.no_legacy else load_legacy()
    if "dev" not in args.skip:
        evaluate_dev(args.dev, params, legacy)
    if "msrp" not in args.skip:
        evaluate_msrp(args.msrp, params, args.msrp_limit)
    if "speed" not in args.skip and args.speed_sentences:
        evaluate_speed(args.speed_sentences, params)


if __name__ == "__main__":
    main()
