"""Every write on the editorial side. Each brief edit is one transaction that checks the client's expected
version, changes the items, bumps the version and records a Revision holding the whole brief.

A stale edit raises BriefConflict carrying the brief as it is now; an edit that makes no sense (an item of
another brief, a merge of one item, empty text) raises BriefActionError with a message for the editor.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from articles.models import Article, Claim, Sentence, Story
from briefs.checks import RESOLUTIONS, PublishWarning, item_flags, publish_warnings
from briefs.models import Brief, BriefItem, Publication, Revision
from briefs.roles import DEMO_ACCOUNTS, ROLE_PERMISSIONS, STAFF_ROLES

SNAPSHOT_SCHEMA = 1


class BriefConflict(Exception):
    """The brief changed since the editor loaded it; `current` is the brief as it is now."""

    def __init__(self, current: Brief, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        who = current.updated_by.get_username() if current.updated_by else "someone"
        super().__init__(
            f"This brief was changed by {who} while you were working: you edited version {expected_version}, "
            f"it is now at version {current.version}. Your change was not saved. "
            "The current version is shown; redo your change if it is still needed."
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


# --- Stories ---------------------------------------------------------------------------------------


def story_rerun_analysis(*, story: Story, algorithm: str | None = None) -> int:
    """Queue the analysis of every article of the story again (with `algorithm` for the summaries)."""
    from articles.jobs import enqueue_analysis

    articles = list(story.articles.all())
    with transaction.atomic():  # every job exists before the first is sent: one synthesis after the last
        for article in articles:
            enqueue_analysis(article, algorithm=algorithm, force=True)
    return len(articles)


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


# --- Snapshots -------------------------------------------------------------------------------------


def _source(article: Article) -> dict:
    return {
        "article_id": article.pk,
        "outlet": article.source_label,
        "title": article.title,
        "url": article.url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }


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
            Prefetch("sentences", queryset=Sentence.objects.only("id", "article_id")),
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
                "position": item.position,
                "text": item.text,
                "edited": item.edited,
                "origin": item.origin,
                "claim_id": item.claim_id,
                "sentence_ids": sorted(s.pk for s in item.sentences.all()),
                "sources": [_source(a) for a in item.articles.all()],
                "flag_resolutions": list(item.flag_resolutions or []),
            }
            for item in items
        ],
    }


# --- The edit transaction --------------------------------------------------------------------------


def brief_get_or_create(story: Story) -> Brief:
    brief, _ = Brief.objects.get_or_create(story=story)
    return brief


def _begin_edit(brief: Brief, expected_version: int, user: AbstractBaseUser | None) -> Brief:
    """Claim the next version (inside the caller's transaction) or raise BriefConflict.

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
    return BriefItem.objects.create(brief=brief, position=position, **fields)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brief_update_header(
    brief: Brief, *, headline: str, standfirst: str, user: AbstractBaseUser | None, expected_version: int
) -> Brief:
    """Save the headline and standfirst. Saving them unchanged records nothing (`brief.saved` is False)."""
    headline, standfirst = " ".join(headline.split()), standfirst.strip()
    if len(headline) > 300:
        raise BriefActionError(f"The headline is {len(headline)} characters long; the limit is 300.")
    current = Brief.objects.filter(pk=brief.pk).values_list("headline", "standfirst").first()
    if current == (headline, standfirst):
        brief.saved = False
        return brief
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        brief.headline, brief.standfirst = headline, standfirst
        brief.save(update_fields=["headline", "standfirst"])
        _record(brief, user, "Edited the headline and standfirst")
    brief.saved = True
    return brief


def brief_add_claim(
    brief: Brief, claim: Claim, *, user: AbstractBaseUser | None, expected_version: int
) -> BriefItem:
    if claim.story_id != brief.story_id:
        raise BriefActionError("That claim belongs to another story.")
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        sentences = list(claim.sentences.all())
        if not sentences and claim.representative_id:
            sentences = [claim.representative]
        item = _append(brief, text=claim.text, origin=BriefItem.Origin.CLAIM, claim=claim)
        item.sentences.set(sentences)
        item.articles.set({s.article_id for s in sentences})
        _record(brief, user, f"Added claim “{_short(claim.text)}”")
    return item


def brief_add_sentence(
    brief: Brief, sentence: Sentence, *, user: AbstractBaseUser | None, expected_version: int
) -> BriefItem:
    if sentence.article.story_id != brief.story_id:
        raise BriefActionError("That sentence belongs to an article of another story.")
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _append(brief, text=sentence.text, origin=BriefItem.Origin.SENTENCE)
        item.sentences.set([sentence])
        item.articles.set([sentence.article_id])
        _record(brief, user, f"Added sentence “{_short(sentence.text)}”")
    return item


def brief_add_own_item(
    brief: Brief, *, text: str, user: AbstractBaseUser | None, expected_version: int
) -> BriefItem:
    text = text.strip()
    if not text:
        raise BriefActionError("Write the item's text first: it is empty.")
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _append(brief, text=text, origin=BriefItem.Origin.OWN)
        _record(brief, user, f"Wrote item “{_short(text)}”")
    return item


def brief_remove_item(
    brief: Brief, item_id: int, *, user: AbstractBaseUser | None, expected_version: int
) -> Brief:
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _item(brief, item_id)
        text = item.text
        item.delete()
        _record(brief, user, f"Removed item “{_short(text)}”")
    return brief


def brief_move_item(
    brief: Brief, item_id: int, *, to_position: int, user: AbstractBaseUser | None, expected_version: int
) -> Brief:
    """Move an item to `to_position` (0-based, clamped to the list); the others close up around it."""
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _item(brief, item_id)
        ordered = list(brief.items.order_by("position", "id"))
        from_position = next(n for n, i in enumerate(ordered) if i.pk == item.pk)
        items = [i for i in ordered if i.pk != item.pk]
        to_position = max(0, min(int(to_position), len(items)))
        items.insert(to_position, ordered[from_position])
        _set_positions(items)
        _record(
            brief, user, f"Moved item “{_short(item.text)}” from {from_position + 1} to {to_position + 1}"
        )
    return brief


def brief_edit_item(
    brief: Brief, item_id: int, *, text: str, user: AbstractBaseUser | None, expected_version: int
) -> BriefItem:
    """Save an item's text. Saving it unchanged records nothing (the returned item's `saved` is False)."""
    text = text.strip()
    if not text:
        raise BriefActionError("An item cannot be empty; remove it instead.")
    item = brief.items.filter(pk=item_id).first()
    if item is not None and item.text == text:
        item.saved = False
        return item
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _item(brief, item_id)
        item.text = text
        item.edited = item.origin != BriefItem.Origin.OWN
        item.save(update_fields=["text", "edited"])
        _record(brief, user, f"Edited item {item.position + 1}: “{_short(text)}”")
    item.saved = True
    return item


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
        keep.save(update_fields=["text", "origin", "edited", "claim"])
        keep.articles.set(article_ids)
        keep.sentences.set(sentence_ids)
        _record(brief, user, f"Merged {len(items)} items into “{_short(merged_text)}”")
    return keep


def brief_attach_source(
    brief: Brief, item_id: int, *, article: Article, user: AbstractBaseUser | None, expected_version: int
) -> BriefItem:
    """Attach a source to an item. Attaching one it already cites records nothing (`saved` is False)."""
    if article.story_id != brief.story_id:
        raise BriefActionError("That article belongs to another story.")
    item = brief.items.filter(pk=item_id).first()
    if item is not None and item.articles.filter(pk=article.pk).exists():
        item.saved = False
        return item
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _item(brief, item_id)
        item.articles.add(article)
        _record(brief, user, f"Attached {article.source_label} to item {item.position + 1}")
    item.saved = True
    return item


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
            )
            item.articles.set(
                [s["article_id"] for s in entry.get("sources", []) if s["article_id"] in story_articles]
            )
            item.sentences.set([sid for sid in entry.get("sentence_ids", []) if sid in live_sentences])
        _record(brief, user, f"Restored revision {number}")
    return brief


