"""An editor and a chief editor work on the seed story in real Chromium, from login to the public page."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from briefs.models import Publication
from briefs.services import ensure_demo_accounts
from tests.conftest import PROJECT_DIR, SEEDS_DIR
from tests.workbench.wb_factories import build_story, seed_texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password"
SLUG = "irs-commissioner-resigns"


@pytest.fixture
def seed_story(transactional_db):
    ensure_demo_accounts(PASSWORD)
    return build_story(slug=SLUG, title="Acting IRS commissioner resigns", texts=seed_texts(SEEDS_DIR))


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Stories")).to_be_visible()


def brief_items(page: Page):
    return page.locator("#brief-pane li.brief-item")


def drag_item_before(page: Page, source, target) -> None:
    """HTML5 drag and drop as the browser dispatches it (Playwright's mouse drag does not start one here)."""
    data = page.evaluate_handle("() => new DataTransfer()")
    box = target.bounding_box()
    at = {"dataTransfer": data, "clientX": box["x"] + 10, "clientY": box["y"] + 3, "bubbles": True}
    source.dispatch_event("dragstart", {"dataTransfer": data, "bubbles": True})
    target.dispatch_event("dragover", at)
    target.dispatch_event("drop", at)
    source.dispatch_event("dragend", {"dataTransfer": data, "bubbles": True})


def test_editor_and_chief_publish_a_sourced_brief(live_server, seed_story, new_page, artifacts):
    built = seed_story
    editor = new_page()
    log_in(editor, live_server.url, "editor")
    editor.get_by_role("link", name="Acting IRS commissioner resigns").click()
    expect(editor.locator("#sources-pane")).to_contain_text(built.articles[0].title)

    # Start from the candidate brief with one click.
    editor.get_by_role("button", name=re.compile("Start from the candidate brief")).click()
    expect(brief_items(editor)).to_have_count(3)
    expect(editor.locator("#brief-pane")).to_contain_text("version 1")

    # Add a unique-reporting claim through the filter.
    editor.get_by_role("link", name="Unique reporting").click()
    unique = built.claims["unique"]
    expect(editor.locator("#claims-pane li.claim")).to_have_count(1)
    assert editor.url.endswith("?filter=unique&algorithm=lexrank")
    editor.locator(f"#claim-{unique.pk}").get_by_role(
        "button", name=re.compile("Add claim to the brief")
    ).click()
    expect(brief_items(editor)).to_have_count(4)
    expect(brief_items(editor).nth(3)).to_contain_text(unique.text[:40])

    # Reorder from the keyboard, then by drag and drop.
    editor.get_by_role("button", name="Move item 4 up").focus()
    editor.keyboard.press("Enter")
    expect(brief_items(editor).nth(2)).to_contain_text(unique.text[:40])
    drag_item_before(editor, brief_items(editor).nth(2), brief_items(editor).nth(0))
    expect(brief_items(editor).nth(0)).to_contain_text(unique.text[:40])

    # Edit the first item inline: it keeps its source and is marked edited.
    editor.get_by_role("link", name="Edit item 1").click()
    editor.get_by_label("Item text").fill("Only one outlet reports this detail, as edited by the desk.")
    editor.get_by_role("button", name="Save item").click()
    first = brief_items(editor).nth(0)
    expect(first).to_contain_text("as edited by the desk")
    expect(first.locator(".badge.edited")).to_be_visible()
    expect(first.locator(".badge.outlet")).to_have_count(1)

    # Merge items 2 and 3: one item with both items' sources.
    editor.get_by_label("Select for merge item 2").check()
    editor.get_by_label("Select for merge item 3").check()
    editor.get_by_role("button", name="Merge selected items").click()
    expect(brief_items(editor)).to_have_count(3)
    expect(brief_items(editor).nth(1).locator(".badge", has_text="merged")).to_be_visible()

    editor.get_by_label("Headline").fill("Acting IRS chief quits over immigrant data deal")
    editor.get_by_label("Standfirst").fill("Outlets agree on the resignation and differ on the numbers.")
    editor.get_by_role("button", name="Save headline").click()
    expect(editor.locator("#brief-pane .notice")).to_have_text("Headline and standfirst saved.")
    editor.get_by_role("link", name="All claims").click()
    expect(editor.locator("#claims-pane li.claim")).to_have_count(len(built.claims))
    editor.screenshot(path=str(artifacts / "workspace.png"), full_page=False)
    shutil.copyfile(artifacts / "workspace.png", PROJECT_DIR / "docs" / "screenshot-workspace.png")

    # The chief opens the same brief; the editor changes it meanwhile; the chief's edit is refused.
    chief = new_page()
    log_in(chief, live_server.url, "chief")
    chief.goto(live_server.url + built.story.get_absolute_url())
    expect(brief_items(chief)).to_have_count(3)
    editor.get_by_label("Write an item of your own").fill("A line the editor adds meanwhile.")
    editor.get_by_role("button", name="Add item").click()
    expect(brief_items(editor)).to_have_count(4)
    chief.get_by_role("button", name="Remove item 3").click()
    conflict = chief.locator("#brief-pane .conflict")
    expect(conflict).to_contain_text("Your change was not saved")
    expect(conflict).to_contain_text("changed by editor")
    expect(brief_items(chief)).to_have_count(4)
    expect(chief.locator("#brief-pane")).to_contain_text("A line the editor adds meanwhile.")

    # The chief removes the unsourced item (now on the current version) and publishes.
    chief.get_by_role("button", name="Remove item 4").click()
    expect(brief_items(chief)).to_have_count(3)
    chief.get_by_role("button", name="Publish", exact=True).click()
    expect(chief.locator("#brief-pane .notice")).to_contain_text("Published revision")
    assert Publication.objects.filter(unpublished_at__isnull=True).count() == 1

    # The public page, for a reader without an account.
    reader = new_page()
    reader.goto(live_server.url + f"/published/{SLUG}/")
    expect(
        reader.get_by_role("heading", name="Acting IRS chief quits over immigrant data deal")
    ).to_be_visible()
    expect(reader.locator(".public-items li")).to_have_count(3)
    expect(reader.locator(".public-brief .meta time")).to_be_visible()
    reader.screenshot(path=str(artifacts / "public.png"), full_page=True)
    citation = reader.locator("a.cite").first
    number = citation.inner_text().strip("[]")
    citation.click()
    assert reader.url.endswith(f"#source-{number}")
    source = reader.locator(f"#source-{number}")
    expect(source).to_be_in_viewport()
    href = source.get_by_role("link").get_attribute("href")
    assert href in {a.url for a in built.articles}
    expect(source).to_contain_text(next(a.title for a in built.articles if a.url == href))


def test_full_text_highlights_entities_and_adds_a_sentence(live_server, seed_story, new_page):
    built = seed_story
    page = new_page()
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + built.story.get_absolute_url())
    article = page.locator(f"#article-{built.articles[0].pk}")
    article.get_by_role("link", name="Show full text").click()
    expect(article.locator("mark.entity").first).to_be_visible()
    sentence = built.sentences[0][1]
    article.locator(f"#sentence-{sentence.pk}").get_by_role("button").click()
    expect(brief_items(page)).to_have_count(1)
    expect(brief_items(page).first).to_contain_text(sentence.text[:40])


def test_server_refusal_is_shown_to_the_user(live_server, seed_story, new_page):
    from django.contrib.auth.models import User

    page = new_page()
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + seed_story.story.get_absolute_url())
    User.objects.get(username="editor").groups.clear()  # the role is taken away while the page is open
    page.locator("#claims-pane").get_by_role("button", name=re.compile("Add claim")).first.click()
    expect(page.locator("#alerts .alert")).to_contain_text("may not edit briefs")
    expect(brief_items(page)).to_have_count(0)


def test_phone_width_stacks_the_panes(live_server, seed_story, new_page, artifacts):
    page = new_page(width=390, height=844)
    log_in(page, live_server.url, "viewer")
    page.goto(live_server.url + seed_story.story.get_absolute_url())
    expect(page.get_by_role("navigation", name="Panes")).to_be_visible()
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    sources, claims = (
        page.locator("#sources-pane").bounding_box(),
        page.locator("#claims-pane").bounding_box(),
    )
    assert claims["y"] >= sources["y"] + sources["height"]
    page.screenshot(path=str(artifacts / "workspace-phone.png"))
