"""Every URL pattern of the project, for anonymous, Viewer, Editor and Chief editor, by GET and by POST.

Anonymous reaches only the published briefs, their index and feed, the login page and /healthz; a Viewer
changes nothing; an Editor edits but cannot publish or unpublish; a Chief editor can. What the server answers
is checked, and for every request that should change nothing, that nothing changed.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from articles.models import Article, Claim, ImportBatch, ImportItem, Job, Story, WatchedSource
from briefs.models import Brief, BriefItem, Publication, Revision
from tests.security.conftest import ROLES, Newsroom
from tests.security.matrix import (
    MATRIX,
    OK,
    PUBLISH,
    entry_for,
    outcome_of,
    url_samples,
)
from tests.security.url_patterns import all_url_patterns


def state_of_the_newsroom() -> tuple:
    """Everything an editorial request could change."""
    return (
        Story.objects.count(),
        Article.objects.count(),
        Claim.objects.count(),
        ImportBatch.objects.count(),
        ImportItem.objects.count(),
        Job.objects.count(),
        sorted(Brief.objects.values_list("pk", "version", "state", "headline", "standfirst")),
        sorted(BriefItem.objects.values_list("pk", "position", "text")),
        Revision.objects.count(),
        sorted(Publication.objects.values_list("pk", "unpublished_at")),
        sorted(WatchedSource.objects.values_list("pk", "url", "state")),
    )


def test_every_url_pattern_has_an_entry_and_every_entry_a_pattern():
    routes = {pattern.route for pattern in all_url_patterns()}
    missing = sorted(route for route in routes if entry_for(route) is None)
    assert not missing, f"URL patterns without a permission-matrix entry (add them to MATRIX): {missing}"
    stale = sorted(set(MATRIX) - routes)
    assert not stale, f"Matrix entries for URL patterns that no longer exist: {stale}"


def test_the_admin_is_in_the_walk():
    names = {pattern.name for pattern in all_url_patterns()}
    assert {"admin:index", "admin:briefs_brief_changelist", "admin:articles_article_change"} <= names


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_permission_matrix(newsroom: Newsroom, route: str, method: str):
    entry = MATRIX[route]
    expected = entry.get if method == "GET" else entry.post
    pattern = next(p for p in all_url_patterns() if p.route == route)
    wrong = []
    for role in ROLES:
        url_values, data = entry.prepare(newsroom, role) if method == "POST" else ({}, {})
        path = pattern.path(url_samples(newsroom) | url_values)
        before = state_of_the_newsroom()
        client = newsroom.client(role)
        response = client.get(path) if method == "GET" else client.post(path, data)
        seen = outcome_of(response)
        if seen != expected[role]:
            wrong.append(f"{role}: expected {expected[role]}, got {seen} ({path})")
        must_not_change = role in ("anonymous", "viewer") or (expected is PUBLISH and role == "editor")
        if must_not_change and state_of_the_newsroom() != before:
            wrong.append(f"{role}: {method} {path} changed the newsroom")
    assert not wrong, f"{method} {route}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "chief"])
def test_the_admin_is_for_staff_only(newsroom: Newsroom, role: str):
    samples = url_samples(newsroom)
    wrong = []
    before = state_of_the_newsroom()
    for pattern in all_url_patterns():
        if not pattern.is_admin:
            continue
        entry = entry_for(pattern.route)
        path = pattern.path(samples)
        for method, expected in (("GET", entry.get), ("POST", entry.post)):
            client = newsroom.client(role)
            response = client.get(path) if method == "GET" else client.post(path, {})
            if (seen := outcome_of(response)) != expected[role]:
                wrong.append(f"{method} {path}: expected {expected[role]}, got {seen}")
    assert not wrong, "\n".join(wrong)
    assert state_of_the_newsroom() == before


def test_the_chief_editor_reaches_the_admin_only_for_the_models_the_role_covers(newsroom: Newsroom):
    """The chief editor is staff (briefs.roles.STAFF_ROLES): the admin opens, each model's pages only with
    the role's permission on that model (accounts and groups never), and an empty POST changes nothing."""
    chief = newsroom.users["chief"]
    samples = url_samples(newsroom)
    wrong = []
    before = state_of_the_newsroom()
    for pattern in all_url_patterns():
        if not pattern.is_admin or pattern.route in ("admin/logout/",):
            continue
        parts = pattern.route.split("/")
        known = len(parts) > 3 and parts[2] in apps.all_models.get(parts[1], {})
        model = parts[1:3] if known else None
        allowed = model is None or any(
            chief.has_perm(f"{model[0]}.{action}_{model[1]}") for action in ("view", "change")
        )
        path = pattern.path(samples)
        for method in ("GET", "POST"):
            client = newsroom.client("chief")
            response = (
                client.get(path, follow=True) if method == "GET" else client.post(path, {}, follow=True)
            )
            seen = outcome_of(response)
            if response.redirect_chain and "login" in response.redirect_chain[-1][0]:
                seen = "login"
            # (A page of an object that does not exist sends every staff member to the admin index: no data.)
            to_index = bool(response.redirect_chain) and response.redirect_chain[-1][0] == "/admin/"
            if seen in ("login", "admin login") or (
                not allowed and response.status_code == 200 and not to_index
            ):
                wrong.append(f"{method} {path}: got {seen} ({'allowed' if allowed else 'not allowed'})")
    assert not wrong, "\n".join(wrong)
    assert state_of_the_newsroom() == before
    user_list = newsroom.client("chief").get("/admin/auth/user/")
    assert user_list.status_code == 403


def test_a_staff_account_does_reach_the_admin(newsroom: Newsroom, django_user_model):
    """The rule above is not vacuous: the same addresses open for staff."""
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "unused-password-1")
    client = newsroom.client("anonymous")
    client.force_login(admin)
    for name in ("admin:index", "admin:briefs_brief_changelist", "admin:articles_story_changelist"):
        from django.urls import reverse

        assert outcome_of(client.get(reverse(name))) == OK, name
