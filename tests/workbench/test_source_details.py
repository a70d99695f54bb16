"""Editors correct an article's outlet, URL, byline and date on its page; every correction is audited and
reaches the workspace, the claim evidence, the brief's exports and (once republished) the public page."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from articles.models import Article, Job, Outlet, SourceCorrection
from articles.services.export import story_export
from articles.services.sources import update_article_source
from briefs.models import Publication
from briefs.services import brief_publish
from tests.workbench.wb_factories import draft_brief

HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(**fields) -> dict:
    values = {"outlet": "", "url": "", "byline": "", "published_at": "", **fields}
    return {f"source-{name}": value for name, value in values.items()}


def _unknown_outlet(article: Article) -> Article:
    """The article as a file import left it before the manifest: no outlet, no URL, a hash file name."""
    Article.objects.filter(pk=article.pk).update(outlet=None, url="", source_name="000_062758445608dbed.txt")
    article.refresh_from_db()
    return article


def _correct(client, article: Article, **fields):
    url = reverse("article_source_details", args=[article.story.slug, article.pk])
    return client.post(url, _form(**fields))


def _public_sources(client, slug: str) -> list[str]:
    html = client.get(reverse("public_brief", args=[slug])).content.decode()
    return re.findall(r'<span class="outlet">([^<]+)</span>', html)


def test_an_editor_corrects_an_outlet_and_every_page_and_export_shows_it(
    editor_client, chief_client, accounts, built, client
):
    article = _unknown_outlet(built.articles[0])
    brief = draft_brief(built)  # cites articles 0 and 1 (version 3)
    brief_publish(brief, user=accounts["chief"], expected_version=3, confirm_warnings=True)
    assert _public_sources(client, built.story.slug)[0] == "Unknown outlet"

    response = _correct(
        editor_client,
        article,
        outlet="Harbour Gazette",
        url="https://www.harbour-gazette.example/krause",
        byline="Ana Ruiz",
        published_at="2025-04-08 09:30",
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/articles/{article.pk}/#source-details")
    correction = SourceCorrection.objects.get()
    assert correction.article == article and correction.user == accounts["editor"]
    assert correction.changes["outlet"] == ["", "Harbour Gazette"]
    assert correction.changes["url"] == ["", "https://www.harbour-gazette.example/krause"]
    assert correction.changes["byline"] == ["", "Ana Ruiz"]
    assert correction.changes["published_at"][1].startswith("2025-04-08T09:30")

    page = editor_client.get(response["Location"]).content.decode()
    assert "Source details saved: outlet “Harbour Gazette” added" in page
    assert "revision 4 holds the corrected source" in page and "once the brief is published again" in page
    assert "editor: outlet “Harbour Gazette” added" in page  # the corrections list

    workspace = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert '<span class="outlet">Harbour Gazette</span>' in workspace
    agreed = built.claims["agreed"]
    evidence = editor_client.get(reverse("claim_evidence", args=[built.story.slug, agreed.pk])).content
    assert '<span class="outlet">Harbour Gazette</span>' in evidence.decode()

    # The brief's history has the correction as revision 4; its exports name the outlet.
    history = editor_client.get(reverse("brief_history", args=[built.story.slug])).content.decode()
    assert "Source of “" in history and "corrected: outlet “Harbour Gazette” added" in history
    export = json.loads(
        editor_client.get(reverse("brief_export", args=[built.story.slug, 4, "json"])).content
    )
    assert export["sources"][0]["outlet"] == "Harbour Gazette"
    assert export["sources"][0]["url"] == "https://www.harbour-gazette.example/krause"
    markdown = editor_client.get(reverse("brief_export", args=[built.story.slug, 4, "md"])).content.decode()
    assert "Harbour Gazette" in markdown
    earlier = editor_client.get(reverse("brief_export", args=[built.story.slug, 3, "json"])).content
    assert json.loads(earlier)["sources"][0]["outlet"] == "Unknown outlet"  # revision 3 stays as it was
    exported = {a["id"]: a["outlet"] for a in story_export(built.story)["articles"]}
    assert exported[article.pk] == "Harbour Gazette"
    # The outlet counts in the claims' support: the story is synthesised again.
    assert Job.objects.filter(story=built.story, kind=Job.Kind.SYNTHESIS).exists()

    # The public page is what a chief editor published: the correction shows once the brief is republished.
    assert _public_sources(client, built.story.slug)[0] == "Unknown outlet"
    pane = chief_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert "changes not published" in pane
    chief_client.post(
        reverse("brief_publish", args=[built.story.slug]), {"version": 4, "confirm_warnings": "1"}, **HTMX
    )
    assert Publication.objects.get(unpublished_at__isnull=True).revision.number == 4
    assert _public_sources(client, built.story.slug)[0] == "Harbour Gazette"
    assert (
        "000_062758445608dbed"
        not in client.get(reverse("public_brief", args=[built.story.slug])).content.decode()
    )


def test_a_viewer_sees_no_form_and_is_refused(viewer_client, built):
    article = _unknown_outlet(built.articles[0])

    page = viewer_client.get(reverse("article_text", args=[built.story.slug, article.pk])).content.decode()
    assert "Source details" in page and "Edit source details" not in page
    assert 'name="source-outlet"' not in page

    response = _correct(viewer_client, article, outlet="Harbour Gazette")

    assert response.status_code == 403
    assert "may not correct articles&#x27; source details" in response.content.decode()
    article.refresh_from_db()
    assert article.outlet is None and not SourceCorrection.objects.exists()


def test_the_service_checks_the_permission_itself(accounts, built):
    with pytest.raises(PermissionDenied):
        update_article_source(built.articles[0], accounts["viewer"], outlet="Harbour Gazette")
    assert not SourceCorrection.objects.exists()


def test_a_chief_editor_may_correct_too_and_the_admin_shows_the_audit_read_only(chief_client, built):
    article = built.articles[1]
    assert _correct(chief_client, article, outlet="Port News", url=article.url).status_code == 302

    listing = chief_client.get(reverse("admin:articles_sourcecorrection_changelist")).content.decode()
    assert "outlet “Outlet B” → “Port News”" in listing
    assert chief_client.get(reverse("admin:articles_sourcecorrection_add")).status_code == 403
    correction = SourceCorrection.objects.get()
    change = chief_client.get(reverse("admin:articles_sourcecorrection_change", args=[correction.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    article_page = chief_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    link = re.search(r'<a href="([^"]+)">1 correction</a>', article_page).group(1).replace("&amp;", "&")
    assert "Port News" in chief_client.get(link).content.decode()


def test_bad_values_are_refused_naming_the_field_and_kept_in_the_form(editor_client, built):
    article = built.articles[0]

    response = _correct(
        editor_client,
        article,
        outlet="Harbour Gazette",
        url="javascript:alert(1)",
        published_at="last Tuesday",
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "URL: not an http(s) address" in html
    assert "Date: not a date; write 2025-04-08 or 2025-04-08 14:30" in html
    assert 'name="source-outlet" value="Harbour Gazette"' in html
    assert 'value="javascript:alert(1)"' in html and 'value="last Tuesday"' in html
    assert '<details class="source-edit" open>' in html
    article.refresh_from_db()
    assert article.outlet.name == "Outlet A" and not SourceCorrection.objects.exists()


def test_blank_outlet_means_unknown_and_saving_nothing_new_records_nothing(editor_client, built):
    article = built.articles[0]
    unchanged = _form(
        outlet="Outlet A", url=article.url, published_at=article.published_at.strftime("%Y-%m-%d %H:%M")
    )
    # The form shows minutes: saving what it shows changes nothing.
    Article.objects.filter(pk=article.pk).update(
        published_at=article.published_at.replace(second=0, microsecond=0)
    )
    url = reverse("article_source_details", args=[built.story.slug, article.pk])
    page = editor_client.post(url, unchanged, follow=True).content.decode()
    assert "Nothing to save" in page and not SourceCorrection.objects.exists()

    _correct(
        editor_client, article, outlet="", url=article.url, published_at=unchanged["source-published_at"]
    )

    article.refresh_from_db()
    assert article.outlet is None
    assert SourceCorrection.objects.get().changes == {"outlet": ["Outlet A", ""]}
    workspace = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert '<span class="outlet">news0.example</span>' in workspace  # the URL's host, with the outlet unknown


def test_a_correction_made_meanwhile_by_someone_else_is_not_overwritten(editor_client, chief_client, built):
    article = built.articles[0]
    url = reverse("article_source_details", args=[built.story.slug, article.pk])
    editor_client.post(url, {**_form(outlet="Harbour Gazette", url=article.url), "seen_correction": "0"})

    response = chief_client.post(url, {**_form(outlet="Port News", url=article.url), "seen_correction": "0"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "corrected by editor at" in html and "yours were not saved" in html
    assert 'name="source-outlet" value="Port News"' in html  # the chief's value kept in the form
    article.refresh_from_db()
    assert article.outlet.name == "Harbour Gazette" and SourceCorrection.objects.count() == 1


def test_the_story_list_counts_the_corrected_outlets(editor_client, built):
    def outlets() -> str:
        html = editor_client.get(reverse("story_list")).content.decode()
        row = re.search(r"<tr>\s*<td><a [^>]*>Acting IRS commissioner resigns</a></td>(.*?)</tr>", html, re.S)
        return re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[1].strip()

    assert outlets() == "3"
    third = built.articles[2]
    _correct(editor_client, third, outlet="outlet a", url=third.url)  # an existing outlet, in any case

    third.refresh_from_db()
    assert third.outlet == Outlet.objects.get(name="Outlet A")
    assert outlets() == "2"


def test_setup_demo_fills_the_outlets_of_a_demo_story_imported_before_the_manifest(db, tmp_path, monkeypatch):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from articles.models import Story
    from briefs.management.commands.setup_demo import DEMO_STORY_SLUG, DEMO_STORY_TITLE
    from tests.conftest import SEEDS_DIR

    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-123")
    story = Story.objects.create(title=DEMO_STORY_TITLE, slug=DEMO_STORY_SLUG)
    for n, path in enumerate(sorted(SEEDS_DIR.glob("*.txt"))):
        Article.objects.create(
            story=story,
            title=f"Seed {n}",
            body=path.read_text(encoding="utf-8"),
            content_hash=f"{n:064d}",
            source_format="text",
            source_name=str(path),
            analyzed_at=timezone.now(),
        )
    out = io.StringIO()

    call_command("setup_demo", password_file=str(tmp_path / "pw"), stdout=out)

    assert "Outlets of 5 articles filled in" in out.getvalue()
    labels = [a.source_label for a in story.articles.select_related("outlet").order_by("source_name")]
    assert labels == [f"Demo outlet {letter}" for letter in "ABCDE"]
    assert SourceCorrection.objects.filter(username="setup_demo").count() == 5
    call_command(
        "setup_demo", password_file=str(tmp_path / "pw"), stdout=io.StringIO()
    )  # again: nothing more
    assert SourceCorrection.objects.count() == 5


def test_saving_the_form_as_shown_records_nothing_in_any_time_zone(editor_client, built, settings):
    settings.TIME_ZONE = "America/New_York"
    article = built.articles[0]
    Article.objects.filter(pk=article.pk).update(
        published_at=article.published_at.replace(second=0, microsecond=0)
    )
    page = editor_client.get(reverse("article_text", args=[built.story.slug, article.pk])).content.decode()
    shown = dict(re.findall(r'name="(source-[a-z_]+)" value="([^"]*)"', page))
    assert set(shown) == {"source-outlet", "source-url", "source-byline", "source-published_at"}

    response = editor_client.post(
        reverse("article_source_details", args=[built.story.slug, article.pk]), shown
    )

    assert response.status_code == 302 and not SourceCorrection.objects.exists()
