"""Claims across sources: which sentences of different articles report the same fact.

Plain Python, no Django. The input is one `SourceDocument` per article (its segmented sentences, the outlet or
other source label, optionally the entity keys mentioned in each sentence); the output is dataclasses.

Everything here is built to scale to stories of tens of thousands of sentences:

- sentences become sparse TF-IDF vectors over stemmed content words (plus entity keys when given);
- the similarity graph is computed in row blocks and keeps only the pairs above a threshold, so memory grows
  with the number of similar pairs and never with the square of the sentence count;
- centrality is a power iteration on that sparse graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from nltk.stem.snowball import EnglishStemmer
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sumy.utils import get_stop_words

from articles.nlp.types import SentenceSpan

# Pairs below this similarity never enter the graph (LexRank's usual threshold).
GRAPH_MIN_SIMILARITY = 0.1
# A rough bound on how many similarity values one row block may hold before thresholding.
_BLOCK_CELLS = 4_000_000

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_STOP_WORDS = frozenset(get_stop_words("english")) | {
    "s",
    "t",
    "said",
    "says",
    "say",
    "also",
    "would",
    "could",
}
_stemmer = EnglishStemmer()


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stem(word)


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a sentence: lower-cased, stop words and apostrophe suffixes dropped."""
    terms = []
    for word in _WORD.findall(text.lower()):
        word = word.split("'")[0].split("’")[0]
        if word and word not in _STOP_WORDS:
            terms.append(_stem(word))
    return terms


def word_count(text: str) -> int:
    return len(text.split())


_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z.\-’']*")
# Words that are roles or titles: they break a name ("Acting IRS Commissioner Melanie Krause" names the IRS
# and Melanie Krause) and are compared separately by the discrepancy rules.
TITLE_WORDS = frozenset(
    "acting interim former deputy vice commissioner secretary president senator sen rep representative "
    "governor "
    "gov mayor minister director chief chairman chairwoman chair judge justice spokesperson spokesman "
    "spokeswoman ceo mr mrs ms dr prime general attorney top official leader head king queen pope prince "
    "lt col "
    "gen adm sgt capt".split()
)
_SENTENCE_OPENERS = frozenset(
    "meanwhile however instead still now today yesterday conversely earlier later overall first second "
    "third finally thus therefore moreover nevertheless nonetheless separately since before after despite "
    "although though while when whether critics supporters officials sources experts analysts".split()
)
_NAME_CONNECTORS = frozenset({"of", "for", "de", "la", "von", "van", "al"})
CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)


@dataclass(frozen=True)
class NameSpan:
    start: int
    end: int
    name: str


def name_spans(text: str) -> list[NameSpan]:
    """Capitalised names in a sentence ("Department of Homeland Security", "IRS", "Melanie Krause") with their
    offsets; titles, weekdays and months are not part of a name, possessives are removed. A cheap stand-in for
    entity recognition that needs no model and costs microseconds."""
    return list(_name_spans(text))


_CAPITALISED_RUN = re.compile(
    r"[A-Z][A-Za-z.\-’']*(?:\s+(?:(?:of|for|de|la|von|van|al)\s+)*[A-Z][A-Za-z.\-’']*)*"
)
_POSSESSIVE = re.compile(r"['’]s$")


@lru_cache(maxsize=100_000)
def _name_spans(text: str) -> tuple[NameSpan, ...]:
    spans: list[NameSpan] = []
    run: list[tuple[int, int, str]] = []

    def flush() -> None:
        while run and run[-1][2].lower() in _NAME_CONNECTORS:
            run.pop()
        if run:
            spans.append(NameSpan(run[0][0], run[-1][1], " ".join(word for _, _, word in run)))
        run.clear()

    first_word = _NAME_TOKEN.search(text)
    sentence_start = first_word.start() if first_word else -1
    for capitalised in _CAPITALISED_RUN.finditer(text):  # only runs of capitalised words can hold names
        flush()
        for match in _NAME_TOKEN.finditer(text, capitalised.start(), capitalised.end()):
            word = _POSSESSIVE.sub("", match.group(0)).rstrip(".-’'")
            lower = word.lower()
            if not word:
                flush()
                continue
            is_name = (
                word[0].isupper()
                and lower not in TITLE_WORDS
                and lower not in CALENDAR_WORDS
                and not (lower in _STOP_WORDS and (match.start() == sentence_start or not word.isupper()))
            )
            token = (match.start(), match.start() + len(word), word)
            if is_name and word.isupper() and len(word) > 1:
                flush()
                spans.append(NameSpan(*token))
            elif is_name:
                run.append(token)
            elif run and lower in _NAME_CONNECTORS:
                run.append(token)
            else:
                flush()
    flush()
    if spans and spans[0].start == 0 and " " not in spans[0].name:
        first = spans[0].name.lower()
        if (first.endswith("ly") and not spans[0].name.isupper()) or first in _SENTENCE_OPENERS:
            spans.pop(0)  # "Ultimately, ...", "Meanwhile, ...": a capital that only starts the sentence
    return tuple(spans)


