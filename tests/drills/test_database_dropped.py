"""Drill: the database connection is dropped in the middle of a request (PostgreSQL).

Requests go through Django's WSGI handler exactly as a gunicorn sync worker sends them (persistent connection,
request_started/request_finished signals, CSRF enforced), not through the test client, which keeps the
connection open on purpose. A query wrapper terminates the request's own backend with pg_terminate_backend
from a second connection just before a chosen query runs. The user gets the friendly 500 page, a brief edit
caught by it writes nothing, and the next request gets a fresh connection and works.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from briefs.models import Brief
from briefs.services import brief_get_or_create, brief_start_from_candidate
from tests.workbench.wb_factories import build_story

from .conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.timeout(120)]

FRIENDLY = "Something went wrong on our side"
LEAKS = ["Traceback", "OperationalError", "terminating connection", "psycopg", "SELECT "]


class Browser:
    """Cookies and CSRF token of one user, sending requests through a WSGI handler like a web server."""

    def __init__(self, session_cookie: str):
        self.handler = WSGIHandler()
        self.cookies = {"sessionid": session_cookie}

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urlencode(data or {}).encode()
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
        }
        answer: dict = {}

        def start_response(status: str, response_headers: list, exc_info=None) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        result = self.handler(environ, start_response)
        try:
            content = b"".join(result).decode()
        finally:
            result.close()  # what the server does: request_finished, which closes an unusable connection
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
        return answer["status"], content


def backend_pid() -> int | None:
    if connection.connection is None or connection.connection.closed:
        return None
    return connection.connection.info.backend_pid


def terminate_backend(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} did not go away"
            time.sleep(0.05)


@contextmanager
def drop_connection_before(table: str) -> Iterator[list[int]]:
    """Terminate the request's backend just before its first query on `table`; yields the pids killed."""
    killed: list[int] = []

    def wrapper(execute, sql, params, many, context):
        if not killed and f'"{table}"' in sql:
            pid = context["connection"].connection.info.backend_pid
            terminate_backend(pid)
            killed.append(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield killed


@pytest.fixture
def story_with_brief(transactional_db):
    built = build_story(slug="dropped")
    brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    return built.story


@pytest.fixture
def browser(editor_client) -> Browser:
    return Browser(editor_client.cookies["sessionid"].value)


def assert_friendly_error(status: int, content: str) -> None:
    assert status == 500
    assert FRIENDLY in content
    for leak in LEAKS:
        assert leak not in content


def test_a_page_whose_connection_drops_shows_the_error_page_and_the_next_request_works(
    story_with_brief, browser
):
    workspace = f"/stories/{story_with_brief.slug}/"
    assert browser.request("GET", workspace)[0] == 200
    persistent = backend_pid()
    assert persistent is not None  # CONN_MAX_AGE keeps the connection between requests, as in production

    # The brief's items: read on every workspace request (the claims pane may come from the cache).
    with drop_connection_before("briefs_briefitem") as killed:
        status, content = browser.request("GET", workspace)
    assert killed == [persistent]  # the drop happened mid-request, after the session and story queries
    assert_friendly_error(status, content)

    status, content = browser.request("GET", workspace)
    assert status == 200 and story_with_brief.title in content
    assert backend_pid() not in (None, persistent)  # a fresh connection replaced the dead one


def test_a_brief_edit_whose_connection_drops_saves_nothing_and_the_next_edit_applies(
    story_with_brief, browser
):
    workspace = f"/stories/{story_with_brief.slug}/"
    status, page = browser.request("GET", workspace)
    assert status == 200
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    brief = Brief.objects.get(story=story_with_brief)
    item = brief.items.order_by("position").first()
    edit_url = f"/stories/{story_with_brief.slug}/brief/items/{item.pk}/edit/"
    htmx = {"HX-Request": "true", "HX-Target": "brief-pane", "X-CSRFToken": token}

    # The backend goes away inside the edit's transaction, when the revision is about to be written.
    with drop_connection_before("briefs_revision") as killed:
        status, content = browser.request(
            "POST", edit_url, {"version": brief.version, "text": "Lost in the dropped connection."}, htmx
        )
    assert killed
    assert_friendly_error(status, content)
    after = Brief.objects.get(pk=brief.pk)
    assert after.version == brief.version  # nothing half-written: the transaction was rolled back
    assert after.items.get(pk=item.pk).text == item.text
    assert not after.revisions.filter(number=brief.version + 1).exists()

    status, content = browser.request(
        "POST", edit_url, {"version": brief.version, "text": "Saved on the next try."}, htmx
    )
    assert status == 200 and "Saved on the next try." in content
    assert Brief.objects.get(pk=brief.pk).version == brief.version + 1
