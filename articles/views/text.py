"""An article's text as safe HTML: escaped first, then entity mentions wrapped in <mark> at their offsets."""

from __future__ import annotations

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


def article_paragraphs(article: Article) -> list[Paragraph]:
    """The body split into paragraphs of sentences (as analysis found them), mentions highlighted.

    Uses the article's prefetched `sentences` and `mentions`. An article not analysed yet is one paragraph per
    line, without sentence actions.
    """
    body = article.body
    mentions = sorted(article.mentions.all(), key=lambda m: (m.start, -m.end))
    sentences = sorted(article.sentences.all(), key=lambda s: s.start)
    paragraphs: list[Paragraph] = []
    if not sentences:
        position = 0
        for line in body.split("\n"):
            if line.strip():
                html = highlight(body, position, position + len(line), mentions)
                paragraphs.append(Paragraph([TextSegment(html)]))
            position += len(line) + 1
        return paragraphs
    headings = heading_indices(body, [s.to_span() for s in sentences])
    current = Paragraph()
    position = 0
    for sentence in sentences:
        start, end = max(sentence.start, position), min(sentence.end, len(body))
        gap = body[position:start]
        if "\n" in gap and current.segments:
            paragraphs.append(current)
            current = Paragraph()
        if gap.strip():
            current.segments.append(TextSegment(highlight(body, position, start, mentions)))
        if end > start:
            html = highlight(body, start, end, mentions)
            current.segments.append(TextSegment(html, sentence, heading=sentence.index in headings))
        position = max(position, end)
    if body[position:].strip():
        current.segments.append(TextSegment(highlight(body, position, len(body), mentions)))
    if current.segments:
        paragraphs.append(current)
    return paragraphs
