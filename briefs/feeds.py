"""The Atom feed of published briefs (public, like the briefs themselves)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from briefs import selectors
from briefs.models import Publication
from briefs.presentation import cite


class PublishedBriefsFeed(Feed):
    feed_type = Atom1Feed
    title = "Coverage Workbench: published briefs"
    subtitle = "Sourced briefs of news stories, as the editors published them."

    def link(self) -> str:
        return reverse("public_index")

    def items(self):
        return selectors.live_publications()

    def item_title(self, item: Publication) -> str:
        return item.revision.snapshot.get("headline") or item.brief.story.title

    def item_description(self, item: Publication) -> str:
        """The summary is type="html": readers render it as HTML, so every piece of text is escaped."""
        brief = cite(item.revision.snapshot)
        standfirst = format_html("<p>{}</p>", brief.standfirst) if brief.standfirst else ""
        items = format_html_join(
            "", "<p>{}. {}</p>", ((n, entry.text) for n, entry in enumerate(brief.items, start=1))
        )
        return standfirst + items

    def item_link(self, item: Publication) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Publication) -> str:
        return f"{item.get_absolute_url()}#publication-{item.pk}"

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_updateddate(self, item: Publication):
        return item.published_at

    def item_author_name(self, item: Publication) -> str | None:
        return item.published_by.get_username() if item.published_by else None
