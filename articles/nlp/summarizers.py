"""Extractive summaries of one article with sumy's algorithms, over our own sentences and words.

sumy never segments anything here: the document model is built from our SentenceSpans (boilerplate left out,
headings passed as sumy headings so they are never chosen), and words come from our tokenizer. Nothing needs
NLTK data: the English stemmer is NLTK's pure-Python snowball module and the stop words ship with sumy.
"""

from __future__ import annotations

import heapq
import math
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from articles.nlp.segmentation import DEFAULT_MODEL, heading_indices, paragraph_groups, sumy_tokenizer, words
from articles.nlp.types import SentenceSpan

ALGORITHMS = ("lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction")
LANGUAGE = "english"
# KL-Sum rescans every remaining sentence against the growing summary, for every sentence it picks: cubic in
# the number of sentences. It sees at most this many (the article's first ones; news puts the facts first).
KL_MAX_SENTENCES = 60
# LexRank, TextRank, Reduction and LSA compare every sentence with every other (SumBasic rescans all of them
# for each one it rates): their cost grows with the square of the sentence count, and a 7,000-sentence article
# took over ten minutes. Each algorithm sees at most this many candidates. A longer article is first narrowed
# in linear time: its opening sentences (news puts the facts first) and the sentences nearest its TF-IDF
# centroid (what the article is mostly about). News articles have far fewer sentences, so the cap leaves
# them alone; bench/bounded.py measures its time and ROUGE effect.
MAX_CANDIDATES = 300
# The share of the candidates taken by position, before the centroid fills the rest.
LEAD_SHARE = 0.25

# Edmundson's cue method: words that signal a sentence carries the news (bonus), or that it is hedging,
# promotion or page furniture (stigma). Null words are ignored by the title method.
EDMUNDSON_BONUS_WORDS = (
    "announced",
    "confirmed",
    "said",
    "says",
    "according",
    "official",
    "officials",
    "report",
    "reported",
    "statement",
    "resign",
    "resigned",
    "resigns",
    "agreement",
    "deal",
    "decision",
    "ruled",
    "approved",
    "signed",
    "killed",
    "died",
    "arrested",
    "charged",
    "found",
    "first",
    "new",
    "will",
    "plans",
    "after",
    "following",
    "because",
    "percent",
    "million",
    "billion",
    "federal",
    "president",
    "government",
    "court",
)
EDMUNDSON_STIGMA_WORDS = (
    "click",
    "subscribe",
    "newsletter",
    "follow",
    "share",
    "advertisement",
    "cookie",
    "cookies",
    "comment",
    "comments",
    "photo",
    "image",
    "video",
    "watch",
    "sign",
    "download",
    "app",
    "copyright",
    "perhaps",
    "maybe",
    "hopefully",
    "arguably",
    "seemingly",
    "allegedly",
    "rumored",
    "reportedly",
    "meanwhile",
    "also",
)


class SummaryError(ValueError):
    """A summary that cannot be made as asked (unknown algorithm, bad length); the message is for people."""


@dataclass(frozen=True)
class SummaryResult:
    algorithm: str
    sentence_indices: list[int]
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=4)
def library_versions(model: str = DEFAULT_MODEL) -> dict[str, str]:
    """The versions that decide a summary's output, stored with it so it can be reproduced."""
    import spacy

    model_version = "unknown"
    try:
        from spacy.util import get_package_version

        model_version = get_package_version(model) or "unknown"
    except (ImportError, ValueError):
        pass
    return {
        "sumy": _package_version("sumy"),
        "nltk": _package_version("nltk"),
        "numpy": _package_version("numpy"),
        "spacy": spacy.__version__,
        "spacy_model": f"{model} {model_version}",
    }


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sumy.utils import get_stop_words

    return frozenset(get_stop_words(LANGUAGE))


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    """sumy's English stemmer (NLTK snowball, no data files), memoised: news reuses the same words a lot."""
    from sumy.nlp.stemmers import Stemmer

    return lru_cache(maxsize=65536)(Stemmer(LANGUAGE))


def _build_summarizer(algorithm: str) -> Any:
    from sumy.summarizers.edmundson import EdmundsonSummarizer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.reduction import ReductionSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
        "edmundson": EdmundsonSummarizer,
        "kl": KLSummarizer,
        "sumbasic": SumBasicSummarizer,
        "reduction": ReductionSummarizer,
    }
    summarizer = classes[algorithm](_stemmer())
    if algorithm == "edmundson":
        summarizer.bonus_words = EDMUNDSON_BONUS_WORDS
        summarizer.stigma_words = EDMUNDSON_STIGMA_WORDS
        summarizer.null_words = _stop_words()
    else:
        summarizer.stop_words = _stop_words()
    return summarizer


def check_algorithm(algorithm: str) -> str:
    name = (algorithm or "").strip().lower()
    if name not in ALGORITHMS:
        raise SummaryError(f"Unknown summary algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS)}.")
    return name


class _WordBudget:
    """sumy's `sentences_count` may be a callable over the rated sentences: take the best ones that fit."""

    def __init__(self, budget: int) -> None:
        self.budget = budget

    def __call__(self, rated: Sequence[Any]) -> list[Any]:
        chosen, used = [], 0
        for info in rated:
            size = len(info.sentence.words)
            if chosen and used + size > self.budget:
                continue
            chosen.append(info)
            used += size
            if used >= self.budget:
                break
        return chosen


