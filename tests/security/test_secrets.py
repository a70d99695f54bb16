"""Secrets come only from the environment (or, in development, a git-ignored file), never a tracked file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.foundation.test_settings import PRODUCTION, PROJECT_DIR, last_line

# Written in pieces so that this file does not match its own patterns.
PRIVATE_KEY = re.compile("-----BEGIN " + r"[A-Z ]*PRIVATE KEY-----")
TOKENS = re.compile(
    r"\b(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_live_\w{16,})"
)
SECRET_KEY_LITERAL = re.compile(r"""SECRET_KEY\s*[=:]\s*(?:["'][^"'\s]{8,}["']|[A-Za-z0-9_\-]{16,})""")
PASSWORD_LITERAL = re.compile(
    r"""(?i)\b\w*(password|passwd|secret|secret_?key|api_?key|token)["']?\s*[=:]\s*["']([^"'\s$]{4,})["']"""
)
URL_CREDENTIALS = re.compile(r"\b[a-z+]+://[^/\s:@]+:([^@\s/]+)@")
NEVER_TRACKED = {".dev-secret-key", ".demo-password", ".env", "db.sqlite3"}
NEVER_TRACKED_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".sqlite3")
# Configuration and product code: a literal password or credential here would ship. Tests and benchmarks
# (fixtures and throwaway accounts in their own databases) are scanned only for real-looking keys and tokens.
SHIPPED = ("workbench/", "articles/", "briefs/", "templates/", "static/")
SHIPPED_FILES = {"docker-compose.yml", "Dockerfile", "Makefile", ".ci/run", "pyproject.toml", "manage.py"}
# Not secrets, on purpose: collectstatic needs some SECRET_KEY at image build time; it is never used to sign.
KNOWN_PLACEHOLDERS = {"SECRET_KEY=collectstatic-only-not-used-at-run-time"}
SECRET_FILES = (".env", ".dev-secret-key", ".demo-password")


def tracked_files() -> list[Path]:
    result = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True)
    return [PROJECT_DIR / name for name in result.stdout.decode().split("\0") if name]


def text_of(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def tracked() -> dict[str, str]:
    files = {}
    for path in tracked_files():
        text = text_of(path)
        if text is not None:
            files[path.relative_to(PROJECT_DIR).as_posix()] = text
    assert "workbench/settings/base.py" in files and "docker-compose.yml" in files
    return files


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (SECRET_KEY_LITERAL, 'SECRET_KEY = "django-insecure-abc123def456"'),
        (SECRET_KEY_LITERAL, "  SECRET_KEY: q8w7e6r5t4y3u2i1o0p9"),
        (PASSWORD_LITERAL, 'EMAIL_HOST_PASSWORD = "hunter22"'),
        (PASSWORD_LITERAL, '  "api_token": "abcd1234"'),
        (URL_CREDENTIALS, "DATABASE_URL=postgres://workbench:s3cret@db:5432/workbench"),
        (PRIVATE_KEY, "-----BEGIN " + "RSA PRIVATE KEY-----"),
        (TOKENS, "key = AKIA" + "ABCDEFGHIJKLMNOP"),
    ],
)
def test_the_patterns_catch_what_they_are_for(pattern, line):
    assert pattern.search(line)


def test_no_key_or_token_in_any_tracked_file(tracked):
    found = [
        f"{name}: {match.group(0)[:24]}…"
        for name, text in tracked.items()
        for pattern in (PRIVATE_KEY, TOKENS)
        for match in pattern.finditer(text)
    ]
    assert not found, "Secrets in tracked files:\n" + "\n".join(found)


def test_no_secret_files_are_tracked(tracked):
    names = [Path(name) for name in tracked]
    bad = [str(n) for n in names if n.name in NEVER_TRACKED or n.name.endswith(NEVER_TRACKED_SUFFIXES)]
    assert not bad, f"Files that hold secrets or data are tracked: {bad}"


def shipped(tracked: dict[str, str]) -> dict[str, str]:
    return {n: t for n, t in tracked.items() if n.startswith(SHIPPED) or n in SHIPPED_FILES}


def test_no_secret_key_password_or_credential_literal_in_shipped_code_and_config(tracked):
    found = []
    for name, text in shipped(tracked).items():
        for number, line in enumerate(text.splitlines(), start=1):
            for pattern in (SECRET_KEY_LITERAL, PASSWORD_LITERAL, URL_CREDENTIALS):
                match = pattern.search(line)
                if not match or match.group(0) in KNOWN_PLACEHOLDERS:
                    continue
                if "${" not in match.group(0) and "environ" not in line and "env_str" not in line:
                    found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not found, "Literal secrets in shipped files:\n" + "\n".join(found)


def test_compose_takes_secrets_from_the_environment(tracked):
    compose = yaml.safe_load(tracked["docker-compose.yml"])
    app = compose["x-app-environment"]
    assert app["SECRET_KEY"].startswith("${SECRET_KEY:?"), "SECRET_KEY is required, with no default"
    # The database password is required too, with no default; neither the database nor Redis (which has no
    # password) is published outside the compose network.
    for service in ("postgres", "redis"):
        assert "ports" not in compose["services"][service], f"{service} must not publish a port"
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    assert "${POSTGRES_PASSWORD:?" in app["DATABASE_URL"]


@pytest.mark.parametrize("name", SECRET_FILES)
def test_secret_files_are_neither_committed_nor_copied_into_the_image(name):
    ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=PROJECT_DIR, check=False)
    assert ignored.returncode == 0, f"{name} is not in .gitignore"
    dockerignore = (PROJECT_DIR / ".dockerignore").read_text().splitlines()
    assert name in dockerignore, f"{name} is not in .dockerignore: COPY . . would bake it into the image"


KEY_PROBE = "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"


def test_the_secret_key_comes_from_the_environment():
    key = "an-environment-secret-key-for-this-test-only-0123456789-abcdefghijklmnop"
    assert last_line(["-c", KEY_PROBE], PRODUCTION, SECRET_KEY=key) == key


def test_in_development_the_key_comes_from_the_git_ignored_file():
    key = last_line(["-c", KEY_PROBE])
    assert len(key) >= 50
    assert key == (PROJECT_DIR / ".dev-secret-key").read_text().strip()


def test_settings_source_assigns_the_key_only_from_those_two_places(tracked):
    assignments = {
        name: re.findall(r"^\s*SECRET_KEY\s*=\s*(.+)$", text, re.MULTILINE)
        for name, text in tracked.items()
        if name.startswith("workbench/settings/")
    }
    assert {name: found for name, found in assignments.items() if found} == {
        "workbench/settings/base.py": ['env_str("SECRET_KEY")'],
        "workbench/settings/local.py": ["_dev_key_file.read_text().strip()"],
    }
