"""Named-entity mentions with spaCy, and the one-pass analysis of many articles (sentences + mentions).

One pipeline of two small components (`senter`, then `ner`) runs over all texts with nlp.pipe; the tagger,
parser, lemmatizer and attribute ruler are never loaded. Sentences and mentions come from the same Doc; a long
text is run in pieces and joined back (articles.nlp.segmentation.pipe_docs), so no length is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from articles.nlp.segmentation import DEFAULT_MODEL, PIPE_BATCH_SIZE, load_pipeline, pipe_docs, spans_from_doc
from articles.nlp.types import SentenceSpan


@dataclass(frozen=True, slots=True)
class MentionSpan:
    """One entity mention: text[start:end] == text, with spaCy's label."""

    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    sentences: list[SentenceSpan]
    mentions: list[MentionSpan]


def mentions_from_doc(doc) -> list[MentionSpan]:
    """The doc's entities, trimmed of surrounding whitespace (spaCy keeps a line break token inside some)."""
    mentions = []
    text = doc.text
    for ent in doc.ents:
        start, end = ent.start_char, ent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            mentions.append(MentionSpan(start, end, text[start:end], ent.label_))
    return mentions


def analyze_texts(
    texts: Iterable[str],
    titles: Sequence[str] | None = None,
    model: str = DEFAULT_MODEL,
    batch_size: int = PIPE_BATCH_SIZE,
    n_process: int = 1,
) -> list[ArticleAnalysis]:
    """Sentences (boilerplate marked) and entity mentions for each text, batched through one pipeline."""
    texts = list(texts)
    titles = list(titles) if titles is not None else [""] * len(texts)
    nlp = load_pipeline(model, with_entities=True)
    docs = pipe_docs(nlp, texts, batch_size=batch_size, n_process=n_process)
    return [
        ArticleAnalysis(spans_from_doc(text, doc, title), mentions_from_doc(doc))
        for text, doc, title in zip(texts, docs, titles, strict=True)
    ]


def analyze_text(text: str, title: str = "", model: str = DEFAULT_MODEL) -> ArticleAnalysis:
    return analyze_texts([text], [title], model=model)[0]
