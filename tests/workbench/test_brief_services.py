"""The brief services and the pure presentation helpers, below the views."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from briefs.models import Brief, Revision
from briefs.presentation import cite, snapshot_markdown, word_diff
from briefs.services import (
    BriefConflict,
    brief_add_claim,
    brief_add_own_item,
    brief_get_or_create,
    brief_move_item,
    brief_restore_revision,
)
from tests.workbench.wb_factories import build_story, draft_brief


def test_stale_edit_raises_conflict_and_writes_nothing(built):
    brief = draft_brief(built)
    with pytest.raises(BriefConflict) as raised:
        brief_add_own_item(brief, text="Late", user=None, expected_version=2)
    assert raised.value.current.version == 3
    assert "version 2" in str(raised.value) and "version 3" in str(raised.value)
    assert brief.items.count() == 2 and Revision.objects.filter(brief=brief).count() == 3


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_version_let_exactly_one_through():
    built = build_story(slug="race", title="Race")
    brief = brief_get_or_create(built.story)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def edit(n: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            brief_add_own_item(brief, text=f"writer {n}", user=None, expected_version=0)
            outcomes.append("saved")
        except BriefConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    brief = Brief.objects.get(pk=brief.pk)
    assert brief.version == 1 and brief.items.count() == 1


def test_saving_unchanged_text_headline_or_source_records_no_revision(built):
    from briefs.services import brief_attach_source, brief_edit_item, brief_update_header

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
