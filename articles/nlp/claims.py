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

import heapq
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from nltk.stem.snowball import EnglishStemmer
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sumy.utils import get_stop_words

from articles.nlp.types import SentenceSpan

# Pairs below this similarity never enter the graph (LexRank's usual threshold).
GRAPH_MIN_SIMILARITY = 0.1
# A rough bound on how many similarity values one row block may hold before thresholding.
_BLOCK_CELLS = 4_000_000
# Threads computing similarity blocks (the machine's cores, at most two).
_SIMILARITY_THREADS = max(1, min(2, os.cpu_count() or 1))

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


class _TermOfWord(dict):
    """Raw lower-case word -> its stemmed content term, or "" for a stop word; filled on first sight, so a
    story's sentences cost one dict lookup per word (stemming is by far the dearest step otherwise)."""

    def __missing__(self, word: str) -> str:
        stripped = word.split("'")[0].split("’")[0]
        term = _stemmer.stem(stripped) if stripped and stripped not in _STOP_WORDS else ""
        if len(self) < 500_000:  # a bound for long-lived workers; the English vocabulary fits well within
            self[word] = term
        return term


_term_of_word = _TermOfWord()


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a sentence: lower-cased, stop words and apostrophe suffixes dropped."""
    return [term for term in map(_term_of_word.__getitem__, _WORD.findall(text.lower())) if term]


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
# is the first one named in its main clause; two sentences with different main events do not report the same
# fact.
EVENT_PATTERNS: dict[str, re.Pattern[str]] = {
    "departure": re.compile(
        r"\b(?:resign\w*|step(?:s|ped|ping)? down|quit(?:s|ting)?|exit|departure|depart(?:s|ed|ing)?|"
        r"leave (?:his|her|their|the) (?:post|job|office|role)|ousted|fired)\b"
    ),
    "agreement": re.compile(
        r"\b(?:agreement|deal|pact|arrangement|accord|memorandum of understanding|treaty)\b"
    ),
    "appointment": re.compile(
        r"\b(?:appoint(?:s|ed|ment)?|nominat(?:e|es|ed|ion)|successors?|succeed(?:s|ed)?|replacements?)\b"
    ),
    "election": re.compile(r"\b(?:elected|election|re-elected|wins? the vote)\b"),
    "death": re.compile(r"\b(?:killed|died|dead|death|deaths|fatal\w*)\b"),
    "arrest": re.compile(r"\b(?:arrest(?:s|ed)?|charged|indicted|convicted|sentenced)\b"),
    "lawsuit": re.compile(r"\b(?:sued|sues|lawsuit)\b"),
    "criticism": re.compile(
        r"\b(?:critics?|criticism|critici[sz]ed|opponents?|condemn(?:s|ed)?|outrage|backlash|outcry)\b"
    ),
    "support": re.compile(r"\b(?:supporters?|proponents?|backers?)\b"),
}
# Events that happen to a person: who resigned, was appointed, died... is part of the fact.
PERSON_EVENTS = frozenset({"departure", "appointment", "election", "death", "arrest"})

_ANY_EVENT = re.compile(
    "|".join(f"(?P<{kind}>{pattern.pattern})" for kind, pattern in EVENT_PATTERNS.items())
)
# A leading adverbial clause ("As Krause prepares to leave her post, ...", "While supporters argue ..., ")
# is background; the sentence's own event is in the main clause after it.
_LEADING_CLAUSE = re.compile(
    r"^(?:as|while|although|though|since|when|after|before|because|if|once|despite|amid|following|whereas)"
    r"\b[^,;:]{0,200},\s"
)
# "Krause's departure ...", "Her resignation ...": the event as a noun after a possessive or article is
# what the sentence talks about, not what it reports ("announced her resignation" does report it).
_NOMINAL_EVENT = re.compile(r"(?:['’]s|\b(?:her|his|their|its|the|a|an|this|that))\s+(?:\w+ly\s+|\w+ed\s+)?$")
_REPORTING_VERB = re.compile(
    r"\b(?:announc|tender|submitt?|offer|hand|confirm)\w*\s+(?:her|his|their|the|a)\s+(?:\w+\s+)?$"
)


@dataclass(frozen=True)
class SentenceEvent:
    kind: str  # an EVENT_PATTERNS key, "" when the sentence names none
    start: int  # offset of the event words in the sentence, -1 when none
    reported: bool  # the sentence reports the event (a verb, "announced her resignation"), not a mention


_NO_EVENT = SentenceEvent("", -1, False)


def sentence_event(text: str) -> SentenceEvent:
    """The main event of a sentence: the first one named after any leading adverbial clause."""
    lower = text.lower()
    matches = list(_ANY_EVENT.finditer(lower))
    if not matches:
        return _NO_EVENT
    lead = _LEADING_CLAUSE.match(lower)
    if lead:
        matches = [m for m in matches if m.start() >= lead.end()] or matches
    match = matches[0]
    before = lower[max(0, match.start() - 60) : match.start()]
    reported = not _NOMINAL_EVENT.search(before) or bool(_REPORTING_VERB.search(before))
    return SentenceEvent(match.lastgroup or "", match.start(), reported)


def main_event(text: str) -> str:
    """The kind of the sentence's main event ("departure", "agreement", ...), or ""."""
    return sentence_event(text).kind


