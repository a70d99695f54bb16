"""The coverage domain: outlets, stories, articles, imports, background jobs, and what analysis derives.

Models hold data and invariants only. Writes go through services (articles.importing, articles.services),
reads through selectors; see the README's architecture section.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from articles.nlp.language import language_name, unsupported_marker
from articles.nlp.types import SentenceSpan
from articles.rules import is_http_url

UNKNOWN_OUTLET = "Unknown outlet"


class Outlet(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Story(models.Model):
    """One coverage cluster: every outlet's articles about one event.

    A story an editor creates is a story at once. One the workbench formed by itself from a watched feed's
    entries (articles.services.inbox) is a *candidate* in the Inbox until an editor accepts it (or merges it
    into another story: it is then *merged*, empty, and kept so that the merge can be undone)."""

    class Status(models.TextChoices):
        STORY = "story", "Story"
        CANDIDATE = "candidate", "In the Inbox"
        MERGED = "merged", "Merged"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STORY, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The story this candidate was merged into.",
    )

    class Meta:
        ordering = ["-updated"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("story_detail", args=[self.slug])


class SourceFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"
    URL = "url", "Web page"
    FEED = "feed", "RSS/Atom feed"
    JSON = "json", "JSON"
    JSONL = "jsonl", "JSON Lines"
    CSV = "csv", "CSV"
    PASTE = "paste", "Pasted text"
    JSONFEED = "jsonfeed", "JSON Feed"
    JSONLD = "jsonld", "schema.org JSON-LD"
    NEWSML = "newsml", "NewsML-G2"
    NITF = "nitf", "NITF"
    IPTC7901 = "iptc7901", "IPTC 7901"
    EMAIL = "email", "E-mail"


class Article(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="articles")
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.CharField(max_length=500)
    standfirst = models.TextField(blank=True, help_text="A subheadline or second headline variant.")
    byline = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_time_known = models.BooleanField(
        default=True,
        help_text="False when the source gave the date without a time of day: the date is shown alone "
        "(published_at holds midnight UTC of that date).",
    )
    body = models.TextField()
    language = models.CharField(
        max_length=12,
        blank=True,
        default="en",
        help_text="ISO 639-1 code, detected at import (articles.nlp.language); empty when unknown.",
    )
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised body text.")
    source_format = models.CharField(max_length=12, choices=SourceFormat.choices)
    source_name = models.CharField(max_length=1000, blank=True, help_text="File name, URL or feed entry.")
    raw_input = models.TextField(blank=True, help_text="The input as received, kept for audit.")
    import_batch = models.ForeignKey(
        "ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    near_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_duplicates"
    )
    near_duplicate_similarity = models.FloatField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    analyzed_at = models.DateTimeField(null=True, blank=True)
    analysis_note = models.TextField(
        blank=True,
        help_text="Why the last analysis left the article out (e.g. a language the pipeline cannot read); "
        "analyzed_at is still set, as there is nothing left to do.",
    )
    # What the story clustering compares (articles.nlp.stories): the unit mean embedding of the title and lead
    # (float32 bytes) and the article's content-word and name counts. Kept once computed.
    story_vector = models.BinaryField(null=True, blank=True, editable=False)
    story_terms = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["published_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "content_hash"], name="article_unique_text_per_story"),
        ]
        indexes = [
            models.Index(fields=["story", "created"]),
            # A watched feed's entries are imported once in the whole workbench: found by address and text.
            models.Index(fields=["url"], name="article_url"),
            models.Index(fields=["content_hash"], name="article_content_hash"),
            models.Index(fields=["source_name"], name="article_source_name"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def link_url(self) -> str:
        """The URL to link to: only http(s), so a stored javascript: or data: URL never becomes a link."""
        return self.url if is_http_url(self.url) else ""

    @property
    def url_host(self) -> str:
        """The host of the article's http(s) URL, without "www." ("" without one).

        Read only when the URL was loaded with the article: a list that left it out (`.only()`) does not
        make one query per article for it."""
        url = self.__dict__.get("url") or ""
        if not is_http_url(url):
            return ""
        try:
            host = urlsplit(url.strip()).hostname or ""
        except ValueError:
            return ""
        return host.removeprefix("www.")

    @property
    def source_label(self) -> str:
        """Who published the article, for people: the outlet's name, else its URL's host, else "Unknown
        outlet". Never the file name or the headline (shown beside it anyway, and no outlet's name)."""
        if self.outlet_id:
            return self.outlet.name
        return self.url_host or UNKNOWN_OUTLET

    @property
    def imported_from(self) -> str:
        """What the article was imported from, for editors: the file's name (not the server's path), the URL
        or feed entry, or the paste's label."""
        if (
            self.source_format in (SourceFormat.URL, SourceFormat.FEED, SourceFormat.JSONFEED)
            or "://" in self.source_name
        ):
            return self.source_name
        return self.source_name.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def source_key(self) -> str:
        """Which independent source the article is, for counting: its outlet, or itself when the outlet is
        unknown (two articles of unknown outlets may well be two outlets)."""
        return self.source_key_of(self.outlet_id, self.pk)

    @staticmethod
    def source_key_of(outlet_id: int | None, article_id: int) -> str:
        """source_key from the two ids (for reads that fetch values, not instances)."""
        return f"outlet:{outlet_id}" if outlet_id else f"article:{article_id}"

    @property
    def language_name(self) -> str:
        """The language for a person ("German"); "" when unknown."""
        return language_name(self.language)

    @property
    def language_marker(self) -> str:
        """What the workspace shows on an article the pipeline cannot read ("German — not analysed (the
        pipeline reads English only)"); "" for a language it reads, or an unknown one."""
        return unsupported_marker(self.language)


class SourceCorrection(models.Model):
    """One correction of an article's source details (outlet, URL, byline, date) made in the workbench: who,
    when, and each changed field before and after. Written by articles.services.sources; never edited."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="source_corrections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the account is deleted.")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    changes = models.JSONField(
        default=dict,
        help_text='{"field": ["before", "after"]} for outlet, url, byline and published_at (ISO 8601); '
        '"" is unknown.',
    )

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.username or 'someone'} corrected {', '.join(self.changes)} of article {self.article_id}"
        )

    @property
    def summary(self) -> str:
        """The changes for people: outlet “Unknown” → “Harbour Gazette”; URL added. In the form's order of the
        fields (PostgreSQL's jsonb keeps keys in its own order)."""
        order = list(SOURCE_FIELD_NAMES)
        fields = sorted(self.changes, key=lambda f: order.index(f) if f in order else len(order))
        return "; ".join(describe_change(field, *self.changes[field]) for field in fields)


SOURCE_FIELD_NAMES = {"outlet": "outlet", "url": "URL", "byline": "byline", "published_at": "date"}


def describe_change(field: str, before: str, after: str) -> str:
    name = SOURCE_FIELD_NAMES.get(field, field)
    if field == "published_at":
        before, after = _date_for_people(before), _date_for_people(after)
    if not before:
        return f"{name} “{after}” added"
    if not after:
        return f"{name} “{before}” removed"
    return f"{name} “{before}” → “{after}”"


def _date_for_people(value: str) -> str:
    from django.utils.dateformat import format as date_format
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(value) if value else None
    return date_format(timezone.localtime(moment), "j M Y, H:i") if moment else value


class ImportBatch(models.Model):
    story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="import_batches",
        help_text="Empty for a batch of an Inbox source: each article goes to the story it belongs to.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    inputs = models.JSONField(default=list, help_text="What was given: file names, URLs, pasted text labels.")
    finished = models.DateTimeField(null=True, blank=True)
    watched_source = models.ForeignKey(
        "WatchedSource",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batches",
        help_text="The watched feed whose poll made this batch: its entries are imported once in the "
        "whole workbench.",
    )

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import #{self.pk} into {self.story or 'the Inbox'}"


class WatchedSource(models.Model):
    """A feed (RSS, Atom, JSON Feed) the workbench polls on its own, importing each new entry into its story
    (or, with no story, into the story each entry reports on: the Inbox, articles.services.inbox).

    Polling is conditional (the validators the server sent last, `etag` and `last_modified`); a failure is
    recorded on the source (`last_error`) and backs the next poll off (`failures`). What a poll found is
    `last_result`; the articles it brought are in its import batches (`batches`)."""

    class State(models.TextChoices):
        ACTIVE = "active", "Watched"
        PAUSED = "paused", "Paused"

    name = models.CharField(
        max_length=200, blank=True, help_text="Shown in lists; the feed's title if empty."
    )
    url = models.URLField(max_length=2000, unique=True, help_text="The feed's address (http or https).")
    story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watched_sources",
        help_text="Empty: each entry goes to the story it reports on, or starts a new one in the Inbox.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interval_minutes = models.PositiveIntegerField(default=15, help_text="Minutes between two polls.")
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    created = models.DateTimeField(default=timezone.now)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="Last poll that found new content."
    )
    last_result = models.CharField(max_length=300, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row.")
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the feed as last read; the same bytes are skipped."
    )

    class Meta:
        ordering = ["name", "url"]

    def __str__(self) -> str:
        return self.name or self.url

    def get_absolute_url(self) -> str:
        return reverse("source_list")

    def clean(self) -> None:
        """What the admin's form checks too: an http(s) address, polled no more often than the minimum."""
        from django.core.exceptions import ValidationError

        problems = {}
        if not is_http_url(self.url):
            problems["url"] = "Only http:// and https:// feeds can be watched."
        if self.interval_minutes is not None and self.interval_minutes < settings.SOURCE_MIN_INTERVAL_MINUTES:
            problems["interval_minutes"] = (
                f"A source is polled at most every {settings.SOURCE_MIN_INTERVAL_MINUTES} minutes."
            )
        if problems:
            raise ValidationError(problems)


