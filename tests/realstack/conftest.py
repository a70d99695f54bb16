"""Real Celery workers on Redis against the test PostgreSQL database.

Each test starts `celery -A workbench worker` as a subprocess (its own process group, so a test can kill it
and its pool with SIGKILL) consuming the project's queues (imports, analysis, synthesis) under names of this
test session's own (tests/realstack/worker_settings.py); the test process routes its tasks to those.
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

from articles.models import Job, Story
from tests.conftest import PROJECT_DIR, make_seed_story

QUEUE = f"wb-test-{uuid.uuid4().hex[:10]}"
READY_TIMEOUT = 120


def session_queue(queue: str) -> str:
    """This session's name for one of the project's queues (as worker_settings.queue_of names it)."""
    return f"{QUEUE}-{queue}"


# Everything a worker of this session consumes: the project's queues, and the default for anything unrouted.
TEST_QUEUES = [session_queue(queue) for queue in settings.TASK_QUEUES] + [QUEUE]
TEST_ROUTES = {
    name: {**route, "queue": session_queue(route["queue"])}
    for name, route in settings.CELERY_TASK_ROUTES.items()
}


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
        command = [
            "worker",
            "-Q",
            ",".join(TEST_QUEUES),
            "-n",
            name,
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
        return self._spawn(command, name, " ready.", extra_env)

    def start_beat(self, **extra_env: str) -> Worker:
        """celery beat, sending this session's schedule (CELERY_BEAT_SCHEDULE) to this session's queues."""
        schedule = self.tmp_path / f"celerybeat-schedule-{len(self.started) + 1}"
        command = ["beat", "--schedule", str(schedule), "--loglevel=INFO"]
        return self._spawn(command, "beat", "beat: Starting", extra_env)

    def _spawn(self, command: list[str], name: str, ready: str, extra_env: dict[str, str]) -> Worker:
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
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "celery"), "-A", "workbench", *command],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log_path, name)
        self.started.append(worker)
        deadline = time.monotonic() + READY_TIMEOUT
        while ready not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"The Celery {command[0]} did not start:\n{worker.log()[-3000:]}")
            time.sleep(0.3)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    from workbench.celery import app

    saved = {"task_default_queue": app.conf.task_default_queue, "task_routes": app.conf.task_routes}
    # update(), not assignment: Celery rebuilds its cached router only when told through update().
    app.conf.update(task_default_queue=QUEUE, task_routes=TEST_ROUTES)
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        app.conf.update(saved)
        _empty_session_queues()


def _empty_session_queues() -> None:
    """What the stopped workers left unread (celery beat's last sends, say) must not reach the next test."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        client.delete(QUEUE, *(session_queue(name) for name in settings.TASK_QUEUES))
    finally:
        client.close()


@pytest.fixture
def seed_story(transactional_db) -> Story:
    return make_seed_story()


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