# Common paraphrases in news wording, each read as one term, so that "stepped down" and "resigned", or "deal"
# and "pact", count as the same word when sentences are compared as facts.
PARAPHRASES: dict[str, str] = {
    "depart": r"resign\w*|step(?:s|ped|ping)? down|quit(?:s|ting)?|exit(?:s|ed|ing)?|departures?|"
    r"depart(?:s|ed|ing)?|(?:leav(?:e|es|ing)|left) (?:his|her|their|the) (?:post|job|office|role|position)",
    "dismiss": r"fired|ousted|sacked|dismiss(?:ed|es|al)?|removed from (?:office|the post)",
    "agreement": r"agreements?|deals?|pacts?|arrangements?|accords?|memorand(?:um|a) of understanding|"
    r"mous?|treat(?:y|ies)",
    "successor": r"successors?|succeed(?:s|ed|ing)?|replacements?|replac(?:e|es|ed|ing)",
    "appoint": r"appoint(?:s|ed|ing|ment)?|nominat(?:e|es|ed|ing|ion)|nominees?",
    "critic": r"critics?|critici[sz](?:e|es|ed|ing|m)|opponents?|condemn(?:s|ed|ing)?|denounc(?:e|es|ed|ing)|"
    r"outcry|backlash|outrage",
    "supporter": r"supporters?|proponents?|backers?|defenders?",
    "assert": r"argu(?:e|es|ed|ing)|contend(?:s|ed|ing)?|claim(?:s|ed|ing)?|assert(?:s|ed|ing)?|"
    r"warn(?:s|ed|ing)?|insist(?:s|ed|ing)?|alleg(?:e|es|ed|ing)",
    "allow": r"allow(?:s|ed|ing)?|permit(?:s|ted|ting)?|enabl(?:e|es|ed|ing)|grant(?:s|ed|ing)? access",
    "data": r"data|information|info",
    "death": r"killed|died|dies|dead|deaths?|fatal(?:ly|ities)?",
    "arrest": r"arrest(?:s|ed|ing)?|detain(?:s|ed|ing)?|apprehend(?:s|ed|ing)?|taken into custody",
    "lawsuit": r"su(?:e|es|ed|ing)|lawsuits?|legal action",
    "increase": r"increas(?:e|es|ed|ing)|ris(?:e|es|ing)|rose|climb(?:s|ed|ing)?|jump(?:s|ed|ing)?|"
    r"surg(?:e|es|ed|ing)|soar(?:s|ed|ing)?",
    "decrease": r"decreas(?:e|es|ed|ing)|f[ae]ll(?:s|ing)?|drop(?:s|ped|ping)?|declin(?:e|es|ed|ing)|"
    r"plung(?:e|es|ed|ing)|slump(?:s|ed|ing)?",
}
_PARAPHRASE = re.compile(
    r"\b(?:" + "|".join(f"(?P<{term}>{pattern})" for term, pattern in PARAPHRASES.items()) + r")\b"
)