class StoryAction(models.Model):
    """An editor's action on the stories the workbench formed (the Inbox), recorded so it can be undone.

    `moves` lists each article moved, `[article id, story it left, story it joined]`; `statuses` each
    story whose status the action changed, `[story id, status before, status after]`, and `titles` each
    story renamed, `[story id, title before, title after]`. Undoing applies them backwards."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", "Accepted"
        MERGE = "merge", "Merged"
        SPLIT = "split", "Split"
        MOVE = "move", "Moved"
        PLACE = "place", "Placed automatically"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    story = models.ForeignKey(
        Story, null=True, on_delete=models.SET_NULL, related_name="actions", help_text="The story acted on."
    )
    other = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The other story: merged into, split into, moved to.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=500)
    moves = models.JSONField(default=list, blank=True)
    statuses = models.JSONField(default=list, blank=True)
    titles = models.JSONField(default=list, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.summary


class ImportItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IMPORTED = "imported", "Imported"
        DUPLICATE = "duplicate", "Duplicate"
        NEAR_DUPLICATE = "near_duplicate", "Near-duplicate"
        FAILED = "failed", "Failed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    entry = models.PositiveIntegerField(
        default=0,
        help_text="Which article of a source that holds several (feed, JSON list, CSV); 0 otherwise.",
    )
    source = models.CharField(max_length=1000, help_text="File name (and line or entry) or URL.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payload = models.BinaryField(
        null=True, blank=True, help_text="The source's bytes, kept until it is processed."
    )
    source_url = models.URLField(max_length=2000, blank=True, help_text="A page or feed to fetch.")
    format_hint = models.CharField(max_length=12, blank=True)
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text='What the importer said of the source\'s articles: {"outlet", "url", "published_at"} '
        "(the import form's fields, a folder's manifest.json).",
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_items"
    )
    duplicate_of = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    similarity = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="The reason for a failure, or a warning.")

    class Meta:
        ordering = ["batch", "position", "entry"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position", "entry"], name="import_item_unique_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.get_status_display()}"


class Job(models.Model):
    """One unit of background work, visible to editors: an import, an article's analysis, a synthesis."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        ANALYSIS = "analysis", "Article analysis"
        SYNTHESIS = "synthesis", "Story synthesis"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="What went wrong, for a person.")
    created = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life of the process running the job (its lease): a running job whose "
        "heartbeat is older than JOB_LEASE_SECONDS was left by a process that stopped.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["story", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


# --- What analysis derives from one article -------------------------------------------------------


