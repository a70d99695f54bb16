"""Every write on the editorial side. Each brief edit is one transaction that checks what the editor saw,
changes the items, bumps the brief's version and records a Revision holding the whole brief.

What an edit is checked against depends on what it changes (the conflict is decided where the change is):

- item-level edits (an item's text, its sources, its flags, removing or moving it) send the item's version and
  are refused (ItemConflict) only if that item changed or went since: a colleague's edit of another item, of
  the headline or an addition never refuses them;
- the headline and standfirst are refused (HeaderConflict) only if they changed since the brief's version the
  editor saw (the revision of that version says what they were);
- additions append and overwrite nothing: they are never refused;
- brief-level edits (merge, a move to a numbered place, start from the candidate, restore, publish) are
  refused (BriefConflict) if anything changed since the brief's version the editor saw.

Every edit, whatever it checks, takes the brief's row first (PostgreSQL's row lock, SQLite's write lock), so
the edits of one brief run one after the other, each claims the next version and its revision holds every edit
before it. An edit that makes no sense (an item of another brief, a merge of one item, empty text) raises
BriefActionError with a message for the editor. An edit that changes nothing records nothing (`saved` False).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import F, Prefetch
from django.db.models.fields.json import KT
from django.utils import timezone

from articles.models import Article, Claim, Sentence, SourceCorrection, Story
from articles.rules import shorten
from articles.services.sources import SourceUpdate, update_article_source
from briefs.checks import RESOLUTIONS, PublishWarning, first_per_article, item_flags, publish_warnings
from briefs.models import Brief, BriefItem, Presence, Publication, Revision
from briefs.roles import DEMO_ACCOUNTS, ROLE_PERMISSIONS, STAFF_ROLES

SNAPSHOT_SCHEMA = 1


def _name(user: AbstractBaseUser | None) -> str:
    return user.get_username() if user is not None else "someone"


def _clock(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


class BriefConflict(Exception):
    """The brief changed since the editor loaded it; `current` is the brief as it is now."""

    def __init__(self, current: Brief, expected_version: int, message: str = ""):
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            message
            or (
                f"This brief was changed by {_name(current.updated_by)} while you were working: you edited "
                f"version {expected_version}, it is now at version {current.version}. Your change was not "
                "saved. The current version is shown; redo your change if it is still needed."
            )
        )


class ItemConflict(BriefConflict):
    """The item changed, or was removed or merged, since the editor loaded it.

    `item` is the item as it is now (None when it is gone), `item_version` (also `expected_version`) the
    item's version the editor saw and `refused_text` the text the editor tried to save (None for an edit
    without text)."""

    def __init__(
        self,
        current: Brief,
        item_id: int,
        item: BriefItem | None,
        item_version: int,
        *,
        refused_text: str | None = None,
    ):
        self.item_id, self.item, self.item_version, self.refused_text = (
            item_id,
            item,
            item_version,
            refused_text,
        )
        kept = refused_text is not None
        if item is None:
            message = (
                "The item you were working on was removed or merged by a colleague in the meantime: your "
                "change was not saved. "
                + ("Your text is kept: add it as a new item if it is still needed." if kept else "")
            )
        else:
            message = (
                f"Item {item.position + 1} was changed by {_name(item.updated_by)} at {_clock(item.updated)} "
                "while you were working on it: your change was not saved. "
                + (
                    "Your text is kept beside theirs: save again to replace theirs with yours."
                    if kept
                    else "The item as it is now is shown; redo your change if it is still needed."
                )
            )
        super().__init__(current, item_version, message.strip())


class HeaderConflict(BriefConflict):
    """The headline or standfirst changed since the version the editor saw.

    `refused` is the (headline, standfirst) the editor tried to save, `changed_by`/`changed_at` who made the
    last change of them and when."""

    def __init__(
        self,
        current: Brief,
        expected_version: int,
        *,
        refused: tuple[str, str],
        changed_by: AbstractBaseUser | None,
        changed_at,
    ):
        self.refused, self.changed_by, self.changed_at = refused, changed_by, changed_at
        super().__init__(
            current,
            expected_version,
            f"The headline and standfirst were changed by {_name(changed_by)} at {_clock(changed_at)} "
            "while you were working: yours were not saved. They are kept beside theirs: save again to "
            "replace theirs with yours.",
        )


class BriefActionError(ValueError):
    """An edit that cannot be done as asked; the message says why, for the editor."""


class PublishCheckFailed(BriefActionError):
    """The pre-publish check found warnings the publisher has not confirmed; `warnings` lists them."""

    def __init__(self, warnings: list[PublishWarning]):
        self.warnings = warnings
        count = len(warnings)
        super().__init__(
            f"Not published: the pre-publish check found {count} warning{'s' if count != 1 else ''}. "
            "Fix them, or confirm that you publish with them."
        )


# --- Source corrections ----------------------------------------------------------------------------

# What a brief's snapshot records of a source (_source): a change of these makes a revision.
SNAPSHOT_FIELDS = frozenset({"outlet", "url", "published_at"})


def article_source_correct(article: Article, user: AbstractBaseUser, **fields) -> SourceUpdate:
    """Correct an article's source details (articles.services.sources.update_article_source, which checks
    the permission and audits it) and, in the same transaction, record it in the brief: when the story's
    brief cites the article and its outlet, URL or date changed, the brief gets a revision holding the
    corrected sources (its exports show them at once, the public page once the brief is published again: a
    correction is not a publication)."""
    with transaction.atomic():
        update = update_article_source(article, user, **fields)
        if update.saved and SNAPSHOT_FIELDS & update.changes.keys():
            update.brief_revision, update.brief_published = _record_in_brief(
                update.correction.article, user, update.correction
            )
    return update


def _record_in_brief(
    article: Article, user: AbstractBaseUser, correction: SourceCorrection
) -> tuple[int | None, bool]:
    """A new revision of the story's brief when it cites the article: the brief as it is, with the corrected
    source. Returns (the revision's number, whether the brief is published); (None, False) when not cited."""
    brief_id = (
        Brief.objects.filter(story_id=article.story_id, items__articles=article)
        .values_list("pk", flat=True)
        .first()
    )
    if brief_id is None:
        return None, False
    # The UPDATE takes the brief's row, as every brief edit does first (briefs.services): the edits of the
    # brief run one after the other and this revision claims the next version.
    now = timezone.now()
    Brief.objects.filter(pk=brief_id).update(version=F("version") + 1, updated=now, updated_by=user)
    brief = Brief.objects.select_related("story").get(pk=brief_id)
    title = shorten(article.title, 50)
    Revision.objects.create(
        brief=brief,
        number=brief.version,
        snapshot=brief_snapshot(brief),
        action=f"Source of “{title}” corrected: {correction.summary}"[:200],
        author=user,
    )
    live = Publication.objects.filter(brief=brief, unpublished_at__isnull=True).exists()
    return brief.version, live


# --- Accounts --------------------------------------------------------------------------------------


def ensure_roles() -> dict[str, Group]:
    groups = {}
    for group_name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        groups[group_name] = group
    return groups


def ensure_demo_accounts(password: str) -> list[AbstractBaseUser]:
    """Create or update the demo accounts editor, chief and viewer, each in its own group. Idempotent."""
    groups = ensure_roles()
    user_model = get_user_model()
    users = []
    for username, group_name in DEMO_ACCOUNTS.items():
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        user.is_staff = group_name in STAFF_ROLES
        user.save()
        user.groups.set([groups[group_name]])
        users.append(user)
    return users


def user_set_role(username: str, role: str) -> AbstractBaseUser:
    """Give an existing account one editorial role (its only one), and the admin when the role has it."""
    groups = ensure_roles()
    if role not in groups:
        raise BriefActionError(f"“{role}” is not a role; the roles are {', '.join(sorted(groups))}.")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise BriefActionError(
            f"There is no account “{username}”; create it first (createsuperuser or the admin)."
        )
    user.groups.set([groups[role]])
    if not user.is_superuser:
        user.is_staff = role in STAFF_ROLES
        user.save(update_fields=["is_staff"])
    return user


# --- Presence --------------------------------------------------------------------------------------


def presence_ping(story: Story, user: AbstractBaseUser) -> None:
    """`user` has the story's brief open now (briefs.models.Presence): one UPDATE once the row exists."""
    now = timezone.now()
    if not Presence.objects.filter(story=story, user=user).update(last_seen=now):
        Presence.objects.update_or_create(story=story, user=user, defaults={"last_seen": now})


# --- Snapshots -------------------------------------------------------------------------------------


def _source(article: Article, quote: str = "") -> dict:
    """What a snapshot records of one source of an item: the article and, when the item cites one of its
    sentences, that sentence as the source wrote it (the public page quotes it under the citation)."""
    source = {
        "article_id": article.pk,
        "outlet": article.source_label,
        "title": article.title,
        "url": article.url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }
    if quote:
        source["quote"] = quote
    return source


def _quotes(item: BriefItem) -> dict[int, str]:
    """The first sentence (in reading order) the item cites from each of its articles."""
    return first_per_article((s.article_id, s.index, s.text) for s in item.sentences.all())


def _snapshot_items(brief: Brief) -> list[BriefItem]:
    """The items in order, with what a snapshot records of their sources (never the articles' texts)."""
    return list(
        brief.items.order_by("position", "id").prefetch_related(
            Prefetch(
                "articles",
                queryset=Article.objects.select_related("outlet")
                .only(
                    "id",
                    "story_id",
                    "outlet_id",
                    "outlet__name",
                    "title",
                    "url",
                    "published_at",
                    "source_name",
                )
                .order_by("published_at", "id"),
            ),
            Prefetch("sentences", queryset=Sentence.objects.only("id", "article_id", "index", "text")),
        )
    )


def brief_snapshot(brief: Brief, items: list[BriefItem] | None = None) -> dict:
    """The whole brief as JSON: what a Revision stores and what exports and the public page render.

    `items`, when given, are the brief's items as _snapshot_items loads them."""
    if items is None:
        items = _snapshot_items(brief)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "story": {"title": brief.story.title, "slug": brief.story.slug},
        "version": brief.version,
        "headline": brief.headline,
        "standfirst": brief.standfirst,
        "items": [
            {
                "item_id": item.pk,  # which item it is, for the history's changes (moved, merged)
                "position": item.position,
                "text": item.text,
                "edited": item.edited,
                "origin": item.origin,
                "claim_id": item.claim_id,
                "sentence_ids": sorted(s.pk for s in item.sentences.all()),
                "sources": [_source(a, quotes.get(a.pk, "")) for a in item.articles.all()],
                "flag_resolutions": list(item.flag_resolutions or []),
            }
            for item, quotes in ((item, _quotes(item)) for item in items)
        ],
    }


