"""An editor watches a feed for the Inbox, finds its entries sorted into new stories, merges one story into
another, splits an article off, and undoes the merge, in a browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.models import Article, Story
from briefs.services import ensure_demo_accounts
from tests.browser.test_workbench_browser import PASSWORD, log_in
from tests.watching.events import FESTIVAL, QUAKE, STRIKE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def story_of(title: str) -> Story:
    return Article.objects.select_related("story").get(title=title).story


def test_an_editor_sorts_the_inbox_merges_splits_and_undoes(live_server, new_page, artifacts, feeds):
    ensure_demo_accounts(PASSWORD)
    for title, body in (QUAKE[0], STRIKE[0], QUAKE[1], FESTIVAL[0]):
        feeds.add_entry(title, body)
    page = new_page()
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + "/sources/")
    page.get_by_label("Feed address").fill(feeds.feed_url)
    page.get_by_label("Story it feeds").select_option(
        label="Inbox: each entry to the story it reports on, or a new one"
    )
    page.get_by_role("button", name="Watch this feed").click()
    expect(page.get_by_text("Watching")).to_be_visible()

    page.get_by_role("link", name="Inbox", exact=True).first.click()
    cards = page.locator(".inbox-story")
    expect(cards).to_have_count(3)  # the earthquake (two reports), the strike, the festival
    quake = page.get_by_role("region", name=story_of(QUAKE[0][0]).title)
    expect(quake.locator(".inbox-articles")).to_contain_text(QUAKE[1][0])
    page.screenshot(path=str(artifacts / "inbox.png"), full_page=True)

    # Merge the festival into the strike story (a mistake), then undo it.
    festival = page.get_by_role("region", name=FESTIVAL[0][0])
    festival.get_by_label("Another story").select_option(label=f"{story_of(STRIKE[0][0]).title} (Inbox)")
    festival.get_by_role("button", name="Merge this story into it").click()
    expect(page.locator(".messages")).to_contain_text("Merged")
    expect(cards).to_have_count(2)
    strike = page.get_by_role("region", name=STRIKE[0][0])
    expect(strike.locator(".inbox-articles")).to_contain_text(FESTIVAL[0][0])
    page.locator(".inbox-history li").first.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("Undone")
    expect(cards).to_have_count(3)
    assert story_of(FESTIVAL[0][0]).status == Story.Status.CANDIDATE

    # Split the other earthquake report (not the one the story is named after) off into a story of its own.
    named = story_of(QUAKE[0][0]).title
    other = QUAKE[1][0] if named == QUAKE[0][0] else QUAKE[0][0]
    quake.get_by_label(other).check()
    quake.get_by_role("button", name="Split the ticked articles into a new story").click()
    expect(page.locator(".messages")).to_contain_text("Split 1 article off")
    expect(cards).to_have_count(4)
    assert story_of(QUAKE[1][0]) != story_of(QUAKE[0][0])

    # Accept the earthquake story under a title of its own: it leaves the Inbox for the story list.
    quake.get_by_label("Title").fill("Crete earthquake")
    quake.get_by_role("button", name="Accept as a story").click()
    expect(page.locator(".messages")).to_contain_text("Accepted “Crete earthquake”")
    expect(cards).to_have_count(3)
    page.get_by_role("link", name="Stories", exact=True).first.click()
    expect(page.get_by_role("link", name="Crete earthquake")).to_be_visible()