class Sentence(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sentences")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField(help_text="Character offset into the article body.")
    end = models.PositiveIntegerField()
    text = models.TextField()
    is_boilerplate = models.BooleanField(default=False)
    boilerplate_reason = models.CharField(max_length=100, blank=True)
    embedding = models.BinaryField(
        null=True, blank=True, editable=False, help_text="Sentence embedding (float16), computed at analysis."
    )

    class Meta:
        ordering = ["article", "index"]
        constraints = [models.UniqueConstraint(fields=["article", "index"], name="sentence_unique_index")]

    def __str__(self) -> str:
        return self.text[:80]

    def to_span(self) -> SentenceSpan:
        """The pipeline's view of this sentence."""
        return SentenceSpan(
            self.index, self.start, self.end, self.text, self.is_boilerplate, self.boilerplate_reason
        )


class Summary(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="summaries")
    algorithm = models.CharField(max_length=20)
    params = models.JSONField(default=dict, help_text="Length and algorithm options, to reproduce it.")
    versions = models.JSONField(default=dict, help_text="Library and model versions used.")
    sentence_indices = models.JSONField(default=list)
    text = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "algorithm"]
        verbose_name_plural = "summaries"
        constraints = [
            models.UniqueConstraint(fields=["article", "algorithm"], name="summary_unique_algorithm"),
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} summary of {self.article}"


# --- What synthesis derives across a story ----------------------------------------------------------


class Entity(models.Model):
    """One real-world referent, consolidated across all the articles of a story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="entities")
    name = models.CharField(max_length=300)
    label = models.CharField(max_length=20)
    aliases = models.JSONField(default=list)
    mention_count = models.PositiveIntegerField(default=0)
    articles = models.ManyToManyField(Article, related_name="entities", blank=True)

    class Meta:
        ordering = ["-mention_count", "name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(fields=["story", "name", "label"], name="entity_unique_per_story"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.label})"


class Mention(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    label = models.CharField(max_length=20, help_text="The label spaCy gave this mention.")

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "start", "end"], name="mention_unique_span"),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.label})"


class Claim(models.Model):
    """Sentences from different articles of a story that report the same fact."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(help_text="The representative sentence.")
    representative = models.ForeignKey(Sentence, null=True, on_delete=models.SET_NULL, related_name="+")
    sentences = models.ManyToManyField(Sentence, related_name="claims")
    support = models.PositiveIntegerField(default=1, help_text="How many sources report it.")
    unique = models.BooleanField(
        default=False,
        help_text="Unique reporting: one source, and no other source has a sentence close to it "
        "(UNIQUE_MAX_SIMILARITY).",
    )
    closest = models.ForeignKey(
        Sentence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For a one-source claim: the most similar sentence of another source.",
    )
    closest_similarity = models.FloatField(null=True, blank=True)
    salience = models.FloatField(default=0.0)
    entities = models.ManyToManyField(Entity, related_name="claims", blank=True)

    class Meta:
        ordering = ["story", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class Discrepancy(models.Model):
    """Two sources that state the same checkable detail differently.

    `claim` is the claim of `sentence_a`; `other_claim` the claim of `sentence_b` when the two sentences did
    not end up in one claim (the flag is shown on both)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="discrepancies")
    other_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="other_discrepancies"
    )
    kind = models.CharField(max_length=20, help_text="number, date, time, place, name, role, status")
    sentence_a = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="+")
    sentence_b = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="+")
    value_a = models.CharField(max_length=300)
    value_b = models.CharField(max_length=300)
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["claim", "id"]
        verbose_name_plural = "discrepancies"

    def __str__(self) -> str:
        return f"{self.kind}: {self.value_a} / {self.value_b}"


class ArticleOverlap(models.Model):
    """How much of `article` the `other` article covers (0..1); not symmetric."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="overlaps")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="overlaps")
    other = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    coverage = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "other"], name="overlap_unique_pair")]

    def __str__(self) -> str:
        return f"{self.other_id} covers {self.coverage:.0%} of {self.article_id}"


class CandidateBrief(models.Model):
    """The machine's first draft of a story's brief, recorded with how it was made."""

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="candidate_brief")
    algorithm = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Candidate brief for {self.story}"


class CandidateBriefSentence(models.Model):
    candidate = models.ForeignKey(CandidateBrief, on_delete=models.CASCADE, related_name="sentences")
    position = models.PositiveIntegerField()
    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["candidate", "position"]

    def __str__(self) -> str:
        return self.sentence.text[:80]
