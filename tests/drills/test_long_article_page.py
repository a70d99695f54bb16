"""Drill: the reading page of a very long article renders one part of it, not all of it at once.

A 40,000-sentence article once took 59 s to render at 7,000 sentences (every sentence scanned every mention).
Now a page shows READING_PART_SENTENCES sentences with links to the other parts, and a cited sentence opens
the part that holds it; the workspace's HTMX partial is bounded the same way.
"""

from __future__ import annotations

import hashlib
import re

from django.urls import reverse

from articles.models import Article, Mention, Sentence, Story
from web.views.text import READING_PART_SENTENCES

COUNT = 2 * READING_PART_SENTENCES + 200


def long_article() -> tuple[Article, list[Sentence]]:
    story = Story.objects.create(title="Long report", slug="long-report")
    lines = [f"Sentence {n} names Harbour Works {n}." for n in range(COUNT)]
    body = "\n".join(lines)
    article = Article.objects.create(
        story=story,
        title="Long report",
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        source_format="text",
        source_name="long.txt",
    )
    rows, mentions, position = [], [], 0
    for n, line in enumerate(lines):
        rows.append(Sentence(article=article, index=n, start=position, end=position + len(line), text=line))
        name = line.index("Harbour")
        mentions.append(
            Mention(
                article=article, start=position + name, end=position + len(line) - 1, text="", label="ORG"
            )
        )
        position += len(line) + 1
    Sentence.objects.bulk_create(rows)
    Mention.objects.bulk_create(mentions)
    return article, list(article.sentences.order_by("index"))


def shown_sentences(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="sentence-(\d+)"', html)]


def test_the_reading_page_shows_a_long_article_in_parts(db, editor_client):
    article, sentences = long_article()
    url = reverse("article_text", args=[article.story.slug, article.pk])

    first = editor_client.get(url).content.decode()
    assert shown_sentences(first) == [s.pk for s in sentences[:READING_PART_SENTENCES]]
    assert f"Part 1 of 3: sentences 1–{READING_PART_SENTENCES} of {COUNT}" in first
    assert f'href="{url}?part=2" rel="next">Next part</a>' in first
    assert first.count('<mark class="entity entity-org"') == READING_PART_SENTENCES

    last = editor_client.get(url, {"part": 3}).content.decode()
    assert shown_sentences(last) == [s.pk for s in sentences[2 * READING_PART_SENTENCES :]]
    assert f'href="{url}?part=2" rel="prev">Previous part</a>' in last
    assert "Next part" not in last
    assert f"Harbour Works {COUNT - 1}</mark>" in last

    partial = editor_client.get(url, {"part": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert shown_sentences(partial) == [
        s.pk for s in sentences[READING_PART_SENTENCES : 2 * READING_PART_SENTENCES]
    ]


def test_a_cited_sentence_opens_the_part_that_holds_it(db, editor_client):
    article, sentences = long_article()
    cited = sentences[READING_PART_SENTENCES + 17]
    url = reverse("article_text", args=[article.story.slug, article.pk])

    page = editor_client.get(url, {"sentence": cited.pk}).content.decode()

    assert "Part 2 of 3" in page
    assert cited.pk in shown_sentences(page)
    assert re.search(rf'class="sentence[^"]* cited" id="sentence-{cited.pk}"', page)


def test_a_short_article_is_shown_whole_without_parts(db, editor_client):
    article, sentences = long_article()
    Sentence.objects.filter(article=article, index__gte=50).delete()
    url = reverse("article_text", args=[article.story.slug, article.pk])
    page = editor_client.get(url).content.decode()
    assert len(shown_sentences(page)) == 50
    assert "Part 1" not in page
