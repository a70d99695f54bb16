"""Claims across sources: which sentences of different articles state the same fact.

Plain Python, no Django. The input is one `SourceDocument` per article (its segmented sentences, the outlet or
other source label, its entity mentions from spaCy, optionally the sentence embeddings computed at analysis
and the article it is a wire copy of); the output is dataclasses.

How two sentences are compared (README, "Claims engine", has the measurements behind each choice):

- meaning: the cosine of their sentence embeddings (all-MiniLM-L6-v2, articles.nlp.embeddings);
- wording: the cosine of their TF-IDF vectors over stemmed content words, with the story's consolidated
  entities (articles.nlp.consolidation, over spaCy's mentions) as extra terms, so that "IRS" and "Internal
  Revenue Service" count as one name;
- the fact similarity is a fixed blend of the two; only pairs from different documents count.

Claims link mutual best matches (each sentence the other's most similar in its article, similarity at or
above the claim threshold), with at most one sentence per document, so every member states the claim's
fact, not merely shares a word of it. A member whose checkable details (a number,
a date) contradict the claim's representative is split off: it does not support the claim, and the
discrepancy finder flags it. Support counts independent sources: articles of one outlet, and a wire copy
with its original, count once.

Everything scales to stories of tens of thousands of sentences: similarity is computed in row blocks that keep
only each sentence's nearest partners and every pair above the claim threshold.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from articles.nlp.consolidation import MentionRef, consolidate
from articles.nlp.embeddings import DIMENSIONS
from articles.nlp.facts import conflicting, sentence_details
from articles.nlp.junk import junk_reason
from articles.nlp.terms import content_terms, word_count
from articles.nlp.types import SentenceSpan
from articles.rules import source_groups

# Pairs below this similarity never enter the centrality graph (LexRank's usual threshold).
GRAPH_MIN_SIMILARITY = 0.1
# A rough bound on how many similarity values one row block may hold before thresholding.
_BLOCK_CELLS = 4_000_000
# Threads computing similarity blocks (the machine's cores, at most two).
_SIMILARITY_THREADS = max(1, min(2, os.cpu_count() or 1))

# --- the input -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention inside a document: document-level character offsets and spaCy's label. `entity`: the
    key of the story entity it was consolidated into, when the caller consolidated the story already (the
    story synthesis reads it from Mention.entity; "" for none); None: the engine consolidates."""

    start: int
    end: int
    text: str
    label: str
    entity: str | None = None


@dataclass(frozen=True)
class SourceDocument:
    """One article as the synthesis sees it.

    `source` says which independent source it is (its outlet; an article without an outlet passes a key of its
    own, so that it counts as a source of its own); `label` is how a person names it (the outlet's name, else
    the file name or URL), used in the explanations of discrepancies; it defaults to `source`. `embeddings`
    has one row per entry of `sentences` (None: computed
    here). `copy_of` is the index of the document this one is a near-duplicate of (a wire copy).
    """

    sentences: Sequence[SentenceSpan]
    source: str
    mentions: Sequence[Mention] = ()
    embeddings: Sequence[np.ndarray | None] | None = None  # per sentence; None where not computed
    copy_of: int | None = None
    label: str = ""


@dataclass(frozen=True)
class SentenceRef:
    document: int
    sentence: int  # SentenceSpan.index


@dataclass(frozen=True, slots=True)
class RowMention:
    """A mention inside one table row: offsets into the sentence text, the story-wide entity key."""

    start: int
    end: int
    text: str
    label: str
    entity: str  # consolidated entity key ("" for numbers, amounts, times)