def proper_names(text: str) -> list[str]:
    return [span.name for span in name_spans(text)]


# Words that make a multi-word name an organisation or place rather than a person.
_NON_PERSON_WORDS = frozenset(
    "department service security agency administration house court council office act party committee "
    "congress senate university institute association bank fund post times news press union states state "
    "republic ministry commission bureau board group company corporation inc corp county city team".split()
)


class NameResolver:
    """One key per referent across a story: "Internal Revenue Service" and "IRS" share a key when the story
    uses the acronym; "Krause" and "Melanie Krause" share one when only one full name in the story ends in
    "Krause"."""

    def __init__(self, names: Iterable[str]) -> None:
        names = set(names)
        self._acronyms = {name for name in names if name.isupper()}
        self._full_names: dict[str, set[str]] = {}
        for name in names:
            words = name.split()
            if 2 <= len(words) <= 3 and not name.isupper():
                self._full_names.setdefault(words[-1].lower(), set()).add(name.lower())

    def key(self, name: str) -> str:
        words = name.split()
        if len(words) > 1:
            initials = "".join(w[0] for w in words if w.lower() not in _NAME_CONNECTORS).upper()
            if initials in self._acronyms:
                return initials.lower()
        elif not name.isupper() and len(self._full_names.get(name.lower(), ())) == 1:
            return next(iter(self._full_names[name.lower()]))
        return name.lower()

    @staticmethod
    def is_person(key: str) -> bool:
        words = key.split()
        return 2 <= len(words) <= 3 and not any(word in _NON_PERSON_WORDS for word in words)


def name_keys(names_per_sentence: Sequence[Sequence[str]]) -> list[frozenset[str]]:
    resolver = NameResolver(name for names in names_per_sentence for name in names)
    return [frozenset(resolver.key(name) for name in names) for names in names_per_sentence]


# The kinds of event a news sentence most often reports, by the words that name them. A sentence's main event
# is the first one it names; two sentences with different main events do not report the same fact.
EVENT_PATTERNS: dict[str, re.Pattern[str]] = {
    "departure": re.compile(
        r"\b(?:resign\w*|step(?:s|ped|ping)? down|quit(?:s|ting)?|exit|departure|depart(?:s|ed|ing)?|"
        r"leave (?:his|her|their|the) (?:post|job|office|role)|ousted|fired)\b"
    ),
    "agreement": re.compile(
        r"\b(?:agreement|deal|pact|arrangement|accord|memorandum of understanding|treaty)\b"
    ),
    "appointment": re.compile(r"\b(?:appoint(?:s|ed|ment)?|nominat(?:e|es|ed|ion))\b"),
    "election": re.compile(r"\b(?:elected|election|re-elected|wins? the vote)\b"),
    "death": re.compile(r"\b(?:killed|died|dead|death|deaths|fatal\w*)\b"),
    "arrest": re.compile(r"\b(?:arrest(?:s|ed)?|charged|indicted|convicted|sentenced)\b"),
    "lawsuit": re.compile(r"\b(?:sued|sues|lawsuit)\b"),
}


_ANY_EVENT = re.compile(
    "|".join(f"(?P<{kind}>{pattern.pattern})" for kind, pattern in EVENT_PATTERNS.items())
)


def main_event(text: str) -> str:
    """The kind of the first event the sentence names ("departure", "agreement", ...), or ""."""
    match = _ANY_EVENT.search(text.lower())
    return (match.lastgroup or "") if match else ""


@dataclass(frozen=True)
class SourceDocument:
    """One article as the synthesis sees it.

    `source` is the outlet name; an article without an outlet passes its own label (file name, URL), so that
    it counts as a source of its own.
    """

    sentences: Sequence[SentenceSpan]
    source: str


@dataclass(frozen=True)
class SentenceRef:
    document: int
    sentence: int  # SentenceSpan.index


