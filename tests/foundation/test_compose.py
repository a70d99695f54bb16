"""docker compose cannot run here, so the file is read and checked against the settings, the Dockerfile and
the Caddyfile (which a real Caddy runs, where one is installed)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_services_exist_with_health_checks(compose):
    assert set(compose["services"]) == {
        "proxy",
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "worker-imports",
        "beat",
    }
    for name, service in compose["services"].items():
        if name != "migrate":  # one-shot: it exits once the migrations are applied
            assert "healthcheck" in service, f"{name} has no health check"


def test_data_lives_in_named_volumes(compose):
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "redisdata:/data" in compose["services"]["redis"]["volumes"]
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_web_runs_gunicorn_on_our_wsgi_app(compose):
    assert compose["services"]["web"]["command"] == ["gunicorn", "workbench.wsgi:application"]
    from workbench.wsgi import application  # what gunicorn loads

    assert callable(application)


WORKERS = ("worker", "worker-imports")


def consumed_queues(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(","))


@pytest.mark.parametrize("service", WORKERS)
def test_workers_run_celery_for_our_app(compose, service):
    command = compose["services"][service]["command"]
    assert command[:4] == ["celery", "-A", "workbench", "worker"]
    from workbench.celery import app  # what `celery -A workbench` loads

    assert app.main == "workbench" and "articles.analyze_article" in app.tasks


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


@pytest.mark.parametrize("service", ["migrate", "web", *WORKERS, "beat"])
def test_app_services_wait_for_healthy_backends(compose, service):
    depends = compose["services"][service]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    if service != "migrate":
        assert depends["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", ["migrate", "web", *WORKERS, "beat"])
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
    url = INTERPOLATION.sub("a-password", env["DATABASE_URL"])
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


APP_SERVICES = ("web", *WORKERS, "beat")
# ${NAME}, ${NAME:-default} or ${NAME:?message}; $$ is a literal dollar.
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}")
REQUIRED = {"SECRET_KEY", "POSTGRES_PASSWORD", "DOMAIN"}


def strings_in(node) -> list[str]:
    """Every string value of the compose file, where compose interpolates `${...}` (comments are not)."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings_in(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings_in(value)]
    return [node] if isinstance(node, str) else []


def test_only_the_proxy_is_published(compose):
    published = {
        name: service["ports"] for name, service in compose["services"].items() if "ports" in service
    }
    assert published == {"proxy": ["80:80", "443:443", "443:443/udp"]}
    assert compose["services"]["web"]["expose"] == ["8000"]


def test_the_proxy_terminates_tls_for_the_domain_and_passes_requests_to_gunicorn(compose):
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("caddy:2")
    assert proxy["environment"]["DOMAIN"].startswith("${DOMAIN:?")
    mount = next(volume for volume in proxy["volumes"] if volume.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (PROJECT_DIR / mount.split(":")[0]).read_text()
    assert re.search(r"^\{\$DOMAIN\} \{$", caddyfile, re.MULTILINE), (
        "the site is the domain, served over HTTPS"
    )
    gunicorn_port = re.search(
        r'"GUNICORN_BIND", "0\.0\.0\.0:(\d+)"', (PROJECT_DIR / "gunicorn.conf.py").read_text()
    )
    assert re.search(rf"name web\s+port {gunicorn_port.group(1)}\b", caddyfile)
    assert {"caddy_data", "caddy_config"} <= set(compose["volumes"])  # certificates survive a restart
    # Django trusts X-Forwarded-Proto only because the proxy is the only way in and sets it itself.
    assert compose["x-app-environment"]["BEHIND_TLS_PROXY"] == "true"


@pytest.mark.skipif(shutil.which("caddy") is None, reason="needs the caddy binary: apt-get install -y caddy")
def test_caddy_replaces_a_spoofed_forwarded_proto_and_forwarded_for(tmp_path):
    """The shipped Caddyfile in a real Caddy, on plain HTTP on loopback, in front of a server that records
    what it was told: a client's X-Forwarded-Proto: https must not reach the app as the truth."""
    seen: list[dict[str, str]] = []

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(
                {name: self.headers.get(name, "") for name in ("X-Forwarded-Proto", "X-Forwarded-For")}
            )
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args) -> None:
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    caddyfile = (PROJECT_DIR / "deploy" / "Caddyfile").read_text()
    caddyfile = "{\n\tadmin off\n}\n" + caddyfile.replace("name web", "name localhost").replace(
        "port 8000", f"port {upstream.server_address[1]}"
    )
    (tmp_path / "Caddyfile").write_text(caddyfile)
    env = {
        **os.environ,
        "DOMAIN": f"http://127.0.0.1:{port}",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
    }
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    caddy = subprocess.Popen(
        ["caddy", "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6"},
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                assert urllib.request.urlopen(request, timeout=5).read() == b"ok"
                break
            except OSError:
                if time.monotonic() > deadline or caddy.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        caddy.terminate()
        caddy.wait(timeout=20)
        upstream.shutdown()
    assert seen == [{"X-Forwarded-Proto": "http", "X-Forwarded-For": "127.0.0.1"}]


def test_migrations_run_once_before_anything_that_uses_the_database_starts(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no" and "healthcheck" not in migrate
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert "migrate" not in " ".join(service["command"]), f"{name} must not migrate (replicas would race)"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_secrets_and_the_domain_are_required_and_nothing_secret_has_a_default(compose):
    uses = [match.groupdict() for text in strings_in(compose) for match in INTERPOLATION.finditer(text)]
    assert {use["name"] for use in uses} >= REQUIRED
    for use in uses:
        if use["name"] in REQUIRED:
            assert use["op"] == ":?" and use["arg"].strip(), f"{use['name']} must be required, with a message"
        if re.search("PASSWORD|SECRET|TOKEN", use["name"]) and use["op"] == ":-":
            assert use["arg"] == "", f"{use['name']} has a default: {use['arg']!r}"


def test_every_dollar_in_the_compose_file_is_a_valid_interpolation(compose):
    invalid = [text for text in strings_in(compose) if "$" in INTERPOLATION.sub("", text).replace("$$", "")]
    assert not invalid


def test_dockerfile_installs_the_locked_dependencies_with_hashes():
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=workbench.settings.production" in dockerfile
    assert "python:3.11" in dockerfile
    assert "--require-hashes" in dockerfile and "requirements/base.lock" in dockerfile
    assert "collectstatic" in dockerfile
    # The encoder's int8 graph is derived at build time, after the code is copied (the service's user could
    # not write it at run time).
    assert dockerfile.index("COPY . .") < dockerfile.index("python -m articles.nlp.embeddings")
    assert dockerfile.index("python -m articles.nlp.embeddings") < dockerfile.index("USER app")
