"""What keeps the workspace and the brief edits light for large stories (found with bench/load.py): the
sources pane lists the first articles with "Show more" and "show all" (HTMX, and plain links without
JavaScript), the overlap list links an article beyond the listed ones to its own page, a claim shows a few
source labels and counts the rest, and an edit records its revision from the items it already loaded. The
page sizes are lowered here so that a three-article story shows it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from articles import selectors
from articles.models import ArticleOverlap, CandidateBrief
from briefs.models import BriefItem
from briefs.services import (
    brief_add_own_item,
    brief_edit_item,
    brief_get_or_create,
    brief_move_item,
    brief_remove_item,
    brief_start_from_candidate,
    brief_update_header,
)
from tests.workbench.wb_factories import build_story

HTMX = {"HTTP_HX_REQUEST": "true"}


def listed_articles(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="source" id="article-(\d+)">', html)]


@pytest.fixture
def few_sources_shown(monkeypatch):
    monkeypatch.setattr(selectors, "SOURCES_SHOWN", 2)


def test_the_sources_pane_lists_the_first_articles_and_more_on_request(
    built, editor_client, few_sources_shown
):
    first, second, third = built.articles
    url = reverse("story_detail", args=[built.story.slug])
    page = editor_client.get(url).content.decode()
    assert listed_articles(page) == [first.pk, second.pk]
    assert "Sources <small>(2 of 3)</small>" in page
    assert "Show 1 more source</a>" in page and "show all 3</a>" in page
    assert first.title in page and third.title not in page

    more = editor_client.get(
        url + "?sources=4&filter=all&algorithm=lexrank", HTTP_HX_TARGET="sources-pane", **HTMX
    ).content.decode()
    assert more.lstrip().startswith('<section id="sources-pane"')
    assert 'id="claims-pane"' not in more and 'id="brief-pane"' not in more
    assert listed_articles(more) == [first.pk, second.pk, third.pk]
    assert "Sources <small>(3)</small>" in more and "more source" not in more
    assert built.sentences[2][0].text in more  # the third article's summary

    # Without JavaScript the same link loads the whole page with every source.
    page = editor_client.get(url + "?sources=3").content.decode()
    assert listed_articles(page) == [first.pk, second.pk, third.pk] and 'id="brief-pane"' in page


def test_the_summary_algorithm_form_keeps_the_sources_shown(built, editor_client, few_sources_shown):
    url = reverse("story_detail", args=[built.story.slug])
    page = editor_client.get(url).content.decode()
    assert 'name="sources"' not in page
    more = editor_client.get(url + "?sources=4", HTTP_HX_TARGET="sources-pane", **HTMX).content.decode()
    assert '<input type="hidden" name="sources" value="3">' in more


def test_an_overlap_beyond_the_listed_articles_links_to_the_articles_page(
    built, editor_client, few_sources_shown, monkeypatch
):
    monkeypatch.setattr(selectors, "OVERLAP_MATRIX_MAX_ARTICLES", 2)
    first, second, third = built.articles
    ArticleOverlap.objects.filter(article=first, other=third).update(coverage=0.9)
    page = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    rows = re.findall(
        r'<tr><th scope="row"><a href="#article-(\d+)">.*?<a href="([^"]+)">.*?<td>(\d+)%</td>', page, re.S
    )
    third_page = reverse("article_text", args=[built.story.slug, third.pk])
    assert (str(first.pk), third_page, "90") in rows
    assert (str(second.pk), f"#article-{first.pk}", "25") in rows  # ties go to the lowest id, listed here
    assert len(rows) == 2  # one row per listed article
    # The link works without JavaScript: the article's own page.
    assert third.title in editor_client.get(third_page).content.decode()


def test_a_claim_shows_a_few_source_labels_and_counts_the_rest(built, editor_client, monkeypatch):
    monkeypatch.setattr(selectors, "CLAIM_OUTLETS_SHOWN", 1)
    agreed = built.claims["agreed"]
    html = editor_client.get(
        reverse("story_detail", args=[built.story.slug]) + "?filter=agreed",
        HTTP_HX_TARGET="claims-pane",
        **HTMX,
    ).content.decode()
    claim = re.search(rf'<li class="claim" id="claim-{agreed.pk}">.*?</li>', html, re.S).group(0)
    assert re.findall(r'<span class="badge outlet">([^<]+)</span>', claim) == [built.articles[0].source_label]
    assert "and 1 more" in claim


def test_an_edit_on_a_stale_copy_of_the_brief_records_the_brief_as_it_is(built):
    stale = brief_get_or_create(built.story)  # version 0
    fresh = brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    fresh = brief_update_header(
        fresh, headline="Krause resigns", standfirst="", user=None, expected_version=1
    )
    item = fresh.items.order_by("position").first()
    brief_edit_item(stale, item.pk, text="Edited on a stale copy.", user=None, expected_version=2)
    revision = fresh.revisions.get(number=3)
    assert revision.snapshot["headline"] == "Krause resigns" and revision.snapshot["version"] == 3
    assert revision.snapshot["items"][0]["text"] == "Edited on a stale copy."
    fresh.refresh_from_db()
    assert fresh.version == 3 and fresh.headline == "Krause resigns"


def test_moves_and_removals_keep_positions_contiguous(built):
    brief = brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    brief = brief_get_or_create(built.story)
    brief_add_own_item(brief, text="Own line.", user=None, expected_version=1)
    brief.refresh_from_db()
    items = list(brief.items.order_by("position"))
    assert len(items) == 4
    brief_move_item(brief, items[3].pk, to_position=0, user=None, expected_version=2)
    brief.refresh_from_db()
    order = [items[3].pk, items[0].pk, items[1].pk, items[2].pk]
    assert list(brief.items.order_by("position").values_list("pk", flat=True)) == order
    brief_remove_item(brief, items[0].pk, user=None, expected_version=3)
    positions = list(BriefItem.objects.filter(brief=brief).order_by("position").values_list("pk", "position"))
    assert positions == [(items[3].pk, 0), (items[1].pk, 1), (items[2].pk, 2)]
    snapshot = brief.revisions.get(number=4).snapshot
    assert [entry["position"] for entry in snapshot["items"]] == [0, 1, 2]
    assert snapshot["items"][0]["text"] == "Own line." and snapshot["items"][0]["sources"] == []


def test_the_claims_pane_shows_the_claims_of_the_latest_synthesis(built, editor_client):
    url = reverse("story_detail", args=[built.story.slug]) + "?filter=all"
    unique = built.claims["unique"]
    assert (
        f'id="claim-{unique.pk}"'
        in editor_client.get(url, HTTP_HX_TARGET="claims-pane", **HTMX).content.decode()
    )
    # A synthesis replaces the claims and the candidate brief together (by hand here, as synthesize_story).
    unique.delete()
    candidate = built.story.candidate_brief
    candidate.delete()
    CandidateBrief.objects.create(story=built.story, algorithm="test", params={})
    html = editor_client.get(url, HTTP_HX_TARGET="claims-pane", **HTMX).content.decode()
    assert f'id="claim-{unique.pk}"' not in html and f'id="claim-{built.claims["agreed"].pk}"' in html


def test_the_full_page_reads_the_claims_from_the_database(built, editor_client):
    url = reverse("story_detail", args=[built.story.slug]) + "?filter=all"
    unique = built.claims["unique"]
    assert (
        f'id="claim-{unique.pk}"'
        in editor_client.get(url, HTTP_HX_TARGET="claims-pane", **HTMX).content.decode()
    )
    unique.delete()  # outside the pipeline (the admin): the fragment may show it until the cache expires
    assert f'id="claim-{unique.pk}"' not in editor_client.get(url).content.decode()


def test_a_story_not_synthesised_yet_shows_claims_as_they_are_stored(db, editor_client):
    built = build_story(slug="no-synthesis", candidate=False)
    url = reverse("story_detail", args=[built.story.slug]) + "?filter=all"
    unique = built.claims["unique"]
    assert (
        f'id="claim-{unique.pk}"'
        in editor_client.get(url, HTTP_HX_TARGET="claims-pane", **HTMX).content.decode()
    )
    unique.delete()
    assert (
        f'id="claim-{unique.pk}"'
        not in editor_client.get(url, HTTP_HX_TARGET="claims-pane", **HTMX).content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        "?sources=lots&filter=bogus&entity=abc&algorithm=nope&shown=-5",
        "?sources=99999999999999999999&entity=0&shown=1e3",
        "?part=two&sentence=x&a=b&b=",
    ],
)
def test_a_hand_edited_address_opens_the_workspace_with_the_defaults(
    built, editor_client, few_sources_shown, query
):
    url = reverse("story_detail", args=[built.story.slug])
    page = editor_client.get(url + query)
    assert page.status_code == 200
    html = page.content.decode()
    first, second, _ = built.articles
    assert listed_articles(html) == [first.pk, second.pk]  # the default page of sources
    assert 'id="claims-pane"' in html


def test_an_unreadable_part_number_shows_the_article_from_its_start(built, editor_client):
    url = reverse("article_text", args=[built.story.slug, built.articles[0].pk])
    page = editor_client.get(url + "?part=two&sentence=x")
    assert page.status_code == 200
    shown = re.findall(r'id="sentence-(\d+)"', page.content.decode())
    assert shown and shown == re.findall(r'id="sentence-(\d+)"', editor_client.get(url).content.decode())
