"""The claims pane is rendered once per state of the story's claims and served from the cache to every reader
(web.views.stories.claims_pane_html). What each reader sees stays their own: their forms carry their own CSRF
token and the brief's current version, a reader who may not edit gets no forms, and a new synthesis or a
corrected source shows at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import CandidateBrief, Claim, Story
from briefs.models import Brief

HTMX_CLAIMS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "claims-pane"}


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def add_form(html: str, claim: Claim) -> dict:
    """The token and version of the claim's "Add to brief" form, as the page carries them."""
    item = re.search(rf'<li class="claim[^"]*" id="claim-{claim.pk}">.*?</li>', html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', item).group(1)
    version = re.search(r'name="version" value="([^"]+)"', item).group(1)
    return {"csrfmiddlewaretoken": token, "version": version, "claim": claim.pk}


@pytest.mark.parametrize("headers", [{}, HTMX_CLAIMS], ids=["page", "claims filter"])
def test_two_editors_each_add_a_claim_through_the_cached_pane(built, accounts, headers):
    story = built.story
    workspace = reverse("story_detail", args=[story.slug])
    add_url = reverse("brief_add_claim", args=[story.slug])
    editor, chief = csrf_client(accounts["editor"]), csrf_client(accounts["chief"])

    editor_page = editor.get(workspace, **headers).content.decode()  # rendered and cached
    chief_page = chief.get(workspace, **headers).content.decode()  # from the cache
    assert (
        add_form(editor_page, built.claims["agreed"])["csrfmiddlewaretoken"]
        != (add_form(chief_page, built.claims["agreed"])["csrfmiddlewaretoken"])
    )
    answer = chief.post(add_url, add_form(chief_page, built.claims["agreed"]), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200, answer.content.decode()[:300]
    version = Brief.objects.get(story=story).version

    # The editor reloads: the same cached pane, now with the brief's new version and the editor's token.
    editor_page = editor.get(workspace, **headers).content.decode()
    form = add_form(editor_page, built.claims["unique"])
    assert form["version"] == str(version)
    answer = editor.post(add_url, form, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200, answer.content.decode()[:300]
    assert Brief.objects.get(story=story).items.count() == 2


def test_a_viewer_gets_the_claims_without_forms_after_an_editor_cached_them(
    built, editor_client, viewer_client
):
    workspace = reverse("story_detail", args=[built.story.slug])
    assert "Add to brief" in editor_client.get(workspace).content.decode()
    html = viewer_client.get(workspace).content.decode()
    assert f'id="claim-{built.claims["agreed"].pk}"' in html
    assert (
        "Add to brief" not in html
        and "csrfmiddlewaretoken" not in html.split('id="claims-pane"')[1].split("</section>")[0]
    )


def test_a_new_synthesis_and_a_corrected_source_show_at_once(built, editor_client):
    story = built.story
    workspace = reverse("story_detail", args=[story.slug])
    agreed = built.claims["agreed"]
    assert agreed.text in editor_client.get(workspace).content.decode()

    # The story is synthesised again: its claims change with a new candidate brief.
    Claim.objects.filter(pk=agreed.pk).update(text="The resynthesised wording of the agreed claim.")
    CandidateBrief.objects.filter(story=story).delete()
    CandidateBrief.objects.create(story=story, algorithm="test", params={})
    assert "The resynthesised wording of the agreed claim." in editor_client.get(workspace).content.decode()

    # A source's outlet is corrected (the service moves Story.updated): its new name shows on the claims.
    outlet = built.articles[0].outlet
    outlet.name = "Renamed Outlet"
    outlet.save()
    Story.objects.filter(pk=story.pk).update(updated=timezone.now())
    html = editor_client.get(workspace).content.decode()
    pane = html.split('id="claims-pane"')[1].split("</section>")[0]
    assert "Renamed Outlet" in pane
