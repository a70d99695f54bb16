"""CSRF is enforced on every POST, HTMX requests included: without a token, 403; with the token sent the way
htmx sends it (the X-CSRFToken header from the page's hx-headers), the request goes through."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.security.conftest import Newsroom
from tests.security.matrix import MATRIX, url_samples
from tests.security.matrix import outcome_of as matrix_outcome
from tests.security.test_permission_matrix import state_of_the_newsroom
from tests.security.url_patterns import all_url_patterns

HX_HEADERS = re.compile(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""")
CSRF_REFUSAL = b"CSRF verification failed"


def token_from_page(client, path: str) -> str:
    """The CSRF token as htmx gets it: from the hx-headers attribute on the page's <body>."""
    page = client.get(path)
    assert page.status_code == 200, path
    found = HX_HEADERS.search(page.content.decode())
    assert found, f"{path} has no hx-headers with the CSRF token"
    return found.group(1)


@pytest.mark.parametrize("role", ["anonymous", "chief"])
def test_every_post_without_a_token_is_refused(newsroom: Newsroom, role: str):
    samples = url_samples(newsroom)
    before = state_of_the_newsroom()
    accepted = []
    for pattern in all_url_patterns():
        path = pattern.path(samples)
        client = newsroom.client(role, enforce_csrf_checks=True)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(path, {"version": newsroom.current_brief().version}, **headers)
            if response.status_code != 403 or CSRF_REFUSAL not in response.content:
                accepted.append(f"{path} {'(htmx)' if headers else ''}: HTTP {response.status_code}")
    assert not accepted, "POSTs accepted without a CSRF token:\n" + "\n".join(accepted)
    assert state_of_the_newsroom() == before


def test_a_wrong_token_is_refused_like_none(newsroom: Newsroom):
    client = newsroom.client("chief", enforce_csrf_checks=True)
    token_from_page(client, newsroom.story.get_absolute_url())
    response = client.post(
        reverse("brief_add_own", args=[newsroom.story.slug]),
        {"version": newsroom.current_brief().version, "text": "Forged"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN="x" * 64,
    )
    assert response.status_code == 403 and CSRF_REFUSAL in response.content
    assert not newsroom.current_brief().items.filter(text="Forged").exists()


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_a_post_with_the_htmx_header_token_goes_through(newsroom: Newsroom, route: str):
    entry = MATRIX[route]
    pattern = next(p for p in all_url_patterns() if p.route == route)
    role = "chief"
    client = newsroom.client(role, enforce_csrf_checks=True)
    token = token_from_page(client, newsroom.story.get_absolute_url())
    url_values, data = entry.prepare(newsroom, role)
    path = pattern.path(url_samples(newsroom) | url_values)
    response = client.post(path, data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert CSRF_REFUSAL not in response.content
    assert matrix_outcome(response) == entry.post[role], f"{path}: HTTP {response.status_code}"


def test_the_login_form_needs_its_token(newsroom: Newsroom):
    client = newsroom.client("anonymous", enforce_csrf_checks=True)
    refused = client.post(reverse("login"), {"username": "viewer", "password": "whatever"})
    assert refused.status_code == 403 and CSRF_REFUSAL in refused.content
    page = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    from tests.security.conftest import PASSWORD

    accepted = client.post(
        reverse("login"), {"username": "viewer", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302 and accepted.url == "/"
