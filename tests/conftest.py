"""Suite-wide fixtures and the rules for which stack a test needs.

- `realstack` tests need PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL). On the embedded default they
  are skipped with a reason shown in the summary; with REQUIRE_REAL_STACK=1 (as .ci/run sets), an unreachable
  service stops the whole run with an error instead.
- `browser` tests need Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH). Under CI they fail when it
  is missing; elsewhere they are skipped with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_DIR / "seeds"
SEED_STORY_TITLE = "Acting IRS commissioner resigns"
SEED_STORY_SLUG = "irs-commissioner-resigns"


def make_seed_story(*, analyse: bool = False, synthesise: bool = False, slug: str = SEED_STORY_SLUG):
    """The seed articles imported into a story by the import service (no jobs queued), then, when asked,
    analysed and synthesised by the services in this process. The one seed pipeline of the suite's fixtures
    (a fixture wraps it with the database access it needs: db, or transactional_db for other processes)."""
    from articles.importing import create_import_batch, run_import_batch, sources_from_paths
    from articles.models import Story
    from articles.services.analysis import analyze_article
    from articles.services.synthesis import synthesize_story

    story = Story.objects.create(title=SEED_STORY_TITLE, slug=slug)
    run_import_batch(create_import_batch(story, sources_from_paths([str(SEEDS_DIR)])).pk)
    if analyse or synthesise:
        for article_id in story.articles.values_list("pk", flat=True):
            analyze_article(article_id)
    if synthesise:
        synthesize_story(story)
    return story


def _on_real_stack() -> bool:
    return (
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        and not settings.CELERY_TASK_ALWAYS_EAGER
    )


def _reachable(url: str) -> str | None:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=3).close()
    except OSError as exc:
        return f"{parsed.scheme}://{parsed.hostname}:{parsed.port} unreachable: {exc}"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("REQUIRE_REAL_STACK") != "1":
        return
    if not _on_real_stack():
        pytest.exit(
            "REQUIRE_REAL_STACK=1 but DATABASE_URL is not PostgreSQL or CELERY_BROKER_URL is not set", 3
        )
    db = settings.DATABASES["default"]
    problems = [
        _reachable(f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"),
        _reachable(settings.CELERY_BROKER_URL),
    ]
    problems = [p for p in problems if p]
    if problems:
        pytest.exit("The real stack is required but " + "; ".join(problems), 3)


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    real = _on_real_stack()
    chromium = chromium_path()
    in_ci = os.environ.get("CI", "").lower() == "true"
    for item in items:
        if "realstack" in item.keywords and not real:
            item.add_marker(
                pytest.mark.skip(
                    reason="needs the real stack: set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://..."
                )
            )
        if "browser" in item.keywords and not chromium and not in_ci:
            item.add_marker(pytest.mark.skip(reason="needs Chromium: apt-get install -y chromium"))


@pytest.fixture
def seed_paths() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt"))


# --- The demo accounts, logged in ------------------------------------------------------------------------

ACCOUNT_PASSWORD = "correct-horse-battery"


@pytest.fixture
def accounts(db) -> dict:
    """The demo accounts editor, chief and viewer, each in its role (briefs.roles)."""
    from briefs.services import ensure_demo_accounts

    return {user.username: user for user in ensure_demo_accounts(ACCOUNT_PASSWORD)}


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(accounts):
    return _client_for(accounts["editor"])


@pytest.fixture
def chief_client(accounts):
    return _client_for(accounts["chief"])


@pytest.fixture
def viewer_client(accounts):
    return _client_for(accounts["viewer"])


@pytest.fixture
def eager_tasks():
    """Celery tasks run in this process, on either stack (tests/realstack covers real workers)."""
    from workbench.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved
