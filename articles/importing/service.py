"""The import service: records a batch of sources and reads it into a story's articles.

It knows nothing of jobs or Celery: it returns what it made. The pipeline (articles/jobs.py) queues a batch's
import, hands `on_article` to queue each new article's analysis, and asks for the story's synthesis after.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from articles.importing.errors import BatchRejected, ImportFailure
from articles.importing.html import domain_of, is_date_only, parse_date
from articles.importing.readers import read_source
from articles.importing.records import Entry, ParsedArticle, ReadLimits, SourceDetails
from articles.importing.sources import ImportSource, size_label
from articles.importing.urls import check_url, shown_url, without_credentials
from articles.models import Article, ImportBatch, ImportItem, Outlet, Story
from articles.nlp.duplicates import NearDuplicateIndex, content_hash
from articles.nlp.language import detect_language
from articles.rules import is_http_url

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, ImportItem], None]
# Called with each newly stored article inside the transaction that stores it (the pipeline queues its
# analysis there, so an interrupted import never leaves an article that nobody will analyse).
OnArticle = Callable[[Article], object]
# A reader failed in a way nobody foresaw (its details go to the server log, never to the editor).
UNEXPECTED_FAILURE = (
    "could not be read: the importer met something in it that it does not handle (the details are in the "
    "server log); check that it is the kind of file its name says, save it again as plain text, HTML, JSON "
    "or CSV and import that, or report it"
)


def read_limits() -> ReadLimits:
    return ReadLimits(
        max_bytes=settings.IMPORT_MAX_FILE_BYTES,
        fetch_timeout=settings.IMPORT_FETCH_TIMEOUT,
        feed_fetch_budget=settings.IMPORT_FEED_FETCH_BUDGET,
        max_feed_entries=settings.IMPORT_MAX_FEED_ENTRIES,
        max_entries=settings.IMPORT_MAX_ENTRIES,
        allow_private_addresses=settings.IMPORT_ALLOW_PRIVATE_URLS,
    )


def create_import_batch(story: Story, sources: list[ImportSource], user=None) -> ImportBatch:
    """Record a batch with one pending item per source, for run_import_batch to read.

    A source already known to be unreadable (missing file, over the size limit) is recorded as failed at once,
    and its bytes are not kept.
    """
    if len(sources) > settings.IMPORT_MAX_FILES:
        raise BatchRejected(
            f"{len(sources)} files or URLs given; at most {settings.IMPORT_MAX_FILES} "
            "can be imported at once (IMPORT_MAX_FILES)"
        )
    checked = [_checked_source(source) for source in sources]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            story=story, created_by=user, inputs=[source.name for source, _ in checked]
        )
        items = []
        for position, (source, warnings) in enumerate(checked):
            error = source.error
            if (
                error is None
                and source.data is not None
                and len(source.data) > settings.IMPORT_MAX_FILE_BYTES
            ):
                error = (
                    f"{source.name}: {size_label(len(source.data))}, "
                    f"over the {size_label(settings.IMPORT_MAX_FILE_BYTES)} limit"
                )
            items.append(
                ImportItem(
                    batch=batch,
                    position=position,
                    source=source.name[:1000],
                    status=ImportItem.Status.FAILED if error else ImportItem.Status.PENDING,
                    # A pending item's message holds the warnings about what it was given, until it is read.
                    message="\n".join([*warnings, error] if error else warnings),
                    payload=None if error else source.data,
                    source_url=source.url or "",
                    format_hint=(source.format_hint or "")[:12],
                    details=source.details.as_dict() if source.details and not error else {},
                )
            )
        ImportItem.objects.bulk_create(items)
    return batch


def run_import_batch(
    batch_id: int, progress: Progress | None = None, *, on_article: OnArticle | None = None
) -> ImportBatch:
    """Process a batch's pending items; safe to run again (processed items are skipped).

    Each entry (an article, a duplicate, a failure) is written in its own transaction together with its item,
    so an interruption leaves only whole articles. A source holding several articles (a feed, a JSON list, a
    CSV file) becomes one item per entry; its own pending item is removed once they are all recorded, and a
    second run skips the entries already written. Each newly stored article is handed to `on_article` inside
    the transaction that stores it.
    """
    batch = ImportBatch.objects.select_related("story").get(pk=batch_id)
    pending = list(batch.items.filter(entry=0, status=ImportItem.Status.PENDING).order_by("position"))
    total = batch.items.values("position").distinct().count()
    done = total - len(pending)
    if pending:
        limits = read_limits()
        workbench_wide = batch.watched_source_id is not None
        if workbench_wide:
            limits = dataclasses.replace(limits, skip_link=already_imported)
        story_texts = (
            InboxTexts()
            if batch.story_id is None
            else StoryTexts.load(batch.story, workbench_wide=workbench_wide)
        )
        for item in pending:
            _process_source(batch, item, limits, story_texts, on_article=on_article)
            done += 1
            if progress is not None:
                progress(done, total, item)
    if batch.finished is None and not batch.items.filter(status=ImportItem.Status.PENDING).exists():
        batch.finished = timezone.now()
        batch.save(update_fields=["finished"])
    return batch


def _same_address(urls: set[str]) -> Q:
    """Articles from these addresses: as their address, or as the link they were fetched from."""
    return Q(url__in=urls) | Q(source_name__in=urls)


def already_imported(url: str) -> bool:
    """Is an article from this address anywhere in the workbench? A watched feed's entries are imported
    once, whichever story holds them."""
    return Article.objects.filter(_same_address({url})).exists()


def imported_addresses(urls) -> set[str]:
    """Those of these addresses that an article anywhere in the workbench comes from; one query."""
    wanted = {url for url in urls if url}
    if not wanted:
        return set()
    rows = Article.objects.filter(_same_address(wanted)).values_list("url", "source_name")
    return {value for row in rows for value in row if value in wanted}


# --- Internals ---------------------------------------------------------------------------------------


def _checked_source(source: ImportSource) -> tuple[ImportSource, list[str]]:
    """The source with its addresses fit to store (articles.importing.urls): a user name and password
    dropped, with a warning; a URL to fetch that is too long makes the source a failure naming it."""
    warnings: list[str] = []
    changes: dict = {}
    if source.url:
        checked = check_url(source.url, shown_url(source.url))
        name = shown_url(source.url) if source.name.strip() == source.url.strip() else source.name
        changes.update(url=checked.url or None, name=name)
        if checked.problem:
            changes.update(error=source.error or checked.problem, data=None)
        elif checked.warning:
            warnings.append(checked.warning)
    elif "@" in source.name and is_http_url(source.name):
        changes["name"] = without_credentials(source.name)
    if source.details and source.details.url:
        checked = check_url(source.details.url, f"{changes.get('name', source.name)}: the URL given for it")
        if checked.problem:
            warnings.append(f"{checked.problem}; the article is stored without it")
        elif checked.warning:
            warnings.append(checked.warning)
        changes["details"] = dataclasses.replace(source.details, url=checked.url)
    return (dataclasses.replace(source, **changes) if changes else source), warnings


def _checked_article_url(parsed: ParsedArticle, label: str) -> list[str]:
    """What a source said of its own address, made fit to store (a feed entry's page after redirects, a
    page's canonical URL); returns the warnings."""
    if "@" in parsed.source_name and is_http_url(parsed.source_name):
        parsed.source_name = without_credentials(parsed.source_name)
    if not parsed.url:
        return []
    checked = check_url(parsed.url, f"{label}: the article's address")
    parsed.url = checked.url
    if checked.problem:
        return [f"{checked.problem}; the article is stored without it"]
    return [checked.warning] if checked.warning else []


@dataclass
class StoryTexts:
    """A story's article texts, to recognise duplicates and near-duplicates of what it already holds."""

    story: Story
    hashes: dict[str, int]
    near: NearDuplicateIndex
    # A watched feed's batch: a text or address already anywhere in the workbench is a duplicate too.
    workbench_wide: bool = False

    @classmethod
    def load(cls, story: Story, *, workbench_wide: bool = False) -> StoryTexts:
        near = NearDuplicateIndex(settings.IMPORT_NEAR_DUPLICATE_THRESHOLD)
        hashes: dict[str, int] = {}
        for article_id, digest, body in story.articles.order_by("id").values_list(
            "id", "content_hash", "body"
        ):
            hashes[digest] = article_id
            near.add(article_id, body)
        return cls(story, hashes, near, workbench_wide)

    def elsewhere(self, digest: str, url: str) -> int | None:
        """The article of another story with this text or address, when duplicates count workbench-wide."""
        if not self.workbench_wide:
            return None
        same = Q(content_hash=digest) | _same_address({url}) if url else Q(content_hash=digest)
        return Article.objects.filter(same).values_list("id", flat=True).first()

    def add(self, article: Article) -> None:
        self.hashes[article.content_hash] = article.pk
        self.near.add(article.pk, article.body)

    def place(self, parsed: ParsedArticle, body: str) -> tuple[Story, StoryTexts, dict]:
        """The story a new article goes to, that story's texts and what else to store on the article."""
        return self.story, self, {}


class InboxTexts(StoryTexts):
    """An Inbox source's batch (no story of its own): each new article goes to the story it reports on,
    chosen by the story clustering (articles.services.inbox); its duplicates are looked for in the whole
    workbench, its near-duplicates in the story it goes to."""

    def __init__(self) -> None:
        super().__init__(None, {}, NearDuplicateIndex(settings.IMPORT_NEAR_DUPLICATE_THRESHOLD), True)
        self._stories: dict[int, StoryTexts] = {}
        self._placer = None

    def place(self, parsed: ParsedArticle, body: str) -> tuple[Story, StoryTexts, dict]:
        from articles.nlp.stories import StreamArticle
        from articles.services import inbox

        if self._placer is None:
            self._placer = inbox.StoryPlacer.load()
        title = _plain(parsed.title)[:500]
        evidence = inbox.evidence_for([StreamArticle("new", body, title, parsed.published_at)])[0]
        story = self._placer.story_for(evidence, title)
        texts = self._stories.get(story.pk)
        if texts is None:
            texts = self._stories[story.pk] = StoryTexts.load(story, workbench_wide=True)
        return story, texts, inbox.evidence_fields(evidence)

    def add(self, article: Article) -> None:
        from articles.services import inbox

        texts = self._stories[article.story_id]
        texts.add(article)
        evidence = inbox.stored_evidence(article)
        if evidence is not None:
            self._placer.joined(article, evidence)


def _process_source(
    batch: ImportBatch,
    item: ImportItem,
    limits: ReadLimits,
    story_texts: StoryTexts,
    *,
    on_article: OnArticle | None,
) -> None:
    source = ImportSource(
        name=item.source,
        data=bytes(item.payload) if item.payload is not None else None,
        url=item.source_url or None,
        format_hint=item.format_hint or None,
    )
    try:
        entries = read_source(source, limits)
    except ImportFailure as failure:
        entries = [Entry(label=item.source, error=str(failure))]
    except Exception as exc:  # a reader bug must not stop the batch or show a traceback
        logger.warning("Import of %s failed unexpectedly: %s: %s", item.source, type(exc).__name__, exc)
        logger.debug("Traceback for the import of %s", item.source, exc_info=True)
        entries = [Entry(label=item.source, error=f"{item.source}: {UNEXPECTED_FAILURE}")]
    entries = [entry for entry in entries if not entry.skipped]
    if not entries:  # a watched feed's poll whose entries are all imported already
        item.delete()
        return
    details = SourceDetails.from_dict(item.details)
    for entry in entries:
        if entry.article is not None:
            if details is not None:
                _apply_details(entry.article, details)
            entry.warnings.extend(_checked_article_url(entry.article, entry.label))
    if item.message:  # the warnings about what the source was given (_checked_source)
        entries[0].warnings[:0] = item.message.split("\n")

    if len(entries) == 1:
        _record_entry(batch, item, entries[0], story_texts, on_article=on_article)
        return
    # A source holding several articles gets one item per entry (numbered from 1), written in file order.
    # Its own item stays pending, with the bytes, until every entry is recorded; then it is removed.
    done = set(
        batch.items.filter(position=item.position, entry__gt=0)
        .exclude(status=ImportItem.Status.PENDING)
        .values_list("entry", flat=True)
    )
    for number, entry in enumerate(entries, start=1):
        if number in done:
            continue
        target, _ = ImportItem.objects.get_or_create(
            batch=batch, position=item.position, entry=number, defaults={"source": entry.label[:1000]}
        )
        _record_entry(batch, target, entry, story_texts, on_article=on_article)
    item.delete()


def _record_entry(
    batch: ImportBatch,
    target: ImportItem,
    entry: Entry,
    story_texts: StoryTexts,
    *,
    on_article: OnArticle | None,
) -> None:
    """Store one entry's article (or note why not) and its item, in one transaction.

    The item is locked and checked first: when two runs process the same batch (a worker and a command, or a
    retried task), the entry is recorded once and the later run leaves it alone.
    """
    with transaction.atomic():
        current = ImportItem.objects.select_for_update().filter(pk=target.pk).values_list("status", flat=True)
        if current.first() != ImportItem.Status.PENDING:
            return
        outcome = _store_entry(batch, entry, story_texts)
        target.source = entry.label[:1000]
        target.status = outcome.status
        target.article = outcome.article
        target.duplicate_of_id = outcome.duplicate_of_id
        target.similarity = outcome.similarity
        target.message = "\n".join(outcome.messages)
        target.payload = None
        target.save()
        if outcome.article is not None and on_article is not None:
            on_article(outcome.article)
    if outcome.article is not None:
        story_texts.add(outcome.article)


@dataclass
class Outcome:
    status: str
    article: Article | None = None
    duplicate_of_id: int | None = None
    similarity: float | None = None
    messages: tuple[str, ...] = ()


def _store_entry(batch: ImportBatch, entry: Entry, story_texts: StoryTexts) -> Outcome:
    warnings = tuple(entry.warnings)
    if entry.error or entry.article is None:
        return Outcome(
            ImportItem.Status.FAILED, messages=(*warnings, entry.error or f"{entry.label}: no article")
        )
    parsed = entry.article
    body = _plain(parsed.body)
    digest = content_hash(body)
    existing_id = story_texts.hashes.get(digest) or story_texts.elsewhere(digest, parsed.url)
    if existing_id is not None:
        return Outcome(ImportItem.Status.DUPLICATE, duplicate_of_id=existing_id, messages=warnings)
    story, texts, extra = story_texts.place(parsed, body)
    match = texts.near.best_match(body)
    language = detect_language(f"{parsed.title}\n\n{body}", declared=parsed.language)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                story=story,
                outlet=_outlet_for(parsed),
                title=_plain(parsed.title)[:500] or "Untitled",
                standfirst=_plain(parsed.standfirst),
                byline=_plain(parsed.byline)[:300],
                url=parsed.url,
                published_at=parsed.published_at,
                published_time_known=parsed.published_time_known,
                body=body,
                language=language[:12],
                content_hash=digest,
                source_format=parsed.source_format,
                source_name=_plain(parsed.source_name or entry.label)[:1000],
                raw_input=_plain(parsed.raw_input),
                import_batch=batch,
                near_duplicate_of_id=match.key if match else None,
                near_duplicate_similarity=round(match.similarity, 4) if match else None,
                **extra,
            )
    except IntegrityError:
        # Another import stored the same text a moment ago.
        existing = (
            Article.objects.filter(story=story, content_hash=digest).values_list("id", flat=True).first()
        )
        if existing is None:
            raise
        return Outcome(ImportItem.Status.DUPLICATE, duplicate_of_id=existing, messages=warnings)
    if match:
        return Outcome(
            ImportItem.Status.NEAR_DUPLICATE,
            article=article,
            duplicate_of_id=match.key,
            similarity=article.near_duplicate_similarity,
            messages=warnings,
        )
    return Outcome(ImportItem.Status.IMPORTED, article=article, messages=warnings)


