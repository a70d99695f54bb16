"""The brief services and the pure presentation helpers, below the views."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from briefs.models import Brief, Revision
from briefs.presentation import cite, snapshot_markdown, word_diff
from briefs.services import (
    BriefConflict,
    HeaderConflict,
    ItemConflict,
    brief_add_claim,
    brief_add_own_item,
    brief_attach_source,
    brief_edit_item,
    brief_get_or_create,
    brief_merge_items,
    brief_move_item,
    brief_remove_item,
    brief_restore_revision,
    brief_start_from_candidate,
    brief_update_header,
)
from tests.workbench.wb_factories import build_story, draft_brief


def test_stale_brief_level_edit_raises_conflict_and_writes_nothing(built):
    brief = draft_brief(built)
    with pytest.raises(BriefConflict) as raised:
        brief_merge_items(
            brief, list(brief.items.values_list("pk", flat=True)), user=None, expected_version=2
        )
    assert raised.value.current.version == 3
    assert "version 2" in str(raised.value) and "version 3" in str(raised.value)
    assert brief.items.count() == 2 and Revision.objects.filter(brief=brief).count() == 3


def test_an_addition_on_a_stale_version_is_appended_not_refused(built):
    brief = draft_brief(built)
    item = brief_add_own_item(brief, text="Late", user=None, expected_version=1)
    assert item.position == 2 and Brief.objects.get(pk=brief.pk).version == 4
    assert [entry["text"] for entry in Revision.objects.get(brief=brief, number=4).snapshot["items"]][
        -1
    ] == "Late"


def test_snapshot_holds_sources_for_the_public_page(built):
    brief = draft_brief(built)
    snapshot = Revision.objects.get(brief=brief, number=3).snapshot
    assert snapshot["headline"] == "Krause resigns" and snapshot["version"] == 3
    first = snapshot["items"][0]
    assert first["origin"] == "claim" and first["claim_id"] == built.claims["agreed"].pk
    assert [s["outlet"] for s in first["sources"]] == ["Outlet A", "Outlet B"]
    assert first["sources"][0]["url"] == built.articles[0].url


def test_move_is_clamped_to_the_list(built):
    brief = draft_brief(built)
    first = brief.items.order_by("position").first()
    brief_move_item(brief, first.pk, to_position=99, user=None, expected_version=3)
    assert list(brief.items.order_by("position").values_list("pk", flat=True))[-1] == first.pk


def test_restore_drops_sources_that_left_the_story(built):
    brief = draft_brief(built)
    built.articles[1].delete()
    brief_restore_revision(brief, 2, user=None, expected_version=3)
    [item] = brief.items.all()
    assert list(item.articles.all()) == [built.articles[0]]


def test_claim_of_another_story_is_refused(built):
    from briefs.services import BriefActionError

    other = build_story(slug="other", title="Other")
    with pytest.raises(BriefActionError):
        brief_add_claim(
            brief_get_or_create(built.story), other.claims["agreed"], user=None, expected_version=0
        )


def test_citations_are_numbered_by_first_use():
    snapshot = {
        "headline": "H",
        "items": [
            {
                "text": "a",
                "sources": [{"article_id": 7, "outlet": "X", "title": "t7", "url": "https://x.example/7"}],
            },
            {
                "text": "b",
                "sources": [{"article_id": 3, "outlet": "Y", "title": "t3", "url": ""}, {"article_id": 7}],
            },
            {"text": "c", "sources": []},
        ],
    }
    brief = cite(snapshot)
    assert [i.citations for i in brief.items] == [[1], [1, 2], []]
    assert [s.outlet for s in brief.sources] == ["X", "Y"]
    assert brief.items[2].unsourced
    markdown = snapshot_markdown(snapshot)
    assert "1. a[^1]" in markdown and "2. b[^1][^2]" in markdown and "3. c (unsourced)" in markdown
    assert "[^1]: X: [t7](https://x.example/7)" in markdown and "[^2]: Y: t3" in markdown


def test_word_diff_marks_words():
    chunks = word_diff("the cat sat", "the dog sat down")
    assert [(c.op, c.text) for c in chunks] == [
        ("equal", "the "),
        ("delete", "cat"),
        ("insert", "dog"),
        ("equal", " sat"),
        ("insert", " down"),
    ]


def test_saving_unchanged_text_headline_or_source_records_no_revision(built):
    brief = draft_brief(built)
    item = brief.items.order_by("position").first()
    for _ in range(3):
        assert not brief_edit_item(
            brief, item.pk, text=f"  {item.text} ", user=None, expected_version=3
        ).saved
        assert not brief_update_header(
            brief,
            headline="Krause  resigns",
            standfirst="The acting commissioner leaves.",
            user=None,
            expected_version=3,
        ).saved
        assert not brief_attach_source(
            brief, item.pk, article=built.articles[0], user=None, expected_version=3
        ).saved
    assert Revision.objects.filter(brief=brief).count() == 3
    assert Brief.objects.get(pk=brief.pk).version == 3
    assert brief_edit_item(brief, item.pk, text="Krause quits.", user=None, expected_version=3).saved
    assert Revision.objects.filter(brief=brief).count() == 4


# --- Two editors, one brief: conflicts are decided per item -----------------------------------------


def items_in_order(brief) -> list:
    return list(brief.items.order_by("position"))


def test_two_editors_editing_different_items_are_both_saved(built, accounts):
    brief = draft_brief(built)
    first, second = items_in_order(brief)
    assert (first.version, second.version) == (1, 1)
    # Both opened the brief at version 3; the editor saves item 1, then the chief item 2.
    brief_edit_item(brief, first.pk, text="Krause quits.", user=accounts["editor"], item_version=1)
    saved = brief_edit_item(brief, second.pk, text="Five in a year.", user=accounts["chief"], item_version=1)
    assert saved.saved and saved.version == 2 and saved.brief.version == 5
    assert [i.text for i in items_in_order(brief)] == ["Krause quits.", "Five in a year."]
    revisions = {r.number: r for r in Revision.objects.filter(brief=brief)}
    assert sorted(revisions) == [1, 2, 3, 4, 5]
    assert [i["text"] for i in revisions[5].snapshot["items"]] == ["Krause quits.", "Five in a year."]
    assert (revisions[4].author, revisions[5].author) == (accounts["editor"], accounts["chief"])


def test_an_edit_of_an_item_a_colleague_changed_is_refused_with_both_texts(built, accounts):
    brief = draft_brief(built)
    first, _ = items_in_order(brief)
    brief_edit_item(brief, first.pk, text="The editor's wording.", user=accounts["editor"], item_version=1)
    with pytest.raises(ItemConflict) as raised:
        brief_edit_item(brief, first.pk, text="The chief's wording.", user=accounts["chief"], item_version=1)
    conflict = raised.value
    assert conflict.refused_text == "The chief's wording."
    assert conflict.item.text == "The editor's wording." and conflict.item.version == 2
    assert "Item 1 was changed by editor at" in str(conflict) and "not saved" in str(conflict)
    assert Brief.objects.get(pk=brief.pk).version == 4 and Revision.objects.filter(brief=brief).count() == 4
    # Saving again on the version now shown goes through, deliberately.
    again = brief_edit_item(
        brief, first.pk, text="The chief's wording.", user=accounts["chief"], item_version=2
    )
    assert again.saved and items_in_order(brief)[0].text == "The chief's wording."


def test_an_edit_of_an_item_a_colleague_removed_is_refused_with_the_text(built):
    brief = draft_brief(built)
    first, second = items_in_order(brief)
    brief_remove_item(brief, first.pk, user=None, item_version=1)
    with pytest.raises(ItemConflict) as raised:
        brief_edit_item(brief, first.pk, text="Still wanted.", user=None, item_version=1)
    assert raised.value.item is None and raised.value.refused_text == "Still wanted."
    assert "removed or merged" in str(raised.value)
    assert [i.pk for i in items_in_order(brief)] == [second.pk]


def test_item_level_edits_are_refused_only_by_changes_of_their_item(built):
    brief = draft_brief(built)
    first, second = items_in_order(brief)
    brief_edit_item(brief, first.pk, text="Changed first.", user=None, item_version=1)
    # Item 2 did not change: attaching, moving and removing it on its version 1 all go through.
    brief_attach_source(brief, second.pk, article=built.articles[0], user=None, item_version=1)
    second.refresh_from_db()
    assert second.version == 2
    moved = brief_move_item(brief, second.pk, before=first.pk, user=None, item_version=2)
    assert moved.saved and [i.pk for i in items_in_order(brief)] == [second.pk, first.pk]
    assert not brief_move_item(brief, second.pk, before=first.pk, user=None, item_version=2).saved
    # Item 1 did change: removing or moving it on its version 1 is refused.
    with pytest.raises(ItemConflict):
        brief_remove_item(brief, first.pk, user=None, item_version=1)
    with pytest.raises(ItemConflict):
        brief_move_item(brief, first.pk, before=second.pk, user=None, item_version=1)
    brief_remove_item(brief, second.pk, user=None, item_version=2)
    assert [i.pk for i in items_in_order(brief)] == [first.pk]
    assert Brief.objects.get(pk=brief.pk).version == 3 + 4


def test_a_move_next_to_an_item_that_went_is_refused(built):
    brief = draft_brief(built)
    first, second = items_in_order(brief)
    brief_remove_item(brief, first.pk, user=None, item_version=1)
    with pytest.raises(BriefConflict) as raised:
        brief_move_item(brief, second.pk, before=first.pk, user=None, item_version=1)
    assert "placed it next to was removed" in str(raised.value)


def test_the_headline_is_refused_only_if_it_changed(built, accounts):
    brief = draft_brief(built)
    first, _ = items_in_order(brief)
    brief_edit_item(brief, first.pk, text="Changed meanwhile.", user=accounts["editor"], item_version=1)
    # The items changed since version 3, the headline did not: saved.
    saved = brief_update_header(
        brief, headline="Krause quits", standfirst="", user=accounts["chief"], expected_version=3
    )
    assert saved.saved and saved.version == 5
    with pytest.raises(HeaderConflict) as raised:
        brief_update_header(
            brief, headline="Krause leaves", standfirst="Late.", user=accounts["editor"], expected_version=4
        )
    conflict = raised.value
    assert conflict.refused == ("Krause leaves", "Late.") and conflict.changed_by == accounts["chief"]
    assert "changed by chief at" in str(conflict)
    assert Brief.objects.get(pk=brief.pk).headline == "Krause quits"
    assert brief_update_header(
        brief, headline="Krause leaves", standfirst="Late.", user=accounts["editor"], expected_version=5
    ).saved


def test_a_merge_is_refused_after_any_change(built):
    brief = draft_brief(built)
    first, second = items_in_order(brief)
    brief_add_own_item(brief, text="Added meanwhile.", user=None)
    with pytest.raises(BriefConflict):
        brief_merge_items(brief, [first.pk, second.pk], user=None, expected_version=3)
    assert len(items_in_order(brief)) == 3


def _run_together(count: int, work) -> list[str]:
    """Run work(n) in `count` threads released at once; their outcomes."""
    outcomes: list[str] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            work(n)
            outcomes.append("saved")
        except BriefConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_item_let_exactly_one_through():
    built = build_story(slug="race", title="Race")
    brief = brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    item = items_in_order(brief)[0]

    def edit(n: int) -> None:
        brief_edit_item(brief, item.pk, text=f"writer {n}", user=None, item_version=1)

    assert sorted(_run_together(4, edit)) == ["conflict", "conflict", "conflict", "saved"]
    brief = Brief.objects.get(pk=brief.pk)
    item.refresh_from_db()
    assert brief.version == 2 and item.version == 2 and item.text.startswith("writer ")
    assert brief.revisions.get(number=2).snapshot["items"][0]["text"] == item.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_items_and_additions_are_all_saved_in_turn():
    built = build_story(slug="race", title="Race")
    brief = brief_start_from_candidate(brief_get_or_create(built.story), user=None, expected_version=0)
    items = items_in_order(brief)
    assert len(items) == 3

    def edit(n: int) -> None:  # three editors on their own items, three adding, all from version 1
        if n < len(items):
            brief_edit_item(brief, items[n].pk, text=f"writer {n}", user=None, item_version=1)
        else:
            brief_add_own_item(brief, text=f"added by {n}", user=None, expected_version=1)

    assert _run_together(6, edit) == ["saved"] * 6
    brief = Brief.objects.get(pk=brief.pk)
    assert brief.version == 7
    texts = [i.text for i in items_in_order(brief)]
    assert texts[:3] == ["writer 0", "writer 1", "writer 2"]
    assert sorted(texts[3:]) == ["added by 3", "added by 4", "added by 5"]
    # One revision per edit, each holding the edits before it: the last holds them all.
    assert sorted(brief.revisions.values_list("number", flat=True)) == list(range(1, 8))
    assert [i["text"] for i in brief.revisions.get(number=7).snapshot["items"]] == texts