@dataclass
class SentenceTable:
    """The story's usable sentences, flattened; row i of every matrix is sentence `refs[i]`."""

    refs: list[SentenceRef]
    texts: list[str]
    documents: np.ndarray  # document index per row
    positions: np.ndarray  # 0-based position among the document's usable sentences
    words: np.ndarray  # word count per row
    sources: list[str]  # source label per document
    names: list[frozenset[str]]  # name keys per row
    events: list[str]  # main event kind per row, "" when none
    vectors: sparse.csr_matrix  # L2-normalised TF-IDF rows
    graph: sparse.csr_matrix  # cosine >= graph threshold; symmetric, empty diagonal
    facts: sparse.csr_matrix  # fact similarity (wording and names) >= FACT_MIN_SIMILARITY

    def __len__(self) -> int:
        return len(self.refs)


# Pairs whose wording is less similar than this are never the same fact, whatever names they share.
FACT_MIN_COSINE = 0.2


def build_sentence_table(
    documents: Sequence[SourceDocument], min_similarity: float = GRAPH_MIN_SIMILARITY
) -> SentenceTable:
    """Vectors and sparse similarity graphs for every non-boilerplate sentence of the documents."""
    refs: list[SentenceRef] = []
    texts: list[str] = []
    token_lists: list[list[str]] = []
    doc_of: list[int] = []
    positions: list[int] = []
    for d, document in enumerate(documents):
        position = 0
        for span in document.sentences:
            if span.is_boilerplate:
                continue
            terms = content_terms(span.text)
            if not terms:
                continue
            refs.append(SentenceRef(d, span.index))
            texts.append(span.text)
            token_lists.append(terms)
            doc_of.append(d)
            positions.append(position)
            position += 1
    if refs:
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
        vectors = vectorizer.fit_transform(token_lists).tocsr()
    else:
        vectors = sparse.csr_matrix((0, 0), dtype=np.float32)
    graph = similarity_graph(vectors, min(min_similarity, FACT_MIN_COSINE))
    names = name_keys([proper_names(text) for text in texts])
    events = [main_event(text) for text in texts]
    return SentenceTable(
        refs=refs,
        texts=texts,
        documents=np.asarray(doc_of, dtype=np.int32),
        positions=np.asarray(positions, dtype=np.int32),
        words=np.asarray([word_count(t) for t in texts], dtype=np.int32),
        sources=[document.source for document in documents],
        names=names,
        events=events,
        vectors=vectors,
        graph=graph,
        facts=fact_similarity(graph, names, events),
    )


