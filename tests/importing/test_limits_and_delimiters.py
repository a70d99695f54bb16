"""Issue 14, case 8: nothing is corrupted silently. A CSV file's rows never become garbled articles when they
are separated otherwise than its header; a URL over the length limit is refused naming it, never cut and
fetched cut; a JSON, JSON Lines or CSV file with more entries than IMPORT_MAX_ENTRIES is refused, naming the
limit and the count."""

from __future__ import annotations

import json

import pytest

from articles.importing import ImportSource, sources_from_paths
from articles.models import Article, ImportItem
from tests.importing.conftest import html_page, import_file, import_sources
from tests.texts import make_text

COUNCIL = "The council met on Monday, and it approved the budget, after a long debate about the harbour."


def test_csv_rows_separated_otherwise_than_the_header_fail_instead_of_becoming_garbage(story):
    data = (
        "title,text,outlet\n"
        f"Budget approved;{COUNCIL};Harbour Gazette\n"
        "Ferry returns;The ferry is back, its operator said on Tuesday.;Port News\n"
    )

    (item,) = import_file(story, "mixed.csv", data)

    assert not Article.objects.exists(), [a.outlet.name for a in Article.objects.all() if a.outlet]
    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        "mixed.csv: the header row is separated by commas but the rows by semicolons, so the rows cannot be "
        "matched to the columns title, text, outlet; separate the header and every row the same way"
    )


def test_a_csv_row_with_too_few_or_too_many_values_fails_alone_naming_the_columns(story):
    data = (
        f'title,text,outlet\nBudget,"{make_text(61, paragraphs=1)}",Gazette\nStray line without delimiters\n'
    )

    good, stray = import_file(story, "rows.csv", data)

    assert good.status == ImportItem.Status.IMPORTED and good.article.outlet.name == "Gazette"
    assert stray.status == ImportItem.Status.FAILED
    assert stray.message == (
        "rows.csv line 3: 1 value where the header has 3 columns (title, text, outlet), so the row cannot be "
        "matched to them; separate it with commas like the header, and put a value that holds the "
        "delimiter in double quotes"
    )


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_semicolon_tab_and_vertical_bar_files_are_read_by_their_header(story, delimiter):
    text = make_text(62 + ord(delimiter), paragraphs=1)
    data = delimiter.join(["title", "text", "outlet"]) + "\n" + delimiter.join(["Pandas", text, "Zoo News"])

    (item,) = import_file(story, "table.csv", data)

    assert item.status == ImportItem.Status.IMPORTED, item.message
    assert (item.article.title, item.article.body, item.article.outlet.name) == ("Pandas", text, "Zoo News")


def test_a_csv_header_without_the_expected_columns_names_them(story):
    (item,) = import_file(story, "people.csv", "name|body|date\nAda|Some text|2025-01-01\n")

    assert item.status == ImportItem.Status.FAILED
    assert item.message.startswith(
        "people.csv: the header row names none of the fields title, text, url, outlet, published_at "
        "(found 'name', 'body', 'date')"
    )


def long_path(length: int) -> str:
    return "/story?" + "&".join(f"utm_{n}=x" for n in range(length // 8))


def test_a_url_over_the_length_limit_is_refused_naming_it_and_nothing_is_fetched(story, site):
    page = html_page("Harbour reopens", make_text(63))
    url = site.add("/story", page)
    long_url = (url + long_path(2100))[:2345]
    site.add(long_url[len(site.base) :][: 2000 - len(site.base)], page)  # what the cut URL would fetch
    site.add(long_url[len(site.base) :], page)

    (item,) = import_sources(story, sources_from_paths([long_url]))

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        f"{long_url[:79]}…: the address {long_url[:79]}… is 2,345 characters long, over the limit of 2,000; "
        "shorten it (the part after “?” is often only tracking)"
    )
    assert not Article.objects.exists()


def test_a_json_url_field_over_the_limit_is_left_out_aloud_not_cut(story):
    long_url = "https://news.example" + long_path(2100)
    record = {"title": "Library hours", "text": make_text(64), "url": long_url}

    (item,) = import_file(story, "items.json", json.dumps(record))

    assert item.status == ImportItem.Status.IMPORTED
    assert item.article.url == ""
    assert item.message.startswith(
        f"items.json, field 'url': the address {long_url[:79]}… is {len(long_url):,}"
    )
    assert item.message.endswith("; left empty")


def test_a_feed_entry_whose_link_is_too_long_fails_naming_it_and_is_not_fetched(story):
    link = "https://wire.example" + long_path(2100)
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Strike ends</title>'
        f"<link>{link.replace('&', '&amp;')}</link><description>Teaser only.</description></item>"
        "</channel></rss>"
    )

    (item,) = import_file(story, "wire.xml", feed)

    assert item.status == ImportItem.Status.FAILED
    assert item.message.startswith(f"wire.xml entry 1, link: the address {link[:79]}… is {len(link):,}")
    assert item.message.endswith("; the page was not fetched")


@pytest.mark.parametrize(
    ("name", "what", "build"),
    [
        ("many.json", "entries", lambda texts: json.dumps([{"text": t} for t in texts])),
        ("many.jsonl", "lines", lambda texts: "\n".join(json.dumps({"text": t}) for t in texts)),
        ("many.csv", "rows", lambda texts: "text\n" + "\n".join(f'"{t}"' for t in texts)),
    ],
)
def test_a_file_with_more_entries_than_the_limit_is_refused_naming_the_limit(
    story, settings, name, what, build
):
    settings.IMPORT_MAX_ENTRIES = 5
    texts = [make_text(70 + n, paragraphs=1) for n in range(7)]

    (item,) = import_sources(story, [ImportSource(name=name, data=build(texts).encode())])

    assert item.status == ImportItem.Status.FAILED
    assert item.message == (
        f"{name}: 7 {what} of articles, over the limit of 5 per file (IMPORT_MAX_ENTRIES); nothing was "
        f"imported from it: split it into files of at most 5 {what} and import those"
    )
    assert not Article.objects.exists()


def test_a_file_at_the_limit_imports_every_entry(story, settings):
    settings.IMPORT_MAX_ENTRIES = 5
    data = json.dumps([{"text": make_text(80 + n, paragraphs=1)} for n in range(5)])

    items = import_file(story, "five.json", data)

    assert [item.status for item in items] == [ImportItem.Status.IMPORTED] * 5