def fact_terms(text: str, names: Sequence[NameSpan], keys: Sequence[str]) -> list[str]:
    """The terms two sentences are compared on as facts: stemmed content words with news paraphrases read as
    one term ("\\x01depart"), and each name replaced by its story-wide key ("\\x02irs")."""
    masked = list(text)
    for span in names:
        masked[span.start : span.end] = " " * (span.end - span.start)
    canonical: list[str] = []

    def replace(match: re.Match[str]) -> str:
        canonical.append("\x01" + (match.lastgroup or ""))
        return " "

    rest = _PARAPHRASE.sub(replace, "".join(masked).lower())
    return [*content_terms(rest), *canonical, *("\x02" + key for key in keys)]


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
    facts: sparse.csr_matrix  # fact similarity between sentences of different documents (see fact_similarity)

    def __len__(self) -> int:
        return len(self.refs)


# Fact similarities below this are not kept (a claim needs far more).
FACT_MIN_SIMILARITY = 0.1
# Added to the fact similarity of two sentences that both report the same event of the same subject
# ("Krause is stepping down" / "Krause has announced her resignation").
SAME_EVENT_BONUS = 0.15
# Fact pairs at or above this are all kept (they decide claims, support and coverage); below it, each sentence
# keeps only its FACT_NEIGHBOURS most similar partners (they only lower or raise a claim's average link).
FACT_STRONG_SIMILARITY = 0.3
FACT_NEIGHBOURS = 50
# Each sentence keeps its GRAPH_NEIGHBOURS most similar sentences (>= the graph threshold) in the centrality
# graph, which is then made symmetric: LexRank on a sparse nearest-neighbour graph.
GRAPH_NEIGHBOURS = 50


def build_sentence_table(
    documents: Sequence[SourceDocument],
    min_similarity: float = GRAPH_MIN_SIMILARITY,
    fact_threshold: float = FACT_STRONG_SIMILARITY,
) -> SentenceTable:
    """Vectors and sparse similarity graphs for every non-boilerplate sentence of the documents.

    `fact_threshold` is the lowest similarity at which claims, support or coverage will read fact pairs:
    every pair at or above it is kept; weaker ones only for each sentence's nearest neighbours.
    """
    refs: list[SentenceRef] = []
    texts: list[str] = []
    text_ids: list[int] = []
    doc_of: list[int] = []
    positions: list[int] = []
    analysis_of: dict[str, int] = {}
    terms_of_text: list[list[str]] = []
    for d, document in enumerate(documents):
        position = 0
        for span in document.sentences:
            if span.is_boilerplate:
                continue
            text_id = analysis_of.get(span.text)
            if text_id is None:
                text_id = analysis_of[span.text] = len(terms_of_text)
                terms_of_text.append(content_terms(span.text))
            if not terms_of_text[text_id]:
                continue
            refs.append(SentenceRef(d, span.index))
            texts.append(span.text)
            text_ids.append(text_id)
            doc_of.append(d)
            positions.append(position)
            position += 1
    distinct = list(analysis_of)  # insertion order: text id -> text
    row_text = np.asarray(text_ids, dtype=np.int64)
    vectors = _tfidf(terms_of_text, row_text)
    # The centrality graph is mostly sparse products (no GIL held): it runs while names and events are read.
    with ThreadPoolExecutor(max_workers=1) as background:
        graph_future = background.submit(
            similarity_graph, vectors, min_similarity, neighbours=GRAPH_NEIGHBOURS
        )
        # Per distinct text (texts without content words have no row and are skipped).
        text_spans = [
            _name_spans(text) if terms else () for text, terms in zip(distinct, terms_of_text, strict=True)
        ]
        text_events = [
            sentence_event(text) if terms else _NO_EVENT
            for text, terms in zip(distinct, terms_of_text, strict=True)
        ]
        resolver = NameResolver(span.name for row_spans in text_spans for span in row_spans)
        text_keys = [[resolver.key(span.name) for span in row_spans] for row_spans in text_spans]
        text_names = [frozenset(keys) for keys in text_keys]
        names = [text_names[t] for t in text_ids]
        events = [text_events[t] for t in text_ids]
        spans = [text_spans[t] for t in text_ids]
        keys = [text_keys[t] for t in text_ids]
        subjects = _event_subjects(events, spans, keys, doc_of, resolver)
        fact_vectors = _tfidf(
            [
                fact_terms(text, row_spans, row_keys) if terms else []
                for text, terms, row_spans, row_keys in zip(
                    distinct, terms_of_text, text_spans, text_keys, strict=True
                )
            ],
            row_text,
        )
        documents_array = np.asarray(doc_of, dtype=np.int32)
        facts = fact_similarity(fact_vectors, documents_array, names, events, subjects, fact_threshold)
        graph = graph_future.result()
    return SentenceTable(
        refs=refs,
        texts=texts,
        documents=documents_array,
        positions=np.asarray(positions, dtype=np.int32),
        words=np.asarray([word_count(t) for t in texts], dtype=np.int32),
        sources=[document.source for document in documents],
        names=names,
        events=[event.kind for event in events],
        vectors=vectors,
        graph=graph,
        facts=facts,
    )


