"""Send again the jobs that stayed queued because the broker was unreachable when they were created."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from articles.jobs import requeue_jobs


class Command(BaseCommand):
    help = (
        "Send queued jobs whose task never reached the broker (Redis down when they were created). "
        "Workers do this by themselves when they start."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also send queued jobs that did reach the broker (Redis lost its data); may run twice.",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Only jobs queued at least this long.",
        )

    def handle(self, *args, all: bool, older_than: int, **options):
        sent, waiting = requeue_jobs(
            include_sent=all, older_than=timedelta(seconds=older_than) if older_than else None
        )
        self.stdout.write(f"{sent} queued job(s) sent.")
        if waiting:
            self.stderr.write(
                f"{waiting} job(s) could not be sent: is the broker (CELERY_BROKER_URL) reachable?"
            )
