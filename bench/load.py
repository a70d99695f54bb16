"""Load benchmark: simulated editors against gunicorn (2 workers) on PostgreSQL, Redis and a Celery worker.

    .venv/bin/python bench/load.py [PATH] [--editors 8,32] [--duration 40] [--think 0.5:1.5] [--reuse]

PATH is a Multi-News style JSON Lines file (default ../shared/eval/multinews-val.jsonl). The script

1. creates the PostgreSQL database `--database` (default wb_load; dropped first unless --reuse), migrates
   it and collects the static files;
2. starts `celery -A workbench worker` (queue wb-load on `--redis`) and gunicorn with 2 sync workers
   (`--web-workers`; gunicorn.conf.py) on a free loopback port, both with bench.load_settings (the production
   settings over plain HTTP, plus a minimal view at /bench/minimal that only exists in that URLconf);
3. builds one story of `--articles` articles (default 200) from the file's documents through the real
   services: jobs.start_import queues the import, the worker imports, analyses every article and
   synthesises the story;
4. logs in one Editor account per simulated editor through the login form, then for each editor count runs
   `--duration` seconds of editors who loop: open the workspace (and the job status fragment the page loads),
   filter the claims (HTMX fragment), open an item's edit form and save it (HTMX POST with the CSRF token and
   the brief version), with a think time between actions;
5. measures the minimal view the same way, closed loop (no think time), as the ceiling;
6. counts the queries each endpoint makes (in-process test client on the same database) and prints Markdown
   tables.

All editors edit the one brief of the story. The brief carries one version counter, so two editors saving at
the same moment conflict whatever item they edit: the loser gets 409 with the current brief, as in the
browser, takes the new version from it and saves once more. Conflicts are counted apart from errors; an
error is any other status or a failed connection. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

DEFAULT_PATH = PROJECT_DIR.parent / "shared" / "eval" / "multinews-val.jsonl"
STORY_SLUG = "load-story"
PASSWORD = secrets.token_urlsafe(16)  # a new one each run, for the throwaway editor accounts
GOALS = {"workspace": 150.0, "brief edit": 40.0}  # p95 in ms at 8 editors

VERSION_RE = re.compile(r'id="brief-pane"[^>]*data-version="(\d+)"')
ITEM_RE = re.compile(r'id="item-(\d+)" data-item-id')
CSRF_META_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FORM_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- Setting up the stack -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(pg_base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(pg_base: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{pg_base}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=os.environ, check=True)


@dataclass
class Services:
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, name: str, command: list[str], log_dir: Path) -> subprocess.Popen:
        log_path = log_dir / f"{name}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=os.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        self.logs.append(log_path)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def wait_until(condition, timeout: float, what: str, every: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(every)


def load_documents(path: Path, count: int) -> list[tuple[str, str]]:
    """(name, text) of the first `count` distinct non-empty documents of the file, in file order."""
    seen: set[str] = set()
    documents: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            cluster = json.loads(line)
            for n, text in enumerate(cluster["documents"]):
                key = " ".join(text.split())
                if len(key) < 200 or key in seen:
                    continue
                seen.add(key)
                documents.append((f"{cluster['id']}-{n}.txt", text))
                if len(documents) == count:
                    return documents
    return documents


def build_story(path: Path, count: int, timeout: float) -> None:
    """Import `count` documents into one story through the real services; the worker does the rest."""
    from articles.importing import ImportSource
    from articles.jobs import start_import
    from articles.models import CandidateBrief, Job
    from articles.services.stories import story_get_or_create

    documents = load_documents(path, count)
    story, _ = story_get_or_create(title="Load benchmark story", slug=STORY_SLUG)
    sources = [
        ImportSource(name=name, data=text.encode(), url=None, format_hint="text") for name, text in documents
    ]
    started = time.perf_counter()
    start_import(story, sources)
    print(f"Queued the import of {len(sources)} documents; the worker imports, analyses and synthesises ...")

    def done() -> bool:
        counts: dict[str, int] = defaultdict(int)
        for kind, state in Job.objects.filter(story=story).values_list("kind", "state"):
            counts[f"{kind}:{state}"] += 1
        print(
            f"  {time.perf_counter() - started:6.0f} s  "
            + ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        )
        return (
            CandidateBrief.objects.filter(story=story).exists()
            and not Job.objects.filter(story=story, state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists()
        )

    wait_until(done, timeout, "the import, analysis and synthesis of the story", every=10)
    failed = Job.objects.filter(story=story, state=Job.State.FAILED).count()
    print(
        f"Story ready in {time.perf_counter() - started:.0f} s: {story.articles.count()} articles, "
        f"{story.claims.count()} claims, {failed} failed job(s)."
    )


def prepare_editors(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from articles.models import Story
    from briefs.roles import EDITOR
    from briefs.services import brief_get_or_create, brief_start_from_candidate, ensure_roles

    groups = ensure_roles()
    user_model = get_user_model()
    password_hash = make_password(PASSWORD)  # hashed once: the same password for every editor
    for n in range(1, count + 1):
        user, _ = user_model.objects.get_or_create(username=f"loadeditor{n:02d}")
        user.password = password_hash
        user.save(update_fields=["password"])
        user.groups.set([groups[EDITOR]])
    story = Story.objects.get(slug=STORY_SLUG)
    brief = brief_get_or_create(story)
    if not brief.items.exists():
        brief_start_from_candidate(brief, user=None, expected_version=brief.version)


# --- The simulated editors --------------------------------------------------------------------------


@dataclass
class Sample:
    endpoint: str
    started: float
    ms: float
    outcome: str  # "ok", "conflict" or "error"


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, problem: str = "") -> None:
        with self.lock:
            self.samples.append(sample)
            if problem and len(self.errors) < 20:
                self.errors.append(problem)


class Editor:
    def __init__(self, base: str, username: str, recorder: Recorder, think: tuple[float, float], seed: int):
        import requests

        self.base = base
        self.username = username
        self.session = requests.Session()
        self.recorder = recorder
        self.think = think
        self.random = random.Random(seed)
        self.version = 0
        self.csrf = ""
        self.items: list[int] = []
        self.round = 0

    def login(self) -> None:
        page = self.session.get(f"{self.base}/accounts/login/", timeout=30)
        token = CSRF_FORM_RE.search(page.text).group(1)
        answer = self.session.post(
            f"{self.base}/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/accounts/login/"},
            timeout=60,
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise SystemExit(f"{self.username} could not log in (HTTP {answer.status_code}).")

    def _request(self, endpoint: str, method: str, path: str, *, ok=(200,), conflict=(), **kwargs):
        started = time.perf_counter()
        try:
            response = self.session.request(method, f"{self.base}{path}", timeout=60, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a failed connection is an error to count, not to raise
            ms = (time.perf_counter() - started) * 1000
            self.recorder.add(
                Sample(endpoint, started, ms, "error"), f"{endpoint}: {type(exc).__name__}: {exc}"
            )
            return None
        ms = (time.perf_counter() - started) * 1000
        if response.status_code in ok:
            outcome, problem = "ok", ""
        elif response.status_code in conflict:
            outcome, problem = "conflict", ""
        else:
            outcome, problem = "error", f"{endpoint}: HTTP {response.status_code} for {method} {path}"
        self.recorder.add(Sample(endpoint, started, ms, outcome), problem)
        return response

    def _htmx(self, target: str) -> dict[str, str]:
        return {
            "HX-Request": "true",
            "HX-Target": target,
            "HX-Current-URL": f"{self.base}/stories/{STORY_SLUG}/",
        }

    def _read_pane(self, html: str) -> None:
        found = VERSION_RE.search(html)
        if found:
            self.version = int(found.group(1))
        items = [int(i) for i in ITEM_RE.findall(html)]
        if items:
            self.items = items

    def pause(self) -> None:
        low, high = self.think
        if high > 0:
            time.sleep(self.random.uniform(low, high))

    def one_round(self, editor_number: int) -> None:
        story = f"/stories/{STORY_SLUG}/"
        page = self._request("workspace", "GET", story)
        if page is None or page.status_code != 200:
            return
        self.csrf = CSRF_META_RE.search(page.text).group(1)
        self._read_pane(page.text)
        self._request("job status fragment", "GET", f"{story}jobs/", headers=self._htmx("story-jobs"))
        self.pause()
        claim_filter = self.random.choice(["agreed", "unique", "discrepancies", "all"])
        self._request(
            "claims filter (HTMX)",
            "GET",
            f"{story}?filter={claim_filter}",
            headers=self._htmx("claims-pane"),
        )
        self.pause()
        if not self.items:
            return
        item = self.items[editor_number % len(self.items)]
        self._request(
            "item edit form (HTMX)",
            "GET",
            f"{story}brief/items/{item}/edit/",
            headers=self._htmx(f"item-{item}"),
        )
        self.pause()
        self.round += 1
        text = f"Edited by {self.username} in round {self.round}: the figures are as reported by the sources."
        for _attempt in range(2):  # a conflict is answered with the current brief: save once more on it
            saved = self._request(
                "brief edit (HTMX POST)",
                "POST",
                f"{story}brief/items/{item}/edit/",
                ok=(200,),
                conflict=(409,),
                data={"version": self.version, "text": text},
                headers={
                    **self._htmx("brief-pane"),
                    "X-CSRFToken": self.csrf,
                    "Referer": f"{self.base}{story}",
                },
            )
            if saved is None:
                return
            self._read_pane(saved.text)
            if saved.status_code != 409:
                return
        self.pause()


def run_phase(base: str, editors: list[Editor], duration: float, minimal: bool) -> tuple[list[Sample], float]:
    recorder = Recorder()
    stop_at = time.perf_counter() + duration
    for editor in editors:
        editor.recorder = recorder

    def loop(number: int, editor: Editor) -> None:
        while time.perf_counter() < stop_at:
            if minimal:
                editor._request("minimal view (ceiling)", "GET", "/bench/minimal")
            else:
                editor.one_round(number)

    threads = [threading.Thread(target=loop, args=(n, e), daemon=True) for n, e in enumerate(editors)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    elapsed = time.perf_counter() - started
    for problem in recorder.errors[:5]:
        print(f"  error: {problem}")
    return recorder.samples, elapsed


# --- Reporting --------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


ENDPOINT_ORDER = [
    "workspace",
    "job status fragment",
    "claims filter (HTMX)",
    "item edit form (HTMX)",
    "brief edit (HTMX POST)",
    "minimal view (ceiling)",
]


def table(rows: list[dict]) -> str:
    head = "| editors | endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | conflicts | errors |"
    lines = [head, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(
            f"| {row['editors']} | {row['endpoint']} | {row['count']} | {row['rps']:.1f} | "
            f"{row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['conflicts']} | {row['errors']} |"
        )
    return "\n".join(lines)


def summarise(editors: int, samples: list[Sample], elapsed: float) -> list[dict]:
    by_endpoint: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_endpoint[sample.endpoint].append(sample)
    rows = []
    for endpoint in sorted(by_endpoint, key=ENDPOINT_ORDER.index):
        group = by_endpoint[endpoint]
        times = [s.ms for s in group if s.outcome != "error"] or [s.ms for s in group]
        rows.append(
            {
                "editors": editors,
                "endpoint": endpoint,
                "count": len(group),
                "rps": len(group) / elapsed,
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "p99": percentile(times, 99),
                "conflicts": sum(s.outcome == "conflict" for s in group),
                "errors": sum(s.outcome == "error" for s in group),
            }
        )
    return rows


def query_counts() -> str:
    """Queries and in-process time of each endpoint (test client, same database, one request each)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Story

    story = Story.objects.get(slug=STORY_SLUG)
    client = Client()
    client.force_login(get_user_model().objects.get(username="loadeditor01"))
    htmx = {"HTTP_HX_REQUEST": "true"}
    item = story.brief.items.order_by("position").first()
    base = f"/stories/{STORY_SLUG}/"
    endpoints = [
        ("workspace", "get", base, {}),
        ("job status fragment", "get", f"{base}jobs/", htmx),
        ("claims filter (HTMX)", "get", f"{base}?filter=agreed", {**htmx, "HTTP_HX_TARGET": "claims-pane"}),
        (
            "item edit form (HTMX)",
            "get",
            f"{base}brief/items/{item.pk}/edit/",
            {**htmx, "HTTP_HX_TARGET": f"item-{item.pk}"},
        ),
        ("brief pane (HTMX)", "get", f"{base}brief/", {**htmx, "HTTP_HX_TARGET": "brief-pane"}),
    ]
    lines = ["| endpoint | queries | in-process ms | response KiB |", "| --- | ---: | ---: | ---: |"]
    for name, method, path, extra in endpoints:
        getattr(client, method)(path, **extra)  # warm
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = getattr(client, method)(path, **extra)
            ms = (time.perf_counter() - started) * 1000
        lines.append(f"| {name} | {len(queries)} | {ms:.0f} | {len(response.content) / 1024:.0f} |")
    story.brief.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(
            f"{base}brief/items/{item.pk}/edit/",
            {"version": story.brief.version, "text": "Edited once more for the query count."},
            **{**htmx, "HTTP_HX_TARGET": "brief-pane"},
        )
        ms = (time.perf_counter() - started) * 1000
    lines.append(
        f"| brief edit (HTMX POST, {response.status_code}) | {len(queries)} | {ms:.0f} | "
        f"{len(response.content) / 1024:.0f} |"
    )
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers (WEB_CONCURRENCY)")
    parser.add_argument("--editors", default="8,32", help="comma-separated editor counts")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds of load per editor count")
    parser.add_argument("--ceiling-duration", type=float, default=10.0)
    parser.add_argument("--think", default="0.5:1.5", help="think time between actions, seconds, LOW:HIGH")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="wb_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its story if present")
    parser.add_argument("--build-timeout", type=float, default=900.0)
    args = parser.parse_args()
    think = tuple(float(x) for x in args.think.split(":"))
    editor_counts = [int(n) for n in args.editors.split(",")]

    run_dir = Path(tempfile.mkdtemp(prefix="wb-load-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "DATABASE_URL": f"{args.postgres}/{args.database}",
            "CELERY_BROKER_URL": args.redis,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "LOAD_STATIC_ROOT": str(run_dir / "static"),
            "LOAD_QUEUE": f"wb-load-{secrets.token_hex(4)}",
            "PYTHONPATH": str(PROJECT_DIR),
        }
    )
    fresh = not (args.reuse and database_exists(args.postgres, args.database))
    if fresh:
        recreate_database(args.postgres, args.database)
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")

    import django

    django.setup()
    from articles.models import CandidateBrief, Story

    services = Services()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    try:
        worker = services.start(
            "celery",
            [
                str(bin_dir / "celery"),
                "-A",
                "workbench",
                "worker",
                "-Q",
                os.environ["LOAD_QUEUE"],
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            run_dir,
        )
        gunicorn = services.start(
            "gunicorn",
            [
                str(bin_dir / "gunicorn"),
                "workbench.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.web_workers),
                "--access-logfile",
                "/dev/null",
            ],
            run_dir,
        )
        story = Story.objects.filter(slug=STORY_SLUG).first()
        if story is None or not CandidateBrief.objects.filter(story=story).exists():
            if story is not None:
                story.delete()
            build_story(args.path, args.articles, args.build_timeout)
        else:
            print(f"Reusing the story: {story.articles.count()} articles.")
        prepare_editors(max(editor_counts))

        import requests

        wait_until(lambda: _healthy(requests, base), 60, "gunicorn to answer /healthz")
        for process, name in ((worker, "celery worker"), (gunicorn, "gunicorn")):
            if process.poll() is not None:
                raise SystemExit(f"The {name} stopped; see {run_dir}")

        story = Story.objects.get(slug=STORY_SLUG)
        facts = (
            f"{story.articles.count()} articles, {story.claims.count()} claims, "
            f"{story.brief.items.count()} brief items; {os.cpu_count()} CPU cores shared by the load "
            f"generator, gunicorn ({args.web_workers} sync workers), PostgreSQL, Redis and the idle Celery "
            f"worker; Python "
            f"{platform.python_version()}; think time {think[0]}-{think[1]} s; "
            f"{args.duration:.0f} s per editor count."
        )
        print(facts)
        recorder = Recorder()
        everyone = [
            Editor(base, f"loadeditor{n:02d}", recorder, think, seed=n)
            for n in range(1, max(editor_counts) + 1)
        ]
        print(f"Logging in {len(everyone)} editors through the login form ...")
        for editor in everyone:
            editor.login()

        rows: list[dict] = []
        for count in editor_counts:
            editors = everyone[:count]
            print(f"\n{count} editors, {args.duration:.0f} s ...")
            samples, elapsed = run_phase(base, editors, args.duration, minimal=False)
            rows.extend(summarise(count, samples, elapsed))
            print(f"{count} connections on the minimal view (closed loop), {args.ceiling_duration:.0f} s ...")
            for editor in editors:
                editor.think = (0.0, 0.0)
            samples, elapsed = run_phase(base, editors, args.ceiling_duration, minimal=True)
            for editor in editors:
                editor.think = think
            rows.extend(summarise(count, samples, elapsed))

        print("\n## Load: simulated editors on one 200-article story\n")
        print(facts + "\n")
        print(table(rows))
        print("\n### Goals at 8 editors\n")
        print("| goal | measured p95 ms | met |\n| --- | ---: | --- |")
        for endpoint, limit in (
            ("workspace", GOALS["workspace"]),
            ("brief edit (HTMX POST)", GOALS["brief edit"]),
        ):
            row = next((r for r in rows if r["editors"] == 8 and r["endpoint"] == endpoint), None)
            if row:
                print(
                    f"| {endpoint} p95 < {limit:.0f} ms | {row['p95']:.0f} | "
                    f"{'yes' if row['p95'] < limit else 'no'} |"
                )
        errors = sum(r["errors"] for r in rows if r["editors"] == 8)
        print(f"| no errors at 8 editors | {errors} errors | {'yes' if errors == 0 else 'no'} |")
        print("\n### Queries per request (in-process, same database)\n")
        print(query_counts())
    finally:
        services.stop()
        shutil.rmtree(run_dir / "static", ignore_errors=True)
        print(f"\nLogs: {run_dir}")


def _healthy(requests, base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except Exception:  # noqa: BLE001
        return False


if __name__ == "__main__":
    main()
