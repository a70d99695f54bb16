"""Logging out ends the session in every web process, not only in the one that served the logout.

Two Django processes stand for two gunicorn workers (tests/foundation/session_process.py): one logs in and
out, the other is asked who the cookie belongs to before and after. With sessions cached in each process's
own memory (the old cached_db with no CACHES), the second went on accepting the cookie.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.foundation.test_settings import LOCAL, PRODUCTION, PROJECT_DIR, last_line, python_env

SCRIPT = Path(__file__).with_name("session_process.py")
CACHED_ENGINES = {
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "workbench.sessions",
}
SHARED_CACHES = {"workbench.cache.RedisCache", "django.core.cache.backends.redis.RedisCache"}
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "c = s.CACHES[s.SESSION_CACHE_ALIAS]; "
    "print(json.dumps({'engine': s.SESSION_ENGINE, 'cache': c['BACKEND'], "
    "'location': c.get('LOCATION', '')}))"
)
KEY = {"SECRET_KEY": "s" * 60}


class DjangoProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(SCRIPT)],
                cwd=PROJECT_DIR,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )

    def ask(self, **command: str) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise AssertionError(
                f"The Django process did not answer {command}:\n{self.log.read_text()[-3000:]}"
            )
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def start(tmp_path) -> Iterator:
    started: list[DjangoProcess] = []

    def start_process(env: dict[str, str]) -> DjangoProcess:
        process = DjangoProcess(env, tmp_path / f"process-{len(started) + 1}.log")
        started.append(process)
        return process

    yield start_process
    for process in started:
        process.close()


def logout_in_one_process_ends_the_session_in_the_other(start, env: dict[str, str]) -> None:
    first, second = start(env), start(env)
    cookie = first.ask(op="login", username="sessions-editor")["cookie"]
    # The second process reads the session (and, where sessions are cached, caches it).
    assert second.ask(op="whoami", cookie=cookie) == {"status": 200, "user": "sessions-editor"}

    assert first.ask(op="logout", cookie=cookie)["status"] == 302
    assert first.ask(op="whoami", cookie=cookie) == {"status": 403, "user": ""}
    assert second.ask(op="whoami", cookie=cookie) == {"status": 403, "user": ""}


def test_on_the_embedded_default_a_logout_ends_the_session_in_every_process(start, tmp_path):
    """Production settings on SQLite with no Redis, as gunicorn with two workers would run them."""
    env = python_env(
        PRODUCTION, **KEY, ALLOWED_HOSTS="testserver", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    env["PYTHONPATH"] = str(PROJECT_DIR)
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrated.returncode == 0, migrated.stderr
    logout_in_one_process_ends_the_session_in_the_other(start, env)


@pytest.mark.realstack
def test_on_the_real_stack_a_logout_ends_the_session_in_every_process(start, transactional_db):
    """PostgreSQL (this run's test database) and Redis: sessions read through the shared Redis cache."""
    from tests.realstack.conftest import test_database_url

    env = python_env(
        PRODUCTION,
        **KEY,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
    )
    env["PYTHONPATH"] = str(PROJECT_DIR)
    logout_in_one_process_ends_the_session_in_the_other(start, env)


def session_settings(settings_module: str, **env: str) -> dict:
    return json.loads(last_line(["-c", PROBE], settings_module, **env))


@pytest.mark.parametrize("settings_module", [LOCAL, PRODUCTION])
@pytest.mark.parametrize(
    "env",
    [{}, {"CELERY_BROKER_URL": "redis://cache.internal:6379/0"}, {"CACHE_URL": "redis://sessions:6379/3"}],
    ids=["embedded", "broker", "cache-url"],
)
def test_sessions_are_cached_only_in_a_cache_every_process_shares(settings_module, env):
    seen = session_settings(settings_module, **KEY, **env)
    if seen["engine"] in CACHED_ENGINES:
        assert seen["cache"] in SHARED_CACHES, seen
    if env:
        assert seen == {
            "engine": "workbench.sessions",
            "cache": "workbench.cache.RedisCache",
            # The broker's own database is left to Celery: clearing the cache empties a whole database.
            "location": env.get("CACHE_URL", "redis://cache.internal:6379/1"),
        }
    else:
        assert seen["engine"] == "django.contrib.sessions.backends.db"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def take_redis_away(settings) -> None:
    """The real-stack configuration with its Redis gone: nothing listens on the port."""
    settings.CACHES = {
        "default": {
            "BACKEND": "workbench.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "workbench.sessions"


def test_with_redis_down_pages_work_and_a_logout_fails_rather_than_half_ending_the_session(
    settings, django_user_model, caplog
):
    user = django_user_model.objects.create_user("sessions-editor")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    take_redis_away(settings)

    # Sessions are read from the database while Redis is down.
    assert client.get(reverse("story_list")).status_code == 200
    assert "Cache read skipped: Redis is unreachable" in caplog.text

    # The logout cannot reach the cache: it fails before the database row is deleted, so no copy of the
    # session is left in Redis to come back valid when Redis does. The editor sees an error and is still in.
    assert client.post(reverse("logout")).status_code == 500
    assert client.get(reverse("story_list")).status_code == 200
