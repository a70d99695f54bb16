"""The seed story end to end: import, analysis (real segmentation and entities), synthesis, export."""

from __future__ import annotations

import pytest
from django.conf import settings

from articles.models import ArticleOverlap, CandidateBrief, CandidateBriefSentence, Claim, Discrepancy
from articles.services.export import story_export
from articles.services.synthesis import synthesis_export, synthesize_story

pytestmark = pytest.mark.django_db


def seed(label: str) -> str:
    """The seed file's number ("003") from a source label ("003_d1bcfaec2c6b1daf.txt")."""
    return label[:3]


def claims_mentioning(export: dict, phrase: str) -> list[dict]:
    return [c for c in export["claims"] if any(phrase in s["text"] for s in c["sentences"])]


def test_some_claims_are_supported_by_three_or_more_sources(synthesised_seed_story):
    export = synthesis_export(synthesised_seed_story)
    broad = [c for c in export["claims"] if c["support"] >= 3]
    assert broad, "no claim reported by three or more sources"
    for claim in broad:
        assert len(claim["outlets"]) == claim["support"]
        assert len({s["article"] for s in claim["sentences"]}) >= 3
        assert not claim["unique"]
    # The resignation itself is the best-supported claim.
    assert any(
        "Krause" in c["text"] and ("stepped down" in c["text"] or "resign" in c["text"]) for c in broad
    )


# Every claim of the seed story that two or more sources support, as judged by reading the seeds: each group
# lists, per seed, a phrase of the one sentence it lends the claim. Each member sentence reports the claim's
# fact, so a wrong merge (or a split of one of these) fails.
SEED_CLAIMS = {
    "Krause resigns (each article's lead)": {
        "000": "is preparing to resign",
        "001": "is preparing to step down",
        "002": "has announced her resignation",
        "003": "has officially stepped down",
        "004": "is stepping down following tensions",
    },
    "the departure is another leadership exit this year": {
        "000": "will soon step down, marking yet another leadership change",
        "001": "will resign, marking another moment of upheaval",
        "002": "marks the third leadership exit",
    },
    "critics: the agreement undermines trust in IRS confidentiality": {
        "000": "Critics within the agency argued",
        "003": "Critics argue the policy could set a dangerous precedent",
        "004": "could undermine decades of trust",
    },
    "the IRS and DHS agreement gives immigration authorities taxpayer data": {
        "002": "finalized a data-sharing agreement",
        "003": "permits DHS to obtain limited taxpayer information",
    },
    "the resignation comes amid internal disagreement over data sharing": {
        "000": "comes amid an escalating internal debate",
        "001": "comes amid internal disagreements",
    },
    "the resignation feeds the debate over privacy and immigration": {
        "000": "may ultimately become a flashpoint",
        "002": "adds another layer of complexity",
    },
    "tax information is protected by strict confidentiality rules with penalties": {
        "001": "strict rules limiting the disclosure of tax information",
        "004": "protected under strict confidentiality laws",
    },
}


def test_claims_of_two_or_more_sources_are_the_facts_they_share(synthesised_seed_story):
    export = synthesis_export(synthesised_seed_story)

    def phrase_of(sentence: dict, group: dict[str, str]) -> str | None:
        phrase = group.get(seed(sentence["source"]))
        return phrase if phrase and phrase in sentence["text"] else None

    found = {}
    for claim in (c for c in export["claims"] if c["support"] >= 2):
        members = {(seed(s["source"]), s["text"]) for s in claim["sentences"]}
        assert len(members) == len({source for source, _ in members}), "two sentences of one article"
        matches = [
            name
            for name, group in SEED_CLAIMS.items()
            if len(group) == len(claim["sentences"])
            and all(phrase_of(sentence, group) for sentence in claim["sentences"])
        ]
        assert matches, f"unexpected claim: {sorted(members)}"
        found[matches[0]] = claim["support"]
    assert found == {name: len(group) for name, group in SEED_CLAIMS.items()}
    assert sum(support >= 3 for support in found.values()) >= 3


def test_magic_money_computers_and_alien_enemies_act_are_unique_reporting(synthesised_seed_story):
    export = synthesis_export(synthesised_seed_story)
    magic = claims_mentioning(export, "magic money computers")
    alien = claims_mentioning(export, "Alien Enemies Act")
    assert len(magic) == 1 and len(alien) == 1
    assert magic[0]["unique"] and magic[0]["support"] == 1
    assert [seed(o) for o in magic[0]["outlets"]] == ["002"]
    assert alien[0]["unique"] and alien[0]["support"] == 1
    assert [seed(o) for o in alien[0]["outlets"]] == ["004"]


def test_discrepancy_flags_are_exactly_the_true_ones(synthesised_seed_story):
    export = synthesis_export(synthesised_seed_story)
    flags = [d for c in export["claims"] for d in c["discrepancies"]]
    found = {
        (
            d["kind"],
            seed(d["sentence_a"]["source"]),
            d["value_a"],
            seed(d["sentence_b"]["source"]),
            d["value_b"],
        )
        for d in flags
    }
    departure = [f for f in found if f[2] == "has officially stepped down"]
    assert len(departure) == 1, found
    kind, source_a, _, source_b, pending = departure[0]
    assert (kind, source_a) == ("status", "003")
    assert source_b in {"000", "001", "004"}
    assert pending in {
        "is preparing to resign",
        "is preparing to step down",
        "will soon step down",
        "will resign",
    }
    assert found - set(departure) == {
        ("role", "004", "Acting IRS Commissioner", "003", "Internal Revenue Service Commissioner"),
        ("status", "002", "finalized a data-sharing agreement", "001", "proposed data-sharing arrangement"),
        (
            "status",
            "002",
            "finalized a data-sharing agreement",
            "000",
            "arrangement—quietly maintained for several years",
        ),
        (
            "status",
            "000",
            "arrangement—quietly maintained for several years",
            "001",
            "proposed data-sharing arrangement",
        ),
    }
    for flag in flags:  # each flag names both sentences, which hold the values it quotes
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
    by_seed = {seed(a["source"]): k for k, a in enumerate(overlap["articles"])}
    # 000 and 001 share several sentences (the Tuesday confirmation, the opening): each covers part of the
    # other.
    assert matrix[by_seed["000"]][by_seed["001"]] > 0.1
    assert matrix[by_seed["001"]][by_seed["000"]] > 0.1


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
