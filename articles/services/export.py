"""A story as plain data for other programs (export_story); the schema is in the README."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from articles.models import Story
from articles.services.synthesis import synthesis_export

logger = logging.getLogger(__name__)

EXPORT_VERSION = 1


def story_export(story: Story) -> dict[str, Any]:
    """The story's articles (with their default summary) and its consolidated entities, plus the synthesis
    (claims, overlap, candidate brief) when that part of the workbench is installed."""
    default = settings.SUMMARY_ALGORITHM
    articles = []
    for article in (
        story.articles.select_related("outlet").prefetch_related("summaries").order_by("published_at", "id")
    ):
        summaries = {s.algorithm: s for s in article.summaries.all()}
        summary = summaries.get(default) or next(iter(summaries.values()), None)
        sentences = list(article.sentences.order_by("index").values_list("index", "text"))
        by_index = dict(sentences)
        articles.append(
            {
                "id": article.pk,
                "title": article.title,
                "outlet": article.outlet.name if article.outlet_id else None,
                "url": article.url or None,
                "sentence_count": len(sentences),
                "summary": (
                    {
                        "algorithm": summary.algorithm,
                        "sentences": [by_index[i] for i in summary.sentence_indices if i in by_index],
                    }
                    if summary is not None
                    else None
                ),
            }
        )
    entities = [
        {
            "name": entity.name,
            "label": entity.label,
            "aliases": list(entity.aliases),
            "mentions": entity.mention_count,
            "articles": sorted(entity.articles.values_list("id", flat=True)),
        }
        for entity in story.entities.order_by("-mention_count", "name")
    ]
    data: dict[str, Any] = {
        "version": EXPORT_VERSION,
        "story": {"slug": story.slug, "title": story.title},
        "articles": articles,
        "entities": entities,
    }
    data.update(synthesis_export(story))
    return data
