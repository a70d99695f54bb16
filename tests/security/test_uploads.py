"""Uploads are limited in size (IMPORT_MAX_FILE_BYTES) and count (IMPORT_MAX_FILES, enforced while the request
is parsed by DATA_UPLOAD_MAX_NUMBER_FILES); the editor gets a clear error and nothing else is lost."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.importing import run_import_batch
from articles.models import Article, ImportBatch, ImportItem
from tests.security.conftest import Newsroom


def text_file(name: str, words: int, seed: str) -> SimpleUploadedFile:
    body = f"Title {seed}\n\n" + " ".join(f"{seed}{n % 97} harbour council ferry." for n in range(words))
    return SimpleUploadedFile(name, body.encode(), content_type="text/plain")


@pytest.fixture
def limits(settings) -> None:
    settings.IMPORT_MAX_FILE_BYTES = 4000
    settings.IMPORT_MAX_FILES = 3
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3


def test_the_count_limit_is_the_parser_limit():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == settings.IMPORT_MAX_FILES


def test_a_file_over_the_size_limit_fails_alone_with_its_reason(newsroom: Newsroom, limits):
    story = newsroom.draft_story
    before = Article.objects.filter(story=story).count()
    response = newsroom.client("editor").post(
        reverse("story_import", args=[story.slug]),
        {
            "files": [text_file("small.txt", 40, "alpha"), text_file("huge.txt", 2000, "beta")],
            "pasted": "Pasted gamma text about the harbour council and its ferry budget.",
        },
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.filter(story=story).latest("pk")
    run_import_batch(batch.pk)
    items = {item.source: item for item in batch.items.all()}
    huge = items["huge.txt"]
    assert huge.status == ImportItem.Status.FAILED
    assert huge.message.startswith("huge.txt: ") and "over the limit of 4,000 bytes per file" in huge.message
    assert huge.payload is None, "the oversized file's bytes are not kept"
    assert items["small.txt"].status == ImportItem.Status.IMPORTED
    assert items["Pasted text"].status == ImportItem.Status.IMPORTED
    assert Article.objects.filter(story=story).count() == before + 2
    report = newsroom.client("editor").get(reverse("import_batch", args=[story.slug, batch.pk]))
    assert "over the limit of 4,000 bytes per file" in report.content.decode()


def test_more_files_than_allowed_are_refused_before_anything_is_stored(newsroom: Newsroom, limits):
    story = newsroom.draft_story
    batches, articles = ImportBatch.objects.count(), Article.objects.count()
    files = [text_file(f"f{n}.txt", 20, f"f{n}x") for n in range(4)]
    response = newsroom.client("editor").post(reverse("story_import", args=[story.slug]), {"files": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "more files in one import than it accepts at once" in page and "Nothing was saved" in page
    assert (ImportBatch.objects.count(), Article.objects.count()) == (batches, articles)


def test_exactly_the_limit_is_accepted(newsroom: Newsroom, limits):
    story = newsroom.draft_story
    files = [text_file(f"ok{n}.txt", 20, f"ok{n}y") for n in range(3)]
    response = newsroom.client("editor").post(reverse("story_import", args=[story.slug]), {"files": files})
    assert response.status_code == 302
    assert ImportBatch.objects.filter(story=story).latest("pk").items.count() == 3


def test_the_import_page_states_the_limits(newsroom: Newsroom, limits):
    page = newsroom.client("editor").get(reverse("story_import", args=[newsroom.draft_story.slug]))
    assert "At most 3 files of 3.9\xa0KB each." in page.content.decode()
