"""What changed since the brief was published, as the story list, the brief pane and the timeline show it:
counted from when each supporting article arrived, a wire copy adding no source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from briefs.checks import flag_key
from briefs.services import brief_add_claim, brief_get_or_create, brief_publish, brief_resolve_flag
from tests.workbench.wb_factories import add_wire_copy, build_story, draft_brief


@pytest.fixture
def published(accounts):
    """The built story (outlets A, B, C; the claim A+B agreed, B+C disputed with a flag, C's last sentence
    unique), its brief published after A and B arrived and before C did."""
    built = build_story()
    a, b, c = built.articles
    published_at = timezone.now() - timedelta(hours=2)
    Article.objects.filter(pk__in=[a.pk, b.pk]).update(created=published_at - timedelta(hours=1))
    Article.objects.filter(pk=c.pk).update(created=published_at + timedelta(minutes=30))
    brief = draft_brief(built, accounts["chief"])
    publication = brief_publish(
        brief, user=accounts["chief"], expected_version=brief.version, confirm_warnings=True
    )
    type(publication).objects.filter(pk=publication.pk).update(published_at=published_at)
    return built


def test_the_story_list_says_what_arrived_since_publication(published, editor_client):
    page = editor_client.get(reverse("story_list")).content.decode()
    assert (
        "1 new source since you published: 1 new claim, 1 claim with more sources, "
        '<strong class="error">1 new discrepancy</strong>'
    ) in page


def test_the_workspace_brief_pane_says_it_too(published, editor_client):
    page = editor_client.get(published.story.get_absolute_url()).content.decode()
    assert "1 new source since you published" in page
    assert "1 new discrepancy" in page


def test_a_wire_copy_of_a_cited_source_adds_no_support(published, editor_client):
    copy = add_wire_copy(published, published.articles[0], "Wire Service")
    Article.objects.filter(pk=copy.pk).update(created=timezone.now())
    published.claims["agreed"].sentences.add(published.sentences[-1][0])
    page = editor_client.get(reverse("story_list")).content.decode()
    # The copy is a new article but not a new source, and the agreed claim (A, B) gains nothing from a copy
    # of A; the claim with more sources is the disputed one (B, then C).
    assert "1 new source since you published" in page
    assert "1 claim with more sources" in page


def test_nothing_new_says_so(accounts, editor_client):
    built = build_story()
    Article.objects.filter(story=built.story).update(created=timezone.now() - timedelta(days=1))
    brief = draft_brief(built, accounts["chief"])
    brief_publish(brief, user=accounts["chief"], expected_version=brief.version, confirm_warnings=True)
    page = editor_client.get(reverse("story_list")).content.decode()
    assert "Nothing new since you published." in page


def test_an_unpublished_story_shows_no_change_line(editor_client, db):
    build_story()
    page = editor_client.get(reverse("story_list")).content.decode()
    assert "since you published" not in page


def test_the_timeline_shows_first_reports_second_sources_and_flags_in_order(published, editor_client):
    page = editor_client.get(reverse("story_timeline", args=[published.story.slug])).content.decode()
    first_a = page.index("Outlet A first reports")
    first_b = page.index("Outlet B first reports")
    agreed = page.index(published.claims["agreed"].text)
    first_c = page.index("Outlet C first reports")
    flag = page.index("Sources disagree (number): “7,000” / “700”")
    assert first_a < first_b < agreed < first_c < flag
    assert "Since the brief was published" in page
    # C arrived after the publication: its events are marked.
    assert page.count("since-published") >= 2


def test_the_timeline_shows_when_an_editor_settled_a_discrepancy(accounts, editor_client):
    built = build_story()
    brief = brief_get_or_create(built.story)
    item = brief_add_claim(brief, built.claims["disputed"], user=accounts["editor"], expected_version=0)
    brief_resolve_flag(
        brief,
        item.pk,
        key=flag_key("number", "7,000", "700"),
        resolution="kept_b",
        user=accounts["editor"],
        expected_version=1,
    )
    page = editor_client.get(reverse("story_timeline", args=[built.story.slug])).content.decode()
    flag = page.index("Sources disagree (number): “7,000” / “700”")
    settled = page.index("Settled in the brief (number: 7,000 / 700): kept “700”")
    assert flag < settled
    assert "by editor, item 1" in page
