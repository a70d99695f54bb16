"""Stories from a stream: each incoming article joins the story it reports on, or starts a new one.

Plain Python, no Django. Articles are clustered online, in the order they arrive (single pass): an article is
compared with the stories in an index of *active* stories (the most recently updated ones, at most
`StoryParams.max_active`, and only those with an article within `window_days` of it when dates are given),
never with every article seen, so the cost of one article stays flat as the collection grows.

The evidence between an article and a story (README, "Stories from a stream (method)", has the measurements):

- meaning: the cosine between the article's vector (the mean sentence embedding of its title and first
  `lead_sentences` sentences, all-MiniLM-L6-v2 via articles.nlp.embeddings) and the story's centroid;
- wording and names: the cosine between the article's TF-IDF vector (stemmed content words of its sentences,
  plus its named entities as terms of their own, weighted `name_boost`) and the story's TF-IDF centroid. The
  document frequencies are the stream's own, counted as articles arrive;
- best link: the highest TF-IDF cosine between the article and one of the story's latest `link_members`
  articles, so a story is not judged by its centroid alone;
- time: a story whose articles are all more than `window_days` away from the article's date is no candidate.

The score is a weighted sum of the three cosines: 0.1 for the embedding, 0.45 each for the TF-IDF centroid and
the best link (bench/stories.py measured these on its threshold fitted on one half of the topics and scored on
the other: the words and names that tell two similar events apart count most). The article joins the
best-scoring story when the score reaches `threshold` (fitted, bench/stories.py), else it starts a new story.
The embedding shortlists `shortlist` stories from the index; only those get the lexical comparison.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from articles.nlp.boilerplate import CLOSERS
from articles.nlp.consolidation import NAME_LABELS
from articles.nlp.embeddings import DIMENSIONS
from articles.nlp.segmentation import DEFAULT_MODEL
from articles.nlp.terms import content_terms
from articles.nlp.types import SentenceSpan

# Words under which a line is a fragment (a URL piece, a credit), not a sentence that reports.
MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True, slots=True)
class StoryParams:
    """How articles are grouped; the defaults are the ones measured in bench/stories.py."""

    threshold: float = 0.275
    embedding_weight: float = 0.1
    centroid_weight: float = 0.45
    link_weight: float = 0.45
    name_boost: float = 2.0
    lead_sentences: int = 5
    shortlist: int = 20
    link_members: int = 20
    max_active: int = 2_000
    window_days: float = 7.0


@dataclass(frozen=True, slots=True)
class StreamArticle:
    id: str | int
    text: str
    title: str = ""
    published_at: datetime | None = None


@dataclass(slots=True)
class ArticleEvidence:
    """What the clustering needs of one article: its vector, its term counts and its date."""

    vector: np.ndarray
    terms: Counter
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    story: int
    score: float  # the evidence for the story it joined (0.0 for a new story)
    new: bool


# --- evidence of an article ---------------------------------------------------------------------------


def reporting_sentences(spans: Sequence[SentenceSpan]) -> list[SentenceSpan]:
    """Sentences that report: not page furniture, at least four words, not starting inside a sentence or a URL
    (a lower-case first letter). Headlines are kept: they name the event best."""
    kept = []
    for span in spans:
        if span.is_boilerplate:
            continue
        text = span.text.strip().rstrip(CLOSERS)
        if len(text.split()) < MIN_SENTENCE_WORDS:
            continue
        first = next((ch for ch in text if ch.isalnum()), "")
        if not first or first.islower():
            continue
        kept.append(span)
    return kept


def name_term(text: str) -> str:
    words = text.lower().replace("’", "'").split()
    if words and words[0] == "the":
        words = words[1:]
    name = " ".join(words)
    if name.endswith("'s"):
        name = name[:-2]
    return "#" + name if name else ""


def article_terms(sentences: Sequence[str], names: Iterable[str], name_boost: float) -> Counter:
    terms: Counter = Counter()
    for sentence in sentences:
        terms.update(content_terms(sentence))
    for name in names:
        term = name_term(name)
        if term:
            terms[term] += name_boost
    return terms


def read_articles(
    articles: Sequence[StreamArticle], model: str = DEFAULT_MODEL
) -> list[tuple[list[str], list[str]]]:
    """Each article's reporting sentences (its title first) and the names they mention: one spaCy pass."""
    from articles.nlp.entities import analyze_texts

    texts = []
    for article in articles:
        title = article.title.strip()
        texts.append(
            f"{title}\n\n{article.text}"
            if title and not article.text.lstrip().startswith(title)
            else article.text
        )
    readings = []
    for analysis in analyze_texts(texts, model=model):
        kept = reporting_sentences(analysis.sentences)
        starts = [span.start for span in kept]
        names = [
            m.text for m in analysis.mentions if m.label in NAME_LABELS and _inside(m.start, kept, starts)
        ]
        readings.append(([span.text for span in kept], names))
    return readings


