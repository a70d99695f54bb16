"""Guardrails before publishing: flags travel to brief items and are settled there, the pre-publish check,
publishing with warnings only with a recorded confirmation, and the preview of the draft."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from briefs.checks import flag_key
from briefs.models import Brief, Publication, Revision
from briefs.services import brief_add_claim, brief_add_own_item, brief_restore_revision
from tests.workbench.wb_factories import draft_brief

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "brief-pane"}


def _pane(client, built) -> str:
    return client.get(reverse("brief_pane", args=[built.story.slug]), **HTMX).content.decode()


def _flagged_brief(built):
    brief = draft_brief(built)
    brief_add_claim(brief, built.claims["disputed"], user=None, expected_version=brief.version)
    brief.refresh_from_db()
    return brief


def _item_of(brief: Brief, claim):
    return brief.items.get(claim=claim)


def test_a_brief_item_from_a_flagged_claim_shows_the_disagreement(editor_client, built):
    _flagged_brief(built)
    html = _pane(editor_client, built)
    item_html = html.split(built.claims["disputed"].text[:40], 1)[1].split("</li>", 1)[0]
    assert "Sources disagree" in item_html and "7,000" in item_html and "700" in item_html
    assert "Settle the flag" in item_html
    assert "Item 3: sources disagree" in html  # and the pre-publish check lists it


def test_settling_a_flag_is_a_revision_and_restoring_an_earlier_one_reopens_it(
    editor_client, accounts, built
):
    brief = _flagged_brief(built)
    item = _item_of(brief, built.claims["disputed"])
    response = editor_client.post(
        reverse("brief_resolve_flag", args=[built.story.slug, item.pk]),
        {"version": brief.version, "key": flag_key("number", "700", "7,000"), "resolution": "kept_a"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "Settled" in html and "editor kept “7,000”" in html
    assert "sources disagree" not in html.split("Before publishing", 1)[1].split("</section>", 1)[0]
    revision = Revision.objects.get(brief=brief, number=brief.version + 1)
    assert revision.author == accounts["editor"] and "flag on number kept “7,000”" in revision.action
    entry = next(e for e in revision.snapshot["items"] if e["claim_id"] == built.claims["disputed"].pk)
    assert entry["flag_resolutions"][0]["resolution"] == "kept_a"

    brief.refresh_from_db()
    brief_restore_revision(brief, revision.number - 1, user=None, expected_version=brief.version)
    assert "Item 3: sources disagree" in _pane(editor_client, built)


def test_an_unknown_settlement_is_refused_and_changes_nothing(editor_client, built):
    brief = _flagged_brief(built)
    item = _item_of(brief, built.claims["disputed"])
    response = editor_client.post(
        reverse("brief_resolve_flag", args=[built.story.slug, item.pk]),
        {"version": brief.version, "key": flag_key("number", "700", "7,000"), "resolution": "ignore"},
        **HTMX,
    )
    assert response.status_code == 422 and "not a way to settle a flag" in response.content.decode()
    assert Brief.objects.get(pk=brief.pk).version == brief.version


def test_the_pre_publish_check_lists_unsourced_and_duplicated_items_and_the_working_title(
    chief_client, built
):
    brief = draft_brief(built)
    brief_add_own_item(brief, text="A line nobody reported.", user=None, expected_version=brief.version)
    brief.refresh_from_db()
    brief_add_claim(brief, built.claims["agreed"], user=None, expected_version=brief.version)
    html = _pane(chief_client, built)
    check = html.split("Before publishing", 1)[1].split("</section>", 1)[0]
    assert "Item 3 cites no source." in check
    assert "Item 4 repeats item 1." in check
    assert "Publish with these 2 warnings" in html
    assert "working title" not in check
    brief.refresh_from_db()
    brief.headline = built.story.title
    brief.save()
    assert "still the story&#x27;s working title" in _pane(chief_client, built)


def test_publishing_with_warnings_is_refused_until_confirmed_and_the_confirmation_is_kept(
    chief_client, built
):
    brief = _flagged_brief(built)
    url = reverse("brief_publish", args=[built.story.slug])
    refused = chief_client.post(url, {"version": brief.version}, **HTMX)
    assert refused.status_code == 422
    assert "pre-publish check found 1 warning" in refused.content.decode()
    assert not Publication.objects.exists()
    assert Client().get(reverse("public_brief", args=[built.story.slug])).status_code == 404

    confirmed = chief_client.post(url, {"version": brief.version, "confirm_warnings": "yes"}, **HTMX)
    assert confirmed.status_code == 200
    assert "with 1 confirmed warning" in confirmed.content.decode()
    publication = Publication.objects.get()
    assert publication.warnings == [
        {"code": "discrepancy", "message": "Item 3: sources disagree (number: “7,000” vs “700”)."}
    ]


def test_a_clean_brief_publishes_without_a_confirmation(chief_client, built):
    brief = draft_brief(built)
    response = chief_client.post(
        reverse("brief_publish", args=[built.story.slug]), {"version": brief.version}, **HTMX
    )
    assert response.status_code == 200 and "Published revision" in response.content.decode()
    assert Publication.objects.get().warnings == []


def test_the_preview_shows_the_draft_as_the_public_page_would_without_publishing(viewer_client, built):
    brief = draft_brief(built)
    response = viewer_client.get(reverse("brief_preview", args=[built.story.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview" in html and "Nothing is published" in html and 'content="noindex"' in html
    assert brief.headline in html and built.claims["agreed"].text in html
    assert 'href="#source-1"' in html  # the citations as readers will see them
    assert not Publication.objects.exists()
    assert Brief.objects.get(pk=brief.pk).version == brief.version
    assert Client().get(reverse("brief_preview", args=[built.story.slug])).status_code == 302  # log in first


def test_each_citation_quotes_the_sentence_its_source_wrote_on_the_public_page(chief_client, built):
    from briefs.services import brief_publish

    brief = draft_brief(built)
    brief_publish(brief, user=None, expected_version=brief.version)
    html = Client().get(reverse("public_brief", args=[built.story.slug])).content.decode()
    agreed = built.claims["agreed"]
    for sentence in agreed.sentences.all():
        # Under the source that wrote it, and on the citation's tooltip.
        source = html.split(f"{sentence.article.source_label}</span>", 1)[1].split("</li>", 1)[0]
        assert f"“{sentence.text}”" in source
        assert f'title="{sentence.text}"' in html
    markdown = chief_client.get(reverse("brief_export", args=[built.story.slug, brief.version, "md"])).content
    assert f"“{agreed.representative.text}”" in markdown.decode()


def test_a_brief_items_source_opens_the_sentence_it_cites_in_the_article(editor_client, built):
    draft_brief(built)
    html = _pane(editor_client, built)
    sentence = built.claims["agreed"].representative
    url = reverse("article_text", args=[built.story.slug, sentence.article_id])
    assert f'href="{url}?sentence={sentence.pk}#sentence-{sentence.pk}"' in html
    page = editor_client.get(f"{url}?sentence={sentence.pk}").content.decode()
    assert (
        f'id="sentence-{sentence.pk}"' in page
        and "cited" in page.split(f'id="sentence-{sentence.pk}"')[0][-200:]
    )