def _apply_details(parsed: ParsedArticle, details: SourceDetails) -> None:
    """What the importer said (the form's fields, a manifest) over what the source said of itself."""
    if details.url:
        parsed.url = details.url
        if not details.outlet and parsed.outlet_name == parsed.outlet_domain:
            # The source's outlet was only its own address's host; the given address says better.
            parsed.outlet_name = ""
        parsed.outlet_domain = domain_of(details.url)
    if details.outlet:
        parsed.outlet_name = details.outlet
        if not details.url:
            parsed.outlet_domain = ""
    if details.published_at and (given := parse_date(details.published_at)):
        parsed.published_at, parsed.published_time_known = given, not is_date_only(details.published_at)


def _outlet_for(parsed: ParsedArticle) -> Outlet | None:
    name = _plain(parsed.outlet_name)[:200]
    domain = parsed.outlet_domain[:253]
    if not name and not domain:
        return None
    if not name:
        found = Outlet.objects.filter(domain=domain).first()
        if found:
            return found
        name = domain
    outlet, created = Outlet.objects.get_or_create(name=name, defaults={"domain": domain})
    if not created and domain and not outlet.domain:
        outlet.domain = domain
        outlet.save(update_fields=["domain"])
    return outlet


def _plain(value: str) -> str:
    """Text as stored: no NUL characters (PostgreSQL refuses them), no surrounding whitespace."""
    return value.replace("\x00", "").strip()
