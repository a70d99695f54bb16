"""The seed story, imported with the importer's service, analysed with the analysis service (real
segmentation,
entities), then synthesised."""

from __future__ import annotations

import pytest

from articles.models import Story
from articles.services.synthesis import synthesize_story
from tests.conftest import make_seed_story


@pytest.fixture
def analysed_seed_story(db) -> Story:
    return make_seed_story(analyse=True)


@pytest.fixture
def synthesised_seed_story(analysed_seed_story: Story) -> Story:
    synthesize_story(analysed_seed_story)
    return analysed_seed_story
