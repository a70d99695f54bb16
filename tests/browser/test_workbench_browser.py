"""An editor and a chief editor work on the seed story in real Chromium, from login to the public page."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from briefs.models import Publication
from briefs.services import ensure_demo_accounts
from tests.conftest import PROJECT_DIR, SEEDS_DIR, make_seed_story
from tests.workbench.wb_factories import build_story, seed_texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password"
SLUG = "irs-commissioner-resigns"


@pytest.fixture
def seed_story(transactional_db):
    ensure_demo_accounts(PASSWORD)
    return build_story(slug=SLUG, title="Acting IRS commissioner resigns", texts=seed_texts(SEEDS_DIR))


@pytest.fixture
def pipeline_story(transactional_db):
    """The seed story as `make run` prepares it: imported, analysed and synthesised by the real services
    (called in-process, so the test does not depend on a worker)."""
    ensure_demo_accounts(PASSWORD)
    story = make_seed_story(synthesise=True, slug=SLUG)
    assert story.articles.count() == len(list(SEEDS_DIR.glob("*.txt")))
    return story


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Stories")).to_be_visible()


def brief_items(page: Page):
    return page.locator("#brief-pane li.brief-item")


def htmx_settled(page: Page) -> None:
    """No HTMX request, swap or settle under way."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def drag_item_before(page: Page, source, target) -> None:
    """HTML5 drag and drop as the browser dispatches it (Playwright's mouse drag does not start one here)."""
    data = page.evaluate_handle("() => new DataTransfer()")
    box = target.bounding_box()
    at = {"dataTransfer": data, "clientX": box["x"] + 10, "clientY": box["y"] + 3, "bubbles": True}
    source.dispatch_event("dragstart", {"dataTransfer": data, "bubbles": True})
    target.dispatch_event("dragover", at)
    target.dispatch_event("drop", at)
    source.dispatch_event("dragend", {"dataTransfer": data, "bubbles": True})


