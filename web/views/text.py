"""An article's text as safe HTML: escaped first, then entity mentions wrapped in <mark> at their offsets.

A long article is shown in parts of READING_PART_SENTENCES sentences (lines, before analysis), so a page
renders a bounded amount whatever the article's length; a cited sentence opens the part that holds it. Each
stretch of text is highlighted with only the mentions that can fall inside it (found by bisection), so the
work grows with the part, not with sentences times mentions.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Mention, Sentence
from articles.nlp.segmentation import heading_indices


@dataclass
class TextSegment:
    html: SafeString
    sentence: Sentence | None = None
    heading: bool = False  # a line of its own that reads as a heading (segmentation's rule): not a sentence


@dataclass
class Paragraph:
    segments: list[TextSegment] = field(default_factory=list)


READING_PART_SENTENCES = 400


@dataclass(frozen=True)
class TextPart:
    """Which part of a long article a page shows: units (sentences, or lines) [first, stop) of `total`."""

    number: int
    count: int
    first: int
    stop: int
    total: int
    unit: str

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    @property
    def first_number(self) -> int:
        return self.first + 1


def text_part(total: int, requested: int | None, unit: str, holding: int | None = None) -> TextPart | None:
    """The part to show (None: the text is short enough to show whole). `holding`: a unit it must hold."""
    if total <= READING_PART_SENTENCES:
        return None
    count = math.ceil(total / READING_PART_SENTENCES)
    number = requested if requested is not None else 1
    if requested is None and holding is not None:
        number = holding // READING_PART_SENTENCES + 1
    number = min(max(number, 1), count)
    first = (number - 1) * READING_PART_SENTENCES
    return TextPart(number, count, first, min(total, first + READING_PART_SENTENCES), total, unit)


class _Mentions:
    """The article's mentions sorted by start, found for a stretch of text by bisection."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
        self.starts = [m.start for m in self.mentions]
        self.longest = max((m.end - m.start for m in self.mentions), default=0)

    def within(self, start: int, end: int) -> list[Mention]:
        low = bisect_left(self.starts, start - self.longest)
        return self.mentions[low : bisect_left(self.starts, end, lo=low)]


def highlight(body: str, start: int, end: int, mentions: list[Mention]) -> SafeString:
    """body[start:end] escaped, each mention inside the range wrapped in a <mark>; overlaps are skipped."""
    parts: list[str] = []
    position = start
    for mention in mentions:
        m_start, m_end = max(mention.start, start), min(mention.end, end)
        if m_start < position or m_start >= m_end:
            continue
        parts.append(escape(body[position:m_start]))
        entity = mention.entity
        title = f"{entity.name} ({entity.label})" if entity else mention.label
        parts.append(
            format_html(
                '<mark class="entity entity-{}" title="{}">{}</mark>',
                (entity.label if entity else mention.label).lower(),
                title,
                body[m_start:m_end],
            )
        )
        position = m_end
    parts.append(escape(body[position:end]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or built by format_html


def article_text_context(
    article: Article, part: int | None = None, cited_sentence: int | None = None
) -> dict:
    """What the article-text partial needs: the paragraphs of the part shown, and which part it is."""
    sentences = sorted(article.sentences.all(), key=lambda s: s.start)
    if sentences:
        cited = next((k for k, s in enumerate(sentences) if s.pk == cited_sentence), None)
        shown = text_part(len(sentences), part, "sentences", holding=cited)
    else:
        shown = text_part(len(_lines(article.body)), part, "lines")
    return {
        "paragraphs": article_paragraphs(article, shown),
        "text_part": shown,
        "cited_sentence": cited_sentence,
    }


def _lines(body: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    lines, position = [], 0
    for line in body.split("\n"):
        if line.strip():
            lines.append((position, position + len(line)))
        position += len(line) + 1
    return lines


def article_paragraphs(article: Article, part: TextPart | None = None) -> list[Paragraph]:
    """The body (or the `part` of it) split into paragraphs of sentences (as analysis found them), mentions
    highlighted.

    Uses the article's prefetched `sentences` and `mentions`. An article not analysed yet is one paragraph per
    line, without sentence actions.
    """
    body = article.body
    mentions = _Mentions(list(article.mentions.all()))
    sentences = sorted(article.sentences.all(), key=lambda s: s.start)
    paragraphs: list[Paragraph] = []
    if not sentences:
        lines = _lines(body)
        if part is not None:
            lines = lines[part.first : part.stop]
        for start, end in lines:
            html = highlight(body, start, end, mentions.within(start, end))
            paragraphs.append(Paragraph([TextSegment(html)]))
        return paragraphs
    headings = heading_indices(body, [s.to_span() for s in sentences])
    position, stop_at = 0, len(body)
    if part is not None:
        if part.first > 0:
            position = sentences[part.first].start
        if part.stop < len(sentences):
            stop_at = sentences[part.stop].start
        sentences = sentences[part.first : part.stop]
    current = Paragraph()
    for sentence in sentences:
        start, end = max(sentence.start, position), min(sentence.end, len(body))
        gap = body[position:start]
        if "\n" in gap and current.segments:
            paragraphs.append(current)
            current = Paragraph()
        if gap.strip():
            current.segments.append(
                TextSegment(highlight(body, position, start, mentions.within(position, start)))
            )
        if end > start:
            html = highlight(body, start, end, mentions.within(start, end))
            current.segments.append(TextSegment(html, sentence, heading=sentence.index in headings))
        position = max(position, end)
    if body[position:stop_at].strip():
        tail = mentions.within(position, stop_at)
        current.segments.append(TextSegment(highlight(body, position, stop_at, tail)))
    if current.segments:
        paragraphs.append(current)
    return paragraphs
