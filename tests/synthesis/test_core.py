"""The claims engine as an editor meets it, without a database: claims, support, discrepancies, junk.

These run the real pipeline (spaCy's packaged model, the packaged sentence-embedding model) on short texts
written for the test. They assert what a user sees (one claim with two supporting sentences, a flag with both
values), never a heuristic's exact output on the data it was tuned on: quality figures live in
bench/claims.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from articles.nlp import claims as claims_module
from articles.nlp.brief import BriefParams
from articles.nlp.claims import SourceDocument, article_coverage, build_sentence_table, similarity_graph
from articles.nlp.synthesis import documents_from_texts, synthesize
from articles.nlp.types import SentenceSpan

PARAMS = BriefParams(word_budget=200)


def document(source: str, *sentences: str) -> SourceDocument:
    spans, offset = [], 0
    for index, text in enumerate(sentences):
        spans.append(SentenceSpan(index, offset, offset + len(text), text))
        offset += len(text) + 1
    return SourceDocument(sentences=spans, source=source)


def claims_of(texts: list[str], sources: list[str] | None = None):
    documents = documents_from_texts(texts, sources)
    synthesis = synthesize(documents, PARAMS)
    table = synthesis.brief.table
    claims = [
        (claim.support, sorted(table.texts[row] for row in claim.members)) for claim in synthesis.brief.claims
    ]
    flags = [
        (f.kind, table.texts[f.row_a], f.value_a, table.texts[f.row_b], f.value_b) for f in synthesis.flags
    ]
    return claims, flags, synthesis


def claim_with(claims, phrase: str):
    found = [claim for claim in claims if any(phrase in text for text in claim[1])]
    assert len(found) == 1, (phrase, claims)
    return found[0]


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


def test_a_paraphrased_fact_across_two_articles_is_one_claim_with_two_supporting_sentences():
    claims, _, _ = claims_of(
        [
            "The city council approved a new budget for public libraries on Tuesday evening. "
            "The mayor thanked the volunteers who organised the vote.",
            "On Tuesday evening, council members voted to pass a fresh budget for the city's public "
            "libraries. "
            "A local bakery opened its second shop downtown last week.",
        ],
        ["Gazette", "Herald"],
    )
    support, members = claim_with(claims, "approved a new budget")
    assert support == 2 and len(members) == 2
    assert any("voted to pass a fresh budget" in text for text in members)
    assert claim_with(claims, "bakery")[0] == 1, "a fact one outlet reports is unique"
    assert claim_with(claims, "mayor thanked")[0] == 1


def test_two_articles_of_one_outlet_count_as_one_source():
    fact = "Officials said the storm destroyed homes in Clayton County on Sunday night."
    documents = [document("Daily", fact), document("Daily", fact.replace("Officials said", "Police said"))]
    result = synthesize(documents, PARAMS).brief
    assert [c.support for c in result.claims] == [1]


def test_a_wire_copy_does_not_add_support():
    wire = (
        "Firefighters battled a blaze at a warehouse in the port district for six hours on Monday. "
        "The cause of the fire is under investigation, a fire department spokesman said. "
        "No injuries were reported among the workers who were evacuated from the building."
    )
    copy = wire.replace("on Monday", "on Monday morning")
    independent = (
        "A warehouse fire in the port district burned for six hours on Monday before firefighters put it out."
    )
    claims, _, synthesis = claims_of([wire, copy, independent], ["Wire", "Copy Times", "Port News"])
    assert synthesis.brief.table.independent.tolist()[1] == synthesis.brief.table.independent.tolist()[0]
    cause = claim_with(claims, "cause of the fire")
    assert len(cause[1]) == 2 and cause[0] == 1, "the original and its copy are one source"
    blaze = claim_with(claims, "battled a blaze")
    assert blaze[0] == 2, blaze


def test_a_number_that_differs_between_two_sources_is_flagged_with_both_values():
    _, flags, _ = claims_of(
        [
            "Rescue teams said 40 ships were stranded in the canal on Wednesday after the storm.",
            "Rescue teams said 50 ships were stranded in the canal on Wednesday after the storm.",
        ],
        ["Gazette", "Herald"],
    )
    numbers = [f for f in flags if f[0] == "number"]
    assert len(numbers) == 1, flags
    _, text_a, value_a, text_b, value_b = numbers[0]
    assert {value_a, value_b} == {"40", "50"}
    assert value_a in text_a and value_b in text_b


def test_two_reports_agreeing_on_one_detail_are_checked_on_the_others():
    # Worded apart (not one claim), but both about the 11-year-old: their counts of messages are compared.
    _, flags, _ = claims_of(
        [
            "A teacher is in custody, accused of an inappropriate relationship with an 11-year-old girl "
            "in which they exchanged hundreds of texts.",
            "Police say the teacher who resigned was obsessed with an 11-year-old student, exchanging "
            "thousands of text messages with her.",
        ],
        ["Gazette", "Herald"],
    )
    numbers = [f for f in flags if f[0] == "number"]
    assert [{f[2], f[4]} for f in numbers] == [{"hundreds", "thousands"}], flags


def test_a_sentence_with_another_number_does_not_support_the_claim():
    claims, _, _ = claims_of(
        [
            "Rescue teams said 40 ships were stranded in the canal on Wednesday after the storm.",
            "Rescue teams said 50 ships were stranded in the canal on Wednesday after the storm.",
        ],
        ["Gazette", "Herald"],
    )
    assert sorted(support for support, _ in claims) == [1, 1], claims


def test_the_same_numbers_are_not_a_discrepancy_nor_is_a_source_disagreeing_with_itself():
    same = "Rescue teams said 40 ships were stranded in the canal on Wednesday after the storm."
    _, flags, _ = claims_of(
        [same, same.replace("Rescue teams said", "According to rescue teams,")], ["A", "B"]
    )
    assert flags == []
    _, flags, _ = claims_of(
        [same, same.replace("40", "50")],
        ["Same Outlet", "Same Outlet"],
    )
    assert flags == []


def test_a_name_spelt_two_ways_by_two_sources_is_flagged():
    _, flags, _ = claims_of(
        [
            "Actress Julia Louis-Dreyfus won the award for best actress in a comedy on Sunday night.",
            "Actress Julia Louis-Drefyus won the award for best actress in a comedy on Sunday night.",
        ],
        ["Gazette", "Herald"],
    )
    names = [f for f in flags if f[0] == "name"]
    assert len(names) == 1, flags
    assert {names[0][2], names[0][4]} == {"Julia Louis-Dreyfus", "Julia Louis-Drefyus"}


def test_a_heading_is_not_a_claim():
    claims, _, synthesis = claims_of(
        [
            "Storm Closes Canal To Shipping\n\n"
            "Rescue teams said the canal was closed to all ships on Wednesday.",
            "Canal closed after storm\n\n"
            "The canal was closed to all shipping on Wednesday, rescue teams said.",
        ],
        ["Gazette", "Herald"],
    )
    texts = [text for _, members in claims for text in members]
    assert not any("Storm Closes Canal" in text or text == "Canal closed after storm" for text in texts)
    assert {reason for _, reason in synthesis.brief.table.junk} == {"heading"}
    assert claim_with(claims, "canal was closed")[0] == 2


def test_coverage_is_the_share_of_words_the_other_article_reports():
    fact = "The storm destroyed forty homes in Clayton County on Sunday night, officials said."
    documents = [
        document("A", fact, "A completely different remark about the local football team and its coach."),
        document("B", "Officials said the storm destroyed forty homes in Clayton County on Sunday night."),
    ]
    table = build_sentence_table(documents)
    coverage = article_coverage(table, 2, 0.5)
    words_a = [len(fact.split()), 12]
    assert coverage[0, 1] == pytest.approx(words_a[0] / sum(words_a))
    assert coverage[1, 0] == pytest.approx(1.0)
    assert coverage[0, 0] == coverage[1, 1] == 1.0


def test_brief_fills_the_budget_without_cutting_and_one_sentence_per_claim():
    documents = [
        document(
            f"S{k}",
            *(
                f"Sentence {k}-{i} reports fact number {i} about the harbour with several more words."
                for i in range(8)
            ),
        )
        for k in range(3)
    ]
    result = synthesize(documents, BriefParams(word_budget=60)).brief
    assert sum(len(s.text.split()) for s in result.sentences) <= 60
    assert len({s.claim for s in result.sentences}) == len(result.sentences)


def test_amounts_in_two_currencies_are_not_a_discrepancy_but_two_dollar_amounts_are():
    deal = "Michael Kors agreed to buy the shoemaker Jimmy Choo for {} on Tuesday."
    _, flags, _ = claims_of(
        [deal.format("896 million pounds"), deal.format("$1.2 billion"), deal.format("$1.5 billion")],
        ["A", "B", "C"],
    )
    assert [(f[0], {f[2], f[4]}) for f in flags] == [("number", {"$1.2 billion", "$1.5 billion"})]


def test_a_person_given_two_titles_by_two_sources_is_flagged():
    _, flags, _ = claims_of(
        [
            "Stanford chemist Matthew Kanan, an assistant professor of chemistry, led the study.",
            "The study was led by Matthew Kanan, an associate professor of chemistry at Stanford.",
        ],
        ["Gazette", "Herald"],
    )
    roles = [f for f in flags if f[0] == "role"]
    assert (
        len(roles) == 1
        and "assistant" in roles[0][2] + roles[0][4]
        and "associate" in roles[0][2] + roles[0][4]
    )


def test_a_sentence_is_linked_only_to_its_closest_statement_in_another_article():
    # Fact similarities set by hand. Sentence 1 (article A) is closest in article B to sentence 2, which
    # states sentence 0's fact (also in A) more closely still; sentence 3 of B is only a looser match of 1.
    # So 1 is not B's statement of 3's fact, nor 3 of 1's: neither is cited as the other's support.
    documents = [
        document(
            "A",
            "Alpha one reports the first event in some detail.",
            "Alpha two reports a related event in some detail.",
        ),
        document(
            "B",
            "Bravo one reports the first event in other words.",
            "Bravo two reports another event in other words.",
        ),
    ]
    table = build_sentence_table(documents)
    similarity = np.zeros((4, 4), dtype=np.float32)
    for (a, b), value in {(0, 2): 0.9, (1, 2): 0.7, (1, 3): 0.5}.items():
        similarity[a, b] = similarity[b, a] = value
    table.facts = sparse.csr_matrix(similarity)
    claims, _ = claims_module.group_claims(table, 0.42, np.ones(4))
    assert sorted(sorted(claim.members) for claim in claims) == [[0, 2], [1], [3]]
    assert sorted(claim.support for claim in claims) == [1, 1, 2]


def test_once_against_twice_and_a_block_and_a_half_against_two_blocks_are_flagged_with_both_values():
    _, flags, _ = claims_of(
        [
            "His wife was shot once in the right leg near the corner, police said. "
            "The shooting happened a block and a half from the restaurant, police said.",
            "Police said his wife was struck twice in the leg near the corner. "
            "Police said the shooting happened two blocks from the restaurant.",
        ],
        ["Gazette", "Herald"],
    )
    values = sorted({f[2], f[4]} for f in flags if f[0] == "number")
    assert {"once", "twice"} in values, flags
    assert {"a block and a half", "two"} in values, flags


def test_formerly_is_not_a_count():
    _, flags, _ = claims_of(
        [
            "The mayor, who was once a teacher, opened the new school on Monday morning.",
            "The mayor opened the new school on Monday morning, twice delayed by the storm.",
        ],
        ["Gazette", "Herald"],
    )
    assert not [f for f in flags if "once" in (f[2], f[4])], flags


def test_one_source_claim_is_labelled_unique_only_when_no_other_source_says_something_close():
    """Support 1 is not enough for the "unique" label: a sentence of another source that comes close to it
    (under the claim threshold, over UNIQUE_MAX_SIMILARITY) may state the same fact in other words, so the
    claim keeps support 1, is not unique, and names that sentence. A close sentence of the same outlet does
    not count against it."""
    documents = [
        document("A", "Alpha reports the agreed event.", "Alpha reports a detail in its own words."),
        document("B", "Bravo reports the agreed event.", "Bravo reports that detail differently."),
        document("C", "Charlie reports something nobody else saw."),
        document("C", "Charlie repeats what only it saw, in a second article."),
    ]
    table = build_sentence_table(documents)
    similarity = np.zeros((6, 6), dtype=np.float32)
    pairs = {(0, 2): 0.9, (1, 3): 0.35, (4, 5): 0.6, (1, 4): 0.26}
    for (a, b), value in pairs.items():
        similarity[a, b] = similarity[b, a] = value
    table.facts = sparse.csr_matrix(similarity)
    claims, _ = claims_module.group_claims(table, 0.42, np.ones(6), unique_below=0.3)
    by_rows = {tuple(sorted(claim.members)): claim for claim in claims}
    assert set(by_rows) == {(0, 2), (1,), (3,), (4, 5)}
    assert by_rows[(0, 2)].support == 2 and not by_rows[(0, 2)].unique
    for rows, closest in (((1,), 3), ((3,), 1)):
        claim = by_rows[rows]
        assert claim.support == 1 and not claim.unique
        assert claim.closest == closest and claim.closest_similarity == pytest.approx(0.35)
    charlie = by_rows[(4, 5)]
    assert charlie.support == 1 and charlie.unique  # its own second article is no other source
    assert charlie.closest == 1 and charlie.closest_similarity < 0.3
