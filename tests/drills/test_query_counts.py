"""The pages editors load over and over make a bounded number of queries, the same for a story of 3 articles
and one of 15 (with more claims, brief items, revisions and sources).

tests/workbench covers the full workspace and the story list against more stories; these add the fragments
HTMX loads (claims filter, brief pane, job status, item edit form), the history, the public page, and the
story list against more articles.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Job
from briefs.services import (
    brief_add_claim,
    brief_add_own_item,
    brief_edit_item,
    brief_get_or_create,
    brief_publish,
    brief_start_from_candidate,
    brief_update_header,
)
from tests.workbench.wb_factories import build_story

HTMX = {"HTTP_HX_REQUEST": "true"}
SMALL, LARGE = 3, 15


def built_with_brief(slug: str, articles: int):
    texts = [
        (
            f"Report {n} on the resignation",
            f"Outlet {n} reports the resignation. It cites {n} officials. Done {n}.",
        )
        for n in range(articles)
    ]
    built = build_story(slug=slug, title=f"Story {slug}", texts=texts)
    brief = brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    brief = brief_update_header(
        brief, headline=f"Headline {slug}", standfirst="", user=None, expected_version=brief.version
    )
    for claim in built.claims.values():
        brief.refresh_from_db()
        brief_add_claim(brief, claim, user=None, expected_version=brief.version)
    for n in range(articles):  # more items and revisions for the larger story
        brief.refresh_from_db()
        item = brief_add_own_item(brief, text=f"Own item {n}", user=None, expected_version=brief.version)
        brief.refresh_from_db()
        brief_edit_item(
            brief, item.pk, text=f"Own item {n}, edited", user=None, expected_version=brief.version
        )
    brief.refresh_from_db()
    brief_publish(
        brief, user=None, expected_version=brief.version, confirm_warnings=True
    )  # own items: unsourced
    for article in built.articles:  # rows for the job status fragment
        Job.objects.create(
            kind=Job.Kind.ANALYSIS, story=built.story, article=article, state=Job.State.SUCCEEDED
        )
    Job.objects.create(kind=Job.Kind.SYNTHESIS, story=built.story, state=Job.State.QUEUED)
    return built


@pytest.fixture
def small_and_large(db):
    small = built_with_brief("small", SMALL)
    large = built_with_brief("large", LARGE)
    assert large.story.brief.items.count() > small.story.brief.items.count()
    assert large.story.brief.revisions.count() > small.story.brief.revisions.count()
    return small, large


def page_requests(story, client: Client) -> dict[str, callable]:
    slug = story.slug
    item = story.brief.items.order_by("position").first()
    return {
        "workspace": lambda: client.get(reverse("story_detail", args=[slug])),
        "claims filter fragment": lambda: client.get(
            reverse("story_detail", args=[slug]) + "?filter=agreed", HTTP_HX_TARGET="claims-pane", **HTMX
        ),
        "brief pane fragment": lambda: client.get(
            reverse("brief_pane", args=[slug]), HTTP_HX_TARGET="brief-pane", **HTMX
        ),
        "item edit form": lambda: client.get(
            reverse("brief_edit_item", args=[slug, item.pk]), HTTP_HX_TARGET=f"item-{item.pk}", **HTMX
        ),
        "job status fragment": lambda: client.get(reverse("story_jobs", args=[slug]), **HTMX),
        "history": lambda: client.get(reverse("brief_history", args=[slug])),
        "public page": lambda: Client().get(reverse("public_brief", args=[slug])),
    }


# Measured (SQLite and PostgreSQL alike): 19, 7 (12 before the claims cache is filled), 9, 5, 4, 11, 1.
# A story of more than 30 articles (more than the sources pane lists at first) adds up to 3 to the workspace:
# the article count, the overlap leaders and the articles covering them; hence 22 there.
LIMITS = {
    "workspace": 22,
    "claims filter fragment": 14,
    "brief pane fragment": 10,
    "item edit form": 6,
    "job status fragment": 5,
    "history": 12,
    "public page": 2,
}


@pytest.mark.parametrize("page", list(LIMITS))
def test_page_queries_are_bounded_and_do_not_grow_with_the_story(
    page, small_and_large, editor_client, django_assert_max_num_queries
):
    small, large = small_and_large
    counts = []
    for built in (small, large):
        request = page_requests(built.story, editor_client)[page]
        request()  # first request of the session: warm caches such as the user's permissions
        with django_assert_max_num_queries(LIMITS[page]) as captured:
            response = request()
        assert response.status_code == 200, (page, response.status_code)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], (
        f"{page}: {counts[0]} queries for {SMALL} articles, {counts[1]} for {LARGE}"
    )


def test_story_list_queries_do_not_grow_with_articles(db, editor_client, django_assert_max_num_queries):
    story = build_story(slug="growing").story
    editor_client.get(reverse("story_list"))
    with django_assert_max_num_queries(10) as before:
        assert editor_client.get(reverse("story_list")).status_code == 200
    for n in range(12):
        Article.objects.create(
            story=story,
            title=f"More {n}",
            body=f"More text {n}.",
            content_hash=f"more-{n}",
            source_format="text",
        )
    with django_assert_max_num_queries(10) as after:
        response = editor_client.get(reverse("story_list"))
    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)


# Measured on SQLite and PostgreSQL alike: 21 (user and permissions 3; the brief 1; the edit in its
# transaction 11: the brief's row taken and read, the item read, the brief's and the item's new versions,
# the snapshot 3 and the revision; the re-rendered brief pane 3 and its items' discrepancy flags 2; the
# sources to attach, as the large story has unsourced items).
BRIEF_EDIT_LIMIT = 21


def test_a_brief_edit_makes_a_bounded_number_of_queries_whatever_the_story(
    small_and_large, editor_client, django_assert_max_num_queries
):
    counts = []
    for built in small_and_large:
        brief = built.story.brief
        item = brief.items.order_by("position").first()
        url = reverse("brief_edit_item", args=[built.story.slug, item.pk])
        editor_client.get(reverse("brief_pane", args=[built.story.slug]), HTTP_HX_TARGET="brief-pane", **HTMX)
        brief.refresh_from_db()
        with django_assert_max_num_queries(BRIEF_EDIT_LIMIT) as captured:
            response = editor_client.post(
                url,
                {"version": brief.version, "item_version": item.version, "text": "Edited once more."},
                HTTP_HX_TARGET="brief-pane",
                **HTMX,
            )
        assert response.status_code == 200
        assert f'data-version="{brief.version + 1}"' in response.content.decode()
        assert "Edited once more." in response.content.decode()
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], (
        f"brief edit: {counts[0]} queries for {SMALL} articles, {counts[1]} for {LARGE}"
    )
