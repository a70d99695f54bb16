"""The history's comparison of two revisions tells a reorder as a move and a merge as a merge, item by item,
instead of a word diff of the whole brief that reads as text deleted here and inserted there."""

from __future__ import annotations

import html as html_lib
import re

from django.urls import reverse

from briefs.presentation import brief_changes
from briefs.services import (
    brief_add_claim,
    brief_add_own_item,
    brief_get_or_create,
    brief_merge_items,
    brief_move_item,
)


def _changes(client, built, a: int, b: int) -> list[str]:
    html = client.get(
        reverse("brief_history", args=[built.story.slug]),
        {"a": a, "b": b},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="diff",
    ).content.decode()
    return [
        html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip())
        for li in re.findall(r'<li class="change[^"]*">(.*?)</li>', html, re.S)
    ]


def _three_items(built):
    brief = brief_get_or_create(built.story)
    first = brief_add_claim(brief, built.claims["agreed"], user=None)
    second = brief_add_claim(brief, built.claims["unique"], user=None)
    third = brief_add_own_item(brief, text="A line of the desk's own.", user=None)
    brief.refresh_from_db()
    return brief, first, second, third


def test_a_reorder_reads_as_a_move(editor_client, built):
    brief, first, second, third = _three_items(built)
    brief_move_item(brief, third.pk, before=first.pk, user=None, item_version=third.version)

    assert _changes(editor_client, built, 3, 4) == [
        "Item moved from position 3 to 1: “A line of the desk's own.”"
    ]


def test_a_merge_reads_as_a_merge(editor_client, built):
    brief, first, second, third = _three_items(built)
    brief_merge_items(
        brief, [first.pk, second.pk], text="Krause resigns; critics worry.", user=None, expected_version=3
    )

    [merge] = _changes(editor_client, built, 3, 4)
    assert merge.startswith("Merged items 1 and 2 into item 1: ")
    assert merge.endswith(": “Krause resigns; critics worry.”")
    # The third item only moved up a place because two became one: no move, no removal is told.
    html = editor_client.get(
        reverse("brief_history", args=[built.story.slug]), {"a": 3, "b": 4}
    ).content.decode()
    assert "Removed item" not in html and "moved from" not in html


def test_additions_edits_sources_and_removals_are_told_item_by_item(editor_client, built):
    from briefs.services import brief_attach_source, brief_edit_item, brief_remove_item

    brief, first, second, third = _three_items(built)
    brief_edit_item(brief, first.pk, text="Krause will resign, the Treasury said.", user=None, item_version=1)
    brief_attach_source(brief, third.pk, article=built.articles[2], user=None, item_version=1)
    brief_remove_item(brief, second.pk, user=None, item_version=1)

    changes = _changes(editor_client, built, 3, 6)
    assert "Removed item 2: A line" not in changes[0]
    assert changes[0].startswith("Removed item 2: ")
    assert changes[1].startswith("Edited item 1: ")
    assert changes[2] == "Sources of item 2: attached Outlet C"
    assert _changes(editor_client, built, 2, 3) == ["Added item 3 (unsourced): A line of the desk's own."]
    assert _changes(editor_client, built, 6, 6) == []


def test_snapshots_of_before_item_ids_are_matched_by_text():
    """Revisions saved before snapshots named their items: a merge found by the sentences the items cite."""
    a = {
        "text": "One.",
        "sentence_ids": [1],
        "sources": [{"article_id": 1, "outlet": "A"}],
        "origin": "claim",
    }
    b = {
        "text": "Two.",
        "sentence_ids": [2],
        "sources": [{"article_id": 2, "outlet": "B"}],
        "origin": "claim",
    }
    c = {
        "text": "Three.",
        "sentence_ids": [3],
        "sources": [{"article_id": 1, "outlet": "A"}],
        "origin": "claim",
    }
    merged = {
        "text": "One. Two.",
        "sentence_ids": [1, 2],
        "sources": a["sources"] + b["sources"],
        "origin": "merged",
    }
    changes = brief_changes({"items": [a, b, c]}, {"items": [c, merged]})
    assert [change.summary for change in changes] == ["Merged items 1 and 2 into item 2"]
    moved = brief_changes({"items": [a, b, c]}, {"items": [b, c, a]})
    assert [change.summary for change in moved] == ["Item moved from position 1 to 3"]
