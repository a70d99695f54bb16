"""A story made of the seed articles, imported with the importer's service and not yet analysed."""

from __future__ import annotations

import pytest

from articles.models import Story
from tests.conftest import make_seed_story


@pytest.fixture
def seed_story(db) -> Story:
    story = make_seed_story()
    assert story.articles.count() == 5
    return story


@pytest.fixture(autouse=True)
def tasks_run_eagerly(eager_tasks) -> None:
    """What the tasks do, in this process on either stack; tests/realstack covers real workers."""
