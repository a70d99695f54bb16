"""Entities across a story: one canonical entity per referent, on the seeds and on small cases."""

from __future__ import annotations

import pytest

from articles.nlp.consolidation import MentionRef, clean_surface, consolidate
from articles.nlp.entities import analyze_texts
from tests.conftest import SEEDS_DIR


@pytest.fixture(scope="module")
def seed_entities(request) -> dict[str, object]:

    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    analyses = analyze_texts([path.read_text(encoding="utf-8") for path in seeds])
    refs = [
        MentionRef((a, m), a, mention.text, mention.label)
        for a, analysis in enumerate(analyses)
        for m, mention in enumerate(analysis.mentions)
    ]
    return {entity.name: entity for entity in consolidate(refs)}


def test_melanie_krause_is_one_person_in_all_five_seeds(seed_entities):
    krause = seed_entities["Melanie Krause"]
    assert krause.label == "PERSON"
    assert "Krause" in krause.aliases
    assert krause.articles == [0, 1, 2, 3, 4]
    assert not [name for name in seed_entities if "Krause" in name and name != "Melanie Krause"]


def test_irs_and_dhs_are_one_organisation_each_with_their_acronyms(seed_entities):
    # The seeds say "IRS" ten times as often as "Internal Revenue Service": the acronym names it.
    irs = seed_entities["IRS"]
    assert (irs.label, "Internal Revenue Service" in irs.aliases) == ("ORG", True)
    assert "Internal Revenue Service" not in seed_entities
    dhs_forms = {"DHS", "Department of Homeland Security"}
    dhs = [e for e in seed_entities.values() if dhs_forms & {e.name, *e.aliases}]
    assert len(dhs) == 1
    assert dhs[0].label == "ORG"
    assert dhs_forms <= {dhs[0].name, *dhs[0].aliases}


def test_an_organisation_mostly_called_by_its_full_name_keeps_it():
    refs = [
        MentionRef(1, "a", "Department of Homeland Security", "ORG"),
        MentionRef(2, "b", "the Department of Homeland Security", "ORG"),
        MentionRef(3, "c", "DHS", "ORG"),
    ]
    (dhs,) = consolidate(refs)
    assert (dhs.name, dhs.aliases) == ("Department of Homeland Security", ["DHS"])


def test_titles_possessives_and_the_are_stripped():
    assert clean_surface("Acting IRS Commissioner Melanie Krause", "PERSON") == "Melanie Krause"
    assert clean_surface("Krause’s", "ORG") == "Krause"
    assert clean_surface("the Internal Revenue Service's", "ORG") == "Internal Revenue Service"
    assert clean_surface("Sen. Ted Cruz", "PERSON") == "Ted Cruz"
    assert clean_surface("U.S.", "GPE") == "U.S."


def test_the_label_is_decided_across_mentions_and_the_longest_form_names_the_entity():
    refs = [
        MentionRef(1, "a", "Krause", "ORG"),
        MentionRef(2, "a", "Krause", "ORG"),
        MentionRef(3, "a", "Krause", "ORG"),
        MentionRef(4, "b", "Acting IRS Commissioner Melanie Krause", "PERSON"),
        MentionRef(5, "b", "Internal Revenue Service", "ORG"),
        MentionRef(6, "c", "the IRS", "ORG"),
        MentionRef(7, "c", "IRS’s", "ORG"),
        MentionRef(8, "c", "Monday", "DATE"),
        MentionRef(9, "c", "weeks", "DATE"),
        MentionRef(10, "c", "three", "CARDINAL"),
    ]
    entities = {e.name: e for e in consolidate(refs)}
    assert set(entities) == {"Melanie Krause", "IRS", "Monday"}
    krause = entities["Melanie Krause"]
    assert (krause.label, krause.aliases, krause.mention_count, krause.articles) == (
        "PERSON",
        ["Krause"],
        4,
        ["a", "b"],
    )
    assert sorted(krause.mention_keys) == [1, 2, 3, 4]
    irs = entities["IRS"]  # two mentions of the acronym, one of the full name
    assert (irs.aliases, irs.mention_count, irs.articles) == (["Internal Revenue Service"], 3, ["b", "c"])


def test_different_people_with_different_surnames_stay_apart():
    refs = [
        MentionRef(1, "a", "Scott Bessent", "PERSON"),
        MentionRef(2, "a", "Kristi Noem", "PERSON"),
        MentionRef(3, "a", "Noem", "PERSON"),
        MentionRef(4, "a", "Bessent", "PERSON"),
    ]
    entities = {e.name: e.aliases for e in consolidate(refs)}
    assert entities == {"Scott Bessent": ["Bessent"], "Kristi Noem": ["Noem"]}