# --- The edit transaction --------------------------------------------------------------------------


def brief_get_or_create(story: Story) -> Brief:
    brief, _ = Brief.objects.get_or_create(story=story)
    return brief


def _begin_edit(brief: Brief, expected_version: int, user: AbstractBaseUser | None) -> Brief:
    """A brief-level edit: claim the next version (inside the caller's transaction) or raise BriefConflict.

    The conditional UPDATE is the lock: on PostgreSQL a concurrent edit waits for the row and then finds the
    version moved; on SQLite it takes the write lock before anything is read.
    """
    now = timezone.now()
    bumped = Brief.objects.filter(pk=brief.pk, version=expected_version).update(
        version=F("version") + 1, updated=now, updated_by=user
    )
    if bumped and brief.version == expected_version:
        # The caller's copy was read at the version just bumped, so it holds what the row holds (every
        # change of the brief's fields bumps the version): no need to read the row again.
        current = copy.copy(brief)
        current.version, current.updated, current.updated_by = expected_version + 1, now, user
        return current
    current = (
        Brief.objects.select_for_update(of=("self",)).select_related("story", "updated_by").get(pk=brief.pk)
    )
    if not bumped:
        raise BriefConflict(current, expected_version)
    return current


def _begin_addition(brief: Brief, user: AbstractBaseUser | None) -> Brief:
    """An addition: claim the next version whatever it is (an addition appends and overwrites nothing)."""
    now = timezone.now()
    Brief.objects.filter(pk=brief.pk).update(version=F("version") + 1, updated=now, updated_by=user)
    return Brief.objects.select_related("story", "updated_by").get(pk=brief.pk)


