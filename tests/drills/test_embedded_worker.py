"""Drills on the embedded default as `make run` runs it: SQLite in a file, the web server and the embedded
worker (`manage.py serve` = runserver + `manage.py run_jobs`) in processes of their own.

- A web import answers at once: the request records the batch; the worker imports and analyses.
- A worker killed in the middle of a job (SIGKILL, as a crash or a power cut would) leaves the job "running";
  the next worker sees its lease ran out, runs it again, and the story is synthesised once.
- Two imports of one folder at the same time both finish; every text is stored once and nothing stays pending.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import SEEDS_DIR
from tests.foundation.test_settings import LOCAL, PROJECT_DIR, python_env

pytestmark = pytest.mark.timeout(600)

# Short leases, so that a killed worker's job is seen as stale within seconds.
LEASE = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_LEASE_SECONDS": "4"}


class Site:
    """One workbench on the embedded default, in a folder of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = folder / "db.sqlite3"
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def env(self, **extra: str) -> dict[str, str]:
        return python_env(LOCAL, DATABASE_URL=f"sqlite:///{self.db}", **extra)

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        log = self.folder / f"{args[0]}-{len(self.processes)}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=PROJECT_DIR,
                env=self.env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append((process, log))
        return process

    def serve(self, web: requests.Session | None = None, **env: str) -> tuple[subprocess.Popen, str]:
        """`manage.py serve` on a free port, once its web server answers (through `web`, which then holds
        the login form's cookies); the process and the site's address."""
        port = free_port()
        process = self.start("serve", f"127.0.0.1:{port}", **env)
        base = f"http://127.0.0.1:{port}"
        self.wait_for("the web server", lambda: answers(base, web), 120)
        return process, base

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for _, log in self.processes
        )

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with sqlite3.connect(self.db, timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def jobs(self) -> list[tuple]:
        return self.rows("SELECT id, kind, state, attempts, error FROM articles_job ORDER BY id")

    def wait_for(self, what: str, check: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            for process, _ in self.processes:
                if process.poll() not in (None, 0, -signal.SIGKILL, -signal.SIGTERM):
                    pytest.fail(f"a process ended with status {process.returncode}\n{self.logs()}")
            time.sleep(0.5)
        pytest.fail(f"gave up waiting for {what} after {seconds} s; jobs: {self.jobs()}\n{self.logs()}")

    def settled(self) -> bool:
        states = {state for _, _, state, _, _ in self.jobs()}
        return bool(states) and states <= {"succeeded", "failed"}

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    site.manage("migrate", "--noinput", "-v", "0")
    yield site
    site.stop_all()


def answers(base: str, web: requests.Session | None = None) -> bool:
    """Does the workbench at `base` serve its login form?"""
    try:
        return (web or requests).get(f"{base}/accounts/login/", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_web_import_answers_at_once_and_the_embedded_worker_does_the_work(site: Site):
    site.manage(
        "shell", "-c", "from articles.services.stories import story_get_or_create as s; s(title='Harbour')"
    )
    site.manage(
        "createsuperuser", "--noinput", "--username", "chief", "--email", "chief@example.org",
        DJANGO_SUPERUSER_PASSWORD="a long demo passphrase",
    )  # fmt: skip
    web = requests.Session()
    # Each analysis takes at least 5 s in the worker: had the request done the work, the articles would be
    # analysed by the time it answered.
    _, base = site.serve(web, WORKBENCH_TEST_ANALYSIS_DELAY="5")
    web.post(
        f"{base}/accounts/login/",
        data={
            "username": "chief",
            "password": "a long demo passphrase",
            "csrfmiddlewaretoken": web.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    ).raise_for_status()
    slug = site.rows("SELECT slug FROM articles_story")[0][0]
    seeds = sorted(SEEDS_DIR.glob("*.txt"))[:3]
    answer = web.post(
        f"{base}/stories/{slug}/import/",
        data={"csrfmiddlewaretoken": web.cookies["csrftoken"]},
        files=[("files", (path.name, path.read_bytes(), "text/plain")) for path in seeds],
        headers={"Referer": f"{base}/stories/{slug}/import/"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.text[:2000]
    analysed = site.rows("SELECT COUNT(*) FROM articles_article WHERE analyzed_at IS NOT NULL")[0][0]
    assert analysed == 0  # the request only recorded the work

    batch_page = base + answer.headers["Location"]
    site.wait_for("the import and its analyses", lambda: site.settled() and len(site.jobs()) >= 5, 300)
    report = web.get(batch_page, timeout=30).text
    assert 'hx-trigger="every 2s"' not in report  # the batch page stops polling
    assert report.count("Imported") >= 3
    kinds = [(kind, state) for _, kind, state, _, _ in site.jobs()]
    assert kinds.count(("analysis", "succeeded")) == 3
    assert kinds.count(("synthesis", "succeeded")) == 1
    workspace = web.get(f"{base}/stories/{slug}/", timeout=30).text
    assert site.rows("SELECT COUNT(*) FROM articles_claim")[0][0] > 0
    assert "No claims yet" not in workspace


def test_a_job_whose_worker_was_killed_runs_again_and_the_story_is_synthesised_once(site: Site):
    site.manage("import_articles", str(SEEDS_DIR), "--story", "Harbour", WORKBENCH_JOBS="worker")
    queued = site.jobs()
    assert [(kind, state) for _, kind, state, _, _ in queued] == [("analysis", "queued")] * 5

    first = site.start("run_jobs", WORKBENCH_JOBS="worker", WORKBENCH_TEST_ANALYSIS_DELAY="300", **LEASE)

    def started() -> bool:  # claimed and begun (its run counted), sleeping in the test hook
        return any(state == "running" and attempts == 1 for _, _, state, attempts, _ in site.jobs())

    site.wait_for("a job to start", started, 180)
    (killed,) = [job_id for job_id, _, state, _, _ in site.jobs() if state == "running"]
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert site.rows("SELECT state FROM articles_job WHERE id = ?", (killed,)) == [("running",)]

    site.start("run_jobs", WORKBENCH_JOBS="worker", **LEASE)
    site.wait_for("every job to finish", lambda: site.settled() and len(site.jobs()) == 6, 400)
    jobs = {job_id: (kind, state, attempts) for job_id, kind, state, attempts, _ in site.jobs()}
    seen = f"jobs: {site.jobs()}\n{site.logs()}"
    assert jobs[killed] == ("analysis", "succeeded", 2), seen
    succeeded = sorted(kind for kind, state, _ in jobs.values() if state == "succeeded")
    assert succeeded == ["analysis"] * 5 + ["synthesis"], seen
    assert site.rows("SELECT COUNT(*) FROM articles_claim")[0][0] > 0


def write_articles(folder: Path, count: int) -> None:
    """`count` distinct articles made from the seed stories' paragraphs (the repository's own data)."""
    folder.mkdir()
    paragraphs = [
        paragraph.strip()
        for path in sorted(SEEDS_DIR.glob("*.txt"))
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if len(paragraph.split()) >= 15
    ]
    for number in range(count):
        chosen = [paragraphs[(number * 7 + k) % len(paragraphs)] for k in range(4)]
        text = f"Harbour update {number}\n\nUpdate {number} from the newsroom.\n\n" + "\n\n".join(chosen)
        (folder / f"{number:03d}.txt").write_text(text, encoding="utf-8")


def test_two_imports_of_one_folder_at_once_both_finish_and_store_each_text_once(site: Site, tmp_path: Path):
    folder = tmp_path / "articles"
    write_articles(folder, 60)
    command = ["import_articles", str(folder), "--story", "Concurrent", "--no-analysis"]
    first, second = site.start(*command), site.start(*command)
    for process in (first, second):
        assert process.wait(timeout=400) == 0, site.logs()
    assert "Traceback" not in site.logs() and "locked" not in site.logs()
    ((stored, texts),) = site.rows("SELECT COUNT(*), COUNT(DISTINCT content_hash) FROM articles_article")
    assert stored == texts == 60  # each text once
    by_batch = site.rows("SELECT batch_id, COUNT(*) FROM articles_importitem GROUP BY batch_id")
    assert [count for _, count in by_batch] == [60, 60]  # every file reported by both imports
    assert site.rows("SELECT COUNT(*) FROM articles_importitem WHERE status = 'pending'") == [(0,)]


def children(pid: int) -> list[int]:
    """The processes `pid` started (Linux: /proc/PID/task/PID/children)."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_stopping_serve_with_sigterm_stops_its_web_server_and_workers(site: Site):
    """As a service manager, a container stop or `kill` stops it: nothing is left running on its own."""
    serve, base = site.serve()
    started = children(serve.pid)
    assert len(started) == 3  # two embedded workers and the web server
    serve.terminate()
    serve.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in started if running(pid)]
    assert not answers(base)