def evidence_from_reading(
    sentences: Sequence[str],
    names: Sequence[str],
    lead_vectors: np.ndarray,
    params: StoryParams,
    published_at: datetime | None = None,
) -> ArticleEvidence:
    """An article's evidence from its reading and the embeddings of its first sentences (at least one row)."""
    vector = lead_vectors[: params.lead_sentences].mean(axis=0) if len(lead_vectors) else np.zeros(DIMENSIONS)
    return ArticleEvidence(_unit(vector), article_terms(sentences, names, params.name_boost), published_at)


def evidence_from_analysis(
    spans: Sequence[SentenceSpan],
    mentions: Iterable[tuple[int, str, str]],
    vectors: dict[int, np.ndarray],
    params: StoryParams,
    published_at: datetime | None = None,
) -> ArticleEvidence | None:
    """An analysed article's evidence from what its analysis stored, with no model run: its sentences, its NER
    mentions as (start, label, text), and its sentences' embeddings by sentence index. Its title is not among
    its sentences, so the evidence differs a little from `article_evidence`'s. None without embeddings."""
    kept = reporting_sentences(spans)
    starts = [span.start for span in kept]
    names = [text for start, label, text in mentions if label in NAME_LABELS and _inside(start, kept, starts)]
    lead = [vectors[span.index] for span in kept[: params.lead_sentences] if span.index in vectors]
    if not lead:
        return None
    return evidence_from_reading([span.text for span in kept], names, np.vstack(lead), params, published_at)


def article_evidence(
    articles: Sequence[StreamArticle],
    params: StoryParams = StoryParams(),
    model: str = DEFAULT_MODEL,
) -> list[ArticleEvidence]:
    """The evidence of many articles: one spaCy pass over them all (sentences and names), then each article's
    lead sentences embedded together."""
    from articles.nlp.embeddings import embed

    readings = read_articles(articles, model=model)
    leads = [
        sentences[: params.lead_sentences] or [article.text[:1000]]
        for article, (sentences, _) in zip(articles, readings, strict=True)
    ]
    # An article's evidence must not depend on which other articles arrived with it: the encoder runs each
    # sentence on its own (embeddings.BATCH_SIZE), as it embeds them at analysis.
    evidence = []
    for article, (sentences, names), lead in zip(articles, readings, leads, strict=True):
        rows = embed(lead)  # never empty: an article without sentences leads with its text
        evidence.append(evidence_from_reading(sentences, names, rows, params, article.published_at))
    return evidence


def _inside(position: int, spans: Sequence[SentenceSpan], starts: Sequence[int]) -> bool:
    k = bisect.bisect_right(starts, position) - 1
    return k >= 0 and spans[k].start <= position < spans[k].end


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else np.zeros(DIMENSIONS, dtype=np.float32)


# --- the index of active stories -----------------------------------------------------------------------