def test_editor_and_chief_publish_a_sourced_brief(live_server, pipeline_story, new_page, artifacts):
    story = pipeline_story
    articles = list(story.articles.all())
    editor = new_page()
    log_in(editor, live_server.url, "editor")
    editor.get_by_role("link", name=story.title).click()
    expect(editor.locator("#sources-pane")).to_contain_text(articles[0].title)

    # Start from the candidate brief with one click.
    candidate_size = story.candidate_brief.sentences.count()
    assert candidate_size >= 3
    editor.get_by_role("button", name=re.compile("Start from the candidate brief")).click()
    expect(brief_items(editor)).to_have_count(candidate_size)
    expect(editor.locator("#brief-pane")).to_contain_text("version 1")

    # Add a unique-reporting claim through the filter.
    editor.get_by_role("link", name="Unique reporting").click()
    expect(editor.locator("#claims-pane .filters a.current")).to_have_text("Unique reporting")
    assert "filter=unique" in editor.url
    unique = editor.locator("#claims-pane li.claim").first
    expect(unique.locator(".badge.support")).to_have_text("unique · 1 source")
    unique_text = unique.locator(".claim-text").inner_text()[:40]
    unique.get_by_role("button", name=re.compile("Add claim to the brief")).click()
    count = candidate_size + 1
    expect(brief_items(editor)).to_have_count(count)
    expect(brief_items(editor).nth(count - 1)).to_contain_text(unique_text)
    added = brief_items(editor).nth(count - 1).get_attribute("data-item-id")

    # Reorder from the keyboard, then by drag and drop.
    editor.get_by_role("button", name=f"Move item {count} up").focus()
    editor.keyboard.press("Enter")
    expect(brief_items(editor).nth(count - 2)).to_have_attribute("data-item-id", added)
    expect(editor.locator("#brief-pane")).to_contain_text("version 3")
    htmx_settled(editor)  # a drop on a pane being swapped would land on elements already gone
    drag_item_before(editor, brief_items(editor).nth(count - 2), brief_items(editor).nth(0))
    expect(brief_items(editor).nth(0)).to_have_attribute("data-item-id", added)
    expect(editor.locator("#brief-pane")).to_contain_text("version 4")

    # Edit the first item inline: it keeps its sources and is marked edited.
    sources_before = brief_items(editor).nth(0).locator(".badge.outlet").all_inner_texts()
    assert sources_before
    editor.get_by_role("link", name="Edit item 1", exact=True).click()
    editor.get_by_label("Item text").fill("Only one outlet reports this detail, as edited by the desk.")
    editor.get_by_role("button", name="Save item").click()
    first = brief_items(editor).nth(0)
    expect(first).to_contain_text("as edited by the desk")
    expect(first.locator(".badge.edited")).to_be_visible()
    expect(first.locator(".badge.outlet")).to_have_text(sources_before)

    # Merge items 2 and 3: one item with both items' sources.
    editor.get_by_label("Select for merge item 2").check()
    editor.get_by_label("Select for merge item 3").check()
    editor.get_by_role("button", name="Merge selected items").click()
    count -= 1
    expect(brief_items(editor)).to_have_count(count)
    expect(brief_items(editor).nth(1).locator(".badge", has_text="merged")).to_be_visible()

    editor.get_by_label("Headline").fill("Acting IRS chief quits over immigrant data deal")
    editor.get_by_label("Standfirst").fill("Outlets agree on the resignation and differ on the details.")
    editor.get_by_role("button", name="Save headline").click()
    expect(editor.locator("#brief-pane .notice")).to_have_text("Headline and standfirst saved.")
    editor.get_by_role("link", name="With discrepancies").click()
    expect(editor.locator("#claims-pane .filters a.current")).to_have_text("With discrepancies")
    expect(editor.locator("#claims-pane .discrepancy").first).to_be_visible()
    editor.screenshot(path=str(artifacts / "workspace.png"), full_page=False)
    readme_screenshot = PROJECT_DIR / "docs" / "screenshot-workspace.png"
    if os.environ.get("UPDATE_README_SCREENSHOT") == "1" or not readme_screenshot.exists():
        shutil.copyfile(artifacts / "workspace.png", readme_screenshot)

    # The chief opens the same brief; the editor rewrites item 3 and adds a line meanwhile; the chief's
    # removal of item 3 is refused (that item changed), and the chief sees the brief as it is now.
    chief = new_page()
    log_in(chief, live_server.url, "chief")
    chief.goto(live_server.url + story.get_absolute_url())
    expect(brief_items(chief)).to_have_count(count)
    editor.get_by_role("link", name="Edit item 3", exact=True).click()
    editor.get_by_label("Item text").fill("Item three, as the editor rewrote it.")
    editor.get_by_role("button", name="Save item").click()
    expect(brief_items(editor).nth(2)).to_contain_text("as the editor rewrote it")
    editor.get_by_label("Write an item of your own").fill("A line the editor adds meanwhile.")
    editor.get_by_role("button", name="Add item").click()
    expect(brief_items(editor)).to_have_count(count + 1)
    chief.get_by_role("button", name="Remove item 3").click()
    conflict = chief.locator("#brief-pane .conflict")
    expect(conflict).to_contain_text("your change was not saved")
    expect(conflict).to_contain_text("Item 3 was changed by editor")
    expect(brief_items(chief)).to_have_count(count + 1)
    expect(brief_items(chief).nth(2)).to_contain_text("as the editor rewrote it")
    expect(chief.locator("#brief-pane")).to_contain_text("A line the editor adds meanwhile.")

    # The chief removes the unsourced item (now on the current version) and publishes.
    chief.get_by_role("button", name=f"Remove item {count + 1}").click()
    expect(brief_items(chief)).to_have_count(count)
    expect(chief.locator("#brief-pane .prepublish")).to_be_visible()
    if chief.locator("#brief-pane .prepublish-warnings li").count():  # the seed story's flags, if any
        chief.get_by_label(re.compile("Publish with these")).check()
    chief.get_by_role("button", name="Publish", exact=True).click()
    expect(chief.locator("#brief-pane .notice")).to_contain_text("Published revision")
    assert Publication.objects.filter(unpublished_at__isnull=True).count() == 1

    # The public page, for a reader without an account.
    reader = new_page()
    reader.goto(live_server.url + f"/published/{SLUG}/")
    expect(
        reader.get_by_role("heading", name="Acting IRS chief quits over immigrant data deal")
    ).to_be_visible()
    expect(reader.locator(".public-items li")).to_have_count(count)
    expect(reader.locator(".public-brief .meta time")).to_be_visible()
    reader.screenshot(path=str(artifacts / "public.png"), full_page=True)
    citation = reader.locator("a.cite").first
    number = citation.inner_text().strip("[]")
    citation.click()
    assert reader.url.endswith(f"#source-{number}")
    source = reader.locator(f"#source-{number}")
    expect(source).to_be_in_viewport()
    cited = next(a for a in articles if a.title.strip() and a.title[:30] in source.inner_text())
    if cited.url:
        assert source.get_by_role("link").get_attribute("href") == cited.url
    expect(source).to_contain_text(cited.source_label)


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
    # The brief pane pings on load; the live server shares the in-memory SQLite database with this thread, so
    # change it only once the page is quiet.
    page.wait_for_load_state("networkidle")
    User.objects.get(username="editor").groups.clear()  # the role is taken away while the page is open
    page.locator("#claims-pane").get_by_role("button", name=re.compile("Add claim")).first.click()
    expect(page.locator("#alerts .alert")).to_contain_text("may not edit briefs")
    expect(brief_items(page)).to_have_count(0)