def preselect(candidates: Sequence[SentenceSpan], limit: int) -> set[int]:
    """At most `limit` of the candidates (their indices), chosen in time linear in the article's words.

    The first `LEAD_SHARE` of the limit are the opening sentences; the rest are the sentences whose TF-IDF
    vector (stemmed words, stop words left out) is nearest the article's centroid.
    """
    if len(candidates) <= limit:
        return {span.index for span in candidates}
    stem, stop = _stemmer(), _stop_words()
    bags = [
        Counter(stem(w.lower()) for w in words(span.text) if w.lower() not in stop) for span in candidates
    ]
    document_frequency: Counter[str] = Counter()
    for bag in bags:
        document_frequency.update(bag.keys())
    total = len(bags)
    idf = {term: math.log(total / count) for term, count in document_frequency.items()}
    vectors = []
    centroid: Counter[str] = Counter()
    for bag in bags:
        vector = {term: tf * idf[term] for term, tf in bag.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vector = {term: v / norm for term, v in vector.items()}
        vectors.append(vector)
        centroid.update(vector)
    lead = max(1, int(limit * LEAD_SHARE))
    rest = range(lead, len(candidates))
    scores = {k: sum(v * centroid[term] for term, v in vectors[k].items()) for k in rest}
    central = heapq.nlargest(limit - lead, rest, key=lambda k: (scores[k], -k))
    return {candidates[k].index for k in [*range(lead), *central]}


def summarize(
    text: str,
    spans: Sequence[SentenceSpan],
    algorithm: str,
    sentences: int | None = None,
    word_budget: int | None = None,
    title: str = "",
    model: str = DEFAULT_MODEL,
    max_candidates: int | None = MAX_CANDIDATES,
) -> SummaryResult:
    """The best sentences of one article by one sumy algorithm; boilerplate and headings are never chosen.

    Length is `sentences` (a count) or `word_budget` (at most this many words, but at least one sentence).
    The algorithm sees at most `max_candidates` sentences (`preselect`); None lifts the cap (bench/ only).
    """
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    algorithm = check_algorithm(algorithm)
    if (sentences is None) == (word_budget is None):
        raise SummaryError(
            "Give the summary length either as a sentence count or as a word budget, not both."
        )
    if sentences is not None and sentences < 1:
        raise SummaryError(f"A summary needs at least one sentence (got {sentences}).")
    if word_budget is not None and word_budget < 1:
        raise SummaryError(f"A word budget must be at least one word (got {word_budget}).")

    params: dict[str, Any] = {"language": LANGUAGE, "tokenizer": "workbench-spacy-senter+regex-words"}
    if sentences is not None:
        params["sentences"] = sentences
    else:
        params["word_budget"] = word_budget
    if algorithm == "edmundson":
        params.update(
            cue_weight=1.0,
            key_weight=0.0,
            title_weight=1.0,
            location_weight=1.0,
            bonus_words=len(EDMUNDSON_BONUS_WORDS),
            stigma_words=len(EDMUNDSON_STIGMA_WORDS),
        )

    tokenizer = sumy_tokenizer(LANGUAGE, model)
    headings = heading_indices(text, spans)
    groups = [
        [span for span in group if not span.is_boilerplate and words(span.text)]
        for group in paragraph_groups(text, spans)
    ]
    candidates = [span for group in groups for span in group if span.index not in headings]
    if algorithm == "kl" and len(candidates) >= KL_MAX_SENTENCES:
        candidates = candidates[:KL_MAX_SENTENCES]
        params["kl_max_sentences"] = KL_MAX_SENTENCES
    allowed = {span.index for span in candidates}
    if max_candidates is not None and len(candidates) > max_candidates:
        allowed = preselect(candidates, max_candidates)
        params.update(max_candidates=max_candidates, preselected_from=len(candidates))
    paragraphs = []
    by_identity: dict[int, int] = {}
    if title:
        paragraphs.append(Paragraph([Sentence(title, tokenizer, is_heading=True)]))
    headings_kept = 0
    for group in groups:
        members = []
        for span in group:
            is_heading = span.index in headings
            if is_heading:
                if max_candidates is not None and headings_kept >= max_candidates:
                    continue
                headings_kept += 1
            elif span.index not in allowed:
                continue
            sentence = Sentence(span.text, tokenizer, is_heading=is_heading)
            if not is_heading:
                by_identity[id(sentence)] = span.index
            members.append(sentence)
        if members:
            paragraphs.append(Paragraph(members))

    versions = library_versions(model)
    if not by_identity:
        return SummaryResult(algorithm, [], "", params, versions)

    document = ObjectDocumentModel(paragraphs)
    count: Any = sentences if sentences is not None else _WordBudget(word_budget or 1)
    with warnings.catch_warnings():
        # LSA warns when an article has fewer distinct words than sentences; the result is still usable.
        warnings.simplefilter("ignore")
        chosen = _build_summarizer(algorithm)(document, count)
    by_text = {span.text.strip(): span.index for span in spans if not span.is_boilerplate}
    indices = sorted({by_identity.get(id(s), by_text.get(str(s))) for s in chosen} - {None})
    text_out = " ".join(spans[i].text for i in indices)
    return SummaryResult(algorithm, indices, text_out, params, versions)
