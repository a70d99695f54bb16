"""python manage.py import_articles PATH_OR_URL... --story "Title" """

from __future__ import annotations

import io
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from articles import jobs
from articles.importing import BatchRejected, create_import_batch, sources_from_paths
from articles.importing.readers import FORMATS
from articles.models import ImportBatch, ImportItem
from articles.rules import shorten
from articles.services.stories import StoryNameError, story_get_or_create

STATUS_STYLES = {
    ImportItem.Status.IMPORTED: "green",
    ImportItem.Status.NEAR_DUPLICATE: "cyan",
    ImportItem.Status.DUPLICATE: "yellow",
    ImportItem.Status.FAILED: "bold red",
    ImportItem.Status.PENDING: "magenta",
}


class Command(BaseCommand):
    # Importing needs the database, not the URL configuration or templates: it runs even when those break.
    requires_system_checks: list[str] = []
    help = (
        "Import articles into a story from files, folders (read recursively, hidden files skipped) and web "
        "addresses of pages or RSS/Atom feeds. Exits with status 1 when any item failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH_OR_URL", help="Files, folders or http(s) URLs.")
        parser.add_argument(
            "--story", default="", help="The story's title; the story is created when missing."
        )
        parser.add_argument(
            "--story-slug",
            default="",
            help="The story's slug (default: made from --story); created when missing.",
        )
        parser.add_argument(
            "--format",
            choices=sorted(FORMATS - {"url"}),
            help="Read every file as this format instead of going by its name.",
        )
        parser.add_argument(
            "--no-analysis", action="store_true", help="Store the articles without queueing their analysis."
        )

    def handle(self, *args, **options) -> None:
        if not options["story"].strip() and not options["story_slug"].strip():
            raise CommandError('Name the story: --story "Title" (or --story-slug slug).')
        try:
            story, created = story_get_or_create(title=options["story"], slug=options["story_slug"])
        except StoryNameError as exc:
            raise CommandError(str(exc)) from None
        sources = sources_from_paths(options["paths"])
        if not sources:
            raise CommandError("Nothing to import: the folders given hold no files.")
        if options["format"]:
            sources = [replace(source, format_hint=options["format"]) for source in sources]
        try:
            batch = create_import_batch(story, sources)
        except BatchRejected as exc:
            raise CommandError(str(exc)) from None

        verb = "Created" if created else "Importing into"
        self.stdout.write(
            f"{verb} story “{story.title}” ({story.slug}): {len(sources)} source(s), batch #{batch.pk}"
        )
        analyze = not options["no_analysis"]
        if self.stdout.isatty():
            self._run_with_progress_bar(batch, analyze=analyze)
        else:
            jobs.import_now(batch.pk, analyze=analyze)

        items = list(batch.items.select_related("article", "duplicate_of").order_by("position", "entry"))
        self.stdout.write(self._summary_table(items), ending="")
        counts = {status: sum(item.status == status for item in items) for status in ImportItem.Status}
        self.stdout.write(
            f"{counts[ImportItem.Status.IMPORTED]} imported, {counts[ImportItem.Status.NEAR_DUPLICATE]} "
            f"near-duplicate(s) stored, {counts[ImportItem.Status.DUPLICATE]} duplicate(s) skipped, "
            f"{counts[ImportItem.Status.FAILED]} failed; "
            f"the story now has {story.articles.count()} article(s)."
        )
        failed = counts[ImportItem.Status.FAILED] + counts[ImportItem.Status.PENDING]
        if failed:
            raise CommandError(
                f"{failed} of {len(items)} item(s) could not be imported; reasons in the table above."
            )

    def _run_with_progress_bar(self, batch: ImportBatch, *, analyze: bool) -> None:
        console = Console(file=getattr(self.stdout, "_out", self.stdout))
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("Importing", total=batch.items.values("position").distinct().count())

            def advance(done: int, total: int, item: ImportItem) -> None:
                bar.update(task, completed=done, total=total, description=shorten(item.source, 40))

            jobs.import_now(batch.pk, progress=advance, analyze=analyze)

    def _summary_table(self, items: list[ImportItem]) -> str:
        tty = self.stdout.isatty()
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=None if tty else 240,
            force_terminal=tty,
            no_color=not tty,
            highlight=False,
        )
        table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False)
        table.add_column("Source", overflow="fold")
        table.add_column("Status", no_wrap=True)
        table.add_column("Article or reason", overflow="fold")
        for item in items:
            status = Text(item.get_status_display(), style=STATUS_STYLES.get(item.status, ""))
            table.add_row(item.source, status, _outcome(item))
        console.print(table)
        return buffer.getvalue()


def _outcome(item: ImportItem) -> Text:
    text = Text()
    if item.status == ImportItem.Status.FAILED:
        return Text(_without_source(item.message, item.source), style="red")
    if item.status == ImportItem.Status.PENDING:
        return Text("not processed (interrupted); run the import again", style="magenta")
    if item.status == ImportItem.Status.DUPLICATE and item.duplicate_of is not None:
        text.append(
            f"same text as #{item.duplicate_of.pk} “{shorten(item.duplicate_of.title, 60)}”; not stored"
        )
    elif item.article is not None:
        text.append(f"#{item.article.pk} “{shorten(item.article.title, 70)}”")
        if item.status == ImportItem.Status.NEAR_DUPLICATE and item.duplicate_of is not None:
            text.append(
                f" — near-duplicate of #{item.duplicate_of.pk} ({(item.similarity or 0):.0%} similar)",
                style="cyan",
            )
    if item.message:
        for warning in item.message.splitlines():
            text.append(f"\nwarning: {_without_source(warning, item.source)}", style="yellow")
    return text


def _without_source(message: str, source: str) -> str:
    """The reason alone: the table's first column already names the source."""
    rest = message[len(source) :] if message.startswith(source) else ""
    if rest[:1] in (":", ",", " ") and rest.strip():
        return rest.lstrip(":, ")  # ": empty file", " line 4, column 2: ...", ", column 61: ..."
    return message
