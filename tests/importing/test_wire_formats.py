"""Formats a newsroom receives (issue 12): NewsML-G2, NITF, IPTC 7901, e-mail, JSON Feed and schema.org
JSON-LD; and formats that are still not read say "not supported"."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from articles.models import Article, ImportItem
from tests.texts import make_text

from .conftest import fixture_bytes, html_page, import_file
from .test_urls_and_feeds import fetch


def utc(article: Article) -> str:
    return article.published_at.astimezone(__import__("datetime").UTC).isoformat()


def test_a_newsml_g2_news_item_is_read_with_its_metadata(story):
    (item,) = import_file(story, "newsml_g2.xml", fixture_bytes("newsml_g2.xml"))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    article = item.article
    assert article.title == "Harbour bridge reopens after two years of repairs"
    assert article.standfirst == "The bridge carried its first traffic in two years on Tuesday morning."
    assert article.byline == "Anna de Vries"
    assert article.body.startswith("ROTTERDAM (Wire) - The harbour bridge reopened")
    assert article.body.count("\n\n") == 2
    assert utc(article) == "2025-04-08T09:15:00+00:00"  # firstCreated, 11:15 at +02:00
    assert article.published_time_known
    assert article.outlet.name == "Wire Example Agency"
    assert article.get_source_format_display() == "NewsML-G2"
    assert article.language == "en"


def test_a_newsml_g2_message_gives_one_entry_per_news_item_and_names_what_it_skipped(story):
    first, second = import_file(story, "newsml_message.xml", fixture_bytes("newsml_message.xml"))

    assert first.status == ImportItem.Status.IMPORTED
    assert first.article.title == "Ferry timetable changes for the winter"
    assert first.article.body.split("\n\n")[1].startswith("Morning sailings stay as they are")
    assert (
        "newsml_message.xml: 1 item of the message not read (packageItem: not news items); only its "
        "newsItems were"
    ) in first.message
    assert second.status == ImportItem.Status.FAILED
    assert second.message == (
        "newsml_message.xml item 2: the news item's text is not inside it (only a remoteContent reference to "
        "https://wire.example/photos/123.jpg); import that"
    )


def test_a_package_item_alone_is_refused_naming_what_it_is(story):
    data = b'<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:p" version="1"/>'

    (item,) = import_file(story, "package.xml", data)

    assert item.message == (
        "package.xml: not a news item (a packageItem, which groups other items); import the newsItem files "
        "themselves"
    )


def test_an_nitf_document_is_read(story):
    (item,) = import_file(story, "nitf.xml", fixture_bytes("nitf.xml"))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    article = item.article
    assert article.title == "Zoo welcomes twin pandas"
    assert article.standfirst == "The first panda births in the city's history"
    assert article.byline == "Sam Carter"
    assert article.body.startswith("The city zoo announced on Tuesday")
    assert "Reporting by Sam Carter" not in article.body  # the tagline is not the article
    assert utc(article) == "2025-04-08T18:30:00+00:00"  # 14:30 at -04:00
    assert article.outlet.name == "Metro Daily"
    assert article.get_source_format_display() == "NITF"


def test_xml_entities_are_not_resolved(story, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = fixture_bytes("nitf.xml").replace(
        b'<nitf version="-//IPTC//DTD NITF 3.6//EN"',
        f'<!DOCTYPE nitf [<!ENTITY leak SYSTEM "file://{secret}">]>\n<nitf'.encode(),
    )
    data = data.replace(b"<p>The pandas", b"<p>&leak; The pandas")

    (item,) = import_file(story, "nitf.xml", data)

    assert "TOP-SECRET-VALUE" not in (item.article.body if item.article else item.message)


def test_an_iptc_7901_message_is_read(story):
    (item,) = import_file(story, "wire.txt", fixture_bytes("iptc7901.txt"))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    article = item.article
    assert article.title == "Council approves harbour budget after all-night session"
    assert article.body.startswith("The city council approved the harbour budget at dawn")
    assert article.body.count("\n\n") == 2
    assert "\x03" not in article.body and "081005" not in article.body
    assert utc(article) == "2025-04-08T10:05:00+00:00"
    assert article.get_source_format_display() == "IPTC 7901"


def test_several_iptc_7901_messages_in_one_file_are_separate_entries(story):
    one = fixture_bytes("iptc7901.txt")
    two = one.replace(b"Council approves harbour budget", b"Council rejects road budget").replace(
        b"approved the harbour budget", b"rejected the road budget"
    )

    items = import_file(story, "wire", one + b"\r\n" + two)

    assert [item.source for item in items] == ["wire message 1", "wire message 2"]
    assert [item.article.title for item in items] == [
        "Council approves harbour budget after all-night session",
        "Council rejects road budget after all-night session",
    ]


def test_a_press_release_email_is_read_from_its_text_part_and_names_its_attachments(story):
    (item,) = import_file(story, "press_release.eml", fixture_bytes("press_release.eml"))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    article = item.article
    assert article.title == "Port strike ends after talks"  # without "Fwd:"
    assert article.body.startswith("The strike at the port of Rotterdam ended on Tuesday after unions")
    assert "agreed on a new two-year contract" in article.body  # hard-wrapped lines joined
    assert "HTML version" not in article.body  # the text part, not both
    assert "Press office" not in article.body  # the signature is dropped
    assert utc(article) == "2025-04-08T14:45:00+00:00"
    assert article.outlet.name == "Port of Rotterdam Press Office"
    assert item.message == (
        "press_release.eml: 1 attachment not imported (release.pdf); only the message's own text was; import "
        "an attachment on its own if it holds the article"
    )


def test_an_html_only_email_is_read_from_its_html(story):
    (item,) = import_file(story, "html_only.eml", fixture_bytes("html_only.eml"))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    assert item.article.title == "Library extends opening hours"
    assert item.article.body.startswith("The central library will open until 10 p.m.")
    assert "color" not in item.article.body


def test_an_email_with_only_an_attachment_fails_saying_so(story):
    message = EmailMessage()
    message["From"] = "press@city.example"
    message["Subject"] = "Statement"
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="statement.pdf")

    (item,) = import_file(story, "statement.eml", bytes(message))

    assert (
        item.message
        == "statement.eml: the e-mail has no text part (only attachments: statement.pdf); nothing to import"
    )


def test_a_json_feed_file_is_read(story):
    first, second = import_file(story, "jsonfeed.json", fixture_bytes("jsonfeed.json"))

    assert first.status == second.status == ImportItem.Status.IMPORTED
    assert first.article.title == "Cycle lane opens on the ring road"
    assert first.article.url == "https://metro.example/2025/04/08/cycle-lane"
    assert first.article.byline == "Jo Reyes"
    assert first.article.outlet.name == "Metro Daily"
    assert utc(first.article) == "2025-04-08T13:30:00+00:00"
    assert first.article.get_source_format_display() == "JSON Feed"
    assert "<p>" not in first.article.body and first.article.body.count("\n\n") >= 3
    assert second.article.title == "Café reopens"
    assert second.article.body.startswith("The corner café on Market Street")
    assert not second.article.published_time_known  # "2025-04-08": a date without a time


def test_a_json_feed_from_a_url_fetches_its_teasers_pages(story, site):
    page_text = make_text(320)
    page = site.add("/a/1", html_page("The whole story", page_text))
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Json Wire",
        "items": [{"id": "1", "url": page, "title": "Teaser", "summary": "Short."}],
    }
    url = site.add("/feed.json", json.dumps(feed), content_type="application/feed+json")

    (item,) = fetch(story, url)

    assert item.status == ImportItem.Status.IMPORTED, item.message
    assert item.article.body == page_text
    assert item.article.outlet.name == "Json Wire"


def test_a_newsarticle_json_ld_file_is_read(story):
    (item,) = import_file(story, "newsarticle.jsonld", fixture_bytes("newsarticle.jsonld"))

    assert item.status == ImportItem.Status.IMPORTED, item.message
    article = item.article
    assert article.title == "Vineyard harvest starts three weeks early"
    assert article.standfirst == "Growers blame a hot, dry summer."
    assert article.byline == "Claire Martin"
    assert article.outlet.name == "Wine Country News"
    assert article.url == "https://wine.example/news/harvest-early"
    assert utc(article) == "2025-09-02T04:15:00+00:00"
    assert article.body.startswith("Grape picking began in the valley on Monday")


def test_json_ld_in_a_json_file_or_a_graph_is_recognised_and_one_without_a_body_fails(story):
    node = json.loads(fixture_bytes("newsarticle.jsonld"))
    del node["@context"]
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "x"}, node]}
    bodiless = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Only a description"}

    (from_graph,) = import_file(story, "page.json", json.dumps(graph))
    (without_body,) = import_file(story, "described.json", json.dumps(bodiless))

    assert from_graph.status == ImportItem.Status.IMPORTED, from_graph.message
    assert from_graph.article.title == "Vineyard harvest starts three weeks early"
    assert without_body.message == (
        "described.json: the NewsArticle has no articleBody, only a description of the article; import the "
        "article's page (its address) instead"
    )


SAVE_AS = "save it as plain text (.txt), HTML or e-mail (.eml) and import that"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("release.rtf", None, f"release.rtf: RTF documents are not supported; {SAVE_AS}"),
        # The same RTF file without its suffix: recognised by its contents (it used to be "malformed JSON").
        ("release", None, f"release: RTF documents are not supported; {SAVE_AS}"),
        (
            "release.docx",
            b"PK\x03\x04 not really",
            f"release.docx: Word documents are not supported; {SAVE_AS}",
        ),
        (
            "mail.msg",
            b"\xd0\xcf\x11\xe0 x",
            f"mail.msg: Outlook messages (.msg) are not supported; {SAVE_AS}",
        ),
    ],
)
def test_formats_that_are_not_read_say_not_supported(story, name, data, expected):
    (item,) = import_file(story, name, data if data is not None else fixture_bytes("release.rtf"))

    assert item.status == ImportItem.Status.FAILED
    assert item.message == expected