def _lock(brief: Brief) -> Brief:
    """Take the brief's row (inside the caller's transaction) without changing it; the brief as it is.

    The UPDATE is the lock, as in _begin_edit: the other edits of the brief wait until this one commits, and
    what is read after it includes every edit committed before."""
    Brief.objects.filter(pk=brief.pk).update(version=F("version"))
    return Brief.objects.select_related("story", "updated_by").get(pk=brief.pk)


def _bump(brief: Brief, user: AbstractBaseUser | None) -> Brief:
    """Claim the next version of `brief` (read by _lock in the same transaction)."""
    now = timezone.now()
    Brief.objects.filter(pk=brief.pk).update(version=F("version") + 1, updated=now, updated_by=user)
    brief.version, brief.updated, brief.updated_by = brief.version + 1, now, user
    return brief


ITEM_STAMP = ["version", "updated", "updated_by"]


def _stamp(item: BriefItem, brief: Brief) -> list[str]:
    """Mark `item` as changed by the brief's new version (after _bump): the fields to save."""
    item.version += 1
    item.updated, item.updated_by = brief.updated, brief.updated_by
    return ITEM_STAMP


def _item_to_edit(
    brief: Brief,
    item_id: int,
    *,
    item_version: int | None,
    expected_version: int | None,
    refused_text: str | None = None,
    unchanged: Callable[[BriefItem], bool] | None = None,
) -> tuple[Brief, BriefItem, bool]:
    """Inside the caller's transaction: the brief, locked as it is now (_lock), its item `item_id`, and
    whether the edit changes anything (False when `unchanged(item)`: then nothing is checked, it is done).

    With `item_version` (what the item's forms send) the edit is refused only if this item changed or went
    since that version (ItemConflict, with `refused_text`); with `expected_version` alone, if anything in the
    brief changed since (BriefConflict), as a brief-level edit. Nothing is written either way."""
    if item_version is None and expected_version is None:
        raise TypeError(
            "An item edit needs the item's version (item_version) or the brief's (expected_version)."
        )
    current = _lock(brief)
    try:
        item = current.items.select_related("updated_by").filter(pk=item_id).first()
    except (ValueError, TypeError):
        item = None
    if item is not None and unchanged is not None and unchanged(item):
        return current, item, False
    if item_version is None and current.version != expected_version:
        raise BriefConflict(current, expected_version)
    if item is None and (item_version is None or BriefItem.objects.filter(pk=item_id).exists()):
        raise BriefActionError(
            f"Item {item_id} is not in this brief any more; it may have been removed or merged."
        )
    if item_version is not None and (item is None or item.version != item_version):
        raise ItemConflict(current, item_id, item, item_version, refused_text=refused_text)
    return current, item, True


def _set_positions(items: list[BriefItem]) -> None:
    """Number `items` 0, 1, 2, ... in list order, in one UPDATE for those whose position changes."""
    moved = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            moved.append(item)
    if moved:
        BriefItem.objects.bulk_update(moved, ["position"])


def _record(brief: Brief, user: AbstractBaseUser | None, action: str) -> Revision:
    items = _snapshot_items(brief)
    _set_positions(items)
    return Revision.objects.create(
        brief=brief,
        number=brief.version,
        snapshot=brief_snapshot(brief, items),
        action=action[:200],
        author=user,
    )


def _item(brief: Brief, item_id: int) -> BriefItem:
    try:
        return brief.items.get(pk=item_id)
    except (BriefItem.DoesNotExist, ValueError, TypeError):
        raise BriefActionError(
            f"Item {item_id} is not in this brief any more; it may have been removed or merged."
        ) from None


def _append(brief: Brief, **fields) -> BriefItem:
    position = brief.items.count()
    return BriefItem.objects.create(
        brief=brief, position=position, updated=brief.updated, updated_by=brief.updated_by, **fields
    )


# --- The headline and standfirst -------------------------------------------------------------------


def _header_at(brief: Brief, number: int) -> tuple[str, str] | None:
    """The headline and standfirst as revision `number` recorded them (version 0: empty; None: no such)."""
    if number == 0:
        return "", ""
    row = (
        brief.revisions.filter(number=number)
        .annotate(headline=KT("snapshot__headline"), standfirst=KT("snapshot__standfirst"))
        .values_list("headline", "standfirst")
        .first()
    )
    return (row[0] or "", row[1] or "") if row else None


def _header_changed(brief: Brief, since: int) -> tuple[AbstractBaseUser | None, object]:
    """Who last changed the headline or standfirst after version `since`, and when (from the revisions)."""
    previous = _header_at(brief, since)
    changed_by, changed_at = brief.updated_by, brief.updated
    revisions = (
        brief.revisions.filter(number__gt=since)
        .select_related("author")
        .defer("snapshot")
        .annotate(headline=KT("snapshot__headline"), standfirst=KT("snapshot__standfirst"))
        .order_by("number")
    )
    for revision in revisions:
        header = (revision.headline or "", revision.standfirst or "")
        if header != previous:
            changed_by, changed_at = revision.author, revision.created
        previous = header
    return changed_by, changed_at


