"""The learned pair scorer, measured: does a logistic regression fitted on MSRP beat the engine's blend?

    .venv/bin/python bench/pair_scorer.py [--msrp PATH] [--dev DIR]

Fits scikit-learn's LogisticRegression on the first (training) half of ../shared/eval/msrp-train.jsonl only,
over features of each pair computed with the engine's own sentence table (articles.nlp.claims): embedding
cosine, TF-IDF cosine, the Dice and shorter-side overlap of stemmed content words, the length ratio, the
Jaccard overlap of consolidated names and whether either names anything, whether the two share a numeral and
whether one has a numeral the other lacks. Prints the weights, MSRP accuracy on the held-out half (threshold
0.5; against the embedding cosine alone and the two cosines alone, fitted the same way), and ROC AUC on the
labelled cross-document pairs of the dev clusters for the fitted scorer and for the engine's fixed blend
(0.5 embedding + 0.5 TF-IDF). Not adopted in the engine while its dev AUC is below the blend's (README,
"Claims engine").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

SHARED = PROJECT_DIR.parent / "shared" / "eval"
FEATURES = (
    "embedding",
    "tfidf",
    "words_dice",
    "words_cover",
    "length_ratio",
    "names_jaccard",
    "names_any",
    "numbers_shared",
    "numbers_unmatched",
)
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")


def _binary(token_sets) -> sparse.csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, tokens in enumerate(token_sets):
        for token in set(tokens):
            rows.append(row)
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(token_sets), max(1, len(vocabulary)))
    )


def pair_features(table, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    from articles.nlp.terms import content_terms

    def dot(matrix, a, b):
        return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()

    terms = _binary([content_terms(text) for text in table.texts])
    names = _binary([sorted(row) for row in table.names])
    numbers = _binary([[n.replace(",", "") for n in _NUMERAL.findall(text)] for text in table.texts])
    count = {m: np.asarray(x.sum(axis=1)).ravel() for m, x in (("t", terms), ("n", names), ("k", numbers))}
    shared, names_shared, numbers_shared = (
        dot(terms, rows, cols),
        dot(names, rows, cols),
        dot(numbers, rows, cols),
    )
    size_a, size_b = count["t"][rows], count["t"][cols]
    small, large = np.minimum(size_a, size_b), np.maximum(size_a, size_b)
    names_union = count["n"][rows] + count["n"][cols] - names_shared
    numbers_union = count["k"][rows] + count["k"][cols] - numbers_shared
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack(
            [
                np.einsum("ij,ij->i", table.embeddings[rows], table.embeddings[cols]),
                dot(table.vectors, rows, cols),
                np.where(size_a + size_b > 0, 2 * shared / (size_a + size_b), 0.0),
                np.where(small > 0, shared / small, 0.0),
                np.where(large > 0, small / large, 0.0),
                np.where(names_union > 0, names_shared / names_union, 0.0),
                names_union > 0,
                numbers_shared > 0,
                numbers_union > numbers_shared,
            ]
        ).astype(np.float64)


def _documents(texts: list[str]):
    from articles.nlp.claims import Mention, SourceDocument
    from articles.nlp.embeddings import embed
    from articles.nlp.entities import analyze_texts

    analyses = analyze_texts(texts)
    vectors = embed([s.text for a in analyses for s in a.sentences])
    documents, offset = [], 0
    for d, analysis in enumerate(analyses):
        n = len(analysis.sentences)
        documents.append(
            SourceDocument(
                sentences=analysis.sentences,
                source=f"document {d}",
                mentions=[Mention(m.start, m.end, m.text, m.label) for m in analysis.mentions],
                embeddings=vectors[offset : offset + n],
            )
        )
        offset += n
    return documents


def msrp_matrix(pairs: list[dict]) -> np.ndarray:
    """One row per pair: its most similar cross pair of sentences (by embedding)."""
    from articles.nlp.claims import build_sentence_table

    documents = _documents([text for pair in pairs for text in pair["documents"]])
    result = np.zeros((len(pairs), len(FEATURES)))
    for k in range(len(pairs)):
        table = build_sentence_table(documents[2 * k : 2 * k + 2])
        first, second = np.flatnonzero(table.documents == 0), np.flatnonzero(table.documents == 1)
        if first.size and second.size:
            a, b = np.meshgrid(first, second, indexing="ij")
            features = pair_features(table, a.ravel(), b.ravel())
            result[k] = features[int(np.argmax(features[:, 0]))]
    return result


def dev_pairs(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the labelled non-junk cross-document sentence pairs (seed story excluded)."""
    from articles.nlp.claims import build_sentence_table

    features, labels = [], []
    for path in sorted(folder.glob("*.json")):
        if path.stem == "seeds":
            continue
        cluster = json.loads(path.read_text())
        documents = _documents(cluster["documents"])
        table = build_sentence_table(documents)
        spans = {(d, s.index): (s.start, s.end) for d, doc in enumerate(documents) for s in doc.sentences}
        row_of = []
        for s in cluster["sentences"]:
            best, overlap = None, 0
            for row, ref in enumerate(table.refs):
                if ref.document == s["doc"]:
                    start, end = spans[(ref.document, ref.sentence)]
                    if min(end, s["end"]) - max(start, s["start"]) > overlap:
                        best, overlap = row, min(end, s["end"]) - max(start, s["start"])
            keep = not s.get("junk") and overlap * 2 >= s["end"] - s["start"]
            row_of.append(best if keep else None)
        sentences = cluster["sentences"]
        rows, cols = [], []
        for i in range(len(sentences)):
            for j in range(i + 1, len(sentences)):
                if sentences[i]["doc"] != sentences[j]["doc"] and None not in (row_of[i], row_of[j]):
                    rows.append(row_of[i])
                    cols.append(row_of[j])
                    labels.append(sentences[i]["fact"] == sentences[j]["fact"])
        features.append(
            pair_features(table, np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))
        )
    return np.vstack(features), np.asarray(labels)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--msrp", type=Path, default=SHARED / "msrp-train.jsonl")
    parser.add_argument("--dev", type=Path, default=SHARED / "claims-dev")
    args = parser.parse_args()
    import django

    django.setup()
    pairs = [json.loads(line) for line in args.msrp.open(encoding="utf-8")]
    labels = np.asarray([p["paraphrase"] for p in pairs], dtype=int)
    features = msrp_matrix(pairs)
    half = len(pairs) // 2
    dev_x, dev_y = dev_pairs(args.dev)
    print(f"MSRP: fitted on the first {half} pairs, accuracy on the other {len(pairs) - half}\n")
    print("| features | MSRP held-out accuracy % | dev pair ROC AUC |\n| --- | --- | --- |")
    for name, columns in (
        ("embedding", [0]),
        ("embedding + tfidf", [0, 1]),
        ("all", list(range(len(FEATURES)))),
    ):
        model = LogisticRegression(max_iter=3000).fit(features[:half, columns], labels[:half])
        accuracy = 100 * (model.predict(features[half:, columns]) == labels[half:]).mean()
        auc = roc_auc_score(dev_y, model.decision_function(dev_x[:, columns]))
        print(f"| {name} | {accuracy:.1f} | {auc:.3f} |")
    blend = roc_auc_score(dev_y, dev_x[:, 0] + dev_x[:, 1])
    print(f"| engine's blend (0.5/0.5, no fitting) | — | {blend:.3f} |")
    model = LogisticRegression(max_iter=3000).fit(features[:half], labels[:half])
    print("\n| feature | weight |\n| --- | --- |")
    for name, weight in zip(FEATURES, model.coef_[0], strict=True):
        print(f"| {name} | {weight:+.3f} |")
    print(f"| (bias) | {model.intercept_[0]:+.3f} |")


if __name__ == "__main__":
    main()