@dataclass(slots=True)
class _Story:
    number: int
    slot: int
    size: int = 0
    vector_sum: np.ndarray = field(default_factory=lambda: np.zeros(DIMENSIONS, dtype=np.float32))
    centroid: dict = field(default_factory=dict)  # term -> summed unit TF-IDF weights of the members
    centroid_norm2: float = 0.0
    members: list = field(default_factory=list)  # the latest members' TF-IDF vectors (dicts)


class StoryIndex:
    """Online clustering of a stream of articles into stories (see the module docstring)."""

    def __init__(self, params: StoryParams = StoryParams()) -> None:
        self.params = params
        self._document_frequency: Counter = Counter()
        self._articles = 0
        self._stories = 0
        self._active: OrderedDict[int, _Story] = OrderedDict()  # least recently updated first
        self._slots = np.zeros((params.max_active, DIMENSIONS), dtype=np.float32)  # centroid directions
        self._free = list(range(params.max_active - 1, -1, -1))
        self._by_slot: dict[int, _Story] = {}
        self._used = np.zeros(params.max_active, dtype=bool)
        self._first_at = np.full(
            params.max_active, np.nan
        )  # POSIX seconds of the story's first and last dates
        self._last_at = np.full(params.max_active, np.nan)

    @property
    def story_count(self) -> int:
        return self._stories

    @property
    def active_count(self) -> int:
        return len(self._active)

    def add(self, evidence: ArticleEvidence) -> Assignment:
        """Put one article in a story: the best one if the evidence reaches the threshold, else a new one."""
        best, score, lexical = self._decide(evidence)
        if best is None:
            best = self._new_story()
            assignment = Assignment(best.number, 0.0, True)
        else:
            assignment = Assignment(best.number, score, False)
        self._join(best, evidence, lexical)
        return assignment

    def place(self, evidence: ArticleEvidence) -> tuple[int | None, float]:
        """The story the article belongs to (None: a new one) and its score; counts the article, joins
        nothing. The caller then calls `join(number, evidence)` with the story's number, a new story's number
        of its own choosing (a database key, say)."""
        best, score, _ = self._decide(evidence)
        return (best.number if best is not None else None), score

    def _decide(self, evidence: ArticleEvidence) -> tuple[_Story | None, float, dict]:
        """Count the article; the story it joins (None: a new one), its score, its TF-IDF vector."""
        lexical = self._count(evidence)
        best, best_score = self._best(evidence, lexical)
        if best is None or best_score < self.params.threshold:
            return None, max(best_score, 0.0), lexical
        return best, best_score, lexical

    def join(self, number: int, evidence: ArticleEvidence, *, count: bool = False) -> None:
        """Add an article to story `number` (opened when the index does not hold it: a new story, or one it
        retired); `count` the article first when `place` did not."""
        lexical = self._count(evidence) if count else self._tfidf(evidence.terms)
        story = self._active.get(number)
        if story is None:
            story = self._new_story(number)
        self._join(story, evidence, lexical)

    def _count(self, evidence: ArticleEvidence) -> dict:
        """Count the article in the document frequencies; its TF-IDF vector."""
        self._articles += 1
        self._document_frequency.update(evidence.terms.keys())
        return self._tfidf(evidence.terms)

    def _best(self, evidence: ArticleEvidence, lexical: dict) -> tuple[_Story | None, float]:
        best, best_score = None, -1.0
        for story, cosine in self._shortlist(evidence):
            score = self._score(story, cosine, lexical)
            if score > best_score:
                best, best_score = story, score
        return best, best_score

    def _shortlist(self, evidence: ArticleEvidence) -> list[tuple[_Story, float]]:
        """The active stories most similar in meaning, among those within the time window of the article."""
        if not self._by_slot:
            return []
        cosines = self._slots @ evidence.vector
        eligible = self._used.copy()
        if evidence.published_at is not None:
            when = evidence.published_at.timestamp()
            window = self.params.window_days * 86_400
            # Stories without dates (NaN) stay eligible.
            eligible &= ~((self._first_at - when > window) | (when - self._last_at > window))
        candidates = np.flatnonzero(eligible)
        if len(candidates) > self.params.shortlist:
            top = np.argpartition(-cosines[candidates], self.params.shortlist - 1)[: self.params.shortlist]
            candidates = candidates[top]
        return [(self._by_slot[int(slot)], float(cosines[slot])) for slot in candidates]

    def _score(self, story: _Story, cosine: float, lexical: dict) -> float:
        params = self.params
        norm = math.sqrt(story.centroid_norm2)
        centroid = _dot(lexical, story.centroid) / norm if norm > 0 else 0.0
        link = max((_dot(lexical, member) for member in story.members), default=0.0)
        return (
            params.embedding_weight * cosine + params.centroid_weight * centroid + params.link_weight * link
        )

    def _tfidf(self, terms: Counter) -> dict:
        n = self._articles
        df = self._document_frequency
        weights = {
            t: (1.0 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1.0)
            for t, c in terms.items()
            if c > 0
        }
        return _normalised(weights)

    def _new_story(self, number: int | None = None) -> _Story:
        if not self._free:
            _, oldest = self._active.popitem(last=False)  # retire the least recently updated story
            del self._by_slot[oldest.slot]
            self._free.append(oldest.slot)
        slot = self._free.pop()
        self._used[slot] = True
        self._slots[slot] = 0.0
        self._first_at[slot] = self._last_at[slot] = np.nan
        if number is None:
            number = self._stories
        story = _Story(number=number, slot=slot)
        self._stories = max(self._stories, number + 1)
        self._active[story.number] = story
        self._by_slot[slot] = story
        return story

    def _join(self, story: _Story, evidence: ArticleEvidence, lexical: dict) -> None:
        story.size += 1
        story.vector_sum += evidence.vector
        self._slots[story.slot] = _unit(story.vector_sum)
        story.centroid_norm2 = _accumulate(story.centroid, story.centroid_norm2, lexical)
        story.members.append(lexical)
        if len(story.members) > self.params.link_members:
            del story.members[0]
        if evidence.published_at is not None:
            when = evidence.published_at.timestamp()
            slot = story.slot
            self._first_at[slot] = when if np.isnan(self._first_at[slot]) else min(self._first_at[slot], when)
            self._last_at[slot] = when if np.isnan(self._last_at[slot]) else max(self._last_at[slot], when)
        self._active.move_to_end(story.number)


