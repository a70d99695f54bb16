"""The seed story, imported with the importer's service, analysed with the analysis service (real
segmentation,
entities), then synthesised."""

from __future__ import annotations

import pytest

from articles.importing import create_import_batch, run_import_batch, sources_from_paths
from articles.models import Story
from articles.services.analysis import analyze_article
from articles.services.synthesis import synthesize_story
from tests.conftest import SEEDS_DIR


@pytest.fixture
def analysed_seed_story(db) -> Story:
    story = Story.objects.create(title="Acting IRS commissioner resigns", slug="irs-commissioner-resigns")
    batch = create_import_batch(story, sources_from_paths([str(SEEDS_DIR)]))
    run_import_batch(batch.pk)
    for article_id in story.articles.values_list("pk", flat=True):
        analyze_article(article_id)
    return story


@pytest.fixture
def synthesised_seed_story(analysed_seed_story: Story) -> Story:
    synthesize_story(analysed_seed_story)
    return analysed_seed_story
