"""Who may see and do what: anonymous visitors, Viewer, Editor and Chief editor, checked on the server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from briefs.models import Brief, Publication
from briefs.roles import CHIEF_EDITOR, EDITOR, VIEWER
from briefs.services import brief_add_claim, brief_get_or_create, brief_publish, ensure_demo_accounts
from tests.workbench.wb_factories import draft_brief

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_anonymous_home_lands_on_the_login_form(db):
    response = Client().get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert b'name="password"' in response.content


def test_anonymous_reads_published_briefs_and_the_feed(built):
    brief = draft_brief(built)
    brief_publish(brief, user=None, expected_version=3)
    client = Client()
    assert client.get(reverse("public_brief", args=[built.story.slug])).status_code == 200
    assert client.get(reverse("public_index")).status_code == 200
    feed = client.get(reverse("published_feed"))
    assert feed.status_code == 200 and b"Krause resigns" in feed.content


def test_demo_accounts_are_in_their_groups_and_idempotent(db):
    first = ensure_demo_accounts("pw-one-long-enough")
    second = ensure_demo_accounts("pw-two-long-enough")
    assert [u.pk for u in first] == [u.pk for u in second]
    by_name = {u.username: u for u in second}
    assert list(by_name["editor"].groups.values_list("name", flat=True)) == [EDITOR]
    assert list(by_name["chief"].groups.values_list("name", flat=True)) == [CHIEF_EDITOR]
    assert list(by_name["viewer"].groups.values_list("name", flat=True)) == [VIEWER]
    # Through the real login form: with django-axes, Client.login() cannot authenticate (no request).
    login = reverse("login")
    accepted = Client().post(login, {"username": "chief", "password": "pw-two-long-enough"})
    assert accepted.status_code == 302 and accepted.url == "/"
    refused = Client().post(login, {"username": "chief", "password": "pw-one-long-enough"})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session


def test_roles_from_the_migration_hold_the_permissions(db):
    assert Group.objects.get(name=CHIEF_EDITOR).permissions.filter(codename="publish_brief").exists()
    editor_perms = set(Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True))
    assert {"edit_brief", "import_articles", "rerun_analysis"} <= editor_perms
    assert "publish_brief" not in editor_perms
    viewer_perms = set(Group.objects.get(name=VIEWER).permissions.values_list("codename", flat=True))
    assert (
        not {"edit_brief", "publish_brief", "import_articles", "rerun_analysis", "add_story"} & viewer_perms
    )


def test_viewer_reads_the_workspace_without_edit_controls(viewer_client, built):
    response = viewer_client.get(reverse("story_detail", args=[built.story.slug]))
    assert response.status_code == 200
    assert built.claims["agreed"].text.encode() in response.content
    assert b"Add to brief" not in response.content
    assert b">Publish<" not in response.content
    assert b"Write an item of your own" not in response.content


@pytest.mark.parametrize(
    "url_name,extra_args,data",
    [
        ("brief_add_claim", [], {"claim": "agreed"}),
        ("brief_add_own", [], {"text": "Mine"}),
        ("brief_start_from_candidate", [], {}),
        ("brief_header", [], {"headline": "H", "standfirst": ""}),
        ("brief_publish", [], {}),
    ],
)
def test_viewer_cannot_change_anything(viewer_client, built, url_name, extra_args, data):
    if data.get("claim") == "agreed":
        data = {"claim": built.claims["agreed"].pk}
    response = viewer_client.post(
        reverse(url_name, args=[built.story.slug, *extra_args]), {**data, "version": 0}, **HTMX
    )
    assert response.status_code == 403
    assert b"may not" in response.content
    assert not Brief.objects.filter(story=built.story, version__gt=0).exists()
    assert not Publication.objects.exists()


def test_editor_cannot_publish(editor_client, built):
    brief = brief_get_or_create(built.story)
    brief_add_claim(brief, built.claims["agreed"], user=None, expected_version=0)
    response = editor_client.post(reverse("brief_publish", args=[built.story.slug]), {"version": 1}, **HTMX)
    assert response.status_code == 403
    assert b"publish" in response.content
    assert not Publication.objects.exists()
    page = editor_client.get(reverse("story_detail", args=[built.story.slug]))
    assert b">Publish<" not in page.content


def test_pages_load_htmx_locally_and_send_csrf_with_every_request(editor_client, built):
    response = editor_client.get(reverse("story_detail", args=[built.story.slug]))
    html = response.content.decode()
    assert "/static/django_htmx/htmx-2" in html
    # Nothing is loaded from another host (a CDN): every script and stylesheet comes from this server. The
    # page itself is not searched for "cdn": its random CSRF token sometimes contains those letters.
    loaded = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", html)
    assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded
    assert "unpkg.com" not in html
    token = response.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in html
    assert 'id="alerts"' in html and 'role="alert"' in html


def test_htmx_post_without_csrf_token_is_refused(accounts, built):
    client = Client(enforce_csrf_checks=True)
    client.force_login(accounts["editor"])
    response = client.post(
        reverse("brief_add_claim", args=[built.story.slug]),
        {"claim": built.claims["agreed"].pk, "version": 0},
        **HTMX,
    )
    assert response.status_code == 403
    assert not Brief.objects.filter(story=built.story, version__gt=0).exists()
