"""docker compose cannot run here, so the file is read and checked against the settings and the Dockerfile."""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    source = "\n".join(path.read_text() for path in (PROJECT_DIR / "workbench" / "settings").glob("*.py"))
    return set(re.findall(r'env_[a-z]+\("([A-Z_]+)"', source)) | {"DJANGO_SETTINGS_MODULE"}


def test_the_four_services_exist_with_health_checks(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker"}
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


def test_worker_runs_celery_for_our_app(compose):
    command = compose["services"]["worker"]["command"]
    assert command[:3] == ["celery", "-A", "workbench"] and "worker" in command
    assert (PROJECT_DIR / "workbench" / "celery.py").exists()


@pytest.mark.parametrize("service", ["web", "worker"])
def test_app_services_wait_for_healthy_backends(compose, service):
    depends = compose["services"][service]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", ["web", "worker"])
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
