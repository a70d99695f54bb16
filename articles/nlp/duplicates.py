"""Exact duplicates (the same normalised text) and near-duplicates (the same wire copy with small edits).

Plain Python: text in, hashes and similarities out. Used by the import (a text already in the story is not
stored again; a wire copy is marked) and by the synthesis (a copy supports a claim with its original).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

SHINGLE_WORDS = 5
WORD_PATTERN = re.compile(r"\w+(?:['’]\w+)*")
# Typographic variants that differ between copies of the same text.
CHARACTER_MAP = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "\u00a0": " ",
        "\u200b": "",
    }
)


def normalise_text(text: str) -> str:
    """Unicode-normalised, case-folded, typographic quotes and dashes unified, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(CHARACTER_MAP)
    return " ".join(text.split())


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text: equal for copies that differ only in case, spacing or typography."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The text's overlapping runs of `size` words (a shorter text is one run)."""
    words = WORD_PATTERN.findall(normalise_text(text).replace("'", ""))
    if len(words) <= size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Containment: the share of the shorter text's shingles that the longer text also has (0..1).

    Containment rather than Jaccard, so a wire story that one outlet trimmed or extended by a paragraph still
    counts as the same copy.
    """
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class NearMatch:
    key: Hashable
    similarity: float


class NearDuplicateIndex:
    """The texts seen so far (a story's articles), to find the one a new text copies.

    An inverted index from shingle to the texts holding it: a probe is compared only with the texts that share
    at least one of its shingles (the others have similarity 0), so its cost follows the overlap, not the
    number of texts. The result is the same as comparing with every text (bench/duplicates.py checks it).
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._keys: list[Hashable] = []
        self._sizes: list[int] = []
        self._postings: dict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: Hashable, text: str) -> None:
        entry = len(self._keys)
        found = shingles(text)
        self._keys.append(key)
        self._sizes.append(len(found))
        for shingle in found:
            self._postings[shingle].append(entry)

    def best_match(self, text: str) -> NearMatch | None:
        """The most similar text at or above the threshold; the earliest added wins a tie."""
        probe = shingles(text)
        shared: Counter[int] = Counter()
        for shingle in probe:
            shared.update(self._postings.get(shingle, ()))
        best: NearMatch | None = None
        for entry in sorted(shared):  # in the order added
            score = shared[entry] / min(len(probe), self._sizes[entry])
            if score >= self.threshold and (best is None or score > best.similarity):
                best = NearMatch(self._keys[entry], score)
        return best