def brief_update_header(
    brief: Brief, *, headline: str, standfirst: str, user: AbstractBaseUser | None, expected_version: int
) -> Brief:
    """Save the headline and standfirst, refused (HeaderConflict) only if they changed since
    `expected_version`: the rest of the brief may have changed meanwhile. Saving them unchanged records
    nothing (`brief.saved` is False)."""
    headline, standfirst = " ".join(headline.split()), standfirst.strip()
    if len(headline) > 300:
        raise BriefActionError(f"The headline is {len(headline)} characters long; the limit is 300.")
    with transaction.atomic():
        current = _lock(brief)
        header = (current.headline, current.standfirst)
        if header == (headline, standfirst):
            current.saved = False
            return current
        if current.version != expected_version and _header_at(current, expected_version) != header:
            changed_by, changed_at = _header_changed(current, expected_version)
            raise HeaderConflict(
                current,
                expected_version,
                refused=(headline, standfirst),
                changed_by=changed_by,
                changed_at=changed_at,
            )
        brief = _bump(current, user)
        brief.headline, brief.standfirst = headline, standfirst
        brief.save(update_fields=["headline", "standfirst"])
        _record(brief, user, "Edited the headline and standfirst")
    brief.saved = True
    return brief


# --- Additions: appended, never refused ------------------------------------------------------------
#
# `expected_version`, the brief's version the editor saw, is accepted and not checked: an addition
# overwrites nothing, so no colleague's change since makes it wrong.


def brief_add_claim(
    brief: Brief, claim: Claim, *, user: AbstractBaseUser | None, expected_version: int | None = None
) -> BriefItem:
    if claim.story_id != brief.story_id:
        raise BriefActionError("That claim belongs to another story.")
    with transaction.atomic():
        brief = _begin_addition(brief, user)
        sentences = list(claim.sentences.all())
        if not sentences and claim.representative_id:
            sentences = [claim.representative]
        item = _append(brief, text=claim.text, origin=BriefItem.Origin.CLAIM, claim=claim)
        item.sentences.set(sentences)
        item.articles.set({s.article_id for s in sentences})
        _record(brief, user, f"Added claim “{shorten(claim.text, 60)}”")
    return item


def brief_add_sentence(
    brief: Brief, sentence: Sentence, *, user: AbstractBaseUser | None, expected_version: int | None = None
) -> BriefItem:
    if sentence.article.story_id != brief.story_id:
        raise BriefActionError("That sentence belongs to an article of another story.")
    with transaction.atomic():
        brief = _begin_addition(brief, user)
        item = _append(brief, text=sentence.text, origin=BriefItem.Origin.SENTENCE)
        item.sentences.set([sentence])
        item.articles.set([sentence.article_id])
        _record(brief, user, f"Added sentence “{shorten(sentence.text, 60)}”")
    return item


def brief_add_own_item(
    brief: Brief, *, text: str, user: AbstractBaseUser | None, expected_version: int | None = None
) -> BriefItem:
    text = text.strip()
    if not text:
        raise BriefActionError("Write the item's text first: it is empty.")
    with transaction.atomic():
        brief = _begin_addition(brief, user)
        item = _append(brief, text=text, origin=BriefItem.Origin.OWN)
        _record(brief, user, f"Wrote item “{shorten(text, 60)}”")
    return item


# --- Item-level edits: refused only if the item changed --------------------------------------------
#
# Each takes `item_version` (the item's version the editor saw: refused only if that item changed or went
# since) or, from callers that know only the brief's version, `expected_version` (refused if anything in
# the brief changed since).


def brief_remove_item(
    brief: Brief,
    item_id: int,
    *,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    item_version: int | None = None,
) -> Brief:
    with transaction.atomic():
        brief, item, _ = _item_to_edit(
            brief, item_id, item_version=item_version, expected_version=expected_version
        )
        text = item.text
        item.delete()
        brief = _bump(brief, user)
        _record(brief, user, f"Removed item “{shorten(text, 60)}”")
    return brief


