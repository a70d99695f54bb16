"""A story's timeline as an Atom feed, for an editor who follows the story in a feed reader.

Feed readers send no session cookie, so the feed's address carries a key: the user's and the story's ids,
signed with the SECRET_KEY (django.core.signing). The key is personal: the feed answers only while its user's
account is active and may read stories, and it is refused for any other story. It shows what the workbench
shows that user on the timeline page, newest first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from articles.models import Story
from articles.selectors import TimelineEvent
from briefs import selectors as brief_reads

SALT = "web.feeds.story-timeline"
EVENTS_SHOWN = 50
INVALID = (
    "This feed's address is not valid for this story (or its account may no longer read it): copy it again "
    "from the story's timeline."
)


def timeline_feed_url(user, story: Story) -> str:
    """The feed's address for this user and story (the key is signed, never stored)."""
    key = signing.dumps({"u": user.pk, "s": story.pk}, salt=SALT, compress=True)
    return f"{reverse('story_timeline_feed', args=[story.slug])}?key={key}"


@dataclass(frozen=True)
class FeedEntry:
    story: Story
    event: TimelineEvent


class StoryTimelineFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str) -> Story:
        story = get_object_or_404(Story, slug=slug)
        try:
            key = signing.loads(request.GET.get("key", ""), salt=SALT)
        except signing.BadSignature:
            raise PermissionDenied(
                "This feed's address is not valid: copy it again from the timeline."
            ) from None
        user = get_user_model().objects.filter(pk=key.get("u"), is_active=True).first()
        if key.get("s") != story.pk or user is None or not user.has_perm("articles.view_story"):
            raise PermissionDenied(
                "This feed's address is not valid for this story, or its account may not read."
            )
        return story

    def title(self, story: Story) -> str:
        return f"{story.title}: timeline"

    def subtitle(self, story: Story) -> str:
        return (
            "Each outlet's first report, each claim's second source, each discrepancy between sources, each "
            "discrepancy settled in the brief."
        )

    def link(self, story: Story) -> str:
        return reverse("story_timeline", args=[story.slug])

    def items(self, story: Story) -> list[FeedEntry]:
        events = list(reversed(brief_reads.story_timeline(story)))[:EVENTS_SHOWN]
        return [FeedEntry(story, event) for event in events]

    def item_title(self, entry: FeedEntry) -> str:
        event = entry.event
        if event.kind == "claim":
            return f"{len(event.sources)} sources: {event.text}"
        return event.text

    def item_description(self, entry: FeedEntry) -> str:
        """type="html": every piece of text is escaped."""
        event = entry.event
        if event.kind == "claim":
            sources = ((label, f"{when:%Y-%m-%d %H:%M} UTC") for label, when in event.sources)
            return format_html("<p>Reported by {}</p>", format_html_join(", ", "{} ({})", sources))
        return format_html("<p>{}</p>", event.detail)

    def item_link(self, entry: FeedEntry) -> str:
        return reverse("story_timeline", args=[entry.story.slug])

    def item_guid(self, entry: FeedEntry) -> str:
        event = entry.event
        digest = hashlib.sha256(f"{event.kind}:{event.text}".encode()).hexdigest()[:16]
        article = event.article.pk if event.article else 0
        return f"{self.item_link(entry)}#{event.kind}-{article}-{digest}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry: FeedEntry):
        return entry.event.when

    def item_updateddate(self, entry: FeedEntry):
        return entry.event.when
