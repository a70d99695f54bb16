"""Editorial models: a story's brief, its items, the revision after every edit, and its publications.

Writes go through briefs.services (each one does the write and its Revision in one transaction, guarded by the
brief's version counter); reads go through briefs.selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim, Sentence, Story


class Brief(models.Model):
    """The editors' brief of a story. `version` counts edits; a write expecting another version is refused."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="brief")
    headline = models.CharField(max_length=300, blank=True)
    standfirst = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated"]
        permissions = [
            ("edit_brief", "Can edit briefs"),
            ("publish_brief", "Can publish and unpublish briefs"),
            ("import_articles", "Can import articles into a story"),
            ("rerun_analysis", "Can re-run the analysis of a story"),
        ]

    def __str__(self) -> str:
        return self.headline or f"Brief of {self.story}"

    def get_absolute_url(self) -> str:
        return reverse("story_detail", args=[self.story.slug])


class BriefItem(models.Model):
    """One item of a brief. `version` counts changes of what the item says (its text, sources and settled
    flags, not its place in the list): an item-level edit expecting another version is refused, whatever
    happened to the rest of the brief. `updated`/`updated_by` say who made the last such change."""

    class Origin(models.TextChoices):
        CLAIM = "claim", "Claim"
        SENTENCE = "sentence", "Sentence"
        OWN = "own", "Own"
        MERGED = "merged", "Merged"

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    text = models.TextField()
    edited = models.BooleanField(default=False, help_text="The text differs from what the sources say.")
    origin = models.CharField(max_length=12, choices=Origin.choices)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    articles = models.ManyToManyField(
        Article, related_name="brief_items", blank=True, help_text="The sources."
    )
    sentences = models.ManyToManyField(Sentence, related_name="brief_items", blank=True)
    flag_resolutions = models.JSONField(
        default=list,
        blank=True,
        help_text="How the editor settled each discrepancy flag on this item: "
        '[{"key": ..., "resolution": "noted" | "kept_a" | "kept_b" | "reworded", "by": ..., "at": ...}] '
        "(briefs.checks).",
    )
    version = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["brief", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class Presence(models.Model):
    """Who has a story's brief open: every open brief pane of an editor pings (briefs.views.brief_presence)
    and so moves `last_seen`; a row not seen for briefs.selectors.PRESENCE_SECONDS is someone who left.

    Kept in the database (not the cache, which is local memory of one process on the embedded default) so
    that every web process sees everyone; one row per story and user, however many windows they have open."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="presence_one_per_story_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.story} ({self.last_seen:%H:%M:%S})"


class Revision(models.Model):
    """The whole brief as it was after one edit (see briefs.services.brief_snapshot for the schema)."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="The brief's version after this edit.")
    snapshot = models.JSONField()
    action = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["brief", "-number"]
        constraints = [models.UniqueConstraint(fields=["brief", "number"], name="revision_unique_number")]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.brief}: {self.action}"


class Publication(models.Model):
    """A revision frozen at the story's public permalink, from published_at until unpublished_at."""

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="publications")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="publications")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="The pre-publish warnings the publisher confirmed when publishing (briefs.checks).",
    )
    unpublished_at = models.DateTimeField(null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["brief"], condition=models.Q(unpublished_at__isnull=True), name="one_live_publication"
            )
        ]

    def __str__(self) -> str:
        return f"{self.brief} (revision {self.revision.number}, {self.published_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("public_brief", args=[self.brief.story.slug])

    @property
    def is_live(self) -> bool:
        return self.unpublished_at is None
