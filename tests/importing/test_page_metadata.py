"""What a page declares about itself (issue 12): its publication time with its zone, its title without the
site's name, its canonical address; and word counts for languages written without spaces."""

from __future__ import annotations

from datetime import UTC

import pytest

from articles.models import ImportItem
from tests.texts import make_text

from .conftest import import_file
from .test_urls_and_feeds import fetch

BODY = make_text(400, paragraphs=4)


def page(
    head: str = "", *, title: str = "Council approves harbour budget", h1: str = "", body: str = BODY
) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head>"
        f"<body><nav><a href='/'>Home</a></nav><article>{heading}{paragraphs}</article></body></html>"
    )


def stored(story, html: str, name: str = "page.html"):
    (item,) = import_file(story, name, html)
    assert item.status == ImportItem.Status.IMPORTED, item.message
    return item.article


def in_utc(article) -> str:
    return article.published_at.astimezone(UTC).isoformat()


def test_a_declared_time_wins_over_a_date_in_the_address(story, site):
    """trafilatura took the date in the URL and stored midnight, marked as a known time."""
    meta = '<meta property="article:published_time" content="2025-04-08T22:30:00-04:00">'
    url = site.add("/2025/04/08/council-budget", page(meta))

    (item,) = fetch(story, url)

    assert in_utc(item.article) == "2025-04-09T02:30:00+00:00"
    assert item.article.published_time_known


def test_the_json_ld_publication_time_wins_over_the_modified_time(story):
    head = (
        '<meta property="article:modified_time" content="2025-04-10T10:00:00+02:00">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
        '"datePublished": "2025-04-08T10:00:00+02:00", "dateModified": "2025-04-10T10:00:00+02:00"}</script>'
    )

    article = stored(story, page(head))

    assert in_utc(article) == "2025-04-08T08:00:00+00:00"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="sailthru.date" content="2025-04-08 22:30:00 -0400">', "2025-04-09T02:30:00+00:00"),
        ('<meta name="parsely-pub-date" content="2025-04-08T22:30:00+09:00">', "2025-04-08T13:30:00+00:00"),
        (
            """<meta name="parsely-page" content='{"title": "x", "pub_date": "2025-04-08T10:00:00Z"}'>""",
            "2025-04-08T10:00:00+00:00",
        ),
        ('<meta name="DC.date.issued" content="2025-04-08T10:00:00+05:30">', "2025-04-08T04:30:00+00:00"),
        # A time without a zone gives way to the same page's zoned declaration.
        (
            '<meta name="sailthru.date" content="2025-04-08 10:00:00">'
            '<meta property="article:published_time" content="2025-04-08T10:00:00+02:00">',
            "2025-04-08T08:00:00+00:00",
        ),
    ],
)
def test_the_usual_date_tags_are_read_with_their_zones(story, head, expected):
    article = stored(story, page(head))

    assert in_utc(article) == expected
    assert article.published_time_known


def test_a_time_element_in_the_article_is_read_with_its_zone(story):
    body_html = page(body=BODY).replace(
        "<article>", '<article><time datetime="2025-04-08T22:30:00+02:00">8 April</time>'
    )

    article = stored(story, body_html)

    assert in_utc(article) == "2025-04-08T20:30:00+00:00"


def test_a_declared_date_without_a_time_stays_date_only(story):
    article = stored(story, page('<meta property="article:published_time" content="2025-04-08">'))

    assert article.published_at.date().isoformat() == "2025-04-08"
    assert not article.published_time_known


def test_a_date_found_only_in_the_address_is_a_date_not_midnight(story, site):
    url = site.add("/2025/04/08/harbour", page())

    (item,) = fetch(story, url)

    assert item.article.published_at.date().isoformat() == "2025-04-08"
    assert not item.article.published_time_known


@pytest.mark.parametrize(
    ("title", "head", "expected"),
    [
        ("Council approves budget - SpaceNews.com", "", "Council approves budget"),
        (
            "Council approves budget | Reuters",
            '<meta property="og:site_name" content="Reuters">',
            "Council approves budget",
        ),
        (
            "Reuters | Council approves budget",
            '<meta property="og:site_name" content="Reuters">',
            "Council approves budget",
        ),
        # Not the site's name: kept whole (trafilatura cut this one to "Rotterdam").
        ("Rotterdam - Antwerp rail link delayed again", "", "Rotterdam - Antwerp rail link delayed again"),
        ("Council approves budget | Reuters", "", "Council approves budget | Reuters"),
    ],
)
def test_the_site_name_leaves_the_title_only_when_it_is_the_sites(story, site, title, head, expected):
    url = site.add("/news/story", page(head, title=title))
    site.routes["/news/story"].body = site.routes["/news/story"].body.replace(
        b"<head>", b'<head><link rel="canonical" href="https://www.spacenews.com/news/story">'
    )

    (item,) = fetch(story, url)

    assert item.article.title == expected


def test_a_heading_plus_section_and_site_becomes_the_heading(story):
    head = '<meta property="og:site_name" content="the Guardian">'
    title = "Council approves harbour budget | Politics | The Guardian"

    article = stored(story, page(head, title=title, h1="Council approves harbour budget"))

    assert article.title == "Council approves harbour budget"


def test_the_declared_canonical_address_is_the_article_url(story, site):
    relative = site.add("/a?utm_source=feed", page('<link rel="canonical" href="/news/council-budget">'))
    og_only = site.add(
        "/b?ref=home",
        page('<meta property="og:url" content="https://metro.example/news/b">', body=make_text(402)),
    )

    (first,) = fetch(story, relative)
    (second,) = fetch(story, og_only)

    assert first.article.url == f"{site.base}/news/council-budget"
    assert second.article.url == "https://metro.example/news/b"


def test_a_page_whose_json_ld_holds_the_article_body_is_read_from_it(story):
    body = make_text(401, paragraphs=3)
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
        f'"headline": "Council approves harbour budget", "articleBody": {__import__("json").dumps(body)}}}'
        "</script>"
    )

    article = stored(story, page(head, body="Subscribe to read the rest of this article."))

    assert article.body == body


CHINESE = (
    "东京电力公司周二表示，将在下个月开始向太平洋排放经过处理的核电站废水，整个过程预计持续三十年。\n\n"
    "日本政府说，排放的水已经过多次过滤，放射性物质的浓度远低于国际标准，国际原子能机构也表示同意这一计划。\n\n"
    "但是当地渔民和邻国对此表示担忧，认为排放会损害渔业和海产品的声誉，并要求政府提供更多的监测数据。"
)


def test_a_chinese_page_is_long_enough_and_stored_as_chinese(story):
    """Counted by spaces, these three paragraphs were "only 3 words" and the page was refused."""
    article = stored(story, page('<meta charset="utf-8">', title="东京电力将排放核废水", body=CHINESE))

    assert article.body == CHINESE
    assert article.language == "zh"


def test_a_german_page_under_an_english_template_is_stored_as_german(story):
    german = (
        "Der Stadtrat hat am Dienstag nach einer langen Sitzung den Haushalt für den Hafen beschlossen. "
        "Die Opposition kündigte an, die Entscheidung von der Landesregierung prüfen zu lassen.\n\n"
        "Mit dem Geld sollen die Fahrrinne vertieft und ein neues Fährterminal gebaut werden, sagte der "
        "Bürgermeister vor Journalisten im Rathaus."
    )

    article = stored(story, page(body=german).replace("<html>", '<html lang="en">'))

    assert article.language == "de"
