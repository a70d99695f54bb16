"""The candidate brief: a multi-document extractive summary in which every sentence knows its claim and
sources.

Plain Python, no Django. `select_brief` is the one selection code path: the story's candidate brief
(articles.services.synthesis) and the `summarize_clusters` command both call it.

Salience is centrality in the sentence similarity graph (PageRank over cosine similarities, as in LexRank, on
each sentence's nearest neighbours), with a teleport prior favouring each article's opening sentences (news
puts the facts first), multiplied by how many sources report the sentence. Redundancy: at most one sentence
per claim, and none too similar to one already taken (MMR-style). Order: by position in the source articles,
so the brief reads lead first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from articles.nlp.claims import (
    GRAPH_MIN_SIMILARITY,
    UNIQUE_MAX_SIMILARITY,
    ClaimGroup,
    SentenceRef,
    SentenceTable,
    SourceDocument,
    build_sentence_table,
    centrality,
    evidence_split,
    group_claims,
    source_support,
)
from articles.nlp.types import SentenceSpan

ALGORITHM = "lexrank-support-mmr"
_SENTENCE_END = frozenset(".!?\"”’)'")


@dataclass(frozen=True)
class BriefParams:
    word_budget: int = 250
    claim_threshold: float = 0.42
    # A one-source claim is unique reporting only below this similarity to every other source's sentence.
    unique_max_similarity: float = UNIQUE_MAX_SIMILARITY
    # Teleport prior ~ 1 / (1 + position) ** position_decay: 0 makes it plain LexRank.
    position_decay: float = 0.5
    # Salience is multiplied by support ** support_weight.
    support_weight: float = 0.5
    # Similarity at which two sentences count as reporting the same thing when counting support.
    support_threshold: float = 0.42
    # A candidate this similar to a sentence already in the brief is redundant.
    redundancy_threshold: float = 0.3
    min_words: int = 8
    max_words: int = 60
    damping: float = 0.85

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BriefSentence:
    ref: SentenceRef
    text: str
    claim: int  # index into BriefResult.claims
    sources: list[str]


@dataclass
class BriefResult:
    sentences: list[BriefSentence]
    claims: list[ClaimGroup]
    table: SentenceTable
    salience: np.ndarray
    claim_of: np.ndarray
    params: BriefParams
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)


def select_brief(
    documents: Sequence[SourceDocument],
    params: BriefParams | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> BriefResult:
    """Claims, salience and the candidate brief of one story (or one evaluation cluster). `embed` computes
    the sentence embeddings the documents do not carry (default: the packaged model)."""
    params = params or BriefParams()
    started = time.perf_counter()
    table = build_sentence_table(
        documents,
        min_similarity=GRAPH_MIN_SIMILARITY,
        fact_threshold=min(params.support_threshold, params.claim_threshold),
        embed=embed,
    )
    vectors_done = time.perf_counter()

    prior = 1.0 / (1.0 + table.positions.astype(np.float64)) ** params.position_decay
    ranks = centrality(table.graph, prior=prior if len(table) else None, damping=params.damping)
    support = source_support(table, params.support_threshold) if len(table) else np.zeros(0)
    salience = ranks * support**params.support_weight
    claims, claim_of = group_claims(
        table,
        params.claim_threshold,
        salience,
        split=evidence_split(table),
        unique_below=params.unique_max_similarity,
    )
    ranked = time.perf_counter()

    chosen = _choose(table, salience, claim_of, params)
    chosen.sort(key=lambda row: (table.positions[row], table.documents[row]))
    sentences = [
        BriefSentence(
            ref=table.refs[row],
            text=table.texts[row],
            claim=int(claim_of[row]),
            sources=claims[int(claim_of[row])].sources,
        )
        for row in chosen
    ]
    finished = time.perf_counter()
    return BriefResult(
        sentences=sentences,
        claims=claims,
        table=table,
        salience=salience,
        claim_of=claim_of,
        params=params,
        timings={
            "vectors_similarity": vectors_done - started,
            "ranking_claims": ranked - vectors_done,
            "redundancy_order": finished - ranked,
        },
    )


def _choose(
    table: SentenceTable, salience: np.ndarray, claim_of: np.ndarray, params: BriefParams
) -> list[int]:
    """Greedy MMR: the most salient sentences that fit the budget, one per claim, none redundant."""
    budget = params.word_budget
    # Headlines and section headings (no closing punctuation) are not sentences of a brief.
    complete = np.asarray([text.rstrip()[-1:] in _SENTENCE_END for text in table.texts], dtype=bool)
    eligible = (table.words >= params.min_words) & (table.words <= params.max_words) & complete
    if not eligible.any():  # tiny inputs: better a short sentence than nothing
        eligible = table.words > 0
    chosen: list[int] = []
    used_claims: set[int] = set()
    words = 0
    for row in np.argsort(-salience, kind="stable"):
        if not eligible[row] or claim_of[row] in used_claims:
            continue
        if words + table.words[row] > budget:
            if budget - words < params.min_words:
                break
            continue
        if chosen:
            overlap = table.vectors[chosen] @ table.vectors[row].T
            if overlap.nnz and overlap.max() >= params.redundancy_threshold:
                continue
        chosen.append(int(row))
        used_claims.add(int(claim_of[row]))
        words += int(table.words[row])
    return chosen


def cluster_documents(segmented: Sequence[Sequence[SentenceSpan]]) -> list[SourceDocument]:
    """Documents of an evaluation cluster have no outlets: each is a source of its own."""
    return [
        SourceDocument(sentences=spans, source=f"document {n}") for n, spans in enumerate(segmented, start=1)
    ]
