"""docker compose cannot run here, so the file is read and checked against the settings and the Dockerfile."""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
import pytest
import yaml
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    source = "\n".join(path.read_text() for path in (PROJECT_DIR / "workbench" / "settings").glob("*.py"))
    return set(re.findall(r'env_[a-z]+\("([A-Z_]+)"', source)) | {"DJANGO_SETTINGS_MODULE"}


def test_the_services_exist_with_health_checks(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "worker-imports", "beat"}
    for name, service in compose["services"].items():
        assert "healthcheck" in service, f"{name} has no health check"


def test_data_lives_in_named_volumes(compose):
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "redisdata:/data" in compose["services"]["redis"]["volumes"]
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_web_runs_migrations_then_gunicorn_on_our_wsgi_app(compose):
    command = " ".join(compose["services"]["web"]["command"])
    assert "manage.py migrate" in command
    assert "gunicorn workbench.wsgi:application" in command
    assert (PROJECT_DIR / "workbench" / "wsgi.py").exists()


WORKERS = ("worker", "worker-imports")


def consumed_queues(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(","))


@pytest.mark.parametrize("service", WORKERS)
def test_workers_run_celery_for_our_app(compose, service):
    command = compose["services"][service]["command"]
    assert command[:4] == ["celery", "-A", "workbench", "worker"]
    assert (PROJECT_DIR / "workbench" / "celery.py").exists()


def test_every_queue_has_workers_and_no_worker_waits_on_a_queue_nothing_is_sent_to(compose):
    by_service = {name: consumed_queues(compose["services"][name]["command"]) for name in WORKERS}
    assert by_service == {"worker": {"analysis", "synthesis"}, "worker-imports": {"imports"}}
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert set().union(*by_service.values()) == routed == set(settings.TASK_QUEUES)
    # `make worker`, on a developer's machine, takes them all.
    makefile = (PROJECT_DIR / "Makefile").read_text()
    queues = re.search(r"^QUEUES := (\S+)$", makefile, re.MULTILINE).group(1)
    assert set(queues.split(",")) == routed
    assert "worker -Q $(QUEUES)" in makefile


def test_one_beat_sends_the_schedule_and_its_health_check_watches_its_schedule_file(compose):
    beat = compose["services"]["beat"]
    command = beat["command"]
    assert command[:4] == ["celery", "-A", "workbench", "beat"]
    assert "deploy" not in beat and "scale" not in beat  # two beats would send every check twice
    schedule = command[command.index("--schedule") + 1]
    assert f"glob.glob('{schedule}*')" in " ".join(beat["healthcheck"]["test"])
    assert [name for name, s in compose["services"].items() if "beat" in s.get("command", [])] == ["beat"]


@pytest.mark.parametrize("service", ["web", *WORKERS])
def test_app_services_wait_for_healthy_backends(compose, service):
    depends = compose["services"][service]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", ["web", *WORKERS, "beat"])
def test_environment_matches_the_settings(compose, service):
    env = compose["services"][service]["environment"]
    known = settings_variables()
    unknown = set(env) - known
    assert not unknown, f"{service} sets variables the settings never read: {unknown}"
    assert env["DJANGO_SETTINGS_MODULE"] == "workbench.settings.production"
    assert "DEBUG" not in env, "production settings have DEBUG off by construction"
    assert "SECRET_KEY" in env and "?" in env["SECRET_KEY"], "SECRET_KEY must be required, not defaulted"
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")


def test_database_url_points_at_the_postgres_service(compose):
    env = compose["services"]["web"]["environment"]
    postgres = compose["services"]["postgres"]["environment"]
    url = env["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-workbench}", "workbench")
    parsed = dj_database_url.parse(url)
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert parsed["HOST"] == "postgres"
    assert parsed["NAME"] == postgres["POSTGRES_DB"]
    assert parsed["USER"] == postgres["POSTGRES_USER"]


def test_web_health_check_hits_an_existing_endpoint(compose, client, db):
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"127\.0\.0\.1:8000(/\S*?)'", check).group(1)
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_dockerfile_installs_the_locked_dependencies_with_hashes():
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=workbench.settings.production" in dockerfile
    assert "python:3.11" in dockerfile
    assert "--require-hashes" in dockerfile and "requirements/base.lock" in dockerfile
    assert "collectstatic" in dockerfile
