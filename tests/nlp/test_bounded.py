"""Every summarizer's cost is bounded whatever the article's length, and no text is too long for spaCy.

The quadratic algorithms (LexRank, TextRank, Reduction, LSA, SumBasic) see at most MAX_CANDIDATES sentences,
narrowed first in linear time (the opening sentences, then those nearest the TF-IDF centroid). A text longer
than spaCy's nlp.max_length is run in pieces and joined back at the right offsets.
"""

from __future__ import annotations

import pytest

from articles.nlp import summarizers
from articles.nlp.entities import analyze_text
from articles.nlp.segmentation import load_pipeline, segment, text_pieces
from articles.nlp.summarizers import MAX_CANDIDATES, preselect, summarize
from tests.conftest import SEEDS_DIR

TOPICAL = [
    "The harbour authority closed the port after the warehouse fire spread to the docks.",
    "Firefighters fought the warehouse fire at the port through the night.",
    "The port fire destroyed two warehouses and damaged the harbour cranes.",
    "Officials said the harbour port would stay closed while the fire is investigated.",
]


def numbered_article(count: int) -> str:
    """`count` one-line sentences: a few on the story, most on unrelated small things, each distinct."""
    lines = []
    for n in range(count):
        if n % 10 == 3:
            lines.append(TOPICAL[n % len(TOPICAL)].replace(".", f" on day {n}."))
        else:
            lines.append(f"Item {n} mentions gadget{n} and widget{n} once.")
    return "\n".join(lines)


class SpySummarizer:
    """Stands in for a sumy summarizer: records how many sentences it was shown, picks the first ones."""

    seen: list[int] = []

    def __call__(self, document, count):
        sentences = list(document.sentences)
        SpySummarizer.seen.append(len(sentences))
        return sentences[: count if isinstance(count, int) else 1]


@pytest.fixture
def spy(monkeypatch):
    SpySummarizer.seen = []
    monkeypatch.setattr(summarizers, "_build_summarizer", lambda _algorithm: SpySummarizer())
    return SpySummarizer


@pytest.mark.parametrize("algorithm", ["lexrank", "textrank", "reduction", "lsa", "sumbasic"])
def test_a_long_article_shows_each_algorithm_at_most_the_cap(spy, algorithm):
    text = numbered_article(MAX_CANDIDATES + 200)
    spans = segment(text)
    assert len(spans) == MAX_CANDIDATES + 200

    result = summarize(text, spans, algorithm, sentences=3)

    assert spy.seen == [MAX_CANDIDATES]
    assert len(result.sentence_indices) == 3
    assert result.params["max_candidates"] == MAX_CANDIDATES
    assert result.params["preselected_from"] == MAX_CANDIDATES + 200


def test_a_short_article_is_not_narrowed(spy):
    text = numbered_article(40)
    result = summarize(text, segment(text), "lexrank", sentences=3)
    assert spy.seen == [40]
    assert "max_candidates" not in result.params


@pytest.mark.parametrize("algorithm", ["lexrank", "textrank", "reduction", "lsa"])
def test_the_real_algorithms_summarise_a_narrowed_article(algorithm):
    text = numbered_article(150)
    spans = segment(text)
    result = summarize(text, spans, algorithm, sentences=2, max_candidates=30)
    assert len(result.sentence_indices) == 2
    assert result.params["preselected_from"] == 150
    assert result.text == " ".join(spans[i].text for i in result.sentence_indices)


def test_preselection_keeps_the_lead_and_the_sentences_on_the_story():
    spans = segment(numbered_article(400))
    chosen = preselect(spans, 40)
    assert len(chosen) == 40
    lead = int(40 * summarizers.LEAD_SHARE)
    assert set(range(lead)) <= chosen  # the opening sentences, by position
    topical = {s.index for s in spans if "port" in s.text and s.index >= lead}
    # The rest is filled with the sentences nearest the centroid: the ones on the fire, not the gadgets.
    assert len(chosen - set(range(lead))) == 40 - lead
    assert chosen - set(range(lead)) <= topical


@pytest.fixture
def short_max_length():
    """spaCy's pipeline refusing texts over 3,000 characters, as it refuses those over 1,000,000."""
    nlp = load_pipeline(with_entities=True)
    saved = nlp.max_length
    nlp.max_length = 3000
    yield 3000
    nlp.max_length = saved


def seed_text() -> str:
    return "\n\n".join(path.read_text() for path in sorted(SEEDS_DIR.glob("*.txt")))


def test_a_text_over_spacys_limit_is_analysed_in_pieces_at_the_right_offsets(short_max_length):
    text = seed_text()
    whole = analyze_text(text)  # the reference, before spaCy's limit is lowered below the text's length
    assert len(text) > 5 * short_max_length

    load_pipeline(with_entities=True).max_length = short_max_length
    pieces = analyze_text(text)

    assert [(s.start, s.end, s.is_boilerplate) for s in pieces.sentences] == [
        (s.start, s.end, s.is_boilerplate) for s in whole.sentences
    ]
    assert all(text[s.start : s.end] == s.text for s in pieces.sentences)
    assert all(text[m.start : m.end] == m.text for m in pieces.mentions)
    same = {(m.start, m.end, m.label) for m in whole.mentions} & {
        (m.start, m.end, m.label) for m in pieces.mentions
    }
    # Entities only differ (if at all) next to a cut, where the model sees less context.
    assert len(same) >= 0.95 * len(whole.mentions)


def test_pieces_tile_the_text_and_cut_an_endless_line():
    text = "Short first line.\n\n" + "A sentence that goes on. " * 40 + "\n" + "x" * 250 + "\nlast"
    pieces = text_pieces(text, 100)
    assert "".join(text[a:b] for a, b in pieces) == text
    assert all(0 < b - a <= 100 for a, b in pieces)
    assert text[pieces[0][0] : pieces[0][1]] == "Short first line.\n\n"
    # Inside the long line the cuts fall after a sentence's end.
    assert all(text[a:b].endswith("on. ") for a, b in pieces[1:-4])