@dataclass
class SentenceTable:
    """The story's claimable sentences, flattened; row i of every matrix is sentence `refs[i]`."""

    refs: list[SentenceRef]
    texts: list[str]
    documents: np.ndarray  # document index per row
    positions: np.ndarray  # 0-based position among the document's claimable sentences
    words: np.ndarray  # word count per row
    sources: list[str]  # source label per document
    independent: np.ndarray  # per document: the id of its independent source (outlet, original of a copy)
    mentions: list[list[RowMention]]  # per row
    names: list[frozenset[str]]  # consolidated entity keys per row
    vectors: sparse.csr_matrix  # L2-normalised TF-IDF rows (words and entity keys)
    embeddings: np.ndarray  # (rows, dims) unit sentence embeddings
    graph: sparse.csr_matrix  # TF-IDF cosine >= graph threshold; symmetric, empty diagonal
    facts: sparse.csr_matrix  # fact similarity between sentences of different documents
    junk: list[tuple[SentenceRef, str]] = field(default_factory=list)  # sentences left out, with why
    labels: list[str] = field(default_factory=list)  # per document: how a person names the source

    def __len__(self) -> int:
        return len(self.refs)

    @cached_property
    def row_sources(self) -> np.ndarray:
        """Per row: the id of its independent source."""
        return self.independent[self.documents].astype(np.int64)

    @cached_property
    def details(self) -> list[list]:
        """Each row's checkable details (articles.nlp.facts), read once for the evidence split and the
        discrepancies."""
        return [sentence_details(text, self.mentions[row]) for row, text in enumerate(self.texts)]


# The fact similarity: FACT_EMBEDDING_WEIGHT * embedding cosine + (1 - it) * TF-IDF cosine.
FACT_EMBEDDING_WEIGHT = 0.5
# Fact similarities below this are not kept (a claim needs far more).
FACT_MIN_SIMILARITY = 0.25
# Fact pairs at or above this are all kept; below it, each sentence keeps only its FACT_NEIGHBOURS most
# similar partners (they only lower or raise a claim's average link).
FACT_STRONG_SIMILARITY = 0.5
FACT_NEIGHBOURS = 30
# Each sentence keeps its GRAPH_NEIGHBOURS most similar sentences (>= the graph threshold) in the centrality
# graph, which is then made symmetric: LexRank on a sparse nearest-neighbour graph.
GRAPH_NEIGHBOURS = 50


def independent_sources(documents: Sequence[SourceDocument]) -> np.ndarray:
    """Per document, the id of the independent source it belongs to: one per outlet label, and a wire copy
    belongs to its original's."""
    return np.asarray(
        source_groups([d.source for d in documents], [d.copy_of for d in documents]), dtype=np.int64
    )