def test_phone_width_stacks_the_panes(live_server, pipeline_story, new_page, artifacts):
    from articles.models import Job

    for _ in range(15):  # a story with a long history of jobs
        Job.objects.create(kind=Job.Kind.ANALYSIS, story=pipeline_story, state=Job.State.SUCCEEDED)
    page = new_page(width=390, height=844)
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + pipeline_story.get_absolute_url())
    expect(page.locator("#story-jobs .job-summary")).to_contain_text("All jobs finished")
    panes = page.get_by_role("navigation", name="Panes")
    expect(panes).to_be_in_viewport()  # the pane links on the first screen, above the jobs' rows
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.locator("#story-jobs summary").click()  # the rows open on demand, still without sideways scrolling
    expect(page.locator("#story-jobs tr.job").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 1
    page.locator("#story-jobs summary").click()
    sources, claims = (
        page.locator("#sources-pane").bounding_box(),
        page.locator("#claims-pane").bounding_box(),
    )
    assert claims["y"] >= sources["y"] + sources["height"]
    page.screenshot(path=str(artifacts / "workspace-phone.png"))


def test_guardrails_before_publishing(live_server, seed_story, new_page, artifacts):
    """A flagged item carries its flag; the check refuses; preview; publish with a confirmation; settle."""
    from briefs.models import Publication

    story = seed_story.story
    chief = new_page()
    log_in(chief, live_server.url, "chief")
    chief.goto(live_server.url + story.get_absolute_url())
    chief.get_by_role("button", name=re.compile("Start from the candidate brief")).click()
    flagged = chief.locator("#brief-pane li.brief-item", has=chief.locator(".item-flag"))
    expect(flagged).to_have_count(1)
    expect(flagged.locator(".item-flag")).to_contain_text("Sources disagree")
    chief.get_by_label("Headline").fill("Acting IRS chief quits over immigrant data deal")
    chief.get_by_role("button", name="Save headline").click()
    expect(chief.locator("#brief-pane .notice")).to_have_text("Headline and standfirst saved.")
    expect(chief.locator("#brief-pane .prepublish-warnings li")).to_have_count(1)
    expect(chief.locator("#brief-pane .prepublish-warnings")).to_contain_text("sources disagree")

    # Publish without confirming: refused (the confirmation is required), nothing public.
    chief.get_by_role("button", name="Publish", exact=True).click()
    assert not Publication.objects.exists()

    # Preview of the draft, in its own tab.
    with chief.context.expect_page() as opened:
        chief.get_by_role("link", name="Preview the public page").click()
    preview = opened.value
    expect(preview.locator(".preview-banner")).to_contain_text("Nothing is published")
    expect(
        preview.get_by_role("heading", name="Acting IRS chief quits over immigrant data deal")
    ).to_be_visible()
    preview.close()
    assert not Publication.objects.exists()

    # Publish with the confirmation: it is recorded with the publication.
    chief.get_by_label(re.compile("Publish with these 1 warning")).check()
    chief.get_by_role("button", name="Publish", exact=True).click()
    expect(chief.locator("#brief-pane .notice")).to_contain_text("with 1 confirmed warning")
    assert len(Publication.objects.get().warnings) == 1

    # Settle the flag: the item shows how, the check is clean, the change awaits publishing.
    flagged = chief.locator("#brief-pane li.brief-item", has=chief.locator(".item-flag"))
    flagged.get_by_label(re.compile("How to settle this flag")).select_option("noted")
    flagged.get_by_role("button", name="Settle").click()
    expect(flagged.locator(".item-flag")).to_contain_text("chief noted")
    expect(chief.locator("#brief-pane .prepublish")).to_contain_text("No warnings")
    expect(chief.locator("#brief-pane .badge.changes")).to_be_visible()
    chief.get_by_role("button", name="Publish changes").click()
    expect(chief.locator("#brief-pane .notice")).to_contain_text("Published revision")
    assert Publication.objects.filter(unpublished_at__isnull=True).get().warnings == []
    chief.screenshot(path=str(artifacts / "guardrails.png"))


def test_two_editors_on_one_brief_lose_nothing(live_server, seed_story, new_page, monkeypatch):
    """Two editors see each other in the brief pane. They edit different items: both saved. The same item:
    the second is told of the change, reloads without losing the open form, and the save is refused with the
    text typed kept beside the colleague's, until saving it again over theirs.

    The panes ping every second and the live server shares the in-memory database with this thread: the test
    reads the database only before the pages open, and checks what was saved through the pages."""
    from briefs import selectors
    from briefs.models import BriefItem
    from briefs.services import brief_get_or_create, brief_start_from_candidate

    monkeypatch.setattr(selectors, "PRESENCE_PING_SECONDS", 1)  # the panes ping every second, not 20
    story = seed_story.story
    brief_start_from_candidate(brief_get_or_create(story), user=None, expected_version=0)
    ids = list(BriefItem.objects.filter(brief__story=story).order_by("position").values_list("pk", flat=True))
    assert len(ids) >= 3
    editor, chief = new_page(), new_page()
    for page, username in ((editor, "editor"), (chief, "chief")):
        log_in(page, live_server.url, username)
        page.goto(live_server.url + story.get_absolute_url())
        expect(page.locator("#brief-pane")).to_contain_text("version 1")
    expect(editor.locator("#brief-pane .presence-others")).to_have_text("Also open: chief")
    expect(chief.locator("#brief-pane .presence-others")).to_have_text("Also open: editor")

    # Different items, from the same version: both saved.
    editor.get_by_role("link", name="Edit item 1", exact=True).click()
    chief.get_by_role("link", name="Edit item 2", exact=True).click()
    editor.locator(f"#item-{ids[0]} textarea").fill("Item one, as the editor put it.")
    chief.locator(f"#item-{ids[1]} textarea").fill("Item two, as the chief put it.")
    editor.get_by_role("button", name="Save item").click()
    expect(editor.locator("#brief-pane .notice")).to_contain_text("Item saved")
    chief.get_by_role("button", name="Save item").click()
    expect(chief.locator("#brief-pane .notice")).to_contain_text("Item saved")
    expect(chief.locator("#brief-pane .conflict")).to_have_count(0)
    expect(brief_items(chief).nth(0)).to_contain_text("Item one, as the editor put it.")
    expect(brief_items(chief).nth(1)).to_contain_text("Item two, as the chief put it.")

    # The same item: the editor saves first. The chief, typing meanwhile, is told and reloads the brief:
    # the form and the typed text stay.
    editor.get_by_role("link", name="Edit item 3", exact=True).click()
    chief.get_by_role("link", name="Edit item 3", exact=True).click()
    editor.locator(f"#item-{ids[2]} textarea").fill("Item three, the editor's version.")
    chief.locator(f"#item-{ids[2]} textarea").fill("Item three, the chief's version.")
    editor.get_by_role("button", name="Save item").click()
    expect(brief_items(editor).nth(2)).to_contain_text("the editor's version")
    changed = chief.locator("#brief-pane .presence-changed")
    expect(changed).to_contain_text("Changed by editor at")
    changed.get_by_role("button", name="Reload brief").click()
    expect(chief.locator("#brief-pane")).to_contain_text("version 4")
    expect(chief.locator(f"#item-{ids[2]} textarea")).to_have_value("Item three, the chief's version.")
    expect(chief.locator("#brief-pane .presence-changed")).to_have_count(0)

    # The chief's save is refused: the chief's text kept, the editor's beside it.
    chief.get_by_role("button", name="Save item").click()
    expect(chief.locator("#brief-pane .conflict")).to_contain_text("Item 3 was changed by editor")
    refused = chief.locator(f"#item-{ids[2]}")
    expect(refused.get_by_label("Item text (yours, not saved)")).to_have_value(
        "Item three, the chief's version."
    )
    expect(refused.locator(".theirs")).to_contain_text("Saved by editor at")
    expect(refused.locator(".theirs")).to_contain_text("Item three, the editor's version.")
    # Saving again, deliberately, replaces the editor's text.
    refused.get_by_role("button", name="Save mine instead").click()
    expect(chief.locator("#brief-pane .notice")).to_contain_text("Item saved")
    expect(brief_items(chief).nth(2)).to_contain_text("the chief's version")
    # What the panes show is what was saved: the editor's page, opened again, shows both editors' work.
    editor.goto(live_server.url + story.get_absolute_url())
    expect(brief_items(editor).nth(0)).to_contain_text("Item one, as the editor put it.")
    expect(brief_items(editor).nth(1)).to_contain_text("Item two, as the chief put it.")
    expect(brief_items(editor).nth(2)).to_contain_text("Item three, the chief's version.")
