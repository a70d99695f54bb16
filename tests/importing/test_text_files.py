"""Plain text and Markdown, the seeds, and the file-level bad cases: empty, binary, too big, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.importing import ImportSource, sources_from_paths
from articles.models import Article, ImportItem
from tests.conftest import SEEDS_DIR
from tests.texts import make_text

from .conftest import fixture_bytes, import_file, import_sources

SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


def test_the_five_seeds_become_five_articles_with_headlines_and_the_002_standfirst(story):
    items = import_sources(story, sources_from_paths([str(path) for path in SEEDS]))

    assert [item.status for item in items] == [ImportItem.Status.IMPORTED] * 5
    articles = {Path(item.source).name[:3]: item.article for item in items}
    assert articles["000"].title.startswith("Mysterious Exit: Top Trump Official Steps Down")
    assert articles["002"].title == (
        "Acting IRS Chief Resigns After Refusing to Comply With Illegal Immigrant-Sharing Deal"
    )
    assert articles["002"].standfirst == (
        "Acting IRS Chief Steps Down After Rejecting Controversial Immigrant Data-Sharing Deal"
    )
    assert "Rejecting Controversial" not in articles["002"].body
    assert articles["002"].body.startswith("The acting head of the Internal Revenue Service")
    # 001, 003 and 004 open with a sentence, not a headline: all of it is body, the title is its beginning.
    assert articles["001"].body.startswith("In a significant development")
    assert (
        articles["001"].title.startswith("In a significant development") and len(articles["001"].title) <= 121
    )
    assert all(article.source_format == "text" for article in articles.values())
    assert Article.objects.filter(story=story).count() == 5


def test_seed_paragraphs_are_kept_as_blank_lines(story):
    (item,) = import_file(story, "000.txt", SEEDS[0].read_bytes())

    paragraphs = item.article.body.split("\n\n")
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("In a surprising shake-up")
    assert item.article.raw_input == SEEDS[0].read_text(encoding="utf-8")


def test_hard_wrapped_text_is_joined_into_paragraphs(story):
    text = (
        "Storm closes the northern ports\n\n"
        "Strong winds closed all three northern ports on Sunday, and the coast\n"
        "guard asked fishing boats to stay in the harbour until the storm passes.\n\n"
        "Forecasters expect the wind to drop by Tuesday evening, when ferries\n"
        "should run again on the normal timetable, the operator said today.\n"
    )
    (item,) = import_file(story, "storm.txt", text)

    assert item.article.title == "Storm closes the northern ports"
    assert item.article.body.split("\n\n") == [
        "Strong winds closed all three northern ports on Sunday, and the coast guard asked fishing boats "
        "to stay in the harbour until the storm passes.",
        "Forecasters expect the wind to drop by Tuesday evening, when ferries should run again on the "
        "normal timetable, the operator said today.",
    ]


def test_markdown_headings_and_markup_are_stripped(story):
    (item,) = import_file(story, "wire.md", fixture_bytes("wire.md"))

    article = item.article
    assert item.status == ImportItem.Status.IMPORTED
    assert article.source_format == "markdown"
    assert article.title == "Vineyard harvest starts three weeks early"
    assert article.standfirst == "Growers blame a dry, hot summer"
    assert article.byline == "Jean Moreau"
    assert article.body.split("\n\n") == [
        "The grape harvest in the southern valleys began on Monday, three weeks earlier than the average "
        "of the last thirty years, the regional growers' association said.",
        "Pickers started in the lowest plots, where the fruit ripened first. The association expects a "
        "smaller crop but good quality after a summer with almost no rain.",
        "What comes next",
        "Red varieties will be picked from mid-September.",
        "Prices for bulk wine are expected to rise.",
        '"We have never started this early," one grower said.',
    ]
    for markup in ("#", "**", "_lowest_", "](", "> "):
        assert markup not in article.body


def test_windows_1252_text_is_read_with_a_warning_on_the_item(story):
    text = (
        "Caf\u00e9 owners protest new rules\n"
        + make_text(1)
        + " \u201cWe will stay open,\u201d one owner said."
    )
    (item,) = import_file(story, "cafe.txt", text.encode("cp1252"))

    assert item.status == ImportItem.Status.IMPORTED
    assert item.article.title == "Caf\u00e9 owners protest new rules"
    assert "\u201cWe will stay open,\u201d" in item.article.body
    assert item.message.startswith("cafe.txt: not valid UTF-8")
    assert "read as Windows-1252" in item.message


def test_text_in_neither_utf8_nor_windows_1252_fails(story):
    data = b"Headline\n" + make_text(2).encode() + b" \x81\x8d\x90"
    (item,) = import_file(story, "odd.txt", data)

    assert item.status == ImportItem.Status.FAILED
    offset = len(data) - 3
    assert item.message == f"odd.txt: not UTF-8 or Windows-1252 text (byte 0x81 at offset {offset})"
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty.txt: empty file"),
        ("blank.md", b"  \n\n \t\n", "blank.md: empty file (only whitespace)"),
        (
            "photo.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "photo.txt: binary file (a PNG image), not text",
        ),
        ("data.txt", bytes(range(256)) * 4, "data.txt: binary file (binary data), not text"),
        (
            "report.txt",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "report.txt: binary file (a PDF document), not text",
        ),
    ],
)
def test_unreadable_files_fail_with_one_line_naming_the_file(story, name, data, message):
    (item,) = import_file(story, name, data)

    assert item.status == ImportItem.Status.FAILED
    assert item.message == message
    assert not Article.objects.exists()


def test_a_file_over_the_size_limit_fails_without_being_read(story, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 2048
    big = tmp_path / "big.txt"
    big.write_text("Headline\n" + "word " * 1000)

    (item,) = import_sources(story, sources_from_paths([str(big)]))

    assert item.status == ImportItem.Status.FAILED
    assert item.message == f"{big}: 4 KB, over the 2 KB limit"
    assert item.payload is None


def test_uploaded_bytes_over_the_size_limit_fail(story, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024 * 1024
    (item,) = import_sources(story, [ImportSource(name="upload.txt", data=b"a " * 600_000)])

    assert item.status == ImportItem.Status.FAILED
    assert item.message == "upload.txt: 1.1 MB, over the 1 MB limit"


def test_a_missing_path_fails_alone(story, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Good headline\n" + make_text(3))

    items = import_sources(story, sources_from_paths([str(tmp_path / "missing.txt"), str(good)]))

    assert [item.status for item in items] == [ImportItem.Status.FAILED, ImportItem.Status.IMPORTED]
    assert items[0].message == f"{tmp_path / 'missing.txt'}: no such file or folder"


def test_folders_are_read_recursively_and_hidden_files_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("b")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("c")

    sources = sources_from_paths([str(tmp_path), "https://example.org/page"])

    assert [s.name for s in sources] == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "sub" / "b.md"),
        "https://example.org/page",
    ]
    assert sources[0].data == b"a"
    assert sources[2].url == "https://example.org/page" and sources[2].data is None