def brief_resolve_flag(
    brief: Brief,
    item_id: int,
    *,
    key: str,
    resolution: str,
    user: AbstractBaseUser | None,
    expected_version: int,
) -> BriefItem:
    """Settle one discrepancy flag of an item (keep one side, reworded, or noted), as a new revision."""
    if resolution not in RESOLUTIONS:
        raise BriefActionError(
            f"“{resolution}” is not a way to settle a flag; choose one of the listed ones."
        )
    with transaction.atomic():
        brief = _begin_edit(brief, expected_version, user)
        item = _item(brief, item_id)
        flag = next((f for f in item_flags([item]).get(item.pk, []) if f.key == key), None)
        if flag is None:
            raise BriefActionError(
                "That flag is not on this item any more (the synthesis was re-run); reload the brief."
            )
        entry = {
            "key": key,
            "resolution": resolution,
            "by": user.get_username() if user is not None else "",
            "at": timezone.now().isoformat(),
        }
        item.flag_resolutions = [e for e in item.flag_resolutions or [] if e.get("key") != key] + [entry]
        item.save(update_fields=["flag_resolutions"])
        settled = RESOLUTIONS[resolution].format(value_a=flag.value_a, value_b=flag.value_b)
        _record(brief, user, f"Item {item.position + 1}: flag on {flag.kind} {settled}")
    return item


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
