"""Issue 14, case 9: what a new user of `make run` sees when something goes wrong. The development server on
the local settings, with no variable set, answers a malformed request (400), a missing page (404) and a
failing view (500) with the workbench's own pages, never Django's debug pages (they show code and settings
and confuse a reader); the traceback of the 500 is printed on the console; static files are served."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.foundation.test_settings import PROJECT_DIR, python_env

DEBUG_PAGE_MARKERS = ("DEBUG = True", "Traceback", "Using the URLconf", "DisallowedHost", "Request Method:")


@dataclass
class Server:
    base: str
    process: subprocess.Popen

    def get(self, path: str, **headers: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    port = free_port()
    env = python_env(
        "tests.security.error_page_settings",
        SECRET_KEY="error-pages-test-key-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('error-pages') / 'db.sqlite3'}",
        PYTHONPATH=str(PROJECT_DIR),
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the development server did not start: {process.communicate()[1][-2000:]}")
            time.sleep(0.2)
    try:
        yield Server(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def assert_no_debug_page(body: str) -> None:
    assert not [marker for marker in DEBUG_PAGE_MARKERS if marker in body], body[:2000]


def test_a_malformed_request_shows_the_friendly_400_page(server):
    status, body = server.get("/", Host="not-allowed.example")

    assert status == 400
    assert "Request refused" in body
    assert_no_debug_page(body)


def test_a_missing_page_shows_the_friendly_404_page(server):
    status, body = server.get("/no-such-page/")

    assert status == 404
    assert_no_debug_page(body)


def test_static_files_are_served_without_debug(server):
    status, body = server.get("/static/workbench.css")

    assert status == 200
    assert "{" in body


# Last: it stops the server to read its console.
def test_a_failing_view_shows_the_friendly_500_page_and_the_console_gets_the_traceback(server):
    status, body = server.get("/boom/")

    assert status == 500
    assert "Something went wrong on our side" in body
    assert_no_debug_page(body)
    server.process.terminate()
    _, console = server.process.communicate(timeout=30)
    assert "Traceback (most recent call last)" in console
    assert "ZeroDivisionError: boom in a view" in console
