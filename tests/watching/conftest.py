"""Watched sources: a local feed server that changes between polls, and a story to feed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from articles.models import Story
from tests.feedserver import FeedServer, start_feed_server


@pytest.fixture
def feeds(settings) -> Iterator[FeedServer]:
    """The feed server on 127.0.0.1 (private addresses allowed for it, as they are off in production)."""
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    state, server = start_feed_server()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def tasks_run_eagerly(eager_tasks) -> None:
    """What the tasks do, in this process on either stack; tests/realstack covers real workers."""


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def story(db) -> Story:
    return Story.objects.create(title="Council budget", slug="council-budget")