def _tfidf(token_lists: list[list[str]], rows: np.ndarray | None = None) -> sparse.csr_matrix:
    """L2-normalised TF-IDF (sublinear tf) of `token_lists[rows]`: terms are counted once per distinct
    text, document frequencies over the rows. scikit-learn does it; building the matrix by hand measured
    only about 0.1 s faster at 50,000 sentences."""
    if rows is None:
        rows = np.arange(len(token_lists))
    if not len(rows):
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    counts = CountVectorizer(analyzer=_identity, dtype=np.float32).fit_transform(token_lists).tocsr()
    transformer = TfidfTransformer(sublinear_tf=True)
    return transformer.fit_transform(counts[rows]).astype(np.float32).tocsr()


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _event_subjects(
    events: Sequence[SentenceEvent],
    spans: Sequence[Sequence[NameSpan]],
    keys: Sequence[Sequence[str]],
    doc_of: Sequence[int],
    resolver: NameResolver,
) -> list[str]:
    """Who a person event happens to: the last person named before the event words; for "the acting head
    of the agency is preparing to resign", the one person the same article names for that kind of event."""
    subjects = [""] * len(events)
    unresolved: list[int] = []
    named: dict[tuple[int, str], set[str]] = {}
    for row, event in enumerate(events):
        if event.kind not in PERSON_EVENTS:
            continue
        people = [
            key
            for span, key in zip(spans[row], keys[row], strict=True)
            if span.start < event.start and resolver.is_person(key)
        ]
        if people:
            subjects[row] = people[-1]
            named.setdefault((doc_of[row], event.kind), set()).add(people[-1])
        else:
            unresolved.append(row)
    for row in unresolved:
        people = named.get((doc_of[row], events[row].kind), set())
        if len(people) == 1:
            subjects[row] = next(iter(people))
    return subjects