def build_sentence_table(
    documents: Sequence[SourceDocument],
    min_similarity: float = GRAPH_MIN_SIMILARITY,
    fact_threshold: float = FACT_STRONG_SIMILARITY,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> SentenceTable:
    """Vectors, embeddings and sparse similarity graphs for every claimable sentence of the documents.

    `fact_threshold` is the lowest fact similarity at which claims or support will read pairs: every pair at
    or above it is kept; weaker ones only for each sentence's nearest neighbours. `embed` computes the
    embeddings the documents do not carry (default: articles.nlp.embeddings.embed).
    """
    refs: list[SentenceRef] = []
    texts: list[str] = []
    doc_of: list[int] = []
    positions: list[int] = []
    spans: list[SentenceSpan] = []
    vectors_given: list[np.ndarray | None] = []
    junk: list[tuple[SentenceRef, str]] = []
    for d, document in enumerate(documents):
        position = 0
        given = document.embeddings
        for k, span in enumerate(document.sentences):
            reason = junk_reason(span)
            if not reason and not content_terms(span.text):
                reason = "no content words"
            if reason:
                junk.append((SentenceRef(d, span.index), reason))
                continue
            refs.append(SentenceRef(d, span.index))
            texts.append(span.text)
            doc_of.append(d)
            positions.append(position)
            spans.append(span)
            vectors_given.append(given[k] if given is not None and k < len(given) else None)
            position += 1
    n = len(refs)
    mentions, names = _row_mentions(documents, doc_of, spans)
    embeddings = _embeddings(texts, vectors_given, embed)
    vectors = _tfidf(
        [content_terms(text) + ["\x02" + key for key in row] for text, row in zip(texts, names, strict=True)]
    )
    documents_array = np.asarray(doc_of, dtype=np.int32)
    with ThreadPoolExecutor(max_workers=1) as background:
        graph_future = background.submit(
            similarity_graph, vectors, min_similarity, neighbours=GRAPH_NEIGHBOURS
        )
        facts = fact_similarity(embeddings, vectors, documents_array, fact_threshold)
        graph = graph_future.result()
    return SentenceTable(
        refs=refs,
        texts=texts,
        documents=documents_array,
        positions=np.asarray(positions, dtype=np.int32),
        words=np.asarray([word_count(t) for t in texts], dtype=np.int32),
        sources=[document.source for document in documents],
        labels=[document.label or document.source for document in documents],
        independent=independent_sources(documents),
        mentions=mentions,
        names=names,
        vectors=vectors if n else sparse.csr_matrix((0, 0), dtype=np.float32),
        embeddings=embeddings,
        graph=graph,
        facts=facts,
        junk=junk,
    )


def _row_mentions(
    documents: Sequence[SourceDocument], doc_of: Sequence[int], spans: Sequence[SentenceSpan]
) -> tuple[list[list[RowMention]], list[frozenset[str]]]:
    """Each row's mentions (sentence offsets) and consolidated entity keys: the story's consolidation once,
    either the caller's (every mention carries its `entity`) or one story-wide consolidation here
    (articles.nlp.consolidation) over all the documents' mentions."""
    entity_of: dict[tuple[int, int], str] = {}
    mentions = [
        (d, m, mention) for d, document in enumerate(documents) for m, mention in enumerate(document.mentions)
    ]
    if mentions and all(mention.entity is not None for _, _, mention in mentions):
        entity_of = {(d, m): mention.entity for d, m, mention in mentions if mention.entity}
    else:
        refs = [
            MentionRef(key=(d, m), article=d, text=mention.text, label=mention.label)
            for d, m, mention in mentions
        ]
        for entity in consolidate(refs):
            key = entity_key(entity.name)
            for mention_key in entity.mention_keys:
                entity_of[mention_key] = key
    by_document: dict[int, list[tuple[int, Mention]]] = {}
    for d, document in enumerate(documents):
        by_document[d] = sorted(enumerate(document.mentions), key=lambda item: item[1].start)
    rows: list[list[RowMention]] = []
    for d, span in zip(doc_of, spans, strict=True):
        row = []
        for m, mention in by_document[d]:
            if mention.start >= span.start and mention.end <= span.end:
                row.append(
                    RowMention(
                        mention.start - span.start,
                        mention.end - span.start,
                        mention.text,
                        mention.label,
                        entity_of.get((d, m), ""),
                    )
                )
        rows.append(row)
    names = [frozenset(m.entity for m in row if m.entity) for row in rows]
    return rows, names


def entity_key(name: str) -> str:
    """The key of a consolidated entity among a story's names (its name, case-folded)."""
    return name.casefold()


def _embeddings(
    texts: Sequence[str],
    given: Sequence[np.ndarray | None],
    embed: Callable[[Sequence[str]], np.ndarray] | None,
) -> np.ndarray:
    result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing = []
    for row, vector in enumerate(given):
        if vector is not None and vector.shape == (DIMENSIONS,) and vector.any():
            result[row] = vector
        else:
            missing.append(row)
    if missing:
        if embed is None:
            from articles.nlp.embeddings import embed as default_embed

            embed = default_embed
        result[missing] = embed([texts[row] for row in missing])
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    return result / np.maximum(norms, 1e-12)


def _tfidf(token_lists: list[list[str]]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF (sublinear tf) of the token lists, document frequencies over the story."""
    if not token_lists or not any(token_lists):
        return sparse.csr_matrix((len(token_lists), 1), dtype=np.float32)
    counts = CountVectorizer(analyzer=_identity, dtype=np.float32).fit_transform(token_lists).tocsr()
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32).tocsr()


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def fact_similarity(
    embeddings: np.ndarray,
    vectors: sparse.csr_matrix,
    documents: np.ndarray,
    strong: float = FACT_STRONG_SIMILARITY,
    weight: float | None = None,
) -> sparse.csr_matrix:
    """How likely two sentences of different documents state the same fact: `weight` * embedding cosine +
    (1 - weight) * TF-IDF cosine, 0 within one document. Every pair >= `strong` is kept; weaker pairs (down
    to FACT_MIN_SIMILARITY) only among each sentence's FACT_NEIGHBOURS nearest. Symmetric."""
    weight = FACT_EMBEDDING_WEIGHT if weight is None else weight
    n = embeddings.shape[0]
    if n == 0:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    block = max(16, min(2048, _BLOCK_CELLS // max(n, 1)))
    transposed = vectors.T.tocsr()
    all_embeddings = embeddings.astype(np.float32)

    def block_pairs(begin: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        end = min(n, begin + block)
        values = weight * (all_embeddings[begin:end] @ all_embeddings.T)
        lexical = (vectors[begin:end] @ transposed).toarray()
        values += (1.0 - weight) * lexical
        values[documents[begin:end, None] == documents[None, :]] = 0.0
        candidate = values >= FACT_MIN_SIMILARITY
        rows, cols = np.nonzero(candidate)
        kept = values[rows, cols]
        counts = np.bincount(rows, minlength=end - begin)
        if kept.size and counts.max() > FACT_NEIGHBOURS:
            order = np.lexsort((-kept, rows))
            rows, cols, kept = rows[order], cols[order], kept[order]
            first = np.cumsum(counts) - counts
            rank = np.arange(kept.size) - first[rows]
            mask = (rank < FACT_NEIGHBOURS) | (kept >= strong)
            rows, cols, kept = rows[mask], cols[mask], kept[mask]
        return (rows + begin).astype(np.int64), cols.astype(np.int64), kept.astype(np.float32)

    parts = []
    starts = range(0, n, block)
    with ThreadPoolExecutor(max_workers=min(_SIMILARITY_THREADS, len(starts))) as pool:
        parts = list(pool.map(block_pairs, starts))
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    values = np.concatenate([p[2] for p in parts])
    facts = sparse.csr_matrix((values, (rows, cols)), shape=(n, n), dtype=np.float32)
    facts = facts.maximum(facts.T.tocsr()).tocsr()
    facts.sort_indices()
    return facts


def similarity_graph(
    vectors: sparse.csr_matrix,
    min_similarity: float,
    neighbours: int | None = None,
    adjust: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
    keep_above: float = np.inf,
) -> sparse.csr_matrix:
    """Cosine similarities >= min_similarity between distinct rows of L2-normalised `vectors`.

    Computed in row blocks; each block's products are thresholded (and pruned) before the next block starts,
    so peak memory is one block's products plus the kept pairs. `adjust(rows, cols, values)` may rewrite the
    values of a block's pairs above the threshold (0 drops a pair). With `neighbours`, each row keeps only its
    `neighbours` largest values plus every value >= `keep_above`, and the result is made symmetric (a pair
    stays when either side keeps it): memory O(n * neighbours + strong pairs), not O(n²).
    """
    n = vectors.shape[0]
    if n == 0:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    transposed = vectors.T.tocsr()
    block = max(16, min(4096, _BLOCK_CELLS // max(n, 1)))

    def block_pairs(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        products = (vectors[start : start + block] @ transposed).tocsr()
        # Most products are tiny (common words): select the few above the threshold in one pass first.
        above = np.flatnonzero(products.data >= min_similarity)
        rows = (np.searchsorted(products.indptr, above, side="right") - 1).astype(np.int32)
        cols = products.indices[above].astype(np.int32)
        values = products.data[above].astype(np.float32)
        mask = cols != rows + start
        rows, cols, values = rows[mask], cols[mask], values[mask]
        if adjust is not None:
            values = adjust(rows + start, cols, values)
            mask = values > 0
            rows, cols, values = rows[mask], cols[mask], values[mask]
        counts = np.bincount(rows, minlength=products.shape[0])
        if neighbours is not None and values.size and counts.max() > neighbours:
            # Rows ascending, values descending within a row (values < 2 always: cosines, plus a bonus).
            order = np.argsort(rows * 2.0 - values)
            rows, cols, values = rows[order], cols[order], values[order]
            first = np.cumsum(counts) - counts
            rank = np.arange(values.size) - first[rows]
            mask = (rank < neighbours) | (values >= keep_above)
            rows, cols, values = rows[mask], cols[mask], values[mask]
            counts = np.bincount(rows, minlength=products.shape[0])
        return counts, cols, values

    row_counts, kept_cols, kept_values = [], [], []
    # scipy's sparse product and numpy release the GIL: blocks run in two threads, collected in order.
    starts = range(0, n, block)
    with ThreadPoolExecutor(max_workers=min(_SIMILARITY_THREADS, len(starts))) as pool:
        for counts, cols, values in pool.map(block_pairs, starts):
            row_counts.append(counts)
            kept_cols.append(cols)
            kept_values.append(values)
    values, cols = np.concatenate(kept_values), np.concatenate(kept_cols)
    kept_values.clear()
    kept_cols.clear()
    indptr = np.zeros(n + 1, dtype=np.int32 if values.size < 2**31 else np.int64)
    np.cumsum(np.concatenate(row_counts), out=indptr[1:])
    graph = sparse.csr_matrix((values, cols, indptr), shape=(n, n), dtype=np.float32)
    del values, cols
    graph.sort_indices()
    if neighbours is not None:
        graph = graph.maximum(graph.T.tocsr())
        graph.sort_indices()
        # Own trimmed arrays (maximum's buffers are sized for the worst case).
        graph = sparse.csr_matrix(
            (graph.data.copy(), graph.indices.copy(), graph.indptr.copy()), shape=(n, n)
        )
    return graph


def centrality(
    graph: sparse.csr_matrix, prior: np.ndarray | None = None, damping: float = 0.85, tolerance: float = 1e-7
) -> np.ndarray:
    """LexRank-style centrality: PageRank over the weighted similarity graph by power iteration.

    `prior` (non-negative, any scale) is the teleport distribution; uniform when None.
    """
    n = graph.shape[0]
    if n == 0:
        return np.zeros(0)
    teleport = np.full(n, 1.0 / n) if prior is None else prior / prior.sum()
    out_weight = np.asarray(graph.sum(axis=1)).ravel()
    dangling = out_weight == 0
    inverse = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=~dangling)
    incoming = graph.T  # a view: no copy of the graph
    scores = teleport.copy()
    for _ in range(200):
        spread = incoming @ (scores * inverse) + scores[dangling].sum() * teleport
        updated = (1 - damping) * teleport + damping * spread
        change = np.abs(updated - scores).sum()
        scores = updated
        if change < tolerance:
            break
    return scores


@dataclass
class ClaimGroup:
    """Sentences of the story that state the same fact."""

    members: list[int]  # rows of the SentenceTable; members[0] is the representative
    sources: list[str]  # source labels of the members, in order, each once
    salience: float = 0.0
    refs: list[SentenceRef] = field(default_factory=list)
    independent: int = 1  # independent sources among the members (wire copies and one outlet count once)
    # For a one-source claim: the most similar sentence of another source (a row; None: none is similar at
    # all), its fact similarity, and whether that is low enough to call the claim unique reporting.
    closest: int | None = None
    closest_similarity: float = 0.0
    unique: bool = False

    @property
    def representative(self) -> int:
        return self.members[0]

    @property
    def support(self) -> int:
        return self.independent


def claim_group(table: SentenceTable, rows: list[int], salience: np.ndarray) -> ClaimGroup:
    """A claim of the given rows, most salient first (ties: table order)."""
    ordered = sorted(rows, key=lambda row: (-float(salience[row]), row))
    documents = table.documents[ordered]
    return ClaimGroup(
        members=ordered,
        sources=list(dict.fromkeys(table.sources[d] for d in documents)),
        salience=float(salience[ordered[0]]),
        refs=[table.refs[m] for m in ordered],
        independent=len(set(table.independent[documents].tolist())),
    )


# A one-source claim is labelled unique reporting only when no sentence of another source comes this close to
# any of its sentences (fact similarity); between this and the claim threshold the other source may well
# state the same fact in other words, so the claim shows "1 source" and that sentence instead. Measured on
# the twelve Multi-News dev clusters (bench/claims.py): of one-source claims, 79.7% are truly unique; of
# those with nothing of another source at 0.3 or above, 95.4% (194 of 418 claims keep the label).
UNIQUE_MAX_SIMILARITY = 0.3


def closest_other_source(table: SentenceTable, rows: Sequence[int]) -> tuple[int | None, float]:
    """The sentence of another independent source most similar to any of `rows` (all of one source), and
    the fact similarity; (None, 0.0) when none reaches FACT_MIN_SIMILARITY."""
    facts = table.facts
    row_source = table.row_sources
    own = set(row_source[list(rows)].tolist())
    best, best_value = None, 0.0
    for row in rows:
        begin, end = facts.indptr[row], facts.indptr[row + 1]
        columns, values = facts.indices[begin:end], facts.data[begin:end]
        other = ~np.isin(row_source[columns], list(own))
        if other.any():
            k = int(np.argmax(np.where(other, values, -1.0)))
            if float(values[k]) > best_value:
                best, best_value = int(columns[k]), float(values[k])
    return best, best_value


# A claim's sentences must average at least this share of the claim threshold with each other: a guard against
# chains of links drifting from one fact to another in stories of many articles.
CLAIM_COHESION = 0.5


def group_claims(
    table: SentenceTable,
    threshold: float,
    salience: np.ndarray,
    split: Callable[[list[int]], list[list[int]]] | None = None,
    unique_below: float = UNIQUE_MAX_SIMILARITY,
) -> tuple[list[ClaimGroup], np.ndarray]:
    """Claims by linking mutual best matches, with at most one sentence per article.

    Two sentences of different articles are linked when their fact similarity is >= `threshold` and each is
    the other's most similar sentence in that article: an article's sentence supports another article's
    sentence only as its closest statement there, not as one more sentence on the same topic. Claims are the
    linked groups, strongest links first; a link is skipped when its groups both hold a sentence of one
    article, or when the mean similarity between the two groups' sentences would fall below
    CLAIM_COHESION * `threshold` (no drift along a chain). The representative is the most salient member.
    `split(rows)` may then cut a group into parts (members that contradict the representative). A one-source
    claim is unique reporting when no other source's sentence reaches `unique_below` with any of its
    sentences (closest_other_source). Returns the claims (most salient first) and each row's claim number."""
    n = len(table)
    facts = table.facts
    row_document = table.documents.tolist()
    firsts, seconds, values = mutual_best_pairs(table, threshold)
    order = np.lexsort((seconds, firsts, -values))
    group_of = np.arange(n)  # for vector reads
    group_list = group_of.tolist()  # the same, for fast single reads
    members: dict[int, list[int]] = {}  # groups of two or more sentences
    documents: dict[int, set[int]] = {}
    cohesion = CLAIM_COHESION * threshold
    for a, b in zip(firsts[order].tolist(), seconds[order].tolist(), strict=True):
        group_a, group_b = group_list[a], group_list[b]
        if group_a == group_b:
            continue
        documents_a = documents.get(group_a) or {row_document[group_a]}
        documents_b = documents.get(group_b) or {row_document[group_b]}
        if not documents_a.isdisjoint(documents_b):
            continue
        members_a = members.get(group_a) or [group_a]
        members_b = members.get(group_b) or [group_b]
        if len(members_a) + len(members_b) > 2:
            if _average_link(facts, members_a, members_b, group_of, group_b) < cohesion:
                continue
        if len(members_a) < len(members_b):
            group_a, group_b = group_b, group_a
            members_a, members_b = members_b, members_a
            documents_a, documents_b = documents_b, documents_a
        group_of[members_b] = group_a
        for row in members_b:
            group_list[row] = group_a
        members[group_a] = members_a + members_b
        documents[group_a] = documents_a | documents_b
        members.pop(group_b, None)
        documents.pop(group_b, None)

    # Members by group, most salient first (ties: table order).
    order = np.lexsort((np.arange(n), -salience, group_of))
    boundaries = np.flatnonzero(np.diff(group_of[order])) + 1
    groups = [rows.tolist() for rows in np.split(order, boundaries)] if n else []
    if split is not None:
        groups = [part for ordered in groups for part in split(ordered)]
    claims = [claim_group(table, ordered, salience) for ordered in groups]
    for claim in claims:
        if claim.support == 1:
            claim.closest, claim.closest_similarity = closest_other_source(table, claim.members)
            claim.unique = claim.closest_similarity < unique_below
    claims.sort(key=lambda claim: (-claim.salience, claim.representative))
    claim_of = np.full(n, -1, dtype=np.int64)
    for number, claim in enumerate(claims):
        claim_of[claim.members] = number
    return claims, claim_of


def mutual_best_pairs(table: SentenceTable, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (first < second) with fact similarity >= threshold in which each sentence is the other's
    most similar sentence in the other's article (ties: the earlier row)."""
    rows, cols, values = strong_pairs(table.facts, threshold)
    if not rows.size:
        return rows, cols, values
    documents = table.documents.astype(np.int64)
    count = np.int64(max(int(documents.max()) + 1, 1))
    codes = rows * count + documents[cols]  # (sentence, other article)
    order = np.lexsort((cols, -values, codes))
    unique_codes, first = np.unique(codes[order], return_index=True)
    best = cols[order][first]  # per (sentence, other article): its most similar sentence there

    def best_of(sentence: np.ndarray, article: np.ndarray) -> np.ndarray:
        return best[np.searchsorted(unique_codes, sentence * count + article)]

    upper = rows < cols
    rows, cols, values = rows[upper], cols[upper], values[upper]
    mutual = (best_of(rows, documents[cols]) == cols) & (best_of(cols, documents[rows]) == rows)
    return rows[mutual], cols[mutual], values[mutual]


def _average_link(
    facts: sparse.csr_matrix, rows_a: list[int], rows_b: list[int], group_of: np.ndarray, group_b: int
) -> float:
    """Mean fact similarity between two groups (`facts` is symmetric: read the smaller group's rows)."""
    if len(rows_b) < len(rows_a):
        rows, other = rows_b, int(group_of[rows_a[0]])
    else:
        rows, other = rows_a, group_b
    if len(rows) == 1:
        begin, end = facts.indptr[rows[0]], facts.indptr[rows[0] + 1]
        indices, data = facts.indices[begin:end], facts.data[begin:end]
    else:
        rows_array = np.asarray(rows)
        begins = facts.indptr[rows_array]
        lengths = facts.indptr[rows_array + 1] - begins
        offsets = np.repeat(begins - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
        indices, data = facts.indices[offsets], facts.data[offsets]
    total = float(data[group_of[indices] == other].sum(dtype=np.float64))
    return total / (len(rows_a) * len(rows_b))


def source_support(table: SentenceTable, threshold: float) -> np.ndarray:
    """For each sentence, how many independent sources report it: its own plus those of its neighbours >=
    threshold."""
    n = len(table)
    row_source = table.row_sources
    rows, cols, _ = strong_pairs(table.facts, threshold)
    sources = np.int64(max(len(table.sources), 1))
    pairs = np.unique(rows * sources + row_source[cols])  # (row, other source) once each
    rows, other_source = pairs // sources, pairs % sources
    return 1.0 + np.bincount(rows[other_source != row_source[rows]], minlength=n)


def strong_pairs(
    similarity: sparse.csr_matrix, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns (int64) and values of the entries >= threshold, without copying the matrix."""
    above = np.flatnonzero(similarity.data >= threshold)
    rows = np.searchsorted(similarity.indptr, above, side="right") - 1
    return rows.astype(np.int64), similarity.indices[above].astype(np.int64), similarity.data[above]


def article_coverage(table: SentenceTable, document_count: int, threshold: float) -> np.ndarray:
    """coverage[a, b]: the share of article a's words in sentences that article b also reports (similarity >=
    threshold). 1.0 on the diagonal; not symmetric (a short rewrite is fully covered by its long original)."""
    coverage = np.eye(document_count)
    totals = np.zeros(document_count)
    np.add.at(totals, table.documents, table.words)
    rows, cols, _ = strong_pairs(table.facts, threshold)
    codes = np.unique(rows * document_count + table.documents[cols])  # (row, other article) once each
    rows, other_document = codes // document_count, codes % document_count
    covered = np.zeros((document_count, document_count))
    np.add.at(covered, (table.documents[rows], other_document), table.words[rows])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals[:, None] > 0, covered / totals[:, None], 0.0)
    off_diagonal = ~np.eye(document_count, dtype=bool)
    coverage[off_diagonal] = np.clip(shares[off_diagonal], 0.0, 1.0)
    return coverage


def evidence_split(table: SentenceTable) -> Callable[[list[int]], list[list[int]]]:
    """For group_claims: cut a group so that no member contradicts its representative on a checkable detail
    (articles.nlp.facts): "50 ships resume Wednesday" is not supported by a source that says 40 ships. The
    members that contradict form claims of their own, by the same rule."""
    details = table.details

    def split(rows: list[int]) -> list[list[int]]:
        parts = []
        remaining = list(rows)  # most salient first
        while remaining:
            head, *rest = remaining
            kept, contradicting = [head], []
            for row in rest:
                clash = any(conflicting(a, b) for a in details[head] for b in details[row])
                (contradicting if clash else kept).append(row)
            parts.append(kept)
            remaining = contradicting
        return parts

    return split
