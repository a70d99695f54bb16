"""A story made of the seed articles, imported with the importer's service and not yet analysed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from articles.models import Story
from tests.conftest import make_seed_story


@pytest.fixture
def seed_story(db) -> Story:
    story = make_seed_story()
    assert story.articles.count() == 5
    return story


@pytest.fixture(autouse=True)
def tasks_run_eagerly() -> Iterator[None]:
    """What the tasks do, checked in-process on either stack; tests/realstack covers real workers."""
    from workbench.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved
