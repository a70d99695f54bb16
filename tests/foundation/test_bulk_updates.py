"""articles.bulk.update_rows writes each row's own values, as save() would, on either database."""

from __future__ import annotations

import pytest

from articles.bulk import update_rows
from articles.models import Claim, Story
from tests.texts import make_text

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_the_others_are_untouched():
    from articles.models import Article, Sentence

    story = Story.objects.create(title="Rows", slug="rows")
    article = Article.objects.create(
        story=story, title="A", body=make_text(1), content_hash="h1", source_format="text"
    )
    sentences = [
        Sentence.objects.create(article=article, index=k, start=k * 10, end=k * 10 + 9, text=f"S{k}")
        for k in range(3)
    ]
    claims = [
        Claim.objects.create(story=story, position=k, text=f"Claim {k}", support=1, salience=0.5)
        for k in range(5)
    ]
    untouched = claims.pop()
    for k, claim in enumerate(claims):
        claim.position = 10 + k
        claim.text = f"It's “claim” {k}; DROP TABLE x; --"
        claim.support = k
        claim.salience = 1 / (k + 3)
        claim.representative = sentences[k] if k < 3 else None
    assert update_rows(Claim, claims, ["position", "text", "support", "salience", "representative"]) == 4

    stored = {c.pk: c for c in Claim.objects.filter(story=story)}
    for k, claim in enumerate(claims):
        row = stored[claim.pk]
        assert (row.position, row.text, row.support) == (10 + k, f"It's “claim” {k}; DROP TABLE x; --", k)
        assert row.salience == pytest.approx(1 / (k + 3), rel=1e-12)
        assert row.representative_id == (sentences[k].pk if k < 3 else None)
    kept = stored[untouched.pk]
    assert (kept.position, kept.text, kept.support) == (4, "Claim 4", 1)
    assert update_rows(Claim, [], ["position"]) == 0
