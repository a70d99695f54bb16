"""The brief pane and the article text as an editor uses them in Chromium: a "+" beside every sentence (none
on headings), Restore asks first, focus stays on the button after Up/Down, Merge and Publish at hand."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from briefs.services import ensure_demo_accounts
from tests.browser.test_workbench_browser import PASSWORD, log_in
from tests.workbench.test_article_text_sentences import _article_with_a_heading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_sentence_has_its_own_plus_and_headings_none(live_server, new_page, transactional_db):
    ensure_demo_accounts(PASSWORD)
    story, article, sentences = _article_with_a_heading(transactional_db)
    page = new_page()
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + f"/stories/{story.slug}/articles/{article.pk}/")
    for text, sentence in sentences.items():
        span = page.locator(f"#sentence-{sentence.pk}")
        expect(span).to_contain_text(text)
        buttons = span.get_by_role("button", name="Add this sentence to the brief")
        if text in ("Harbour fire closes the port", "What happens next"):
            expect(buttons).to_have_count(0)
        else:
            expect(buttons).to_have_count(1)
            # On the sentence's own line, right after its last word.
            box, end = (
                buttons.bounding_box(),
                span.evaluate(
                    "s => { const r = document.createRange(); r.selectNodeContents(s.firstChild);"
                    " const rects = r.getClientRects(); const last = rects[rects.length - 1];"
                    " return {x: last.right, y: last.top, h: last.height}; }"
                ),
            )
            assert abs(box["y"] + box["height"] / 2 - (end["y"] + end["h"] / 2)) < end["h"]
            assert 0 <= box["x"] - end["x"] < 30
    first = sentences["The fire began at dawn in a warehouse."]
    page.locator(f"#sentence-{first.pk}").get_by_role("button").click()
    # The article's page has no brief pane: the workspace opens with the sentence in the brief.
    expect(page.locator(".messages")).to_contain_text("Sentence added to the brief.")
    expect(page.locator("#brief-pane li.brief-item .item-text")).to_have_text([first.text])


def test_restore_asks_before_it_replaces_the_brief(live_server, browser, transactional_db):
    from briefs.models import Brief
    from tests.workbench.wb_factories import build_story, draft_brief

    ensure_demo_accounts(PASSWORD)
    built = build_story()
    draft_brief(built)  # version 3: headline, two claims
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + f"/stories/{built.story.slug}/brief/history/")

    # Cancelled: nothing happens.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Restore revision 2").click()
    expect(page.get_by_role("heading", name="Brief history")).to_be_visible()
    assert asked == [
        "Restore revision 2? The brief becomes as it was then, saved as a new revision; "
        "version 3 stays in the history."
    ]
    assert Brief.objects.get(story=built.story).version == 3

    # Confirmed: restored as revision 4, and the workspace says so.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Restore revision 2").click()
    expect(page.locator(".messages")).to_contain_text("Revision 2 restored (as a new revision).")
    assert len(asked) == 2
    assert Brief.objects.get(story=built.story).version == 4
    context.close()


def test_focus_stays_on_the_moved_items_button_after_up_and_down(live_server, new_page, transactional_db):
    from briefs.services import brief_add_own_item, brief_get_or_create
    from tests.workbench.wb_factories import build_story

    ensure_demo_accounts(PASSWORD)
    built = build_story()
    brief = brief_get_or_create(built.story)
    for text in ("First line.", "Second line.", "Third line."):
        brief_add_own_item(brief, text=text, user=None)
    page = new_page()
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + built.story.get_absolute_url())
    items = page.locator("#brief-pane li.brief-item .item-text")
    page.evaluate("window.samePage = true")  # gone if a move loaded a new page (a plain form post)

    def focused() -> str:
        return page.evaluate("document.activeElement.getAttribute('aria-label') || ''")

    page.get_by_role("button", name="Move item 3 up").focus()
    page.keyboard.press("Enter")
    expect(items).to_have_text(["First line.", "Third line.", "Second line."])
    expect(page.get_by_role("button", name="Move item 2 up")).to_be_focused()
    page.keyboard.press("Enter")  # the keyboard goes on moving the same item
    expect(items).to_have_text(["Third line.", "First line.", "Second line."])
    # At the top it has no Up button: focus is on its Down button.
    expect(page.get_by_role("button", name="Move item 1 down")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items).to_have_text(["First line.", "Third line.", "Second line."])
    expect(page.get_by_role("button", name="Move item 2 down")).to_be_focused()
    assert focused() == "Move item 2 down"
    assert page.evaluate("window.samePage === true")


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_merge_and_publish_stay_at_hand_in_a_long_brief(
    live_server, new_page, transactional_db, width, height
):
    from briefs.models import Publication
    from briefs.services import brief_add_claim, brief_get_or_create, brief_update_header
    from tests.workbench.wb_factories import build_story

    ensure_demo_accounts(PASSWORD)
    built = build_story()
    brief = brief_get_or_create(built.story)
    brief_update_header(brief, headline="Krause resigns", standfirst="", user=None, expected_version=0)
    for _ in range(8):
        for key in ("agreed", "unique"):
            brief_add_claim(brief, built.claims[key], user=None)
    page = new_page(width=width, height=height)
    log_in(page, live_server.url, "chief")
    page.goto(live_server.url + built.story.get_absolute_url())
    bar = page.get_by_role("toolbar", name="Brief actions")
    expect(bar).to_contain_text("warning")  # the brief repeats items: the check warns

    # Far down the brief, the bar is still in view: tick two items there and merge them from it.
    page.get_by_label("Select for merge item 15").check()
    page.get_by_label("Select for merge item 16").check()
    expect(bar.get_by_role("button", name="Merge selected")).to_be_in_viewport()
    bar.get_by_role("button", name="Merge selected").click()
    expect(page.locator("#brief-pane .notice")).to_have_text("2 items merged; their sources are united.")

    # Publish from the bar: with warnings it asks for the confirmation first (the box at the checks).
    page.get_by_label("Select for merge item 15").scroll_into_view_if_needed()
    bar.get_by_role("button", name="Publish now").click()
    assert not Publication.objects.exists()
    confirm = page.get_by_label("Publish with these")
    expect(confirm).to_be_in_viewport()
    confirm.check()
    bar.get_by_role("button", name="Publish now").click()
    expect(page.locator("#brief-pane .notice")).to_contain_text("Published revision")
    assert Publication.objects.filter(unpublished_at__isnull=True).count() == 1


def test_imported_and_failed_results_look_different(live_server, new_page, transactional_db):
    from django.utils import timezone

    from articles.models import ImportBatch, ImportItem
    from tests.workbench.wb_factories import build_story

    ensure_demo_accounts(PASSWORD)
    built = build_story()
    batch = ImportBatch.objects.create(story=built.story, finished=timezone.now())
    statuses = ("imported", "failed", "duplicate", "pending")
    for position, status in enumerate(statuses):
        ImportItem.objects.create(
            batch=batch,
            position=position,
            source=f"source-{status}.txt",
            status=status,
            article=built.articles[0] if status == "imported" else None,
            message="not UTF-8 text; save the file as UTF-8" if status == "failed" else "",
        )
    page = new_page()
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + f"/stories/{built.story.slug}/import/{batch.pk}/")

    def look(status: str) -> tuple:
        badge = page.locator(f"tr.import-{status} .badge")
        return tuple(
            badge.evaluate(
                "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color,"
                " s.borderTopStyle, getComputedStyle(b, '::before').content]; }"
            )
        )

    looks = {status: look(status) for status in statuses}
    assert len(set(looks.values())) == len(statuses), looks  # no two results alike
    assert looks["imported"][3] != looks["failed"][3] and "none" not in (
        looks["imported"][3],
        looks["failed"][3],
    )
    expect(page.locator("tr.import-failed .badge")).to_have_text("Failed")
