"""Drill: 50 edits of one brief from concurrent threads (PostgreSQL, real row locks).

Each thread reads the brief's version, waits a moment and sends one edit through briefs.services with that
version, as an editor's browser does. Every edit either applies (and becomes the next version) or gets a
conflict and writes nothing; replaying the applied edits in version order gives the final brief and every
revision in the history.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import pytest
from django.db import connection

from briefs.models import Brief, BriefItem
from briefs.services import (
    BriefConflict,
    brief_add_own_item,
    brief_edit_item,
    brief_get_or_create,
    brief_move_item,
    brief_start_from_candidate,
    brief_update_header,
)
from tests.workbench.wb_factories import build_story

from .conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.timeout(300)]

EDITS = 50


@dataclass
class Edit:
    number: int
    kind: str  # "text", "headline", "add" or "move"
    item_id: int | None = None
    to_position: int = 0
    expected_version: int = -1
    outcome: str = ""  # "applied", "conflict" or "error: ..."
    new_item_id: int | None = None


@dataclass
class State:
    headline: str
    items: list[tuple[int, str]] = field(default_factory=list)  # (item id, text) in brief order

    def apply(self, edit: Edit) -> None:
        if edit.kind == "headline":
            self.headline = f"Headline {edit.number}"
        elif edit.kind == "text":
            self.items = [(pk, f"Text {edit.number}" if pk == edit.item_id else t) for pk, t in self.items]
        elif edit.kind == "add":
            self.items.append((edit.new_item_id, f"Own item {edit.number}"))
        elif edit.kind == "move":
            moving = next(entry for entry in self.items if entry[0] == edit.item_id)
            rest = [entry for entry in self.items if entry[0] != edit.item_id]
            rest.insert(max(0, min(edit.to_position, len(rest))), moving)
            self.items = rest

    def as_snapshot(self) -> tuple[str, list[str]]:
        return self.headline, [text for _pk, text in self.items]


def send(edit: Edit, brief_id: int, start: threading.Barrier, rng: random.Random) -> None:
    try:
        start.wait(timeout=60)
        threading.Event().wait(rng.uniform(0, 2.0))
        brief = Brief.objects.get(pk=brief_id)
        edit.expected_version = brief.version
        version = brief.version
        if edit.kind == "headline":
            brief_update_header(
                brief, headline=f"Headline {edit.number}", standfirst="", user=None, expected_version=version
            )
        elif edit.kind == "text":
            brief_edit_item(
                brief, edit.item_id, text=f"Text {edit.number}", user=None, expected_version=version
            )
        elif edit.kind == "add":
            edit.new_item_id = brief_add_own_item(
                brief, text=f"Own item {edit.number}", user=None, expected_version=version
            ).pk
        else:
            brief_move_item(
                brief, edit.item_id, to_position=edit.to_position, user=None, expected_version=version
            )
        edit.outcome = "applied"
    except BriefConflict:
        edit.outcome = "conflict"
    except Exception as exc:  # noqa: BLE001 - reported by the test, with the edit that raised it
        edit.outcome = f"error: {type(exc).__name__}: {exc}"
    finally:
        connection.close()


def test_fifty_concurrent_edits_each_apply_or_conflict_and_the_brief_is_their_replay(transactional_db):
    built = build_story(slug="contended")
    brief = brief_get_or_create(built.story)
    brief = brief_start_from_candidate(brief, user=None, expected_version=0)
    initial_items = list(brief.items.order_by("position").values_list("pk", "text"))
    assert len(initial_items) >= 2
    start_version = Brief.objects.get(pk=brief.pk).version
    initial = State(headline=Brief.objects.get(pk=brief.pk).headline, items=initial_items)

    rng = random.Random(6)
    kinds = ["text", "headline", "add", "move"]
    edits = [
        Edit(
            number=n,
            kind=kinds[n % len(kinds)],
            item_id=rng.choice(initial_items)[0],
            to_position=rng.randrange(0, len(initial_items) + 2),
        )
        for n in range(EDITS)
    ]
    start = threading.Barrier(EDITS)
    threads = [
        threading.Thread(target=send, args=(edit, brief.pk, start, random.Random(edit.number)))
        for edit in edits
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not [e for e in edits if e.outcome not in ("applied", "conflict")], [
        (e.number, e.outcome) for e in edits if e.outcome not in ("applied", "conflict")
    ]
    applied = sorted((e for e in edits if e.outcome == "applied"), key=lambda e: e.expected_version)
    conflicts = [e for e in edits if e.outcome == "conflict"]
    assert len(applied) + len(conflicts) == EDITS
    print(f"{EDITS} concurrent edits: {len(applied)} applied, {len(conflicts)} conflicts")
    assert len(applied) >= 2 and conflicts  # both outcomes really happened
    # Every applied edit claimed the next version: no two applied on the same version, none skipped.
    assert [e.expected_version for e in applied] == list(range(start_version, start_version + len(applied)))

    brief = Brief.objects.get(pk=brief.pk)
    assert brief.version == start_version + len(applied)
    replay = State(headline=initial.headline, items=list(initial.items))
    snapshots = {r.number: r.snapshot for r in brief.revisions.all()}
    for edit in applied:
        replay.apply(edit)
        revision = snapshots[edit.expected_version + 1]
        assert (revision["headline"], [item["text"] for item in revision["items"]]) == replay.as_snapshot()
    current = (
        brief.headline,
        list(BriefItem.objects.filter(brief=brief).order_by("position").values_list("text", flat=True)),
    )
    assert current == replay.as_snapshot()
    # The history holds one revision per applied edit after the start, and nothing for a conflict.
    assert sorted(snapshots) == list(range(1, brief.version + 1))