def _normalised(weights: dict) -> dict:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm > 0 else {}


def _accumulate(centroid: dict, norm2: float, vector: dict) -> float:
    """Add `vector` to the summed `centroid` in place; the sum's new squared norm, in O(len(vector))."""
    cross = _dot(vector, centroid)
    for term, weight in vector.items():
        centroid[term] = centroid.get(term, 0.0) + weight
    return norm2 + 2 * cross + sum(w * w for w in vector.values())


def _dot(small: dict, large: dict) -> float:
    if len(small) > len(large):
        small, large = large, small
    get = large.get
    return sum(w * get(t, 0.0) for t, w in small.items())


def cluster_stream(
    articles: Iterable[StreamArticle],
    params: StoryParams = StoryParams(),
    model: str = DEFAULT_MODEL,
    batch_size: int = 64,
) -> Iterator[tuple[StreamArticle, Assignment]]:
    """Each article with its story, in the given order (evidence read in batches, clustered one by one)."""
    index = StoryIndex(params)
    batch: list[StreamArticle] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from _cluster_batch(index, batch, params, model)
            batch = []
    if batch:
        yield from _cluster_batch(index, batch, params, model)


def _cluster_batch(index, batch, params, model):
    for article, evidence in zip(batch, article_evidence(batch, params, model), strict=True):
        yield article, index.add(evidence)
