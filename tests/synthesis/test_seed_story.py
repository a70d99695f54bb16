"""The seed story end to end: import, analysis (real segmentation and entities), synthesis, export."""

from __future__ import annotations

import pytest
from django.conf import settings

from articles.models import ArticleOverlap, CandidateBrief, CandidateBriefSentence, Claim, Discrepancy
from articles.services.export import story_export
from articles.services.synthesis import synthesis_export, synthesize_story

pytestmark = pytest.mark.django_db


def test_every_claim_cites_the_sentence_each_source_wrote(synthesised_seed_story):
    """What the claims pane and the public page rest on: a claim's support is its independent sources, one
    sentence from each, and every discrepancy names two sentences of different sources holding its
    values."""
    export = synthesis_export(synthesised_seed_story)
    assert export["claims"]
    for claim in export["claims"]:
        articles = [s["article"] for s in claim["sentences"]]
        assert len(articles) == len(set(articles)), "two sentences of one article in one claim"
        assert claim["support"] == len(set(claim["outlets"])) or claim["support"] < len(claim["outlets"])
        # "unique" only for one source; a one-source claim that is not unique names the other source's
        # sentence that comes close to it.
        assert not claim["unique"] or claim["support"] == 1
        if claim["support"] == 1 and not claim["unique"]:
            assert claim["closest"]["source"] not in claim["outlets"]
    for flag in [d for c in export["claims"] for d in c["discrepancies"]]:
        assert flag["value_a"].lower() in flag["sentence_a"]["text"].lower()
        assert flag["value_b"].lower() in flag["sentence_b"]["text"].lower()
        assert flag["sentence_a"]["source"] != flag["sentence_b"]["source"]
        assert flag["explanation"]


def test_article_overlap_matrix(synthesised_seed_story):
    overlap = synthesis_export(synthesised_seed_story)["overlap"]
    matrix = overlap["coverage"]
    assert len(overlap["articles"]) == len(matrix) == 5
    for i, row in enumerate(matrix):
        assert len(row) == 5 and row[i] == 1.0
        assert all(0.0 <= value <= 1.0 for value in row)
    # The five outlets cover one event: each article reports something another one also reports.
    assert all(max(row[j] for j in range(5) if j != i) > 0 for i, row in enumerate(matrix))


def test_candidate_brief_is_within_budget_and_every_sentence_has_its_sources(synthesised_seed_story):
    candidate = CandidateBrief.objects.get(story=synthesised_seed_story)
    assert candidate.params["word_budget"] == settings.BRIEF_WORD_BUDGET
    assert candidate.params["claim_threshold"] == settings.CLAIM_SIMILARITY_THRESHOLD
    brief = synthesis_export(synthesised_seed_story)["candidate_brief"]
    sentences = brief["sentences"]
    assert len(sentences) >= 3
    assert sum(len(s["text"].split()) for s in sentences) <= settings.BRIEF_WORD_BUDGET
    assert len({s["claim"] for s in sentences}) == len(sentences), "two sentences of one claim"
    for sentence in sentences:
        assert sentence["sources"] and sentence["source"] in sentence["sources"]
        assert sentence["text"].rstrip()[-1] in ".!?”\"'’", "a headline made it into the brief"
    assert any(len(s["sources"]) >= 3 for s in sentences)


def test_claims_link_to_the_story_entities(synthesised_seed_story):
    linked = Claim.objects.filter(story=synthesised_seed_story, entities__name__icontains="Krause").distinct()
    assert linked.count() >= 3


def test_story_export_includes_the_synthesis(synthesised_seed_story):
    export = story_export(synthesised_seed_story)
    assert {"claims", "overlap", "candidate_brief"} <= export.keys()
    claim = export["claims"][0]
    assert {"text", "support", "outlets", "sentences", "unique", "discrepancies"} <= claim.keys()


def test_synthesize_story_twice_gives_the_same_rows(synthesised_seed_story):
    story = synthesised_seed_story

    def snapshot():
        export = synthesis_export(story)
        export["candidate_brief"].pop("created")
        counts = [
            model.objects.count()
            for model in (Claim, Discrepancy, ArticleOverlap, CandidateBrief, CandidateBriefSentence)
        ]
        return export, counts, sorted(Claim.objects.values_list("pk", flat=True))

    before = snapshot()
    synthesize_story(story)
    after = snapshot()
    assert after == before


def test_discrepancies_name_the_sources_as_the_editor_knows_them(synthesised_seed_story):
    labels = {article.source_label for article in synthesised_seed_story.articles.all()}
    flags = list(Discrepancy.objects.filter(claim__story=synthesised_seed_story))
    assert flags, "the seed story's outlets disagree on details"
    for flag in flags:
        assert "outlet:" not in flag.explanation and "article:" not in flag.explanation
    named = [flag for flag in flags if any(label in flag.explanation for label in labels)]
    assert named  # the explanations that name sources name them by outlet or file