def fact_similarity(
    graph: sparse.csr_matrix, names: Sequence[frozenset[str]], events: Sequence[str]
) -> sparse.csr_matrix:
    """How likely two sentences report the same fact.

    Rewrites of one fact by different outlets share few words but the same event and the same people, bodies
    and places. So for two sentences with the same main event, the similarity is the larger of their wording's
    cosine and the Jaccard overlap of their names plus the event; otherwise it is the cosine. Pairs whose
    wording is less similar than FACT_MIN_COSINE never count, whatever they share.
    """
    n = graph.shape[0]
    pairs = graph.multiply(graph >= FACT_MIN_COSINE).tocoo()
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, (keys, event) in enumerate(zip(names, events, strict=True)):
        if not event:
            continue
        for key in (*keys, f"\x00{event}"):
            rows.append(row)
            cols.append(vocabulary.setdefault(key, len(vocabulary)))
    incidence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, max(len(vocabulary), 1))
    )
    event_ids = {kind: k for k, kind in enumerate(EVENT_PATTERNS, start=1)}
    event_of = np.asarray([event_ids.get(event, 0) for event in events], dtype=np.int32)
    same_event = (event_of[pairs.row] > 0) & (event_of[pairs.row] == event_of[pairs.col])
    counts = np.asarray(incidence.sum(axis=1)).ravel()
    values = pairs.data.astype(np.float32)
    rows, cols = pairs.row[same_event], pairs.col[same_event]
    shared = np.asarray(incidence[rows].multiply(incidence[cols]).sum(axis=1)).ravel()
    union = counts[rows] + counts[cols] - shared
    jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    values[same_event] = np.maximum(values[same_event], jaccard)
    return sparse.csr_matrix((values, (pairs.row, pairs.col)), shape=(n, n), dtype=np.float32)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def similarity_graph(vectors: sparse.csr_matrix, min_similarity: float) -> sparse.csr_matrix:
    """Cosine similarities >= min_similarity between distinct rows of L2-normalised `vectors`.

    Computed in row blocks; each block's products are thresholded before the next block starts, so peak memory
    is one block's products plus the kept pairs.
    """
    n = vectors.shape[0]
    if n == 0:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    transposed = vectors.T.tocsr()
    block = max(16, min(4096, _BLOCK_CELLS // max(n, 1)))
    kept = []
    for start in range(0, n, block):
        products = (vectors[start : start + block] @ transposed).tocsr()
        rows = np.repeat(np.arange(products.shape[0]), np.diff(products.indptr))
        products.data[(products.data < min_similarity) | (products.indices == rows + start)] = 0
        products.eliminate_zeros()
        kept.append(products.astype(np.float32))
    return sparse.vstack(kept, format="csr", dtype=np.float32)


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
    transition_t = (sparse.diags(inverse) @ graph).T.tocsr()
    scores = teleport.copy()
    for _ in range(200):
        spread = transition_t @ scores + scores[dangling].sum() * teleport
        updated = (1 - damping) * teleport + damping * spread
        change = np.abs(updated - scores).sum()
        scores = updated
        if change < tolerance:
            break
    return scores


@dataclass
class ClaimGroup:
    """Sentences of the story that report the same fact."""

    members: list[int]  # rows of the SentenceTable; members[0] is the representative
    sources: list[str]
    salience: float = 0.0
    refs: list[SentenceRef] = field(default_factory=list)

    @property
    def representative(self) -> int:
        return self.members[0]

    @property
    def support(self) -> int:
        return len(self.sources)

    @property
    def unique(self) -> bool:
        return self.support == 1


def group_claims(
    table: SentenceTable, threshold: float, salience: np.ndarray
) -> tuple[list[ClaimGroup], np.ndarray]:
    """Star clustering over the similarity graph: the most salient unassigned sentence founds a claim and
    takes every unassigned sentence at least `threshold` similar to it. No chaining, so a claim never drifts
    from its
    representative. Returns the claims (most salient first) and each row's claim number."""
    n = len(table)
    claim_of = np.full(n, -1, dtype=np.int64)
    claims: list[ClaimGroup] = []
    graph = table.facts
    for row in np.argsort(-salience, kind="stable"):
        if claim_of[row] >= 0:
            continue
        members = [int(row)]
        claim_of[row] = len(claims)
        begin, end = graph.indptr[row], graph.indptr[row + 1]
        neighbours = graph.indices[begin:end][graph.data[begin:end] >= threshold]
        for other in neighbours[np.argsort(-salience[neighbours], kind="stable")]:
            if claim_of[other] < 0:
                claim_of[other] = len(claims)
                members.append(int(other))
        sources = list(dict.fromkeys(table.sources[table.documents[m]] for m in members))
        claims.append(
            ClaimGroup(
                members=members,
                sources=sources,
                salience=float(salience[row]),
                refs=[table.refs[m] for m in members],
            )
        )
    return claims, claim_of


def source_support(table: SentenceTable, threshold: float) -> np.ndarray:
    """For each sentence, how many distinct sources report it: its own plus those of its neighbours >=
    threshold."""
    n = len(table)
    source_ids = {label: k for k, label in enumerate(dict.fromkeys(table.sources))}
    row_source = np.asarray([source_ids[table.sources[d]] for d in table.documents], dtype=np.int64)
    strong = table.facts.multiply(table.facts >= threshold).tocoo()
    pairs = np.unique(np.stack([strong.row.astype(np.int64), row_source[strong.col]]), axis=1)
    support = np.ones(n)
    if pairs.size:
        other = pairs[1] != row_source[pairs[0]]
        np.add.at(support, pairs[0][other], 1)
    return support


def article_coverage(table: SentenceTable, document_count: int, threshold: float) -> np.ndarray:
    """coverage[a, b]: the share of article a's words in sentences that article b also reports (similarity >=
    threshold). 1.0 on the diagonal; not symmetric (a short rewrite is fully covered by its long original)."""
    coverage = np.eye(document_count)
    totals = np.zeros(document_count)
    np.add.at(totals, table.documents, table.words)
    strong = table.facts.multiply(table.facts >= threshold).tocoo()
    pairs = np.unique(
        np.stack([strong.row.astype(np.int64), table.documents[strong.col].astype(np.int64)]), axis=1
    )
    covered = np.zeros((document_count, document_count))
    if pairs.size:
        np.add.at(covered, (table.documents[pairs[0]], pairs[1]), table.words[pairs[0]])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals[:, None] > 0, covered / totals[:, None], 0.0)
    off_diagonal = ~np.eye(document_count, dtype=bool)
    coverage[off_diagonal] = np.clip(shares[off_diagonal], 0.0, 1.0)
    return coverage
