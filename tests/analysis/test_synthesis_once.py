"""A story is synthesised exactly once after each import or analysis settles, whatever the front door: the
`import_articles` command, the workbench's import form, `analyze --story`, a re-run of the analysis.

These tests commit for real (transactional_db), as the commands and the web requests do, so that every job is
sent when its transaction commits and, eagerly, runs there and then.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Claim, Job, Story
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def synthesis_runs(monkeypatch) -> list[int]:
    """The story ids synthesize_story was run for, in order."""
    from articles.services import synthesis

    runs: list[int] = []
    real = synthesis.synthesize_story

    def counting(story, params=None):
        runs.append(story.pk)
        return real(story, params)

    monkeypatch.setattr(synthesis, "synthesize_story", counting)
    return runs


def seed_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for seed in sorted(SEEDS_DIR.glob("*.txt"))[:count]:
        paths.append(Path(shutil.copy(seed, folder / seed.name)))
    return paths


def synthesis_jobs(story: Story) -> list[str]:
    return list(Job.objects.filter(story=story, kind=Job.Kind.SYNTHESIS).values_list("state", flat=True))


def import_command(*args: str) -> Story:
    call_command("import_articles", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return Story.objects.get()


def test_the_import_command_with_two_text_files_synthesises_the_story_once(tmp_path, synthesis_runs):
    story = import_command(*map(str, seed_files(tmp_path / "inbox", 2)), "--story", "IRS resignation")

    assert story.articles.count() == 2
    assert Claim.objects.filter(story=story).exists()
    assert synthesis_jobs(story) == [Job.State.SUCCEEDED]
    assert synthesis_runs == [story.pk]


def test_the_import_command_with_a_file_of_several_articles_synthesises_the_story_once(
    tmp_path, synthesis_runs
):
    entries = [
        {"title": path.read_text().splitlines()[0][:120], "text": path.read_text()}
        for path in seed_files(tmp_path / "seeds", 2)
    ]
    items = tmp_path / "items.json"
    items.write_text(json.dumps(entries), encoding="utf-8")

    story = import_command(str(items), "--story", "IRS resignation")

    assert story.articles.count() == 2
    assert Claim.objects.filter(story=story).exists()
    assert synthesis_jobs(story) == [Job.State.SUCCEEDED]
    assert synthesis_runs == [story.pk]


def test_analyze_story_synthesises_once_not_once_per_article(tmp_path, synthesis_runs):
    story = import_command(*map(str, seed_files(tmp_path / "inbox", 3)), "--story", "IRS", "--no-analysis")
    assert synthesis_runs == [] and not Claim.objects.filter(story=story).exists()

    call_command("analyze", "--story", story.slug, stdout=io.StringIO())
    assert synthesis_runs == [story.pk]
    assert Claim.objects.filter(story=story).exists()

    # Again, with nothing left to compute, and then forced: each run settles once.
    call_command("analyze", "--story", story.slug, "--force", stdout=io.StringIO())
    assert synthesis_runs == [story.pk] * 2
    assert synthesis_jobs(story) == [Job.State.SUCCEEDED] * 2


def test_analyze_queue_synthesises_once(tmp_path, synthesis_runs):
    story = import_command(*map(str, seed_files(tmp_path / "inbox", 3)), "--story", "IRS", "--no-analysis")
    call_command("analyze", "--story", story.slug, "--queue", stdout=io.StringIO())
    assert synthesis_runs == [story.pk]
    call_command("analyze", "--story", story.slug, "--queue", "--force", stdout=io.StringIO())
    assert synthesis_runs == [story.pk] * 2


@pytest.fixture
def editor(settings) -> Client:
    from briefs.services import ensure_demo_accounts

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = {user.username: user for user in ensure_demo_accounts("correct-horse-battery")}
    client = Client()
    client.force_login(users["editor"])
    return client


def test_a_web_import_and_a_web_rerun_each_synthesise_once(editor, tmp_path, synthesis_runs):
    from articles.services.stories import story_create

    story = story_create(title="IRS resignation")
    uploads = [path.open("rb") for path in seed_files(tmp_path / "inbox", 3)]
    try:
        response = editor.post(reverse("story_import", args=[story.slug]), {"files": uploads})
    finally:
        for upload in uploads:
            upload.close()
    assert response.status_code == 302
    assert story.articles.count() == 3
    assert Claim.objects.filter(story=story).exists()
    assert synthesis_runs == [story.pk]

    editor.post(reverse("story_rerun_analysis", args=[story.slug]))
    assert synthesis_runs == [story.pk] * 2
    assert synthesis_jobs(story) == [Job.State.SUCCEEDED] * 2
