"""Real Celery workers on Redis against the test PostgreSQL database.

Each test starts `celery -A workbench worker` as a subprocess (its own process group, so a test can kill it
and its pool with SIGKILL) on a queue named for this test session; the test process sends to that queue.
The worker gets DATABASE_URL pointing at pytest-django's test database, which the tests fill with
transactional_db so the worker sees committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from articles.importing import create_import_batch, run_import_batch, sources_from_paths
from articles.models import Job, Story
from tests.conftest import PROJECT_DIR, SEEDS_DIR

QUEUE = f"wb-test-{uuid.uuid4().hex[:10]}"
READY_TIMEOUT = 120


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    name: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: nothing gets to clean up or acknowledge."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Workers:
    tmp_path: Path
    started: list[Worker] = field(default_factory=list)

    def start(self, **extra_env: str) -> Worker:
        name = f"w{len(self.started) + 1}-{uuid.uuid4().hex[:6]}@%h"
        log_path = self.tmp_path / f"worker-{len(self.started) + 1}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.realstack.worker_settings",
            "WORKBENCH_TEST_QUEUE": QUEUE,
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "PYTHONPATH": str(PROJECT_DIR),
            **extra_env,
        }
        command = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "workbench",
            "worker",
            "-Q",
            QUEUE,
            "-n",
            name,
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log_path, name)
        self.started.append(worker)
        deadline = time.monotonic() + READY_TIMEOUT
        while " ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"The Celery worker did not start:\n{worker.log()[-3000:]}")
            time.sleep(0.3)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    from workbench.celery import app

    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        app.conf.task_default_queue = default_queue


@pytest.fixture
def seed_story(transactional_db) -> Story:
    story = Story.objects.create(title="Acting IRS commissioner resigns", slug="irs-commissioner-resigns")
    batch = create_import_batch(story, sources_from_paths([str(SEEDS_DIR)]), enqueue=False)
    run_import_batch(batch.pk, analyze=False)
    return story


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, workers: Workers | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(w.log()[-2500:] for w in workers.started) if workers else ""
            states = list(Job.objects.values_list("id", "kind", "state", "attempts", "error"))
            raise AssertionError(f"Timed out waiting for {what}; jobs: {states}\n{logs}")
        time.sleep(0.5)
