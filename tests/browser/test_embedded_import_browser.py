"""An import on the embedded default, in Chromium, as `make run` serves it: `manage.py serve` (runserver and
the embedded workers) on SQLite in a file. The upload answers at once with its report; the editor watches the
report fill in and the workspace's job line count the analyses, then the claims appear."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_workbench_browser import PASSWORD, log_in
from tests.conftest import SEEDS_DIR
from tests.drills.test_embedded_worker import Site, free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    site = Site(tmp_path)
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage(
        "shell",
        "-c",
        "from briefs.services import ensure_demo_accounts; from articles.services.stories import "
        f"story_get_or_create; ensure_demo_accounts({PASSWORD!r}); story_get_or_create(title='Harbour')",
    )
    port = free_port()
    # Each analysis lasts at least 4 s in the workers, long enough to watch it being counted.
    site.start("serve", f"127.0.0.1:{port}", WORKBENCH_TEST_ANALYSIS_DELAY="4")
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        import requests

        try:
            return requests.get(base + "/accounts/login/", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    site.wait_for("the web server", up, 120)
    yield site, base
    site.stop_all()


def test_an_import_on_the_embedded_default_shows_its_progress_live(served, new_page):
    site, base = served
    slug = site.rows("SELECT slug FROM articles_story")[0][0]
    page = new_page()
    log_in(page, base, "editor")
    page.goto(f"{base}/stories/{slug}/import/")
    page.set_input_files("#import-files", sorted(str(path) for path in SEEDS_DIR.glob("*.txt")))
    page.get_by_role("button", name="Import").click()

    # The report comes at once and fills in by itself.
    expect(page).to_have_url(f"{base}/stories/{slug}/import/1/")
    expect(page.locator("#batch-report")).to_contain_text("Imported", timeout=60_000)
    page.goto(f"{base}/stories/{slug}/")
    activity = page.locator(".job-activity")
    expect(activity).to_contain_text("Analysing:", timeout=60_000)
    expect(activity).to_contain_text("of 5 articles analysed")
    # Then the story is synthesised and the claims pane fills in without a reload.
    expect(page.locator(".job-summary").first).to_contain_text("All jobs finished", timeout=240_000)
    analysed = site.rows("SELECT COUNT(*) FROM articles_article WHERE analyzed_at IS NOT NULL")[0][0]
    assert analysed == 5
    assert site.rows("SELECT COUNT(*) FROM articles_claim")[0][0] > 0
    page.reload()
    expect(page.locator("#claims-pane")).not_to_contain_text("No claims yet")
