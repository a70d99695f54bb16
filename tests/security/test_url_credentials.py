"""Issue 14, case 5: a URL's user name and password (`https://alice:secret@host/…`) are never stored, so no
role sees them. Every front door that stores a URL drops them, with a warning the importing editor sees on
the import report: a URL import, a feed entry's link, a folder's manifest, the `url` field of JSON and CSV,
the import form's URL fields and "Edit source details"."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from articles.importing import ImportSource, create_import_batch, run_import_batch, sources_from_paths
from articles.models import Article, ImportBatch, SourceCorrection
from tests.importing.conftest import html_page, site  # noqa: F401 (the `site` fixture)
from tests.texts import make_text

USER, SECRET = "alice", "s3cr3t-Pa55"
DROPPED = "held a user name and password; they were dropped and are not stored"


def with_credentials(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{USER}:{SECRET}@{rest}"


def stored_values(batch: ImportBatch) -> str:
    """Everything the import stored about its sources and articles, as one string."""
    values = [json.dumps(batch.inputs)]
    for item in batch.items.all():
        values += [item.source, item.source_url, item.message, json.dumps(item.details)]
    for article in Article.objects.filter(import_batch=batch):
        values += [article.url, article.source_name, article.raw_input]
    return "\n".join(values)


def run(newsroom, sources: list[ImportSource]) -> ImportBatch:
    batch = create_import_batch(newsroom.story, sources, user=newsroom.users["editor"])
    run_import_batch(batch.pk)
    return batch


def assert_no_role_sees_the_password(newsroom, batch: ImportBatch) -> None:
    pages = [
        reverse("import_batch", args=[newsroom.story.slug, batch.pk]),
        reverse("story_detail", args=[newsroom.story.slug]),
        *(
            reverse("article_text", args=[newsroom.story.slug, article.pk])
            for article in Article.objects.filter(import_batch=batch)
        ),
    ]
    for role in ("viewer", "editor", "chief"):
        client = newsroom.client(role)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert SECRET not in response.content.decode(), f"{role} sees the password on {page}"


def test_a_url_import_fetches_and_stores_the_address_without_its_credentials(newsroom, site):  # noqa: F811
    page = site.add("/harbour.html", html_page("Harbour reopens", make_text(51), site_name="Port News"))

    batch = run(newsroom, sources_from_paths([with_credentials(page)]))

    (item,) = batch.items.all()
    assert item.article is not None, item.message
    assert item.article.url == page
    assert SECRET not in stored_values(batch) and f"{USER}:" not in stored_values(batch)
    assert f"{page}: the address {DROPPED} (kept {page})" in item.message
    editor_report = newsroom.client("editor").get(
        reverse("import_batch", args=[newsroom.story.slug, batch.pk])
    )
    assert DROPPED in editor_report.content.decode()
    assert_no_role_sees_the_password(newsroom, batch)


def test_json_and_csv_url_fields_lose_their_credentials_even_in_the_audit_copy(newsroom):
    url = "https://news.example/library-hours"
    records = json.dumps([{"title": "Library hours", "text": make_text(52), "url": with_credentials(url)}])
    table = f'title,text,url\nPool reopens,"{make_text(53)}",{with_credentials(url + "-pool")}\n'

    batch = run(
        newsroom,
        [
            ImportSource(name="items.json", data=records.encode()),
            ImportSource(name="items.csv", data=table.encode()),
        ],
    )

    assert sorted(Article.objects.filter(import_batch=batch).values_list("url", flat=True)) == [
        url,
        url + "-pool",
    ]
    assert SECRET not in stored_values(batch)
    messages = list(batch.items.order_by("position").values_list("message", flat=True))
    assert messages == [
        f"items.json entry 1, field 'url': the address {DROPPED} (kept {url})",
        f"items.csv line 2, field 'url': the address {DROPPED} (kept {url}-pool)",
    ]
    assert_no_role_sees_the_password(newsroom, batch)


def test_a_feed_entry_link_loses_its_credentials(newsroom):
    link = "https://wire.example/strike-ends"
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Strike ends</title>'
        f"<link>{with_credentials(link)}</link><description>{make_text(54, paragraphs=4, sentences=5)}"
        "</description></item></channel></rss>"
    )

    batch = run(newsroom, [ImportSource(name="wire.xml", data=feed.encode())])

    (item,) = batch.items.all()
    assert item.article.url == link and item.article.source_name == link
    assert item.message == f"wire.xml entry 1, link: the address {DROPPED} (kept {link})"
    assert SECRET not in stored_values(batch)


def test_a_manifest_url_loses_its_credentials(newsroom, tmp_path):
    (tmp_path / "a.txt").write_text(f"Ferry returns\n\n{make_text(55)}")
    url = "https://ferries.example/return"
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"a.txt": {"url": with_credentials(url)}}}))

    batch = run(newsroom, sources_from_paths([str(tmp_path)]))

    assert Article.objects.get(import_batch=batch).url == url
    assert SECRET not in stored_values(batch)
    problems = list(batch.items.filter(article__isnull=True).values_list("message", flat=True))
    assert problems == [f"{tmp_path / 'manifest.json'}: “a.txt”: url: the address {DROPPED} (kept {url})"]


@pytest.fixture
def no_queue(monkeypatch):
    from articles import jobs

    monkeypatch.setattr(jobs, "enqueue_import", lambda batch: None)
    monkeypatch.setattr(jobs, "enqueue_analysis", lambda *args, **kwargs: None)
    monkeypatch.setattr(jobs, "maybe_enqueue_synthesis", lambda story_id: None)
    monkeypatch.setattr(jobs, "enqueue_synthesis", lambda *args, **kwargs: None)


def test_the_import_forms_url_field_loses_its_credentials(newsroom, no_queue):
    url = "https://gazette.example/fire"
    response = newsroom.client("editor").post(
        reverse("story_import", args=[newsroom.story.slug]),
        {"pasted_title": "Fire at the harbour", "pasted": make_text(56), "pasted-url": with_credentials(url)},
    )
    assert response.status_code == 302
    batch = newsroom.story.import_batches.latest("pk")
    run_import_batch(batch.pk)

    (item,) = batch.items.all()
    assert item.article.url == url
    assert item.message == f"Fire at the harbour: the URL given for it: the address {DROPPED} (kept {url})"
    assert SECRET not in stored_values(batch)
    assert_no_role_sees_the_password(newsroom, batch)


def test_edit_source_details_drops_the_credentials_and_says_so(newsroom, no_queue):
    article = newsroom.article(0)
    url = "https://corrected.example/story"
    client = newsroom.client("editor")
    form = {
        "source-outlet": "",
        "source-url": with_credentials(url),
        "source-byline": "",
        "source-published_at": "",
    }

    response = client.post(
        reverse("article_source_details", args=[newsroom.story.slug, article.pk]), form, follow=True
    )

    article.refresh_from_db()
    assert article.url == url
    assert SECRET not in json.dumps(list(SourceCorrection.objects.values_list("changes", flat=True)))
    assert f"URL: the address {DROPPED} (kept {url})." in response.content.decode()
    page = newsroom.client("viewer").get(reverse("article_text", args=[newsroom.story.slug, article.pk]))
    assert SECRET not in page.content.decode()
