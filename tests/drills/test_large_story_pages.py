"""What the load benchmark changed so that a story of 200 articles (5,000 claims) stays usable: the claims
pane lists the first claims with "Show more", the claims filter renders only the claims pane, a story too
large for the overlap matrix gets each article's closest cover instead, and the brief pane offers "attach a
source" on unsourced items only (every item's edit form has it). The limits are lowered here so that a
three-article story shows it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from articles import selectors
from articles.models import ArticleOverlap
from briefs.services import brief_add_own_item, brief_get_or_create, brief_start_from_candidate
from tests.workbench.wb_factories import build_story

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def built(db):
    built = build_story(slug="paged")
    brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    return built


def claim_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="claim[^"]*" id="claim-(\d+)"', html)]


def test_the_claims_pane_lists_the_first_claims_and_shows_more_on_request(built, editor_client, monkeypatch):
    monkeypatch.setattr(selectors, "CLAIMS_SHOWN", 2)
    ordered = [c.pk for c in sorted(built.claims.values(), key=lambda c: c.position)]
    assert len(ordered) == 3

    page = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert claim_ids(page) == ordered[:2]
    assert "Claims <small>(2 of 3)</small>" in page
    assert "Show 1 more claim</a>" in page and "shown=4" in page

    more = editor_client.get(
        reverse("story_detail", args=[built.story.slug]) + "?filter=all&shown=4",
        HTTP_HX_TARGET="claims-pane",
        **HTMX,
    ).content.decode()
    assert claim_ids(more) == ordered
    assert "Claims <small>(3)</small>" in more and "more claim" not in more


def test_the_claims_filter_fragment_is_only_the_claims_pane(built, editor_client):
    url = reverse("story_detail", args=[built.story.slug]) + "?filter=agreed"
    fragment = editor_client.get(url, HTTP_HX_TARGET="claims-pane", **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="claims-pane"')
    assert 'id="sources-pane"' not in fragment and 'id="brief-pane"' not in fragment
    assert set(claim_ids(fragment)) == {c.pk for c in built.claims.values() if c.support >= 2}
    # Its "add to brief" forms carry the brief's current version.
    version = brief_get_or_create(built.story).version
    assert f'name="version" value="{version}"' in fragment


def test_a_story_too_large_for_the_matrix_lists_each_articles_closest_cover(
    built, editor_client, monkeypatch
):
    monkeypatch.setattr(selectors, "OVERLAP_MATRIX_MAX_ARTICLES", 2)
    first, second, third = built.articles
    ArticleOverlap.objects.filter(article=first, other=third).update(coverage=0.9)
    page = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert '<table class="overlap">' not in page
    row = r'<tr><th scope="row"><a href="#article-(\d+)">.*?<a href="#article-(\d+)">.*?<td>(\d+)%</td>'
    rows = re.findall(row, page, re.S)
    assert (str(first.pk), str(third.pk), "90") in rows
    assert len(rows) == 3  # every article, each with one other (ties go to the lowest id)


def test_unsourced_items_offer_every_source_in_the_pane_and_every_item_in_its_edit_form(built, editor_client):
    brief = brief_get_or_create(built.story)
    own = brief_add_own_item(brief, text="Our own line.", user=None, expected_version=brief.version)
    sourced = brief.items.exclude(pk=own.pk).first()
    options = [f'<option value="{a.pk}">{a.source_label}: {a.title[:49]}' for a in built.articles]

    pane = editor_client.get(
        reverse("brief_pane", args=[built.story.slug]), HTTP_HX_TARGET="brief-pane", **HTMX
    ).content.decode()
    assert f'id="attach-{own.pk}"' in pane and f'id="attach-{sourced.pk}"' not in pane
    assert all(pane.count(option) == 1 for option in options)

    form = editor_client.get(
        reverse("brief_edit_item", args=[built.story.slug, sourced.pk]),
        HTTP_HX_TARGET=f"item-{sourced.pk}",
        **HTMX,
    ).content.decode()
    assert f'id="attach-{sourced.pk}"' in form and "Source to attach to item 1" in form
    attached = set(sourced.articles.values_list("pk", flat=True))
    assert attached  # an item made from a claim: its sources are listed to detach, the others offered once
    for article, option in zip(built.articles, options, strict=True):
        assert form.count(option) == (0 if article.pk in attached else 1)
