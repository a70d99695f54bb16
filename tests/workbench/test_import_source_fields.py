"""The import form's outlet, URL and date for the files and the pasted text: stored on the articles; a bad
value is refused naming its field, and everything typed is kept."""

from __future__ import annotations

import re

from django.urls import reverse

from articles.models import Story


def _import(client, story, data, monkeypatch):
    from articles import jobs
    from articles.importing import run_import_batch

    monkeypatch.setattr(jobs, "enqueue_import", lambda batch: None)
    monkeypatch.setattr(jobs, "enqueue_analysis", lambda *args, **kwargs: None)
    monkeypatch.setattr(jobs, "maybe_enqueue_synthesis", lambda story_id: None)
    response = client.post(reverse("story_import", args=[story.slug]), data)
    if response.status_code == 302:
        run_import_batch(story.import_batches.get().pk)
    return response


def test_pasted_text_is_stored_with_the_outlet_url_and_date_given(editor_client, monkeypatch, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    response = _import(
        editor_client,
        story,
        {
            "pasted_title": "Fire at the harbour",
            "pasted": "A fire broke out at the harbour on Tuesday. Nobody was hurt, the fire brigade said.",
            "pasted-outlet": "Harbour  Gazette",
            "pasted-url": "https://www.harbour-gazette.example/fire",
            "pasted-published_at": "2025-04-08 14:30",
        },
        monkeypatch,
    )

    assert response.status_code == 302
    article = story.articles.get()
    assert article.outlet.name == "Harbour Gazette"
    assert article.url == "https://www.harbour-gazette.example/fire"
    assert article.published_at.isoformat() == "2025-04-08T12:30:00+00:00"  # 14:30 in Berlin
    page = editor_client.get(reverse("story_detail", args=[story.slug])).content.decode()
    assert '<span class="outlet">Harbour Gazette</span>' in page


def test_a_date_typed_without_a_time_shows_the_date_alone(editor_client, monkeypatch, settings):
    settings.TIME_ZONE = "America/New_York"  # west of UTC: a made-up midnight would show the day before
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    response = _import(
        editor_client,
        story,
        {
            "pasted_title": "Fire at the harbour",
            "pasted": "A fire broke out at the harbour on Tuesday. Nobody was hurt, the fire brigade said.",
            "pasted-published_at": "8 April 2025",
        },
        monkeypatch,
    )
    assert response.status_code == 302
    article = story.articles.get()
    assert article.published_time_known is False
    page = editor_client.get(reverse("story_detail", args=[story.slug])).content.decode()
    assert '<time datetime="2025-04-08">8 Apr 2025</time>' in page
    assert "00:00" not in page and "7 Apr 2025" not in page


def test_a_pasted_article_without_outlet_is_of_unknown_outlet_not_its_headline(editor_client, monkeypatch):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    _import(
        editor_client,
        story,
        {"pasted_title": "Fire at the harbour", "pasted": "A fire broke out at the harbour on Tuesday."},
        monkeypatch,
    )

    article = story.articles.get()
    assert article.title == "Fire at the harbour"
    assert article.outlet is None
    page = editor_client.get(reverse("story_detail", args=[story.slug])).content.decode()
    assert '<span class="outlet">Unknown outlet</span>' in page
    assert '<span class="outlet">Fire at the harbour</span>' not in page


def test_uploaded_files_are_stored_with_the_outlet_and_date_given(editor_client, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    files = [
        SimpleUploadedFile(
            "000_062758445608dbed.txt", b"Fire at the harbour\n\nA fire broke out on Tuesday."
        ),
        SimpleUploadedFile(
            "001_e4bdda0c4985080a.txt", b"Harbour blaze\n\nThe brigade came at noon, it said."
        ),
    ]
    _import(
        editor_client,
        story,
        {"files": files, "files-outlet": "Port News", "files-published_at": "2025-04-08"},
        monkeypatch,
    )

    articles = list(story.articles.select_related("outlet"))
    assert [a.outlet.name for a in articles] == ["Port News", "Port News"]
    assert {a.published_at.date().isoformat() for a in articles} == {"2025-04-08"}


def test_bad_source_fields_name_the_field_and_keep_what_was_typed(editor_client, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    typed = {
        "pasted_title": "Fire at the harbour",
        "pasted": "A fire broke out at the harbour on Tuesday.",
        "pasted-outlet": "Harbour Gazette",
        "pasted-url": "ftp://harbour-gazette.example/fire",
        "pasted-published_at": "last Tuesday",
        "url": "https://example.org/page",
    }
    files = [SimpleUploadedFile(f"{n}.txt", f"Title {n}\n\nBody {n}.".encode()) for n in range(2)]
    response = _import(
        editor_client, story, {**typed, "files": files, "files-url": "https://example.org/x"}, monkeypatch
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "URL of the pasted text: “ftp://harbour-gazette.example/fire” is not an http(s) address." in html
    assert "Date of the pasted text: “last Tuesday” is not a date; write 2025-04-08" in html
    assert "URL of the files: one web address for 2 files" in html
    assert "Choose the 2 file(s) again" in html
    for name, value in typed.items():  # everything typed is still there
        kept = re.search(rf'name="{re.escape(name)}"[^>]*value="{re.escape(value)}"', html)
        assert kept or f">{value}</textarea>" in html, name
    assert not story.articles.exists() and not story.import_batches.exists()


def test_source_fields_without_anything_to_import_are_refused_by_name(editor_client, monkeypatch):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    response = _import(editor_client, story, {"pasted-outlet": "Harbour Gazette"}, monkeypatch)

    assert response.status_code == 422
    assert (
        "Outlet, URL or date of the pasted text: given without the pasted text" in response.content.decode()
    )
