"""A brief item added from a claim keeps its claim when the story is synthesised again and the claim changes
(it gains a source, another sentence becomes its representative), so a discrepancy that the new source brings
to that claim is flagged on the item."""

from __future__ import annotations

from types import SimpleNamespace

from articles.models import Claim, Discrepancy
from articles.services.synthesis import _write_claims
from briefs.checks import item_flags
from briefs.services import brief_add_claim, brief_get_or_create
from tests.workbench.wb_factories import build_story


def resynthesise(story, rows, groups):
    """Write the claims of a synthesis whose table holds `rows` (sentences) and whose claims are `groups`:
    (representative row, member rows, support)."""
    result = SimpleNamespace(
        claims=[
            SimpleNamespace(
                representative=rep,
                members=members,
                support=support,
                salience=1.0 / (n + 1),
                unique=support == 1,
                closest=None,
                closest_similarity=0.0,
            )
            for n, (rep, members, support) in enumerate(groups)
        ]
    )
    return _write_claims(story, result, lambda row: rows[row])


def test_an_items_claim_survives_a_new_representative_and_a_new_source(db, accounts):
    built = build_story()
    (a0, *_), (b0, b1, *_), (c0, c1, *c_rest) = built.sentences
    agreed = built.claims["agreed"]  # a0 + b0, represented by a0
    brief = brief_get_or_create(built.story)
    item = brief_add_claim(brief, agreed, user=accounts["editor"], expected_version=0)

    # C's first sentence joins the claim, and B's sentence now represents it.
    rows = [a0, b0, c0, b1, c1, c_rest[-1] if c_rest else c1]
    claims = resynthesise(built.story, rows, [(1, [0, 1, 2], 3), (3, [3, 4], 2), (5, [5], 1)])

    item.refresh_from_db()
    assert item.claim_id == agreed.pk == claims[0].pk
    kept = Claim.objects.get(pk=agreed.pk)
    assert (kept.representative_id, kept.support) == (b0.pk, 3)
    assert set(kept.sentences.values_list("pk", flat=True)) == {a0.pk, b0.pk, c0.pk}

    # The new source states a number differently: the item shows the flag, though it cites only a0 and b0.
    Discrepancy.objects.create(
        claim=kept, kind="number", sentence_a=a0, sentence_b=c0, value_a="7", value_b="9"
    )
    flags = item_flags([item])[item.pk]
    assert [(flag.value_a, flag.value_b) for flag in flags] == [("7", "9")]


def test_a_claim_that_is_gone_is_deleted_and_its_items_keep_their_sources(db, accounts):
    built = build_story()
    (a0, *_), (b0, *_), _ = built.sentences
    agreed = built.claims["agreed"]
    brief = brief_get_or_create(built.story)
    item = brief_add_claim(brief, agreed, user=accounts["editor"], expected_version=0)
    cited = set(item.articles.values_list("pk", flat=True))

    # The two sentences are no longer one claim: each is a claim of its own, one of them continuing the row.
    resynthesise(built.story, [a0, b0], [(0, [0], 1), (1, [1], 1)])

    item.refresh_from_db()
    assert Claim.objects.filter(story=built.story).count() == 2
    assert item.claim_id in set(Claim.objects.filter(story=built.story).values_list("pk", flat=True))
    assert set(item.articles.values_list("pk", flat=True)) == cited
