"""Sentence segmentation and boilerplate marking on the seeds and on furniture from real web pages."""

from __future__ import annotations

import pytest

from articles.nlp.boilerplate import line_reason, sentence_reason
from articles.nlp.segmentation import segment, segment_many, split_lines


def test_offsets_point_at_the_sentence_text_in_every_seed(seed_paths):
    texts = [path.read_text(encoding="utf-8") for path in seed_paths]
    for text, spans in zip(texts, segment_many(texts), strict=True):
        assert len(spans) > 5
        assert [s.index for s in spans] == list(range(len(spans)))
        for span in spans:
            assert text[span.start : span.end] == span.text
            assert span.text == span.text.strip()


def test_a_blank_line_ends_a_sentence_even_without_punctuation():
    text = "Officials met on Monday to discuss the plan\n\nThe council rejected it on Tuesday."
    assert [s.text for s in segment(text)] == [
        "Officials met on Monday to discuss the plan",
        "The council rejected it on Tuesday.",
    ]


def test_a_headline_line_is_its_own_sentence_and_hard_wrapped_prose_is_joined():
    text = (
        "Council Rejects Harbour Plan\n"
        "The council voted against the harbour plan\nafter a long debate. It was close."
    )
    assert [s.text for s in segment(text)] == [
        "Council Rejects Harbour Plan",
        "The council voted against the harbour plan\nafter a long debate.",
        "It was close.",
    ]
    assert [(line.start, line.end) for line in split_lines("a\n\n  b  \n")] == [(0, 1), (5, 6)]


def test_the_seed_comment_prompt_is_marked_and_story_sentences_are_not(seed_paths):
    text = next(p for p in seed_paths if "Leave a Comment" in p.read_text()).read_text()
    spans = segment(text)
    marked = [s for s in spans if s.is_boilerplate]
    assert [(s.text, s.boilerplate_reason) for s in marked] == [("Leave a Comment", "comment prompt")]


def test_web_page_furniture_is_marked_with_a_reason():
    text = "\n\n".join(
        [
            "The mayor resigned on Friday after a week of protests.",
            "Tweet with a location",
            "You can add location information to your Tweets.",
            "Advertisement Continue reading the main story",
            "The mayor's office said a successor would be named soon.",
            "Jane Doe speaks to reporters in Springfield. REUTERS/John Smith",
            "Sign up for our newsletter to get breaking news delivered to your inbox.",
            "Share this article",
            "We use cookies to improve your experience on our site.",
            "Follow Jane Roe on Twitter: @janeroe",
            "The mayor resigned on Friday after a week of protests.",
        ]
    )
    spans = segment(text, title="Mayor resigns")
    reasons = {s.text: s.boilerplate_reason for s in spans if s.is_boilerplate}
    assert reasons == {
        "Tweet with a location": "tweet widget",
        "You can add location information to your Tweets.": "tweet widget",
        "Advertisement Continue reading the main story": "advertisement",
        "Jane Doe speaks to reporters in Springfield.": "photo credit",
        "REUTERS/John Smith": "photo credit",
        "Sign up for our newsletter to get breaking news delivered to your inbox.": "subscribe prompt",
        "Share this article": "share prompt",
        "We use cookies to improve your experience on our site.": "cookie notice",
        "Follow Jane Roe on Twitter: @janeroe": "social follow",
        "The mayor resigned on Friday after a week of protests.": "repeated paragraph",
    }
    kept = [s.text for s in spans if not s.is_boilerplate]
    assert kept[:2] == [
        "The mayor resigned on Friday after a week of protests.",
        "The mayor's office said a successor would be named soon.",
    ]


def test_a_line_repeating_the_title_is_a_repeated_headline():
    spans = segment("Mayor Resigns After Protests\nThe mayor resigned.", title="Mayor resigns after protests")
    assert spans[0].boilerplate_reason == "repeated headline"
    assert not spans[1].is_boilerplate


@pytest.mark.parametrize(
    "sentence",
    [
        "The council said it would follow the advice of its auditors on Twitter's accounts.",
        "Reuters reported that the deal was signed, citing a Reuters/Ipsos poll.",
        "She declined to comment on the advertisement campaign.",
        "The company shares fell 3 percent.",
    ],
)
def test_ordinary_news_sentences_are_not_boilerplate(sentence):
    assert sentence_reason(sentence) == ""
    assert line_reason(sentence) == ""
