"""Fault drills: what the workbench does when Redis, a worker or the database goes away, and under contention.

Drills that kill a Celery worker or stop Redis are marked `realstack` (PostgreSQL + Redis + real workers); the
ones that need only PostgreSQL (terminating a backend, concurrent row locks) skip on SQLite with that reason.
The Redis-down drill starts its own redis-server on a free port, so stopping it never disturbs anyone else.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from kombu import pools as kombu_pools

from tests.realstack.conftest import workers as drill_workers  # noqa: F401 - the same real workers fixture
from tests.workbench.conftest import fast_password_hashing  # noqa: F401 - shared fixture

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL=postgres://...): the drill kills backends or takes row locks",
)


@pytest.fixture
def editor_client(accounts) -> Client:  # noqa: F811 - the shared accounts fixture
    client = Client()
    client.force_login(accounts["editor"])
    return client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisServer:
    """A throwaway redis-server of this test's own: no persistence, stopped and started on one port."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not start:\n{self.log_path.read_text()[-2000:]}")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH (apt-get install -y redis-server) to stop and restart Redis")
    server = RedisServer(port=free_port(), log_path=tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping pooled connections to the previous broker."""
    from workbench.celery import app

    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    # The app's pools are kombu's process-wide ones, registered per broker URL: closing one and keeping the
    # registry would hand the same closed pool back when the URL is used again. Reset them all instead.
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_broker(own_redis, settings) -> Iterator[RedisServer]:
    """The web side (this process) sends its tasks to `own_redis` for the test, then to the usual broker."""
    from workbench.celery import app

    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url
    _use_broker(own_redis.url)
    try:
        yield own_redis
    finally:
        _use_broker(previous)
