"""Print a story as JSON for other programs: articles with summaries, entities, and the synthesis."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from articles.models import Story
from articles.services.export import story_export


class Command(BaseCommand):
    help = "Print a story (articles, summaries, entities, claims) as JSON on standard output."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The story's slug (see the admin or the story's address).")
        parser.add_argument("--format", choices=["json"], default="json", help="Output format (json).")
        parser.add_argument("--indent", type=int, default=2, help="Indentation of the JSON (0 for one line).")

    def handle(self, *args, slug: str, indent: int, **options):
        story = Story.objects.filter(slug=slug).first()
        if story is None:
            known = (
                ", ".join(Story.objects.order_by("slug").values_list("slug", flat=True)[:10]) or "none yet"
            )
            raise CommandError(f"No story with the slug {slug!r} (stories: {known}).")
        self.stdout.write(json.dumps(story_export(story), ensure_ascii=False, indent=indent or None))
