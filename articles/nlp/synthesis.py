"""One story's synthesis, as plain Python: claims, discrepancies and the candidate brief of some documents.

The story synthesis (articles.services.synthesis, from stored sentences, mentions and embeddings) and the
DB-free `find_claims` command (from raw texts) both call `synthesize`, so they run the same engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from articles.nlp.brief import BriefParams, BriefResult, select_brief
from articles.nlp.claims import Mention, SourceDocument
from articles.nlp.discrepancies import DiscrepancyFlag, find_discrepancies
from articles.nlp.duplicates import NearDuplicateIndex
from articles.nlp.embeddings import embed_article
from articles.nlp.entities import analyze_texts
from articles.nlp.segmentation import DEFAULT_MODEL

# Containment of 5-word shingles at which a document is a wire copy of an earlier one (as at import).
NEAR_DUPLICATE_THRESHOLD = 0.8


@dataclass
class Synthesis:
    brief: BriefResult
    flags: list[DiscrepancyFlag]


def synthesize(
    documents: Sequence[SourceDocument],
    params: BriefParams | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> Synthesis:
    brief = select_brief(documents, params, embed=embed)
    return Synthesis(brief=brief, flags=find_discrepancies(brief.table, linked=brief.params.claim_threshold))


def documents_from_texts(
    texts: Sequence[str],
    sources: Sequence[str] | None = None,
    model: str = DEFAULT_MODEL,
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
    with_embeddings: bool = True,
) -> list[SourceDocument]:
    """Segment and tag raw texts (spaCy, one batch) into the synthesis' documents, each with its sentence
    embeddings unless `with_embeddings` is false; a text that copies an earlier one (a wire copy, by the
    import's near-duplicate rule) is marked as its copy."""
    sources = list(sources) if sources is not None else [f"document {n}" for n in range(len(texts))]
    analyses = analyze_texts(texts, model=model)
    index = NearDuplicateIndex(near_duplicate_threshold)
    documents = []
    for d, (text, analysis) in enumerate(zip(texts, analyses, strict=True)):
        match = index.best_match(text) if len(index) else None
        index.add(d, text)
        documents.append(
            SourceDocument(
                sentences=analysis.sentences,
                source=sources[d],
                mentions=[Mention(m.start, m.end, m.text, m.label) for m in analysis.mentions],
                # As the analysis embeds an article: the same sentences get the same vectors.
                embeddings=embed_article(analysis.sentences) if with_embeddings else None,
                copy_of=int(match.key) if match else None,
            )
        )
    return documents
