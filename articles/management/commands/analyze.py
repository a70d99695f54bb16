"""Analyse articles in this process (sentences, summary, entities), with a progress bar.

One article's trouble never stops the others: an article deleted before or during its analysis is reported
as skipped, and one that fails is reported at the end, after all the others ran.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from articles.jobs import enqueue_analysis, maybe_enqueue_synthesis, run_analysis_job
from articles.models import Article, Job, Story
from articles.nlp.summarizers import ALGORITHMS, SummaryError, check_algorithm


class Command(BaseCommand):
    help = (
        "Analyse articles: sentences (boilerplate marked), a summary with the chosen algorithm, "
        "entity mentions and the story's entities. Without --force only what is missing is computed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--story", metavar="SLUG", help="Only this story's articles (default: all stories)."
        )
        parser.add_argument(
            "--algorithm",
            metavar="NAME",
            help=f"Summary algorithm: {', '.join(ALGORITHMS)} (default: the SUMMARY_ALGORITHM setting).",
        )
        parser.add_argument("--force", action="store_true", help="Recompute everything, even if analysed.")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the work for the Celery workers instead of running it here.",
        )

    def handle(self, *args, story: str | None, algorithm: str | None, force: bool, queue: bool, **options):
        if algorithm:
            try:
                algorithm = check_algorithm(algorithm)
            except SummaryError as exc:
                raise CommandError(str(exc)) from None
        articles = Article.objects.order_by("story_id", "id")
        if story:
            found = Story.objects.filter(slug=story).first()
            if found is None:
                raise CommandError(f"No story with the slug {story!r}.")
            articles = articles.filter(story=found)
        selected, articles = articles, list(articles)
        if not articles:
            self.stdout.write("No articles to analyse.")
            return
        if queue:
            # All the jobs exist before the first is sent, so that only the last to finish finds its story
            # settled and queues the synthesis.
            with transaction.atomic():
                for article in articles:
                    enqueue_analysis(article, algorithm=algorithm, force=force)
            self.stdout.write(f"{len(articles)} analysis job(s) queued.")
            return

        failures: list[str] = []
        vanished: list[str] = []
        columns = [
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ]
        with Progress(*columns, transient=not self.stdout.isatty()) as bar:
            progress = bar.add_task("Analysing", total=len(articles))
            for article in articles:
                bar.update(progress, description=f"Analysing {article.title[:40]}")
                error = self._analyse(article, algorithm, force)
                label = f"Article {article.pk} “{article.title[:60]}”"
                if not Article.objects.filter(pk=article.pk).exists():
                    vanished.append(f"{label}: deleted before or during its analysis; nothing was saved.")
                elif error:
                    failures.append(error)
                bar.advance(progress)
        # Each story's synthesis once, when all of its articles are done (not after each one).
        for story_id in dict.fromkeys(article.story_id for article in articles):
            maybe_enqueue_synthesis(story_id)
        left_out = [
            f"Article {pk} “{title[:60]}”: {note}"
            for pk, title, note in selected.exclude(analysis_note="").values_list(
                "pk", "title", "analysis_note"
            )
        ]
        done = len(articles) - len(failures) - len(left_out) - len(vanished)
        self.stdout.write(f"{done} of {len(articles)} article(s) analysed.")
        if left_out:
            self.stdout.write(f"{len(left_out)} left out:\n  " + "\n  ".join(left_out))
        if vanished:
            self.stdout.write(f"{len(vanished)} skipped:\n  " + "\n  ".join(vanished))
        if failures:
            raise CommandError("Some articles could not be analysed:\n  " + "\n  ".join(failures))

    def _analyse(self, article: Article, algorithm: str | None, force: bool) -> str:
        """Run one article's analysis job; the job's error, or "" when it succeeded."""
        try:
            job = Job.objects.create(
                kind=Job.Kind.ANALYSIS,
                story_id=article.story_id,
                article=article,
                params={"algorithm": algorithm, "force": force, "source": "analyze command"},
                progress_total=3,
            )
            finished = run_analysis_job(job.pk, synthesise=False)
        except DatabaseError as exc:
            # The article (and its job with it) deleted meanwhile, or a database that stayed unwritable:
            # reported with this article, and the others go on.
            return (
                f"Article {article.pk} “{article.title[:60]}”: its analysis could not be recorded ({exc}); "
                "run the analysis again."
            )
        if finished is not None and finished.state == Job.State.FAILED:
            return finished.error
        return ""
