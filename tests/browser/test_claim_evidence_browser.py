"""An editor on a phone opens a claim's evidence in the claims pane and follows a sentence to its article."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from briefs.services import ensure_demo_accounts
from tests.browser.test_workbench_browser import PASSWORD, log_in
from tests.workbench.wb_factories import build_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_claims_evidence_opens_in_place_and_links_to_the_sentence(live_server, new_page, artifacts):
    ensure_demo_accounts(PASSWORD)
    built = build_story()
    disputed = built.claims["disputed"]
    cited = built.sentences[2][1]
    page = new_page(width=390, height=844)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server.url, "editor")
    page.goto(live_server.url + built.story.get_absolute_url())

    claim = page.locator(f"#claim-{disputed.pk}")
    summary = claim.get_by_role("group").locator("summary")
    summary.click()
    body = claim.locator(".evidence-body")
    expect(body.locator(".claim-evidence")).to_be_visible()
    expect(body).to_contain_text(cited.text)
    expect(body).to_contain_text("Outlet C")
    expect(body.locator(".evidence-flags")).to_contain_text("“7,000” / “700”")
    # Loaded once: closing and opening again does not ask the server a second time.
    summary.click()
    summary.click()
    expect(body.locator(".claim-evidence")).to_be_visible()
    assert len([url for url in requests if re.search(rf"/claims/{disputed.pk}/$", url)]) == 1
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "claim-evidence-phone.png"), full_page=True)

    body.locator(".evidence-sentences").first.get_by_role("link", name=built.articles[2].title).click()
    sentence = page.locator(f"#sentence-{cited.pk}")
    expect(sentence).to_have_class(re.compile(r"\bcited\b"))
    expect(sentence).to_be_in_viewport()
    assert page.evaluate(f"document.querySelector('#sentence-{cited.pk}').matches(':target')")
    page.screenshot(path=str(artifacts / "claim-evidence-sentence.png"))
