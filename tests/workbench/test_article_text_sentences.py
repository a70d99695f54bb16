"""The article's text in the workspace: each sentence has its own "+" (add to the brief), headings none."""

from __future__ import annotations

import hashlib
import re

from django.urls import reverse

from articles.models import Article, Sentence, Story

BODY = (
    "Harbour fire closes the port\n\n"
    "The fire began at dawn in a warehouse. Crews arrived within minutes.\n\n"
    "What happens next\n\n"
    "The port stays shut until Friday."
)


def _article_with_a_heading(db) -> tuple[Story, Article, dict[str, Sentence]]:
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    article = Article.objects.create(
        story=story,
        title="Harbour fire closes the port",
        body=BODY,
        content_hash=hashlib.sha256(BODY.encode()).hexdigest(),
        source_format="text",
        source_name="fire.txt",
    )
    texts = [
        "Harbour fire closes the port",
        "The fire began at dawn in a warehouse.",
        "Crews arrived within minutes.",
        "What happens next",
        "The port stays shut until Friday.",
    ]
    sentences = {}
    for index, text in enumerate(texts):
        start = BODY.index(text)
        sentences[text] = Sentence.objects.create(
            article=article, index=index, start=start, end=start + len(text), text=text
        )
    return story, article, sentences


def _sentence_spans(html: str) -> dict[int, str]:
    """Each sentence's <span> as the page has it, up to the next sentence."""
    parts = re.split(r'(?=<span class="sentence[^"]*" id="sentence-\d+")', html)
    return {int(re.search(r'id="sentence-(\d+)"', p).group(1)): p for p in parts if 'id="sentence-' in p}


def test_each_sentence_has_its_own_add_button_and_headings_have_none(editor_client, db):
    story, article, sentences = _article_with_a_heading(db)
    url = reverse("article_text", args=[story.slug, article.pk])
    for html in (
        editor_client.get(url, HTTP_HX_REQUEST="true").content.decode(),
        editor_client.get(url).content.decode(),
    ):
        spans = _sentence_spans(html)
        for text in ("Harbour fire closes the port", "What happens next"):
            span = spans[sentences[text].pk]
            assert 'class="sentence heading"' in span and "Add this sentence" not in span
        for text in (
            "The fire began at dawn in a warehouse.",
            "Crews arrived within minutes.",
            "The port stays shut until Friday.",
        ):
            span = spans[sentences[text].pk]
            button = re.search(r'aria-label="Add this sentence to the brief: ([^"]+)"', span)
            assert button and text.startswith(button.group(1).rstrip("…"))
            # The button is inside the sentence's own <span>, before it closes.
            assert span.index("Add this sentence") < span.index("</span>", span.index(text))
        # A <p> would be closed by the first <form> (HTML parsing), putting its "+" after the paragraph.
        text_block = html[html.index('class="article-text"') :]
        assert "<p>" not in text_block.split("</div>")[0]
