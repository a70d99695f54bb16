"""A story synthesised again writes only what changed: claims that keep their sentences keep their link rows,
and a synthesis with nothing new rewrites no claim, mention or link row (articles.bulk.sync_pairs)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.importing import create_import_batch, run_import_batch, sources_from_paths
from articles.models import Claim
from articles.services.analysis import analyze_article
from articles.services.synthesis import synthesize_story

# Tables a synthesis with nothing new must not write.
UNCHANGED = (
    "articles_claim_sentences",
    "articles_claim_entities",
    "articles_mention",
    "articles_entity_articles",
)


def writes(queries, table: str) -> list[str]:
    pattern = re.compile(rf'^\s*(INSERT INTO|DELETE FROM|UPDATE|WITH .* UPDATE)\s*"?{table}"?\b', re.S)
    return [q["sql"] for q in queries if pattern.search(q["sql"]) or f'UPDATE "{table}"' in q["sql"]]


def links(story) -> dict[int, dict[int, int]]:
    """Per claim: sentence id -> the id of its link row."""
    result: dict[int, dict[int, int]] = {}
    for pk, claim_id, sentence_id in Claim.sentences.through.objects.filter(claim__story=story).values_list(
        "pk", "claim_id", "sentence_id"
    ):
        result.setdefault(claim_id, {})[sentence_id] = pk
    return result


def test_a_synthesis_with_nothing_new_rewrites_no_claim_or_link(synthesised_seed_story):
    story = synthesised_seed_story
    before = links(story)
    claims_before = list(
        Claim.objects.filter(story=story).order_by("pk").values_list("pk", "text", "support")
    )
    with CaptureQueriesContext(connection) as captured:
        synthesize_story(story)
    for table in UNCHANGED:
        assert not writes(captured.captured_queries, table), table
    assert not [q for q in captured.captured_queries if 'UPDATE "articles_claim" SET' in q["sql"]]
    assert links(story) == before
    assert list(Claim.objects.filter(story=story).order_by("pk").values_list("pk", "text", "support")) == (
        claims_before
    )


def test_a_new_article_leaves_the_rows_of_claims_it_does_not_change(synthesised_seed_story, tmp_path):
    story = synthesised_seed_story
    before = links(story)
    extra = tmp_path / "wire.txt"
    extra.write_text(
        "Harbour reopens after storm\n\n"
        "The city harbour reopened to ferries on Saturday after a storm closed it for two days, "
        "officials said. Ferry operators expect normal timetables by Monday.\n",
        encoding="utf-8",
    )
    batch = create_import_batch(story, sources_from_paths([str(extra)]))
    run_import_batch(batch.pk)
    new_article = story.articles.order_by("-pk").first()
    analyze_article(new_article.pk)
    synthesize_story(story)

    after = links(story)
    kept = [claim for claim, members in before.items() if after.get(claim, {}).keys() == members.keys()]
    assert kept, "some claims keep exactly their sentences"
    for claim in kept:
        assert after[claim] == before[claim], "an unchanged claim's link rows are kept, not rewritten"
    # The new article's sentences are in claims too (its own, one source).
    new_sentences = set(new_article.sentences.values_list("pk", flat=True))
    assert new_sentences & {s for members in after.values() for s in members}


def test_the_story_is_consolidated_once_per_synthesis_and_claims_use_its_entities(
    synthesised_seed_story, monkeypatch
):
    """One consolidation of the story's mentions per synthesis: the claims read the entities it assigned
    (each claim links to the entities its sentences mention) instead of consolidating again."""
    from articles.nlp import claims as claims_module
    from articles.services import entities as entities_module

    calls = []
    for module in (claims_module, entities_module):
        original = module.consolidate
        monkeypatch.setattr(
            module, "consolidate", lambda refs, _original=original: calls.append(1) or _original(refs)
        )
    synthesize_story(synthesised_seed_story)
    assert len(calls) == 1
    linked = Claim.entities.through.objects.filter(claim__story=synthesised_seed_story)
    assert linked.exists()
    for claim_id, entity_name in linked.values_list("claim_id", "entity__name")[:50]:
        texts = " ".join(Claim.objects.get(pk=claim_id).sentences.values_list("text", flat=True))
        aliases = synthesised_seed_story.entities.get(name=entity_name).aliases
        assert any(form in texts for form in [entity_name, *aliases]), (entity_name, texts[:200])


def test_sentences_embedded_by_another_graph_are_embedded_again_once(synthesised_seed_story):
    """An article analysed before the encoder changed (some of its vectors stored untagged) is compared with
    the same encoder as the others: the synthesis embeds it again, as its analysis would, and stores the
    vectors; the claims are those of a story whose articles were all embedded by the current graph."""
    from articles.models import Sentence
    from articles.nlp.embeddings import from_bytes

    story = synthesised_seed_story
    claims_before = sorted(
        sorted(claim.sentences.values_list("pk", flat=True))
        for claim in Claim.objects.filter(story=story).prefetch_related("sentences")
    )
    article = story.articles.order_by("pk").first()
    old = list(article.sentences.filter(is_boilerplate=False))
    assert old
    analysed = {sentence.pk: bytes(sentence.embedding) for sentence in old}
    for sentence in old[: len(old) // 2 + 1]:  # some of the article's vectors, not all
        sentence.embedding = bytes(sentence.embedding)[4:]  # the tag gone: another graph's vector
    Sentence.objects.bulk_update(old, ["embedding"])

    synthesize_story(story)

    again = Sentence.objects.filter(pk__in=[s.pk for s in old])
    assert all(from_bytes(s.embedding) is not None for s in again)
    # The vectors its analysis gave it: the article is embedded whole, as the analysis embeds it.
    assert {s.pk: bytes(s.embedding) for s in again} == analysed
    claims_after = sorted(
        sorted(claim.sentences.values_list("pk", flat=True))
        for claim in Claim.objects.filter(story=story).prefetch_related("sentences")
    )
    assert claims_after == claims_before
    with CaptureQueriesContext(connection) as captured:
        synthesize_story(story)
    assert not [q for q in captured.captured_queries if 'UPDATE "articles_sentence"' in q["sql"]]
