"""Watched sources: feeds the workbench polls by itself; each new entry is imported once, into a story (the
source's story, or for an Inbox source the story the entry reports on: articles.services.inbox).

The editor adds a feed (RSS, Atom or JSON Feed) with the story it feeds and how often to look; given a site's
page instead, the first poll finds the feed the page declares (`<link rel="alternate">`) and watches that,
and a page that declares none is watched as a *section page*: its links to articles
(articles.importing.pagemeta.section_links) are its entries. A poll:

1. fetches the feed with the validators the server sent last time (`If-None-Match`, `If-Modified-Since`); a
   304 answer, or the same bytes as last time, is "no change" and costs nothing more;
2. when it changed, looks at its entries' links: when every one is already in the workbench (as an article's
   address, or the link it was fetched from, in any story) nothing is imported;
3. otherwise records an import batch of the feed for the source's story (none for an Inbox source), marked
   as the source's: the import (articles.importing.service) skips the entries already imported without
   fetching their pages again, and counts a text or address found anywhere in the workbench as a duplicate,
   not only in the story.

A failure (unreachable, refused, an HTTP error, too slow, too big, not a feed) is recorded on the source with
its reason, and the next poll waits twice as long each time, up to SOURCE_MAX_BACKOFF_MINUTES; the first good
poll clears it. Nothing here knows the queue: the pipeline (articles.jobs) takes the due sources and queues
the import batch a poll returns.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from articles.importing.errors import ImportFailure
from articles.importing.fetch import HTML_TYPES
from articles.importing.pagemeta import declared_feeds, section_links
from articles.importing.readers import feed_links, fetch_within
from articles.importing.service import (
    UNEXPECTED_FAILURE,
    create_import_batch,
    imported_addresses,
    read_limits,
)
from articles.importing.sources import ImportSource
from articles.importing.urls import check_url
from articles.models import ImportBatch, Story, WatchedSource
from articles.rules import is_http_url, shorten
from articles.services import require_permission

logger = logging.getLogger(__name__)

ADD_PERMISSION = "articles.add_watchedsource"
CHANGE_PERMISSION = "articles.change_watchedsource"
NOT_A_FEED = (
    "not a feed, nor a section page: the address answered with a web page that declares no feed and links "
    "to no articles; give the address of the site's RSS, Atom or JSON feed, or of a page listing its articles"
)


class SourceError(ValueError):
    """A source the workbench cannot watch as given; the message says why, for the editor."""


@dataclass
class PollOutcome:
    source: WatchedSource
    batch: ImportBatch | None = None  # the import batch of the new entries, when there are any
    error: str = ""


def add_source(
    user, *, url: str, story: Story | None, name: str = "", interval_minutes: int | None = None
) -> WatchedSource:
    """Watch the feed at `url` for `story` (None: the Inbox, articles.services.inbox); its first poll is due
    at once. Raises SourceError naming what is wrong (not an http(s) address, already watched, an interval
    under SOURCE_MIN_INTERVAL_MINUTES)."""
    require_permission(user, ADD_PERMISSION, "add watched sources")
    url = (url or "").strip()
    if not is_http_url(url):
        raise SourceError(f"“{shorten(url, 80)}” is not an http:// or https:// address.")
    checked = check_url(url, "The feed's address")
    if checked.problem:
        raise SourceError(checked.problem)
    url = checked.url
    minimum = settings.SOURCE_MIN_INTERVAL_MINUTES
    interval = minimum if interval_minutes is None else interval_minutes
    if interval < minimum:
        raise SourceError(f"A source is polled at most every {minimum} minutes; {interval} is too often.")
    with transaction.atomic():
        existing = WatchedSource.objects.filter(url=url).select_related("story").first()
        if existing is not None:
            where = f"the story “{existing.story.title}”" if existing.story else "the Inbox"
            raise SourceError(f"{url} is already watched, for {where}.")
        return WatchedSource.objects.create(
            url=url,
            story=story,
            name=" ".join(name.split())[:200],
            interval_minutes=interval,
            owner=user,
        )


def set_paused(user, source: WatchedSource, paused: bool) -> WatchedSource:
    """Pause a source (no more polls) or resume it (polled at once, its failures forgotten)."""
    require_permission(user, CHANGE_PERMISSION, "pause or resume watched sources")
    if paused:
        source.state = WatchedSource.State.PAUSED
    else:
        source.state = WatchedSource.State.ACTIVE
        source.next_poll_at = timezone.now()
        source.failures = 0
    source.save(update_fields=["state", "next_poll_at", "failures"])
    return source


def poll_soon(user, source: WatchedSource) -> WatchedSource:
    """Make the source due now (the "Poll now" button): the next check polls it."""
    require_permission(user, CHANGE_PERMISSION, "poll watched sources")
    source.next_poll_at = timezone.now()
    source.save(update_fields=["next_poll_at"])
    return source


def claim_due_sources(limit: int = 100) -> list[int]:
    """The active sources whose poll is due, each taken for this caller: its next poll is moved
    SOURCE_POLL_LEASE_MINUTES on, so that no other check sends it again while it runs (if the poll never
    finishes, it is due again then)."""
    now = timezone.now()
    lease = now + timedelta(minutes=settings.SOURCE_POLL_LEASE_MINUTES)
    due = WatchedSource.objects.filter(state=WatchedSource.State.ACTIVE, next_poll_at__lte=now)
    claimed = []
    for source_id in due.order_by("next_poll_at").values_list("id", flat=True)[:limit]:
        if WatchedSource.objects.filter(pk=source_id, next_poll_at__lte=now).update(next_poll_at=lease):
            claimed.append(source_id)
    return claimed


def poll(source_id: int, *, on_batch=None) -> PollOutcome | None:
    """Poll one source now (see the module's docstring); None when it no longer exists. `on_batch` is
    called with the import batch of new entries inside the transaction that records it (the pipeline queues
    its import there)."""
    source = WatchedSource.objects.filter(pk=source_id).select_related("story").first()
    if source is None:
        return None
    limits = read_limits()
    label = source.name or source.url
    found_feed = ""
    section = False  # a site's page without a feed: its article links are the entries
    try:
        page = fetch_within(source.url, label, limits, etag=source.etag, last_modified=source.last_modified)
        links = None if page.not_modified else feed_links(page.data)  # a feed served as text/html counts
        if links is None and page.media_type in HTML_TYPES:
            # A site's page: watch the feed it declares, as a feed reader would; else the articles it lists.
            html = page.data.decode("utf-8", "replace")
            declared = declared_feeds(html, page.url)
            if declared:
                found_feed = declared[0]
                if WatchedSource.objects.filter(url=found_feed).exclude(pk=source.pk).exists():
                    raise ImportFailure(
                        f"{label}: the page declares the feed {found_feed}, which is already watched"
                    )
                page = fetch_within(found_feed, label, limits)
                links = feed_links(page.data)
            else:
                most = min(settings.IMPORT_MAX_FEED_ENTRIES, settings.IMPORT_MAX_FILES)
                links = section_links(html, page.url, most) or None
                if links is None:
                    raise ImportFailure(f"{label}: {NOT_A_FEED}")
                section = True
        if not page.not_modified and links is None:
            raise ImportFailure(f"{label}: not an RSS, Atom or JSON feed")
    except ImportFailure as failure:
        return _record_failure(source, str(failure))
    except DatabaseError:
        raise  # the database is away: the pipeline's retry, not the source's fault
    except Exception as exc:  # a reader bug must not leave the source silently failing: it says so
        logger.warning("Poll of source %s failed unexpectedly: %s: %s", source.pk, type(exc).__name__, exc)
        logger.debug("Traceback of the poll of source %s", source.pk, exc_info=True)
        return _record_failure(source, f"{label}: {UNEXPECTED_FAILURE}")
    now = timezone.now()
    note = ""
    if found_feed:
        note = f"The page declares the feed {shorten(found_feed, 120)}, watched from now on. "
        source.url = found_feed
    source.last_polled_at = now
    source.failures = 0
    source.last_error = ""
    source.next_poll_at = now + timedelta(minutes=source.interval_minutes)
    if page.etag or page.last_modified or not page.not_modified:
        source.etag, source.last_modified = page.etag, page.last_modified
    fields = ["url", "last_polled_at", "failures", "last_error", "next_poll_at", "etag", "last_modified"]
    if page.not_modified:
        digest = source.content_digest
    elif section:  # a page's bytes change with every visit (ads, times); its list of articles is what counts
        digest = hashlib.sha256("\n".join(links).encode()).hexdigest()
    else:
        digest = hashlib.sha256(page.data).hexdigest()
    if page.not_modified or digest == source.content_digest:
        source.last_result = note + "No change since the last poll."
        source.save(update_fields=[*fields, "last_result"])
        return PollOutcome(source)
    known = imported_addresses(links)
    new = sum(1 for link in links if not (link and link in known))
    if not new:
        source.content_digest = digest
        source.last_result = note + (
            f"No new entries ({len(links)} {'linked from the page' if section else 'in the feed'}, "
            "all imported already)."
            if links
            else "The feed has no entries."
        )
        source.save(update_fields=[*fields, "content_digest", "last_result"])
        return PollOutcome(source)
    with transaction.atomic():
        if section:  # each new article the page links to, fetched and read as a web page
            sources = [ImportSource(name=link, url=link) for link in links if link not in known]
        else:
            hint = "jsonfeed" if page.data.lstrip().startswith(b"{") else "feed"
            sources = [ImportSource(name=label, data=page.data, format_hint=hint)]
        batch = create_import_batch(source.story, sources)
        batch.watched_source = source
        batch.save(update_fields=["watched_source"])
        source.content_digest = digest
        source.last_changed_at = now
        what = (
            f"{new} new article{'' if new == 1 else 's'} linked"
            if section
            else (f"{new} new entr{'y' if new == 1 else 'ies'}")
        )
        source.last_result = note + f"{what}: import #{batch.pk}."
        source.save(update_fields=[*fields, "content_digest", "last_changed_at", "last_result"])
        if on_batch is not None:
            on_batch(batch)
    return PollOutcome(source, batch=batch)


def backoff_minutes(source: WatchedSource) -> int:
    """Minutes until the next poll after `source.failures` failures in a row: the interval, doubled for each
    failure after the first, at most SOURCE_MAX_BACKOFF_MINUTES."""
    doubling = 2 ** min(max(source.failures - 1, 0), 16)
    return min(source.interval_minutes * doubling, settings.SOURCE_MAX_BACKOFF_MINUTES)


def _record_failure(source: WatchedSource, error: str) -> PollOutcome:
    now = timezone.now()
    source.failures += 1
    source.last_polled_at = now
    source.last_error = error
    source.next_poll_at = now + timedelta(minutes=backoff_minutes(source))
    source.last_result = "The last poll failed."
    source.save(update_fields=["failures", "last_polled_at", "last_error", "next_poll_at", "last_result"])
    return PollOutcome(source, error=error)