def fact_similarity(
    fact_vectors: sparse.csr_matrix,
    documents: np.ndarray,
    names: Sequence[frozenset[str]],
    events: Sequence[SentenceEvent],
    subjects: Sequence[str],
    strong: float = FACT_STRONG_SIMILARITY,
) -> sparse.csr_matrix:
    """How likely two sentences of different documents report the same fact.

    The cosine of their fact terms (paraphrases read as one word, names by their story-wide key, IDF over
    the story), with two rules from how news sentences are built:

    - two sentences whose main events differ (a departure, an agreement) report different facts, and a
      sentence about one person's departure does not report the same fact as one that never names that
      person: similarity 0;
    - two sentences that both report the same event of the same subject (for events without a person, the
      same kind naming a party in common) get SAME_EVENT_BONUS: rewrites of one fact share few words.

    Every pair >= `strong` is kept; weaker pairs only among each sentence's FACT_NEIGHBOURS nearest.
    """
    n = fact_vectors.shape[0]
    kind_ids = {kind: k for k, kind in enumerate(EVENT_PATTERNS, start=1)}
    kind_of = np.asarray([kind_ids.get(event.kind, 0) for event in events], dtype=np.int32)
    reported = np.asarray([event.reported for event in events], dtype=bool)
    # Name keys and subjects share one id space; a row's names as a sorted set of codes row * K + key id.
    key_ids: dict[str, int] = {}
    name_rows: list[int] = []
    name_cols: list[int] = []
    for row, row_names in enumerate(names):
        for key in row_names:
            name_rows.append(row)
            name_cols.append(key_ids.setdefault(key, len(key_ids)))
    subject_of = np.asarray(
        [key_ids.setdefault(subject, len(key_ids)) if subject else -1 for subject in subjects], dtype=np.int64
    )
    key_count = max(len(key_ids), 1)
    name_codes = np.sort(
        np.asarray(name_rows, dtype=np.int64) * key_count + np.asarray(name_cols, dtype=np.int64)
    )
    incidence = sparse.csr_matrix(
        (np.ones(len(name_rows), dtype=np.int32), (name_rows, name_cols)), shape=(n, key_count)
    )

    def names_key(rows: np.ndarray, key: np.ndarray) -> np.ndarray:
        codes = rows.astype(np.int64) * key_count + key
        found = np.searchsorted(name_codes, codes)
        found[found == len(name_codes)] = 0
        return name_codes[found] == codes if len(name_codes) else np.zeros(len(codes), dtype=bool)

    has_event = kind_of > 0

    def apply_rules(rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        values = np.where(documents[rows] != documents[cols], values, np.float32(0))
        eventful = np.flatnonzero(has_event[rows] | has_event[cols])  # the event rules concern only these
        if eventful.size:
            values[eventful] = event_rules(rows[eventful], cols[eventful], values[eventful])
        return values

    def event_rules(rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        keep = values > 0
        both_events = (kind_of[rows] > 0) & (kind_of[cols] > 0)
        same_kind = kind_of[rows] == kind_of[cols]
        keep &= ~both_events | same_kind
        # A person's event against a sentence that does not name that person.
        for a, b in ((rows, cols), (cols, rows)):
            has_subject = np.flatnonzero(keep & (subject_of[a] >= 0))
            if has_subject.size:
                sa, sb = a[has_subject], b[has_subject]
                named = names_key(sb, subject_of[sa]) | (subject_of[sb] == subject_of[sa])
                keep[has_subject[~named]] = False
        same_event = keep & both_events & same_kind & reported[rows] & reported[cols]
        person_event = subject_of[rows] >= 0
        bonus = same_event & person_event & (subject_of[rows] == subject_of[cols])
        other = np.flatnonzero(same_event & ~person_event & (subject_of[cols] < 0))
        if other.size:
            shared = np.asarray(incidence[rows[other]].multiply(incidence[cols[other]]).sum(axis=1)).ravel()
            bonus[other[shared > 0]] = True
        values = values + np.where(bonus, np.float32(SAME_EVENT_BONUS), np.float32(0))
        return np.where(keep, values, np.float32(0))

    return similarity_graph(
        fact_vectors, FACT_MIN_SIMILARITY, neighbours=FACT_NEIGHBOURS, adjust=apply_rules, keep_above=strong
    )


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
    """Claims by average-linkage clustering over the fact similarity, with at most one sentence per article.

    The closest pair of groups merges first, while the mean similarity between their sentences stays at or
    above `threshold`; two groups that both hold a sentence of the same article never merge, so each article
    lends a claim its sentence most similar to the rest, and its other sentences form or join other claims.
    No single-link chains: a claim never drifts from what all its sentences say. The representative is the
    most salient member. Returns the claims (most salient first) and each row's claim number.

    Only pairs >= `threshold` are candidates (two groups can only reach that mean if some pair of theirs
    does); they are visited in descending order, and a pair whose groups have changed since it was queued is
    re-linked once per state of the two groups and queued again at its new value."""
    n = len(table)
    facts = table.facts
    row_document = table.documents.tolist()
    group_of = np.arange(n)  # for vector reads
    group_list = group_of.tolist()  # the same, for fast single reads
    # Groups of two or more sentences; a row missing here is a group of its own.
    members: dict[int, list[int]] = {}
    documents: dict[int, set[int]] = {}
    # A group's state: 0 for an untouched single sentence, a fresh number after every merge it takes part in.
    state = [0] * n
    next_state = 1
    links: dict[tuple[int, int, int, int], float] = {}
    firsts, seconds, values = strong_pairs(facts, threshold)
    upper = firsts < seconds
    firsts, seconds, values = firsts[upper], seconds[upper], values[upper]
    order = np.lexsort((seconds, firsts, -values))
    initial = zip(
        (-values[order].astype(np.float64)).tolist(),
        firsts[order].tolist(),
        seconds[order].tolist(),
        strict=True,
    )
    requeued: list[tuple[float, int, int, int, int]] = []
    upcoming = next(initial, None)
    while upcoming is not None or requeued:
        if upcoming is not None and (not requeued or (*upcoming, 0, 0) <= requeued[0]):
            negative, a, b = upcoming
            state_a = state_b = 0
            upcoming = next(initial, None)
        else:
            negative, a, b, state_a, state_b = heapq.heappop(requeued)
        group_a, group_b = group_list[a], group_list[b]
        if group_a == group_b:
            continue
        documents_a = documents.get(group_a) or {row_document[group_a]}
        documents_b = documents.get(group_b) or {row_document[group_b]}
        if not documents_a.isdisjoint(documents_b):
            continue
        members_a = members.get(group_a) or [group_a]
        members_b = members.get(group_b) or [group_b]
        if state[group_a] != state_a or state[group_b] != state_b:  # a group changed since this was queued
            key = (group_a, state[group_a], group_b, state[group_b])
            link = links.get(key)
            if link is None:
                link = links[key] = _average_link(facts, members_a, members_b, group_of, group_b)
                if link < -negative - 1e-6 and link >= threshold:  # queue it once at its new value
                    heapq.heappush(requeued, (-link, a, b, state[group_a], state[group_b]))
            if link < -negative - 1e-6:
                continue
        if len(members_a) < len(members_b):
            group_a, group_b = group_b, group_a
            members_a, members_b = members_b, members_a
            documents_a, documents_b = documents_b, documents_a
        group_of[members_b] = group_a
        for row in members_b:
            group_list[row] = group_a
        if group_a in members:  # grow the bigger group in place
            members_a.extend(members_b)
            documents_a |= documents_b
        else:
            members[group_a] = members_a + members_b
            documents[group_a] = documents_a | documents_b
        members.pop(group_b, None)
        documents.pop(group_b, None)
        state[group_a] = next_state
        next_state += 1

    # Members by group, most salient first (ties: table order).
    order = np.lexsort((np.arange(n), -salience, group_of))
    boundaries = np.flatnonzero(np.diff(group_of[order])) + 1
    row_source = [table.sources[d] for d in table.documents]
    claims: list[ClaimGroup] = []
    for rows in np.split(order, boundaries) if n else []:
        ordered = rows.tolist()
        claims.append(
            ClaimGroup(
                members=ordered,
                sources=list(dict.fromkeys(row_source[m] for m in ordered)),
                salience=float(salience[ordered[0]]),
                refs=[table.refs[m] for m in ordered],
            )
        )
    claims.sort(key=lambda claim: (-claim.salience, claim.representative))
    claim_of = np.full(n, -1, dtype=np.int64)
    for number, claim in enumerate(claims):
        claim_of[claim.members] = number
    return claims, claim_of


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
    """For each sentence, how many distinct sources report it: its own plus those of its neighbours >=
    threshold."""
    n = len(table)
    source_ids = {label: k for k, label in enumerate(dict.fromkeys(table.sources))}
    row_source = np.asarray([source_ids[table.sources[d]] for d in table.documents], dtype=np.int64)
    rows, cols, _ = strong_pairs(table.facts, threshold)
    sources = np.int64(max(len(source_ids), 1))
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
