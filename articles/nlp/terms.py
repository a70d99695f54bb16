"""Content words of a sentence, as every comparison of sentences counts them: lower-cased, stemmed
(Snowball), stop words and apostrophe suffixes dropped. Plain Python, no Django. Shared by the claims engine,
the checkable details (articles.nlp.facts) and story clustering (articles.nlp.stories)."""

from __future__ import annotations

import re

from nltk.stem.snowball import EnglishStemmer
from sumy.utils import get_stop_words

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
