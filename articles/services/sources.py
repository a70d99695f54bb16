"""Correcting an article's source details in the workbench: its outlet, URL, byline and publication date.

`update_article_source(article, user, **fields)` is the one write. In one transaction it checks the user may
correct source details (articles.change_article: Editors and chief editors), refuses a correction made on
details someone else corrected meanwhile, stores the fields, records a SourceCorrection (who, when, each
field before and after) and touches the story (the story list's last change; its outlet count is read live).
The editorial side records it in the brief (briefs.services.article_source_correct: the brief citing the
article gets a revision when its outlet, URL or date changed). When the
outlet changed and the story has been synthesised, the result says the synthesis is needed again (the claims'
support counts outlets) and the caller queues it (articles.jobs.resynthesise_after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from articles.importing.html import domain_of
from articles.importing.urls import check_url, shown_url, valid_http_url
from articles.models import Article, CandidateBrief, Outlet, SourceCorrection, Story
from articles.services import require_permission

PERMISSION = "articles.change_article"
FIELDS = ("outlet", "url", "byline", "published_at")
UNSET = object()


class SourceDetailsError(ValueError):
    """A value the article cannot hold (a URL that is not http(s), an outlet name too long); for people."""


class SourceDetailsConflict(Exception):
    """The details were corrected by someone else since the editor loaded them (`latest`, that correction)."""

    def __init__(self, latest: SourceCorrection):
        self.latest = latest
        when = timezone.localtime(latest.created).strftime("%H:%M")
        super().__init__(
            f"The source details were corrected by {latest.username or 'someone'} at {when} while you were "
            "editing them: yours were not saved. They are shown as they are now, with yours in the form: "
            "save again to replace theirs."
        )


@dataclass
class SourceUpdate:
    """What a correction did: the audit record (None when nothing changed) and what followed from it."""

    correction: SourceCorrection | None
    brief_revision: int | None = None  # set by briefs.services: the brief's new revision, when it cites it
    brief_published: bool = False  # the brief is live: its public page shows the correction once republished
    synthesis_needed: bool = False  # the outlet changed in a synthesised story: its claims count outlets
    synthesis_queued: bool = False  # set by the pipeline when it queued that synthesis
    changes: dict[str, list[str]] = field(default_factory=dict)
    # For the editor: what was dropped from the values given (a URL's user name and password).
    warnings: list[str] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.correction is not None


def source_details(article: Article) -> dict[str, str]:
    """The article's source details as the audit records them: strings, "" when unknown."""
    return {
        "outlet": article.outlet.name if article.outlet_id else "",
        "url": article.url,
        "byline": article.byline,
        "published_at": _iso(article.published_at),
    }


def _iso(moment: datetime | None) -> str:
    """A moment as the audit records it: ISO 8601 in UTC, so that one instant always reads the same."""
    return moment.astimezone(UTC).isoformat() if moment else ""


def latest_correction_id(article: Article) -> int:
    """The id of the article's last correction (0 before any): what an edit form sends back as seen."""
    return article.source_corrections.order_by("-created", "-id").values_list("id", flat=True).first() or 0


def update_article_source(
    article: Article,
    user: AbstractBaseUser,
    *,
    outlet=UNSET,
    url=UNSET,
    byline=UNSET,
    published_at=UNSET,
    seen_correction: int | None = None,
) -> SourceUpdate:
    """Correct the given fields (each left out stays as it is; "" or None makes it unknown) and audit it.

    `outlet` is a name: an existing outlet of that name (any case) or a new one. `seen_correction` is the id
    of the last correction the editor saw (latest_correction_id); when another was made since,
    SourceDetailsConflict is raised and nothing is written. Raises PermissionDenied for a user who may not
    correct source details, SourceDetailsError for a value the article cannot hold."""
    require_permission(user, PERMISSION, "correct articles' source details")
    warnings: list[str] = []
    wanted = _cleaned(outlet=outlet, url=url, byline=byline, published_at=published_at, warnings=warnings)
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).select_related("outlet").get(pk=article.pk)
        if seen_correction is not None:
            latest = article.source_corrections.order_by("-created", "-id").first()
            if latest is not None and latest.pk != seen_correction:
                raise SourceDetailsConflict(latest)
        before = source_details(article)
        changes = {
            name: [before[name], value]
            for name, value in _as_recorded(wanted).items()
            if before[name] != value
        }
        if not changes:
            return SourceUpdate(correction=None, warnings=warnings)
        if "outlet" in changes:
            article.outlet = _outlet_named(wanted["outlet"], wanted.get("url", article.url))
        if "url" in changes:
            article.url = wanted["url"]
        if "byline" in changes:
            article.byline = wanted["byline"]
        fields = list(changes)
        if "published_at" in changes:
            # The correction gives a date and time (the form's field): no longer a date alone.
            article.published_at, article.published_time_known = wanted["published_at"], True
            fields.append("published_time_known")
        article.save(update_fields=fields)
        correction = SourceCorrection.objects.create(
            article=article, user=user, username=user.get_username(), changes=changes
        )
        Story.objects.filter(pk=article.story_id).update(updated=timezone.now())
        result = SourceUpdate(correction=correction, changes=changes, warnings=warnings)
        if "outlet" in changes and CandidateBrief.objects.filter(story_id=article.story_id).exists():
            result.synthesis_needed = True
    return result


