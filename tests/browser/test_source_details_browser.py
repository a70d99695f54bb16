"""An editor corrects an article's outlet in the workbench; once the chief editor publishes again, the public
page names it. The seed story comes through the pipeline, its outlets from seeds/manifest.json."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from articles.models import SourceCorrection
from briefs.models import BriefItem, Publication
from tests.browser.test_workbench_browser import SLUG, log_in, pipeline_story  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_OUTLET = "Harbour Gazette"


def publish(page) -> None:
    if page.locator("#brief-pane .prepublish-warnings li").count():
        page.get_by_label(re.compile("Publish with these")).check()
    page.get_by_role("button", name=re.compile(r"^Publish( changes)?$")).click()
    expect(page.locator("#brief-pane .notice")).to_contain_text("Published revision")


def test_an_editor_corrects_an_outlet_and_the_republished_public_page_names_it(
    live_server,
    pipeline_story,  # noqa: F811 (the fixture imported above)
    new_page,
    artifacts,
):
    story = pipeline_story

    # The story list counts the manifest's five demo outlets.
    chief = new_page()
    log_in(chief, live_server.url, "chief")
    row = chief.get_by_role("row", name=re.compile(re.escape(story.title)))
    expect(row.get_by_role("cell").nth(2)).to_have_text("5")

    # The chief editor starts the brief from the candidate and publishes it.
    chief.get_by_role("link", name=story.title).click()
    expect(chief.locator("#sources-pane .outlet").first).to_have_text(re.compile(r"^Demo outlet [A-E]$"))
    chief.get_by_role("button", name=re.compile("Start from the candidate brief")).click()
    expect(chief.locator("#brief-pane li.brief-item").first).to_be_visible()
    chief.get_by_label("Headline").fill("Acting IRS chief quits over immigrant data deal")
    chief.get_by_role("button", name="Save headline").click()
    expect(chief.locator("#brief-pane .notice")).to_have_text("Headline and standfirst saved.")
    publish(chief)
    cited = BriefItem.objects.filter(brief__story=story).order_by("position").first().articles.first()
    old_outlet = cited.outlet.name

    reader = new_page()
    reader.goto(live_server.url + f"/published/{SLUG}/")
    expect(reader.locator(".public-brief .outlet", has_text=old_outlet).first).to_be_visible()
    assert "000_062758445608dbed" not in reader.content()

    # The editor opens the article from the workspace and corrects its outlet.
    editor = new_page()
    log_in(editor, live_server.url, "editor")
    editor.goto(live_server.url + story.get_absolute_url())
    editor.locator(f"#article-{cited.pk}").get_by_role("link", name=re.compile("Edit source details")).click()
    expect(editor.get_by_role("heading", name="Source details")).to_be_visible()
    editor.get_by_text("Edit source details", exact=True).click()  # the <summary> opens the form
    editor.get_by_label("Outlet").fill(NEW_OUTLET)
    editor.get_by_label("URL").fill("https://www.harbour-gazette.example/krause")
    editor.get_by_role("button", name="Save source details").click()
    expect(editor.locator(".messages")).to_contain_text(
        f"Source details saved: outlet “{old_outlet}” → “{NEW_OUTLET}”"
    )
    expect(editor.locator(".messages")).to_contain_text("once the brief is published again")
    expect(editor.locator(".source-corrections li").first).to_contain_text(f"editor: outlet “{old_outlet}”")
    expect(editor.locator("h1 + .meta .outlet")).to_have_text(NEW_OUTLET)
    editor.screenshot(path=str(artifacts / "source-details.png"), full_page=True)
    correction = SourceCorrection.objects.get()
    assert correction.username == "editor" and correction.changes["outlet"] == [old_outlet, NEW_OUTLET]

    editor.goto(live_server.url + story.get_absolute_url())
    expect(editor.locator(f"#article-{cited.pk} .outlet")).to_have_text(NEW_OUTLET)

    # Until the chief editor publishes again, readers see what was published.
    reader.reload()
    expect(reader.locator(".public-brief .outlet", has_text=NEW_OUTLET)).to_have_count(0)

    chief.goto(live_server.url + story.get_absolute_url())
    expect(chief.locator("#brief-pane")).to_contain_text("changes not published")
    publish(chief)
    assert Publication.objects.filter(unpublished_at__isnull=True).count() == 1

    reader.reload()
    expect(reader.locator(".public-brief .outlet", has_text=NEW_OUTLET).first).to_be_visible()
    source = reader.locator("li[id^=source-]", has_text=NEW_OUTLET).first
    expect(source.get_by_role("link")).to_have_attribute("href", "https://www.harbour-gazette.example/krause")
    assert "000_062758445608dbed" not in reader.content()
