"""Summaries with every sumy algorithm through our tokenizer: no NLTK data, no boilerplate, bounded KL-Sum."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from articles.nlp.segmentation import segment, sumy_tokenizer
from articles.nlp.summarizers import ALGORITHMS, KL_MAX_SENTENCES, SummaryError, summarize
from tests.conftest import PROJECT_DIR, SEEDS_DIR


@pytest.fixture(scope="module")
def seed_text() -> str:
    return (SEEDS_DIR / "002_38a5b47bc5c530bf.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_picks_three_story_sentences_and_records_how(algorithm, seed_text):
    spans = segment(seed_text)
    result = summarize(seed_text, spans, algorithm, sentences=3, title="Acting IRS chief resigns")
    assert len(result.sentence_indices) == 3
    assert result.sentence_indices == sorted(result.sentence_indices)
    chosen = [spans[i] for i in result.sentence_indices]
    assert not any(s.is_boilerplate for s in chosen)
    assert result.text == " ".join(s.text for s in chosen)
    assert result.params["sentences"] == 3
    assert set(result.versions) >= {"sumy", "spacy", "spacy_model", "nltk"}


def test_boilerplate_is_never_chosen_even_when_it_is_most_central():
    text = "\n\n".join(
        ["Advertisement"]
        + [
            "The IRS commissioner resigned on Tuesday over the data deal.",
            "Share this article",
            "The data deal lets DHS use IRS records.",
            "Sign up for our IRS data deal newsletter delivered to your inbox.",
        ]
    )
    spans = segment(text)
    for algorithm in ALGORITHMS:
        result = summarize(text, spans, algorithm, sentences=10)
        assert [spans[i].text for i in result.sentence_indices] == [
            "The IRS commissioner resigned on Tuesday over the data deal.",
            "The data deal lets DHS use IRS records.",
        ]


def test_a_word_budget_bounds_the_summary(seed_text):
    spans = segment(seed_text)
    result = summarize(seed_text, spans, "lexrank", word_budget=60)
    assert result.params["word_budget"] == 60
    counts = [len(spans[i].text.split()) for i in result.sentence_indices]
    assert len(counts) >= 1
    assert sum(counts) <= 60 or len(counts) == 1


def test_kl_sum_sees_a_bounded_number_of_sentences():
    text = "\n\n".join(
        f"Sentence number {n} tells about harbour item {n % 17} and crane {n % 5}." for n in range(150)
    )
    spans = segment(text)
    result = summarize(text, spans, "kl", sentences=3)
    assert result.params["kl_max_sentences"] == KL_MAX_SENTENCES
    assert max(result.sentence_indices) < KL_MAX_SENTENCES


def test_length_and_algorithm_errors_are_readable():
    spans = segment("One sentence.")
    with pytest.raises(SummaryError, match="choose one of lexrank, textrank"):
        summarize("One sentence.", spans, "bogus", sentences=3)
    with pytest.raises(SummaryError, match="either as a sentence count or as a word budget"):
        summarize("One sentence.", spans, "lexrank", sentences=3, word_budget=50)
    assert summarize("", [], "lsa", sentences=3).sentence_indices == []


def test_the_sumy_tokenizer_splits_words_and_sentences_without_punkt():
    tokenizer = sumy_tokenizer()
    assert tokenizer.to_words("The U.S. agency’s chief didn't stay.") == (
        "The",
        "U.S",
        "agency’s",
        "chief",
        "didn't",
        "stay",
    )
    assert tokenizer.to_sentences("It rained. Then it stopped.") == ("It rained.", "Then it stopped.")


def test_every_algorithm_runs_with_an_empty_nltk_data_directory(tmp_path):
    """NLTK finds no data at all (no punkt, no stop words): summaries must not need any."""
    script = textwrap.dedent(
        """
        import nltk
        from pathlib import Path
        from articles.nlp.segmentation import segment
        from articles.nlp.summarizers import ALGORITHMS, summarize
        assert nltk.data.path[0] == __import__("os").environ["NLTK_DATA"]
        text = Path("seeds/000_062758445608dbed.txt").read_text()
        spans = segment(text)
        for name in ALGORITHMS:
            assert len(summarize(text, spans, name, sentences=2).sentence_indices) == 2, name
        try:
            nltk.data.find("tokenizers/punkt_tab")
        except LookupError:
            print("no punkt, all summarized")
        """
    )
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {**os.environ, "NLTK_DATA": str(empty), "HOME": str(tmp_path), "PYTHONPATH": str(PROJECT_DIR)}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    assert "no punkt, all summarized" in completed.stdout