# --- Internals ---------------------------------------------------------------------------------------


def _cleaned(*, warnings: list[str], **given) -> dict:
    wanted = {}
    for name, value in given.items():
        if value is UNSET:
            continue
        if name == "published_at":
            if value in (None, ""):
                wanted[name] = None
            elif isinstance(value, datetime):
                wanted[name] = value if timezone.is_aware(value) else timezone.make_aware(value)
            else:
                raise SourceDetailsError("Date: give a date and time, or nothing for unknown.")
            continue
        text = " ".join(str(value or "").split())
        if name == "outlet" and len(text) > 200:
            raise SourceDetailsError("Outlet: at most 200 characters.")
        if name == "byline" and len(text) > 300:
            raise SourceDetailsError("Byline: at most 300 characters.")
        if name == "url":
            text = str(value or "").strip()
            if text:
                checked = check_url(text, "URL")
                if checked.problem:
                    raise SourceDetailsError(f"{checked.problem[0].upper()}{checked.problem[1:]}.")
                if checked.warning:
                    warnings.append(f"{checked.warning}.")
                text = checked.url
            if text and not valid_http_url(text):
                raise SourceDetailsError(f"URL: “{shown_url(text)}” is not an http(s) address.")
        wanted[name] = text
    return wanted


def _as_recorded(wanted: dict) -> dict[str, str]:
    recorded = dict(wanted)
    if "published_at" in recorded:
        recorded["published_at"] = _iso(recorded["published_at"])
    if "outlet" in recorded:
        existing = (
            Outlet.objects.filter(name__iexact=recorded["outlet"]).first() if recorded["outlet"] else None
        )
        recorded["outlet"] = existing.name if existing else recorded["outlet"]
    return recorded


def _outlet_named(name: str, url: str) -> Outlet | None:
    """The outlet of that name (any case), made when new (with the URL's domain); None for "unknown"."""
    if not name:
        return None
    existing = Outlet.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    outlet, _ = Outlet.objects.get_or_create(name=name, defaults={"domain": domain_of(url)[:253]})
    return outlet


def fill_outlets_from_manifest(story: Story, folder) -> int:
    """The story's articles imported from the folder's files and still without an outlet get the outlet its
    manifest.json names (setup_demo, on a database made before seeds/ had one). Each is recorded as a
    correction by "setup_demo". Returns how many were filled; a missing or broken manifest fills nothing."""
    from pathlib import Path

    from django.conf import settings

    from articles.importing.manifest import MANIFEST_NAME, read_manifest

    folder = Path(folder)
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return 0
    files = [path for path in folder.iterdir() if path.is_file() and path != manifest]
    details, _ = read_manifest(manifest, files, settings.IMPORT_MAX_FILE_BYTES)
    outlets = {path.name: found.outlet for path, found in details.items() if found.outlet}
    filled = 0
    for article in story.articles.filter(outlet__isnull=True).only(
        "id", "source_name", "source_format", "url"
    ):
        name = outlets.get(article.imported_from)
        if not name:
            continue
        with transaction.atomic():
            article.outlet = _outlet_named(name, article.url)
            article.save(update_fields=["outlet"])
            SourceCorrection.objects.create(
                article=article, username="setup_demo", changes={"outlet": ["", name]}
            )
        filled += 1
    return filled
