"""The import_articles command: a folder mixing good files with every bad case; stories; exit status."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ImportItem, Story
from tests.texts import make_text

from .conftest import FIXTURES, html_page

PROJECT_DIR = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def mixed_folder(root: Path) -> Path:
    """Good files of every format next to every kind of bad input."""
    folder = root / "inbox"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.txt").write_text("Port strike ends after talks\n" + make_text(200), encoding="utf-8")
    (folder / "nested" / "wire.md").write_bytes((FIXTURES / "wire.md").read_bytes())
    (folder / "page.html").write_bytes((FIXTURES / "article.html").read_bytes())
    (folder / "items.json").write_bytes((FIXTURES / "items.json").read_bytes())  # entry 3 has no text
    (folder / "items.csv").write_bytes((FIXTURES / "items.csv").read_bytes())
    (folder / "legacy.txt").write_bytes(("Caf\u00e9 reopens\n" + make_text(201)).encode("cp1252"))
    (folder / ".hidden.txt").write_text("Hidden\n" + make_text(202))
    # The bad ones.
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (folder / "huge.txt").write_text("Huge\n" + "word " * 5000)
    (folder / "mojibake.txt").write_bytes(b"Title\n\x81\x8d\x8f\x90\x9d text")
    (folder / "nav_only.html").write_bytes((FIXTURES / "nav_only.html").read_bytes())
    (folder / "malformed.json").write_bytes((FIXTURES / "malformed.json").read_bytes())
    (folder / "bad_header.csv").write_bytes((FIXTURES / "bad_header.csv").read_bytes())
    (folder / "not_a_feed.xml").write_text("<?xml version='1.0'?><note>Hello</note>")
    return folder


def run_command(*args: str, stdout: io.StringIO | None = None) -> tuple[str, CommandError | None]:
    out = stdout or io.StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_mixed_folder_imports_the_good_files_and_names_each_bad_one(
    db, tmp_path, settings, closed_port_url
):
    settings.IMPORT_MAX_FILE_BYTES = 20_000
    folder = mixed_folder(tmp_path)

    output, error = run_command(str(folder), closed_port_url, "--story", "Mixed bag", "--no-analysis")

    story = Story.objects.get(slug="mixed-bag")
    assert story.title == "Mixed bag"
    titles = set(story.articles.values_list("title", flat=True))
    assert titles == {
        "Port strike ends after talks",
        "Vineyard harvest starts three weeks early",
        "Harbour bridge reopens after two years of repairs",
        "Library extends opening hours",
        "Ferry timetable changes for the winter",
        "Zoo welcomes twin pandas",
        "Cycle lane opens on the ring road",
        "Caf\u00e9 reopens",
    }
    expected_failures = {
        f"{folder}/empty.txt": "empty file",
        f"{folder}/photo.txt": "binary file (a PNG image), not text",
        f"{folder}/huge.txt": "24 KB, over the 19 KB limit",
        f"{folder}/mojibake.txt": "not UTF-8 or Windows-1252 text (byte 0x81 at offset 6)",
        f"{folder}/nav_only.html": "no article text found in the HTML",
        f"{folder}/malformed.json": "line 3, column 22: malformed JSON (Expecting ',' delimiter)",
        f"{folder}/items.json entry 3": "no 'text' field",
        f"{folder}/bad_header.csv": "the header row names none of the fields",
        f"{folder}/not_a_feed.xml": "not an RSS or Atom feed",
        closed_port_url: "could not connect to 127.0.0.1",
    }
    lines = output.splitlines()
    for source, reason in expected_failures.items():
        assert any(source in line and reason in line and "Failed" in line for line in lines), output
    assert any("legacy.txt" in line and "Imported" in line for line in lines)
    assert any("warning: not valid UTF-8" in line and "read as Windows-1252" in line for line in lines)
    assert ".hidden.txt" not in output
    assert "Traceback" not in output
    assert error is not None
    assert str(error) == "10 of 18 item(s) could not be imported; reasons in the table above."
    assert ImportItem.objects.filter(status=ImportItem.Status.FAILED).count() == 10


def test_the_command_exits_non_zero_without_a_traceback(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "good.txt").write_text("Good headline\n" + make_text(210))
    (folder / "empty.txt").write_bytes(b"")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--skip-checks", "-v0"], env=env, check=True, cwd=PROJECT_DIR)

    result = subprocess.run(
        [*manage, "import_articles", str(folder), "--story", "Exit status", "--no-analysis"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "good.txt" in result.stdout and "Imported" in result.stdout
    assert "empty.txt" in result.stdout and "empty file" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 of 2 item(s) could not be imported" in result.stderr


def test_all_good_files_exit_zero_and_rerunning_reports_duplicates(db, tmp_path):
    folder = tmp_path / "good"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"Headline {n}\n{make_text(220 + n)}")

    first, first_error = run_command(str(folder), "--story", "Good files", "--no-analysis")
    second, second_error = run_command(str(folder), "--story", "Good files", "--no-analysis")

    assert first_error is None and second_error is None
    assert "3 imported" in first and "Created story" in first
    assert "3 duplicate(s) skipped" in second and "Importing into story" in second
    assert Article.objects.count() == 3
    assert Story.objects.count() == 1


def test_story_slug_creates_the_story_when_missing(db, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Headline\n" + make_text(230))

    run_command(str(path), "--story-slug", "irs-resignation", "--no-analysis")
    run_command(str(path), "--story", "Ignored title", "--story-slug", "irs-resignation", "--no-analysis")

    story = Story.objects.get()
    assert (story.slug, story.title) == ("irs-resignation", "Irs resignation")
    assert story.articles.count() == 1


def test_the_story_must_be_named(db, tmp_path):
    with pytest.raises(CommandError, match=r'Name the story: --story "Title"'):
        call_command("import_articles", str(tmp_path), stdout=io.StringIO())


def test_a_folder_with_no_files_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match="Nothing to import"):
        call_command("import_articles", str(tmp_path), "--story", "Empty", stdout=io.StringIO())


def test_no_progress_bar_without_a_terminal_and_one_on_a_terminal(db, tmp_path, site):
    url = site.add("/page", html_page("Web page", make_text(240)))
    path = tmp_path / "a.txt"
    path.write_text("Headline\n" + make_text(241))

    plain, _ = run_command(str(path), url, "--story", "Plain", "--no-analysis")
    terminal, _ = run_command(str(path), url, "--story", "Terminal", "--no-analysis", stdout=Terminal())

    assert "━" not in plain and "\x1b[" not in plain
    assert "━" in terminal or "\x1b[?25l" in terminal  # rich drew (and cleared) a bar
    assert "Imported" in terminal


def test_json_passed_with_a_format_hint(db, tmp_path):
    path = tmp_path / "export.data"
    path.write_text(json.dumps({"title": "Hinted", "text": make_text(250)}))

    output, error = run_command(str(path), "--story", "Hints", "--format", "json", "--no-analysis")

    assert error is None
    assert Article.objects.get().source_format == "json"
