"""Repeated failed logins are rate-limited by django-axes, per username and IP address, for a cool-off."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.conftest import PASSWORD, Newsroom

LOCKED_OUT = "Too many failed logins"


def log_in(username: str, password: str, ip: str = "192.0.2.10", path: str | None = None):
    return Client(REMOTE_ADDR=ip).post(path or reverse("login"), {"username": username, "password": password})


def fail(times: int, username: str = "editor", ip: str = "192.0.2.10") -> None:
    """Fail `times` times, each answered by the login form again (below the limit)."""
    for attempt in range(times):
        response = log_in(username, f"wrong-password-{attempt}", ip)
        assert response.status_code == 200 and LOCKED_OUT not in response.content.decode(), attempt


def lock_out(username: str = "editor") -> None:
    """Fail up to the limit: the failure that reaches it is answered with the lockout page."""
    fail(settings.AXES_FAILURE_LIMIT - 1, username)
    assert log_in(username, "the-last-wrong-password").status_code == 429


def test_axes_is_wired_as_its_documentation_requires():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_the_limit_locks_out_even_the_right_password_with_a_page_saying_when_to_retry(newsroom: Newsroom):
    lock_out()
    locked = log_in("editor", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT in page and "“editor”" in page
    assert "Wait 15 minutes without trying" in page
    assert "_auth_user_id" not in locked.client.session


def test_the_lockout_is_for_that_username_from_that_address_only(newsroom: Newsroom):
    lock_out()
    assert log_in("editor", PASSWORD).status_code == 429
    assert log_in("chief", PASSWORD).status_code == 302, "another account from the same address"
    assert log_in("editor", PASSWORD, ip="198.51.100.7").status_code == 302, "the same account elsewhere"


def test_the_admin_login_is_guarded_too(newsroom: Newsroom):
    lock_out("chief")
    assert log_in("chief", PASSWORD, path=reverse("admin:login")).status_code == 429


def test_after_the_cool_off_the_right_password_works_again(newsroom: Newsroom):
    lock_out()
    assert log_in("editor", PASSWORD).status_code == 429
    sixteen_minutes_ago = AccessAttempt.objects.get(username="editor").attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.filter(username="editor").update(attempt_time=sixteen_minutes_ago)
    assert log_in("editor", PASSWORD).status_code == 302


def test_a_success_resets_the_count(newsroom: Newsroom):
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert log_in("editor", PASSWORD).status_code == 302
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert log_in("editor", PASSWORD).status_code == 302