def brief_move_item(
    brief: Brief,
    item_id: int,
    *,
    to_position: int | None = None,
    before: int | None = None,
    after: int | None = None,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    item_version: int | None = None,
) -> Brief:
    """Move an item next to another (`before` or `after` that item's id) or to `to_position` (0-based,
    clamped to the list); the others close up around it. A move changes the brief's order, not the item:
    its version stays. Moving it where it is records nothing (`brief.saved` is False).

    Next to another item, the move is item-level (with `item_version`) and refused also when that other item
    went; to a numbered place it is brief-level whatever is given (refused if anything changed since
    `expected_version`): the number meant a place in the list the editor saw."""
    if [to_position, before, after].count(None) != 2:
        raise TypeError("Move an item to_position, before another item or after one: one of them.")
    if to_position is not None:
        item_version = None
    with transaction.atomic():
        brief, item, _ = _item_to_edit(
            brief, item_id, item_version=item_version, expected_version=expected_version
        )
        ordered = list(brief.items.order_by("position", "id"))
        from_position = next(n for n, i in enumerate(ordered) if i.pk == item.pk)
        items = [i for i in ordered if i.pk != item.pk]
        if to_position is not None:
            to_position = max(0, min(int(to_position), len(items)))
        else:
            neighbour = int(before if before is not None else after)
            if neighbour == item.pk:
                raise BriefActionError("An item cannot be moved next to itself.")
            index = next((n for n, i in enumerate(items) if i.pk == neighbour), None)
            if index is None:
                raise BriefConflict(
                    brief,
                    brief.version if expected_version is None else expected_version,
                    "The item you placed it next to was removed or merged by a colleague in the meantime: "
                    "your move was not saved. The brief as it is now is shown.",
                )
            to_position = index if before is not None else index + 1
        items.insert(to_position, ordered[from_position])
        if [i.pk for i in items] == [i.pk for i in ordered]:
            brief.saved = False
            return brief
        brief = _bump(brief, user)
        _set_positions(items)
        _record(
            brief,
            user,
            f"Moved item “{shorten(item.text, 60)}” from {from_position + 1} to {to_position + 1}",
        )
    brief.saved = True
    return brief


def brief_edit_item(
    brief: Brief,
    item_id: int,
    *,
    text: str,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    item_version: int | None = None,
) -> BriefItem:
    """Save an item's text. Refused, the conflict keeps the text (ItemConflict.refused_text). Saving it
    unchanged records nothing (the returned item's `saved` is False)."""
    text = text.strip()
    if not text:
        raise BriefActionError("An item cannot be empty; remove it instead.")
    with transaction.atomic():
        brief, item, changes = _item_to_edit(
            brief,
            item_id,
            item_version=item_version,
            expected_version=expected_version,
            refused_text=text,
            unchanged=lambda current: current.text == text,
        )
        if changes:
            brief = _bump(brief, user)
            item.text = text
            item.edited = item.origin != BriefItem.Origin.OWN
            item.save(update_fields=["text", "edited", *_stamp(item, brief)])
            _record(brief, user, f"Edited item {item.position + 1}: “{shorten(text, 60)}”")
    item.brief, item.saved = brief, changes
    return item


def brief_attach_source(
    brief: Brief,
    item_id: int,
    *,
    article: Article,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    item_version: int | None = None,
) -> BriefItem:
    """Attach a source to an item. Attaching one it already cites records nothing (`saved` is False)."""
    if article.story_id != brief.story_id:
        raise BriefActionError("That article belongs to another story.")
    with transaction.atomic():
        brief, item, changes = _item_to_edit(
            brief,
            item_id,
            item_version=item_version,
            expected_version=expected_version,
            unchanged=lambda current: current.articles.filter(pk=article.pk).exists(),
        )
        if changes:
            brief = _bump(brief, user)
            item.articles.add(article)
            item.save(update_fields=_stamp(item, brief))
            _record(brief, user, f"Attached {article.source_label} to item {item.position + 1}")
    item.brief, item.saved = brief, changes
    return item


def brief_detach_source(
    brief: Brief,
    item_id: int,
    *,
    article: Article,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    item_version: int | None = None,
) -> BriefItem:
    """Detach a source from an item, with the sentences the item cites from it (the item may end up
    unsourced: the pre-publish check says so). Detaching one it does not cite records nothing (`saved` is
    False)."""
    with transaction.atomic():
        brief, item, changes = _item_to_edit(
            brief,
            item_id,
            item_version=item_version,
            expected_version=expected_version,
            unchanged=lambda current: not current.articles.filter(pk=article.pk).exists(),
        )
        if changes:
            brief = _bump(brief, user)
            item.articles.remove(article)
            item.sentences.remove(*item.sentences.filter(article_id=article.pk))
            item.save(update_fields=_stamp(item, brief))
            _record(brief, user, f"Detached {article.source_label} from item {item.position + 1}")
    item.brief, item.saved = brief, changes
    return item


