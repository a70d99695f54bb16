"""HTML files, JSON, JSON Lines and CSV, with their bad cases."""

from __future__ import annotations

import json

from articles.models import Article, ImportItem, Outlet
from tests.texts import make_text

from .conftest import fixture_bytes, import_file


def test_html_main_text_and_metadata_are_extracted(story):
    (item,) = import_file(story, "article.html", fixture_bytes("article.html"))

    article = item.article
    assert item.status == ImportItem.Status.IMPORTED
    assert article.source_format == "html"
    assert article.title == "Harbour bridge reopens after two years of repairs"
    assert article.byline == "Maria Lindqvist"
    assert article.url == "https://coastalcourier.example/news/harbour-bridge-reopens"
    assert article.published_at.isoformat() == "2025-03-14T09:30:00+00:00"
    assert article.outlet.name == "The Coastal Courier"
    assert article.outlet.domain == "coastalcourier.example"
    assert article.body.startswith("The lifting bridge across the old harbour carried its first cars")
    assert len(article.body.split("\n\n")) == 3
    for dropped in ("Subscribe now", "Copyright", "tracker", "Injected by a script", "font-family"):
        assert dropped not in article.body, dropped
    # Only text reaches the fields templates show; the HTML is kept for audit alone.
    for value in (article.title, article.standfirst, article.byline, article.body):
        assert "<" not in value
    assert "<nav>" in article.raw_input


def test_html_markup_in_the_title_is_stored_as_plain_text(story):
    page = (
        "<html><head><title>Council &amp; mayor &lt;b&gt;agree&lt;/b&gt; budget</title></head><body>"
        f"<article><p>{make_text(5, paragraphs=2)}</p></article></body></html>"
    )
    (item,) = import_file(story, "budget.html", page)

    assert item.article.title == "Council & mayor agree budget"  # double-encoded markup is removed too
    assert "<script" not in item.article.body


def test_html_without_article_text_fails(story):
    (item,) = import_file(story, "nav_only.html", fixture_bytes("nav_only.html"))

    assert item.status == ImportItem.Status.FAILED
    assert item.message.startswith("nav_only.html: no article text found in the HTML")
    assert not Article.objects.exists()


def test_json_list_imports_each_entry_and_a_row_without_text_fails_alone(story):
    items = import_file(story, "items.json", fixture_bytes("items.json"))

    assert [(item.source, item.status) for item in items] == [
        ("items.json entry 1", ImportItem.Status.IMPORTED),
        ("items.json entry 2", ImportItem.Status.IMPORTED),
        ("items.json entry 3", ImportItem.Status.FAILED),
    ]
    assert items[2].message == "items.json entry 3: no 'text' field"
    first = items[0].article
    assert first.title == "Library extends opening hours"
    assert first.url == "https://citynews.example/library-hours"
    assert first.outlet == Outlet.objects.get(name="City News")
    assert first.published_at.isoformat() == "2025-05-07T12:00:00+00:00"
    assert first.body.count("\n\n") == 1
    assert first.source_format == "json"
    assert json.loads(first.raw_input)["section"] == "local"  # unknown fields are ignored, kept for audit
    assert items[1].article.published_at.isoformat() == "2025-10-01T00:00:00+00:00"


def test_a_single_json_object_is_one_article(story):
    record = {"title": "Single object", "text": make_text(6), "outlet": "Solo Times"}
    (item,) = import_file(story, "one.json", json.dumps(record))

    assert item.status == ImportItem.Status.IMPORTED
    assert item.source == "one.json"
    assert item.article.outlet.name == "Solo Times"


def test_malformed_json_names_the_line_and_column(story):
    (item,) = import_file(story, "malformed.json", fixture_bytes("malformed.json"))

    assert item.status == ImportItem.Status.FAILED
    assert item.message == "malformed.json line 3, column 22: malformed JSON (Expecting ',' delimiter)"


def test_json_fields_of_the_wrong_kind_are_named(story):
    records = [
        {"title": "Bad date", "text": make_text(7), "published_at": "last Tuesday", "url": "ftp://x"},
        {"title": "Number text", "text": 42},
    ]
    good, bad = import_file(story, "odd.json", json.dumps(records))

    assert good.status == ImportItem.Status.IMPORTED
    assert good.article.published_at is None and good.article.url == ""
    assert (
        "odd.json entry 1, field 'published_at': not an ISO 8601 date ('last Tuesday'); left empty"
        in good.message
    )
    assert "odd.json entry 1, field 'url': not an http(s) address" in good.message
    assert bad.status == ImportItem.Status.FAILED
    assert bad.message == "odd.json entry 2: the 'text' field is a number, not a string"


def test_json_lines_fail_line_by_line(story):
    items = import_file(story, "items.jsonl", fixture_bytes("items.jsonl"))

    assert [(item.source, item.status) for item in items] == [
        ("items.jsonl line 1", ImportItem.Status.IMPORTED),
        ("items.jsonl line 2", ImportItem.Status.FAILED),
        ("items.jsonl line 3", ImportItem.Status.IMPORTED),
    ]
    assert items[1].message == "items.jsonl line 2, column 61: malformed JSON (Expecting ',' delimiter)"
    assert items[0].article.source_format == "jsonl"
    assert items[0].article.outlet.name == "Runner Weekly"
    assert items[2].article.outlet is None


def test_csv_rows_become_articles_and_extra_columns_are_ignored(story):
    items = import_file(story, "items.csv", fixture_bytes("items.csv"))

    assert [(item.source, item.status) for item in items] == [
        ("items.csv line 2", ImportItem.Status.IMPORTED),
        ("items.csv line 5", ImportItem.Status.IMPORTED),
    ]
    pandas = items[0].article
    assert pandas.title == "Zoo welcomes twin pandas"
    assert pandas.body == (
        "The city zoo announced the birth of twin panda cubs on Sunday, the first born there in its history."
        "\n\nKeepers said both cubs were healthy and feeding well."
    )
    assert pandas.outlet.name == "Zoo News"
    assert pandas.source_format == "csv"
    assert pandas.published_at.isoformat() == "2025-08-03T08:00:00+00:00"
    assert "ignore me" not in pandas.body


def test_csv_whose_header_names_none_of_the_fields_fails(story):
    (item,) = import_file(story, "bad_header.csv", fixture_bytes("bad_header.csv"))

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        "bad_header.csv: the header row names none of the fields title, text, url, outlet, published_at "
        "(found 'name', 'body', 'date'); the first line must name the columns, separated by commas, "
        "semicolons, tabs or vertical bars"
    )


def test_csv_rows_without_text_fail_alone_and_semicolons_are_understood(story):
    data = f"title;text\nFirst;{make_text(8, paragraphs=1)}\nSecond;\n"
    first, second = import_file(story, "semi.csv", data)

    assert first.status == ImportItem.Status.IMPORTED
    assert second.status == ImportItem.Status.FAILED
    assert second.message == "semi.csv line 3: the 'text' field is empty"
