"""Stories built row by row (no import, analysis or synthesis needed), for the view and browser tests.

The shape mirrors what the pipeline stores: articles with sentences at character offsets, a consolidated
entity with mentions, claims across sources (agreed, unique, one with a discrepancy), overlaps and a
candidate brief.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from articles.models import (
    Article,
    ArticleOverlap,
    CandidateBrief,
    CandidateBriefSentence,
    Claim,
    Discrepancy,
    Entity,
    Mention,
    Outlet,
    Sentence,
    Story,
    Summary,
)

SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")

DEFAULT_TEXTS = [
    (
        "Acting IRS chief to resign over data deal",
        "Acting IRS Commissioner Melanie Krause will resign, the Treasury said on Tuesday. "
        "The agency signed a data-sharing agreement with immigration authorities in April.\n"
        "Critics said the deal put taxpayer privacy at risk. Krause had led the agency since February.",
    ),
    (
        "IRS head steps down after immigration data pact",
        "Melanie Krause, the acting IRS commissioner, is stepping down, the Treasury said on Tuesday. "
        "The agreement lets immigration officers check the addresses of 7,000 people.\n"
        "Officials expect a successor to be named within weeks.",
    ),
    (
        "Treasury confirms departure of acting IRS commissioner",
        "The Treasury confirmed that Melanie Krause will leave the IRS. "
        "The agreement covers the addresses of 700 people, according to court filings.\n"
        "She is the fifth person to lead the agency this year.",
    ),
]


@dataclass
class BuiltStory:
    story: Story
    articles: list[Article]
    sentences: list[list[Sentence]]
    claims: dict[str, Claim] = field(default_factory=dict)
    entity: Entity | None = None


def seed_texts(seeds_dir: Path, limit: int = 5) -> list[tuple[str, str]]:
    texts = []
    for path in sorted(seeds_dir.glob("*.txt"))[:limit]:
        text = path.read_text(encoding="utf-8").strip()
        title, _, body = text.partition("\n")
        if len(title) > 200:  # no headline line: the file starts with its first paragraph
            title, body = SENTENCE_END.split(title)[0][:200], text
        texts.append((title.strip(), body.strip()))
    return texts


def _sentences(article: Article) -> list[Sentence]:
    rows, position = [], 0
    for index, chunk in enumerate(part for part in SENTENCE_END.split(article.body) if part.strip()):
        start = article.body.index(chunk, position)
        end = start + len(chunk.rstrip())
        rows.append(
            Sentence(article=article, index=index, start=start, end=end, text=article.body[start:end])
        )
        position = end
    return Sentence.objects.bulk_create(rows)


def build_story(
    *,
    slug: str = "irs-resigns",
    title: str = "Acting IRS commissioner resigns",
    texts: list[tuple[str, str]] | None = None,
    candidate: bool = True,
) -> BuiltStory:
    texts = texts or DEFAULT_TEXTS
    story = Story.objects.create(title=title, slug=slug)
    base = timezone.now() - timedelta(days=1)
    articles, sentences = [], []
    for n, (article_title, body) in enumerate(texts):
        outlet, _ = Outlet.objects.get_or_create(name=f"Outlet {chr(ord('A') + n % 26)}{'' if n < 26 else n}")
        article = Article.objects.create(
            story=story,
            outlet=outlet,
            title=article_title,
            body=body,
            url=f"https://news{n}.example/{slug}",
            published_at=base + timedelta(hours=n),
            content_hash=hashlib.sha256(f"{slug}:{n}:{body}".encode()).hexdigest(),
            source_format="text",
            source_name=f"{slug}-{n}.txt",
            analyzed_at=timezone.now(),
        )
        articles.append(article)
        rows = _sentences(article)
        sentences.append(rows)
        Summary.objects.create(
            article=article, algorithm="lexrank", sentence_indices=[0], text=rows[0].text if rows else ""
        )
    built = BuiltStory(story=story, articles=articles, sentences=sentences)

    entity = Entity.objects.create(story=story, name="Melanie Krause", label="PERSON", mention_count=0)
    for article in articles:
        found = article.body.find("Krause")
        if found >= 0:
            start = article.body.rfind("Melanie ", 0, found)
            start = start if start >= 0 and start == found - len("Melanie ") else found
            Mention.objects.create(
                article=article,
                entity=entity,
                start=start,
                end=found + len("Krause"),
                text=article.body[start : found + len("Krause")],
                label="PERSON",
            )
            entity.mention_count += 1
            entity.articles.add(article)
    entity.save()
    built.entity = entity

    # Claim "agreed": the first sentences of the first two articles; "unique": the last sentence of the last
    # article; "disputed": the second sentences of articles 2 and 3 (if there are three), with a discrepancy.
    agreed = Claim.objects.create(
        story=story,
        position=0,
        text=sentences[0][0].text,
        representative=sentences[0][0],
        support=2 if len(articles) > 1 else 1,
        salience=1.0,
    )
    agreed.sentences.set([sentences[0][0]] + ([sentences[1][0]] if len(articles) > 1 else []))
    agreed.entities.add(entity)
    unique_sentence = sentences[-1][-1]
    unique = Claim.objects.create(
        story=story,
        position=1,
        text=unique_sentence.text,
        representative=unique_sentence,
        support=1,
        unique=True,
        salience=0.5,
    )
    unique.sentences.set([unique_sentence])
    built.claims = {"agreed": agreed, "unique": unique}
    if len(articles) >= 3 and len(sentences[1]) > 1 and len(sentences[2]) > 1:
        a, b = sentences[1][1], sentences[2][1]
        disputed = Claim.objects.create(
            story=story, position=2, text=a.text, representative=a, support=2, salience=0.8
        )
        disputed.sentences.set([a, b])
        Discrepancy.objects.create(
            claim=disputed, kind="number", sentence_a=a, sentence_b=b, value_a="7,000", value_b="700"
        )
        built.claims["disputed"] = disputed

    for article in articles:
        for other in articles:
            if article.pk != other.pk:
                ArticleOverlap.objects.create(story=story, article=article, other=other, coverage=0.25)

    if candidate:
        cb = CandidateBrief.objects.create(story=story, algorithm="test", params={})
        picks = [(sentences[0][0], agreed)]
        if "disputed" in built.claims:
            picks.append((built.claims["disputed"].representative, built.claims["disputed"]))
        picks.append((sentences[0][-1], None))
        for position, (sentence, claim) in enumerate(picks):
            CandidateBriefSentence.objects.create(
                candidate=cb, position=position, sentence=sentence, claim=claim
            )
    return built


def draft_brief(built: BuiltStory, user=None):
    """The story's brief with a headline, a standfirst and two claims (version 3), ready to publish."""
    from briefs.services import brief_add_claim, brief_get_or_create, brief_update_header

    brief = brief_get_or_create(built.story)
    brief = brief_update_header(
        brief,
        headline="Krause resigns",
        standfirst="The acting commissioner leaves.",
        user=user,
        expected_version=0,
    )
    brief_add_claim(brief, built.claims["agreed"], user=user, expected_version=1)
    brief_add_claim(brief, built.claims["unique"], user=user, expected_version=2)
    brief.refresh_from_db()
    return brief


def add_wire_copy(built: BuiltStory, original: Article, outlet_name: str) -> Article:
    """A wire copy of `original` (a near-duplicate) from another outlet, with sentences; added to `built`."""
    outlet, _ = Outlet.objects.get_or_create(name=outlet_name)
    copy = Article.objects.create(
        story=built.story,
        outlet=outlet,
        title=original.title,
        body=original.body,
        url=f"https://{outlet_name.lower().replace(' ', '-')}.example/{built.story.slug}",
        published_at=original.published_at + timedelta(minutes=30),
        content_hash=hashlib.sha256(f"copy:{outlet_name}:{original.pk}".encode()).hexdigest(),
        source_format="text",
        source_name=f"{built.story.slug}-copy-{original.pk}.txt",
        analyzed_at=timezone.now(),
        near_duplicate_of=original,
        near_duplicate_similarity=0.97,
    )
    built.articles.append(copy)
    built.sentences.append(_sentences(copy))
    return copy
