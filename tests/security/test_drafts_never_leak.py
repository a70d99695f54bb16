"""The public page and the feed show only the frozen published revision, never a draft."""

from __future__ import annotations

from django.urls import reverse

from briefs.services import (
    brief_add_own_item,
    brief_get_or_create,
    brief_publish,
    brief_unpublish,
    brief_update_header,
)
from tests.security.conftest import Newsroom

DRAFT_HEADLINE = "DRAFT-HEADLINE not for readers"
DRAFT_ITEM = "DRAFT-ITEM an unchecked claim"


def public_surfaces(newsroom: Newsroom, slug: str) -> dict[str, tuple[int, str]]:
    client = newsroom.client("anonymous")
    pages = {
        "public page": reverse("public_brief", args=[slug]),
        "public index": reverse("public_index"),
        "feed": reverse("published_feed"),
    }
    answers = {}
    for where, path in pages.items():
        response = client.get(path)
        answers[where] = (response.status_code, response.content.decode())
    return answers


def edit_after_publishing(newsroom: Newsroom) -> None:
    brief = newsroom.current_brief()
    editor = newsroom.users["editor"]
    brief = brief_update_header(
        brief,
        headline=DRAFT_HEADLINE,
        standfirst="Draft standfirst",
        user=editor,
        expected_version=brief.version,
    )
    brief_add_own_item(brief, text=DRAFT_ITEM, user=editor, expected_version=brief.version)


def test_edits_after_publishing_stay_off_the_public_page_and_feed(newsroom: Newsroom):
    edit_after_publishing(newsroom)
    for where, (status, body) in public_surfaces(newsroom, newsroom.story.slug).items():
        assert status == 200, where
        assert "Krause resigns" in body, f"{where} shows the published revision"
        assert DRAFT_HEADLINE not in body and DRAFT_ITEM not in body, f"{where} leaks the draft"


def test_an_unpublished_brief_vanishes_from_page_index_and_feed(newsroom: Newsroom):
    brief = newsroom.current_brief()
    brief_unpublish(brief, user=newsroom.users["chief"], expected_version=brief.version)
    answers = public_surfaces(newsroom, newsroom.story.slug)
    status, body = answers["public page"]
    assert status == 410 and "Krause resigns" not in body
    for where in ("public index", "feed"):
        assert "Krause resigns" not in answers[where][1], f"{where} still lists the unpublished brief"


def test_republishing_shows_the_new_revision_and_only_it(newsroom: Newsroom):
    edit_after_publishing(newsroom)
    brief = newsroom.current_brief()
    brief_publish(brief, user=newsroom.users["chief"], expected_version=brief.version, confirm_warnings=True)
    for where, (_status, body) in public_surfaces(newsroom, newsroom.story.slug).items():
        assert DRAFT_HEADLINE in body and "Krause resigns" not in body, where


def test_a_guessed_permalink_of_a_never_published_brief_is_404(newsroom: Newsroom):
    story = newsroom.draft_story
    brief = brief_get_or_create(story)
    brief_update_header(
        brief,
        headline=DRAFT_HEADLINE,
        standfirst="",
        user=newsroom.users["editor"],
        expected_version=brief.version,
    )
    for slug in (story.slug, "no-such-story"):
        status, body = public_surfaces(newsroom, slug)["public page"]
        assert status == 404, slug
        assert DRAFT_HEADLINE not in body
    _, feed = public_surfaces(newsroom, story.slug)["feed"]
    assert DRAFT_HEADLINE not in feed


def test_drafts_and_their_exports_need_an_account(newsroom: Newsroom):
    edit_after_publishing(newsroom)
    client = newsroom.client("anonymous")
    version = newsroom.current_brief().version
    slug = newsroom.story.slug
    for path in (
        reverse("story_detail", args=[slug]),
        reverse("brief_history", args=[slug]),
        reverse("brief_export", args=[slug, version, "html"]),
        reverse("brief_export", args=[slug, version, "json"]),
        reverse("brief_pane", args=[slug]),
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), path
        assert DRAFT_HEADLINE not in response.content.decode()
