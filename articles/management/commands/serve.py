"""`make run`: the web server and the embedded worker, side by side, on the embedded default."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve the workbench on the embedded default: the development web server and, in a process of its "
        "own, the embedded worker that runs imports, analyses and syntheses (manage.py run_jobs), so that no "
        "request waits for them. Ctrl-C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="HOST:PORT to listen on.")
        parser.add_argument(
            "--workers",
            type=int,
            default=max(1, min(2, os.cpu_count() or 1)),
            help="Embedded worker processes (default: one per core, at most 2); each runs one job at a time.",
        )

    def handle(self, *args, addrport: str, workers: int, **options):
        if settings.JOBS_RUNNER == "celery":
            raise CommandError(
                "A Celery broker is configured (CELERY_BROKER_URL): run the web server (gunicorn) and "
                "`make worker` instead; `serve` is for the embedded default."
            )
        host, _, port = addrport.rpartition(":")
        if not port.isdigit() or not host:
            raise CommandError(f"{addrport!r} is not HOST:PORT (for example 127.0.0.1:8000).")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        env = {**os.environ, "WORKBENCH_JOBS": "worker"}
        # The cores shared out: each worker's sentence encoder gets its part (EMBEDDING_THREADS overrides).
        worker_env = {"EMBEDDING_THREADS": str(max(1, (os.cpu_count() or 1) // workers)), **env}

        def stop(signum, frame):  # `kill`, a service manager, a closed terminal: the children stop too
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGHUP, stop)
        processes: dict[str, subprocess.Popen] = {}
        code = 0
        try:
            for n in range(workers):
                processes[f"embedded worker {n + 1}"] = subprocess.Popen(
                    [*manage, "run_jobs"], env=worker_env
                )
            processes["web server"] = subprocess.Popen(
                [*manage, "runserver", "--noreload", addrport], env=env
            )
            self.stdout.write(
                f"Serving the workbench at http://{addrport}/ ; imports and analyses run in {workers} "
                "embedded worker process(es) beside it. Ctrl-C (or a SIGTERM) stops them all."
            )
            while True:
                ended = {name: p.returncode for name, p in processes.items() if p.poll() is not None}
                if ended:
                    name, code = next(iter(ended.items()))
                    self.stderr.write(f"The {name} stopped (exit status {code}); stopping the others.")
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the clean-up short
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if code:
            sys.exit(code)