def brief_resolve_flag(
    brief: Brief,
    item_id: int,
    *,
    key: str,
    resolution: str,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    item_version: int | None = None,
) -> BriefItem:
    """Settle one discrepancy flag of an item (keep one side, reworded, or noted), as a new revision.
    Settling it again the same way records nothing (`saved` is False)."""
    if resolution not in RESOLUTIONS:
        raise BriefActionError(
            f"“{resolution}” is not a way to settle a flag; choose one of the listed ones."
        )
    with transaction.atomic():
        brief, item, changes = _item_to_edit(
            brief,
            item_id,
            item_version=item_version,
            expected_version=expected_version,
            unchanged=lambda current: any(
                e.get("key") == key and e.get("resolution") == resolution
                for e in current.flag_resolutions or []
            ),
        )
        if changes:
            flag = next((f for f in item_flags([item]).get(item.pk, []) if f.key == key), None)
            if flag is None:
                raise BriefActionError(
                    "That flag is not on this item any more (the synthesis was re-run); reload the brief."
                )
            brief = _bump(brief, user)
            entry = {
                "key": key,
                "resolution": resolution,
                "by": user.get_username() if user is not None else "",
                "at": timezone.now().isoformat(),
            }
            item.flag_resolutions = [e for e in item.flag_resolutions or [] if e.get("key") != key] + [entry]
            item.save(update_fields=["flag_resolutions", *_stamp(item, brief)])
            settled = RESOLUTIONS[resolution].format(value_a=flag.value_a, value_b=flag.value_b)
            _record(brief, user, f"Item {item.position + 1}: flag on {flag.kind} {settled}")
    item.brief, item.saved = brief, changes
    return item


# --- Brief-level edits: refused if anything changed ------------------------------------------------


def brief_merge_items(
    brief: Brief,
    item_ids: Sequence[int],
    *,
    text: str | None = None,
    user: AbstractBaseUser | None,
    expected_version: int,
) -> BriefItem:
    """Merge items into one at the place of the first; sources are united, the text joined unless given."""
    unique_ids = list(dict.fromkeys(int(i) for i in item_ids))
    if len(unique_ids) < 2:
        raise BriefActionError("Choose two or more items to merge.")
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        items = sorted((_item(brief, i) for i in unique_ids), key=lambda i: (i.position, i.pk))
        merged_text = (text or "").strip() or " ".join(i.text.strip() for i in items)
        keep = items[0]
        article_ids: set[int] = set()
        sentence_ids: set[int] = set()
        for each in items:
            article_ids.update(each.articles.values_list("pk", flat=True))
            sentence_ids.update(each.sentences.values_list("pk", flat=True))
        BriefItem.objects.filter(pk__in=[i.pk for i in items[1:]]).delete()
        keep.text, keep.origin, keep.edited, keep.claim = merged_text, BriefItem.Origin.MERGED, True, None
        keep.save(update_fields=["text", "origin", "edited", "claim", *_stamp(keep, brief)])
        keep.articles.set(article_ids)
        keep.sentences.set(sentence_ids)
        _record(brief, user, f"Merged {len(items)} items into “{shorten(merged_text, 60)}”")
    return keep


def brief_start_from_candidate(
    brief: Brief, *, user: AbstractBaseUser | None, expected_version: int
) -> Brief:
    """Replace the items with the machine's candidate brief (the previous items stay in the history)."""
    candidate = getattr(brief.story, "candidate_brief", None)
    if candidate is None:
        raise BriefActionError(
            "There is no candidate brief for this story yet: "
            "it appears when the analysis of its articles is done."
        )
    rows = list(
        candidate.sentences.select_related("sentence", "claim").prefetch_related(
            Prefetch("claim__sentences", queryset=Sentence.objects.only("id", "article_id"))
        )
    )
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        brief.items.all().delete()
        for position, row in enumerate(rows):
            sentences = list(row.claim.sentences.all()) if row.claim else []
            if row.sentence not in sentences:
                sentences.append(row.sentence)
            item = BriefItem.objects.create(
                brief=brief,
                position=position,
                text=row.sentence.text,
                origin=BriefItem.Origin.CLAIM if row.claim else BriefItem.Origin.SENTENCE,
                claim=row.claim,
                updated=brief.updated,
                updated_by=user,
            )
            item.sentences.set(sentences)
            item.articles.set({s.article_id for s in sentences})
        if not brief.headline:
            brief.headline = brief.story.title
            brief.save(update_fields=["headline"])
        _record(brief, user, f"Started from the candidate brief ({len(rows)} items)")
    return brief


