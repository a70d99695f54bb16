"""One rule for a new story's address, whichever way the story is made: the workbench's form,
`import_articles` or `setup_demo`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Story

TITLES = [
    "New",
    "Wildfire  near the coast",
    "Café owners protest über-long queues",
    "A headline far too long for an address " * 6,
    "¿¡ !?",
]


def article_file(folder: Path) -> Path:
    path = folder / "report.txt"
    path.write_text(
        "Port strike ends after talks\n\nDock workers returned on Monday after a week-long strike. "
        "The union said the agreement raises wages by four percent over two years.\n",
        encoding="utf-8",
    )
    return path


def import_into(path: Path, *args: str) -> None:
    call_command("import_articles", str(path), *args, "--no-analysis", stdout=io.StringIO())


def test_a_story_named_new_from_the_command_opens_in_the_workbench(editor_client, tmp_path):
    import_into(article_file(tmp_path), "--story", "New")

    story = Story.objects.get(title="New")
    assert story.slug != "new"
    page = editor_client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert "Port strike ends after talks" in page.content.decode()


def test_the_command_finds_its_story_named_new_again(editor_client, tmp_path):
    path = article_file(tmp_path)
    import_into(path, "--story", "New")
    (tmp_path / "second.txt").write_text("Ferry timetable changes\n\nThe winter timetable starts soon.\n")
    import_into(tmp_path / "second.txt", "--story", "New")

    story = Story.objects.get()
    assert story.articles.count() == 2


@pytest.mark.parametrize("title", TITLES)
def test_the_form_and_the_command_give_a_title_the_same_slug(editor_client, tmp_path, title):
    editor_client.post(reverse("story_create"), {"title": title})
    from_form = Story.objects.get()
    from_form.delete()

    import_into(article_file(tmp_path), "--story", title)
    from_command = Story.objects.get()

    assert from_command.slug == from_form.slug
    assert from_command.title == from_form.title
    assert editor_client.get(from_command.get_absolute_url()).status_code == 200


def test_a_reserved_slug_is_refused_by_the_command(db, tmp_path):
    with pytest.raises(CommandError, match="/stories/new/ is an address of the workbench"):
        import_into(article_file(tmp_path), "--story-slug", "New")
    assert not Story.objects.exists()
