"""Somebody hears about a 500: production mails the traceback to ADMINS and every settings module logs it to
stderr, once, with its traceback (tests/foundation/error_process.py makes the failing request)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.foundation.test_settings import LOCAL, PRODUCTION, PROJECT_DIR, run_python

SCRIPT = str(Path(__file__).with_name("error_process.py"))
ADMINS = "Night Desk <night@example.org>, ops@example.org"
KEY = {"SECRET_KEY": "s" * 60, "DATABASE_URL": "sqlite://:memory:", "PYTHONPATH": str(PROJECT_DIR)}


def fail_a_request(settings_module: str, **env: str) -> tuple[dict, str]:
    result = run_python([SCRIPT], settings_module, **KEY, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def assert_logged_once_with_traceback(log: str) -> None:
    assert log.count("ERROR django.request: Internal Server Error: /boom") == 1, log
    assert "Traceback (most recent call last)" in log
    assert log.count("ZeroDivisionError: boom in a view") == 1, log


def test_in_production_a_500_is_mailed_to_the_admins_and_logged_with_its_traceback():
    seen, log = fail_a_request(PRODUCTION, ADMINS=ADMINS)
    assert seen["status"] == 500
    assert len(seen["mail"]) == 1
    report = seen["mail"][0]
    assert report["to"] == ["night@example.org", "ops@example.org"]
    assert report["subject"].startswith(
        "[Coverage Workbench] ERROR (EXTERNAL IP): Internal Server Error: /boom"
    )
    assert "ZeroDivisionError at /boom\nboom in a view" in report["body"]
    assert "Traceback (most recent call last)" in report["body"]
    assert KEY["SECRET_KEY"] not in report["body"]  # the settings in the report are cleansed
    assert_logged_once_with_traceback(log)


def test_without_admins_production_still_logs_the_500():
    seen, log = fail_a_request(PRODUCTION)
    assert seen == {"status": 500, "mail": []}
    assert_logged_once_with_traceback(log)


def test_on_a_developers_machine_the_500_is_logged_and_nobody_is_mailed():
    seen, log = fail_a_request(LOCAL, ADMINS=ADMINS, DEBUG="false")
    assert seen == {"status": 500, "mail": []}
    assert_logged_once_with_traceback(log)


@pytest.mark.parametrize("value", ["nobody", "Ops <ops>", "ops@example.org, desk"])
def test_a_malformed_admins_list_is_a_clear_configuration_error(value):
    result = run_python(["manage.py", "check"], PRODUCTION, **KEY, ADMINS=value)
    assert result.returncode != 0
    assert "is not a list of e-mail addresses" in result.stderr and "ADMINS=" in result.stderr
    assert "Traceback" not in result.stderr