def brief_restore_revision(
    brief: Brief, number: int, *, user: AbstractBaseUser | None, expected_version: int
) -> Brief:
    """Make an earlier revision current again, as a new revision. Sources no longer in the story drop."""
    revision = brief.revisions.filter(number=number).first()
    if revision is None:
        raise BriefActionError(f"This brief has no revision {number}.")
    snapshot = revision.snapshot
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        brief.items.all().delete()
        brief.headline, brief.standfirst = snapshot.get("headline", ""), snapshot.get("standfirst", "")
        brief.save(update_fields=["headline", "standfirst"])
        story_articles = set(brief.story.articles.values_list("pk", flat=True))
        all_sentence_ids = {
            sid for entry in snapshot.get("items", []) for sid in entry.get("sentence_ids", [])
        }
        live_sentences = set(
            Sentence.objects.filter(pk__in=all_sentence_ids, article__story=brief.story).values_list(
                "pk", flat=True
            )
        )
        live_claims = set(brief.story.claims.values_list("pk", flat=True))
        for position, entry in enumerate(snapshot.get("items", [])):
            item = BriefItem.objects.create(
                brief=brief,
                position=position,
                text=entry["text"],
                edited=entry.get("edited", False),
                origin=entry.get("origin", BriefItem.Origin.OWN),
                claim_id=entry.get("claim_id") if entry.get("claim_id") in live_claims else None,
                flag_resolutions=entry.get("flag_resolutions", []),
                updated=brief.updated,
                updated_by=user,
            )
            item.articles.set(
                [s["article_id"] for s in entry.get("sources", []) if s["article_id"] in story_articles]
            )
            item.sentences.set([sid for sid in entry.get("sentence_ids", []) if sid in live_sentences])
        _record(brief, user, f"Restored revision {number}")
    return brief


# --- Publishing ------------------------------------------------------------------------------------


def brief_publish(
    brief: Brief,
    *,
    user: AbstractBaseUser | None,
    expected_version: int,
    confirm_warnings: bool = False,
) -> Publication:
    """Freeze the current revision at the story's public permalink, replacing any earlier publication.

    The pre-publish check (briefs.checks.publish_warnings) runs first: with warnings, nothing is published
    (PublishCheckFailed) unless `confirm_warnings`, and then the confirmed warnings are kept with the
    publication."""
    with transaction.atomic():
        if not Brief.objects.filter(pk=brief.pk, version=expected_version).update(
            state=Brief.State.PUBLISHED
        ):
            current = Brief.objects.select_related("story", "updated_by").get(pk=brief.pk)
            raise BriefConflict(current, expected_version)
        brief = Brief.objects.select_for_update(of=("self",)).select_related("story").get(pk=brief.pk)
        revision = brief.revisions.filter(number=brief.version).first()
        if revision is None or not revision.snapshot.get("items"):
            raise BriefActionError("Nothing to publish yet: add at least one item to the brief.")
        if not revision.snapshot.get("headline"):
            raise BriefActionError("Write a headline before publishing.")
        warnings = publish_warnings(
            brief, list(brief.items.order_by("position", "id").prefetch_related("articles"))
        )
        if warnings and not confirm_warnings:
            raise PublishCheckFailed(warnings)
        now = timezone.now()
        brief.publications.filter(unpublished_at__isnull=True).update(unpublished_at=now, unpublished_by=user)
        return Publication.objects.create(
            brief=brief,
            revision=revision,
            published_at=now,
            published_by=user,
            warnings=[w.as_dict() for w in warnings],
        )


def brief_unpublish(brief: Brief, *, user: AbstractBaseUser | None, expected_version: int) -> Publication:
    with transaction.atomic():
        if not Brief.objects.filter(pk=brief.pk, version=expected_version).update(state=Brief.State.DRAFT):
            current = Brief.objects.select_related("story", "updated_by").get(pk=brief.pk)
            raise BriefConflict(current, expected_version)
        live = brief.publications.select_for_update(of=("self",)).filter(unpublished_at__isnull=True).first()
        if live is None:
            raise BriefActionError("This brief is not published.")
        live.unpublished_at, live.unpublished_by = timezone.now(), user
        live.save(update_fields=["unpublished_at", "unpublished_by"])
    return live
