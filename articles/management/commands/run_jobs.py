"""The embedded worker: runs the queued jobs on the embedded default (no Celery broker)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import worker


class Command(BaseCommand):
    help = (
        "Run the queued jobs (imports, analyses, syntheses) from the database, as the embedded worker that "
        "`manage.py serve` (make run) starts. Jobs left running by a process that stopped are queued again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="Stop once no job is queued, instead of waiting for more.",
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, metavar="SECONDS", help="How often to look for new jobs."
        )

    def handle(self, *args, until_idle: bool, poll: float, **options):
        if settings.JOBS_RUNNER == "celery":
            raise CommandError(
                "A Celery broker is configured (CELERY_BROKER_URL): jobs go to Celery workers. "
                "Start one with `make worker` (celery -A workbench worker) instead."
            )
        if poll <= 0:
            raise CommandError("--poll must be a positive number of seconds.")
        if not until_idle:
            self.stdout.write("The embedded worker is waiting for jobs (Ctrl-C to stop).")
        ran = worker.serve(poll_seconds=poll, until_idle=until_idle, log=self.stdout.write)
        if until_idle:
            self.stdout.write(f"{ran} job(s) run; none is queued.")
