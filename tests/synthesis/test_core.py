"""The pure synthesis pipeline (no database): graph, claims, coverage, discrepancy rules, brief selection."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import sparse

from articles.nlp import claims as claims_module
from articles.nlp.brief import BriefParams, select_brief
from articles.nlp.claims import (
    SourceDocument,
    article_coverage,
    build_sentence_table,
    name_keys,
    proper_names,
    similarity_graph,
)
from articles.nlp.discrepancies import find_discrepancies
from articles.nlp.types import SentenceSpan


def document(source: str, *sentences: str) -> SourceDocument:
    spans, offset = [], 0
    for index, text in enumerate(sentences):
        spans.append(SentenceSpan(index, offset, offset + len(text), text))
        offset += len(text) + 1
    return SourceDocument(sentences=spans, source=source)


def test_block_similarity_graph_equals_the_dense_computation(monkeypatch):
    monkeypatch.setattr(claims_module, "_BLOCK_CELLS", 50)  # many small blocks
    rng = np.random.default_rng(7)
    dense = rng.random((60, 40)) * (rng.random((60, 40)) < 0.15)
    dense[np.linalg.norm(dense, axis=1) == 0, 0] = 1.0
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    graph = similarity_graph(sparse.csr_matrix(dense, dtype=np.float32), 0.2).toarray()
    expected = dense @ dense.T
    np.fill_diagonal(expected, 0.0)
    expected[expected < 0.2] = 0.0
    assert np.allclose(graph, expected, atol=1e-5)


def test_names_share_keys_across_acronyms_and_surnames():
    sentences = [
        "The Internal Revenue Service and Acting IRS Commissioner Melanie Krause.",
        "Ultimately, Krause's resignation surprised the IRS.",
    ]
    names = [proper_names(s) for s in sentences]
    assert names[0] == ["Internal Revenue Service", "IRS", "Melanie Krause"]
    assert names[1] == ["Krause", "IRS"]
    keys = name_keys(names)
    assert keys[0] == {"irs", "melanie krause"} and keys[1] == {"irs", "melanie krause"}


FACT = "Officials said the storm destroyed 40 homes in Clayton County on Sunday night."


def test_a_fact_reported_by_three_sources_is_one_claim_and_a_lone_fact_is_unique():
    documents = [
        document("A", FACT, "The mayor praised the volunteers who cleared the roads."),
        document("B", "The storm destroyed 40 homes in Clayton County on Sunday night, officials said."),
        document(
            "C", "On Sunday night the storm destroyed 40 homes in Clayton County, according to officials."
        ),
    ]
    result = select_brief(documents, BriefParams(word_budget=100))
    supports = sorted((c.support, sorted(c.sources)) for c in result.claims)
    assert supports == [(1, ["A"]), (3, ["A", "B", "C"])]


def test_two_articles_of_one_outlet_count_as_one_source():
    documents = [document("Daily", FACT), document("Daily", FACT.replace("Officials said", "Police said"))]
    result = select_brief(documents, BriefParams(word_budget=100))
    assert [c.support for c in result.claims] == [1]


def test_coverage_is_the_share_of_words_the_other_article_reports():
    documents = [
        document("A", FACT, "A completely different remark about the local football team and its coach."),
        document("B", "The storm destroyed 40 homes in Clayton County on Sunday night, officials said."),
    ]
    table = build_sentence_table(documents)
    coverage = article_coverage(table, 2, 0.5)
    words_a = [len(FACT.split()), 12]
    assert coverage[0, 1] == pytest.approx(words_a[0] / sum(words_a))
    assert coverage[1, 0] == pytest.approx(1.0)
    assert coverage[0, 0] == coverage[1, 1] == 1.0


def flags_for(*documents: SourceDocument) -> list:
    result = select_brief(list(documents), BriefParams(word_budget=200))
    table = result.table
    return [
        (
            f.kind,
            table.sources[table.documents[f.row_a]],
            f.value_a,
            table.sources[table.documents[f.row_b]],
            f.value_b,
        )
        for f in find_discrepancies(table, result.claim_of)
    ]


def test_different_numbers_for_the_same_thing_in_one_claim_are_flagged():
    flags = flags_for(
        document("A", FACT),
        document("B", "Officials said the storm destroyed 45 homes in Clayton County on Sunday night."),
    )
    assert flags == [("number", "A", "40 homes", "B", "45 homes")]


def test_different_weekdays_for_the_same_verb_in_one_claim_are_flagged():
    flags = flags_for(
        document(
            "A", "The council confirmed on Tuesday that Mayor Ana Ruiz will resign after the budget vote."
        ),
        document(
            "B", "The council confirmed on Monday that Mayor Ana Ruiz will resign after the budget vote."
        ),
    )
    assert flags == [("date", "B", "confirmed on Monday", "A", "confirmed on Tuesday")]


def test_done_against_pending_is_flagged_for_the_same_person_only():
    flags = flags_for(
        document("A", "Finance Minister Karl Berg has resigned after the budget dispute with the premier."),
        document(
            "B", "Finance Minister Karl Berg is expected to resign after the budget dispute with the premier."
        ),
        document(
            "C", "His deputy, Lena Holm, who resigned last year, declined to comment on the budget dispute."
        ),
    )
    assert flags == [("status", "A", "has resigned", "B", "is expected to resign")]


def test_a_title_qualifier_written_elsewhere_in_the_sentence_is_not_a_discrepancy():
    flags = flags_for(
        document("A", "Acting Director Sam Lee announced the agency's new budget plan on Friday."),
        document(
            "B", "The acting head of the agency, Director Sam Lee, announced the new budget plan on Friday."
        ),
        document("C", "Interim Director Sam Lee announced the agency's new budget plan on Friday."),
    )
    assert flags == [("role", "A", "Acting Director", "C", "Interim Director")]


def test_one_source_disagreeing_with_itself_is_not_flagged():
    flags = flags_for(
        document("A", FACT, "Officials said the storm destroyed 45 homes in Clayton County on Sunday night."),
        document("B", FACT),
    )
    assert flags == []


def test_brief_fills_the_budget_without_cutting_and_one_sentence_per_claim():
    documents = [
        document("A", FACT, "Rescue teams searched the flooded streets until dawn on Monday morning."),
        document("B", "The storm destroyed 40 homes in Clayton County on Sunday night, officials said."),
        document("C", "Power was restored to most of the county by Tuesday afternoon, the utility said."),
    ]
    result = select_brief(documents, BriefParams(word_budget=30))
    assert sum(len(s.text.split()) for s in result.sentences) <= 30
    claims = [s.claim for s in result.sentences]
    assert len(claims) == len(set(claims))
    texts = [s.text for s in result.sentences]
    assert not (FACT in texts and any(t.startswith("The storm destroyed") for t in texts))
    assert all(re.search(r"[.!?]$", t) for t in texts)
