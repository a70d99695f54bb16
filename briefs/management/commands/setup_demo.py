"""Prepare the demo: the seed story imported and analysed, and the three demo accounts. Safe to run again."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Article

DEMO_STORY_TITLE = "Acting IRS commissioner resigns over IRS–DHS immigrant data-sharing deal"
DEMO_STORY_SLUG = "irs-commissioner-resigns"


def demo_password(password_file: Path) -> tuple[str, str]:
    """The demo password and where it came from: DEMO_PASSWORD, the saved file, or newly generated."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"], "from DEMO_PASSWORD"
    if password_file.exists() and password_file.read_text().strip():
        return password_file.read_text().strip(), f"saved in {password_file.name}"
    password = secrets.token_urlsafe(12)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return password, f"generated, saved in {password_file.name}"


def site_url(addrport: str = "") -> str:
    """The address to open in a browser: `addrport` (HOST:PORT) or else HOST and PORT from the environment
    (`make run PORT=9000` passes them on), as `manage.py serve` will listen; all interfaces read as this
    machine's loopback."""
    if not addrport:
        addrport = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
    host, _, port = addrport.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - a name for "every interface", not a bind
        host = "127.0.0.1"
    return f"http://{host}:{port}/"


class Command(BaseCommand):
    help = (
        "Import seeds/ as the demo story, analyse it, and create the demo accounts editor, chief and viewer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds", default=str(Path(settings.BASE_DIR) / "seeds"), help="Folder of seed files."
        )
        parser.add_argument(
            "--password-file",
            default=str(Path(settings.BASE_DIR) / ".demo-password"),
            help="Where a generated demo password is kept between runs.",
        )
        parser.add_argument(
            "--addrport",
            default="",
            help="HOST:PORT the workbench will be served at, for the message (default: $HOST and $PORT, "
            "else 127.0.0.1:8000).",
        )

    def handle(self, *args, seeds: str, password_file: str, addrport: str = "", **options):
        from articles import jobs
        from articles.importing import create_import_batch, sources_from_paths
        from articles.services.stories import story_get_or_create
        from briefs.services import ensure_demo_accounts

        seeds_dir = Path(seeds)
        if not seeds_dir.is_dir():
            raise CommandError(f"{seeds_dir}: no such folder of seed articles")

        story, created = story_get_or_create(title=DEMO_STORY_TITLE, slug=DEMO_STORY_SLUG)
        if created or not story.articles.exists():
            batch = create_import_batch(story, sources_from_paths([str(seeds_dir)]))
            batch = jobs.import_now(batch.pk)
            failed = batch.items.filter(status="failed")
            for item in failed:
                self.stderr.write(f"{item.source}: {item.message}")
            imported = batch.items.filter(status__in=["imported", "near_duplicate"]).count()
            self.stdout.write(f"Demo story “{story.title}”: {imported} articles imported from {seeds_dir}.")
        else:
            self.stdout.write(f"Demo story “{story.title}” already has {story.articles.count()} articles.")
            from articles.services.sources import fill_outlets_from_manifest

            filled = fill_outlets_from_manifest(story, seeds_dir)
            if filled:
                self.stdout.write(
                    f"Outlets of {filled} articles filled in from {seeds_dir / 'manifest.json'}."
                )

        pending = Article.objects.filter(story=story, analyzed_at__isnull=True)
        if pending.exists():
            with transaction.atomic():  # all queued before the first runs: one synthesis after the last
                for article in pending:
                    jobs.enqueue_analysis(article)
            if settings.CELERY_TASK_ALWAYS_EAGER:
                self.stdout.write("Demo story analysed.")
            else:
                self.stdout.write("Analysis queued for the Celery worker.")

        password, origin = demo_password(Path(password_file))
        users = ensure_demo_accounts(password)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (log in at {site_url(addrport)}):"))
        for user in users:
            groups = ", ".join(user.groups.values_list("name", flat=True))
            self.stdout.write(f"  {user.username:<8} password: {password}   ({groups})")
        self.stdout.write(f"  (password {origin})")
