"""An editor watches a feed on the Sources page, sees what its first poll brought, then reads the story's
timeline, on a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.models import Story
from briefs.services import ensure_demo_accounts
from tests.browser.test_workbench_browser import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_watches_a_feed_and_reads_the_story_timeline(live_server, new_page, artifacts, feeds):
    ensure_demo_accounts(PASSWORD)
    story = Story.objects.create(title="Council budget", slug="council-budget")
    feeds.add_entry("Council approves harbour budget")
    feeds.add_entry("Ferry timetable changes from May")
    page = new_page(width=390, height=844)
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + "/stories/")
    page.get_by_role("link", name="Sources").click()
    page.get_by_label("Feed address").fill(feeds.feed_url)
    page.get_by_label("Story it feeds").select_option(label="Council budget")
    page.get_by_label("Name").fill("Regional Herald")
    page.get_by_role("button", name="Watch this feed").click()

    expect(page.get_by_text("Watching Regional Herald")).to_be_visible()
    page.reload()  # the import ran as the poll committed
    row = page.locator(".source").first
    expect(row).to_contain_text("2 new entries")
    expect(row).to_contain_text("2 imported")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts / "sources-phone.png"), full_page=True)

    row.get_by_role("link", name="Council budget").click()
    page.get_by_role("link", name="Timeline").first.click()
    events = page.locator(".timeline-event.event-source")
    expect(events).to_have_count(1)  # one outlet, first reported once
    expect(events.first).to_contain_text("Regional Herald first reports")
    assert story.articles.count() == 2
    page.screenshot(path=str(artifacts / "timeline-phone.png"), full_page=True)
