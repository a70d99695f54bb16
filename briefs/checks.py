"""What an editor must see before a brief goes out: the discrepancy flags on its items, the pre-publish check.

Reads only (no writes). A flag belongs to an item when the discrepancy concerns the item's claim or one of the
sentences it cites; it is keyed by what the sources disagree on (kind and the two values as written), not by
the Discrepancy row, so that an editor's resolution survives a re-run of the synthesis that finds the same
disagreement again. briefs.services.brief_resolve_flag records resolutions, briefs.services.brief_publish
refuses to publish with open warnings unless the publisher confirms them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q

from articles.models import Discrepancy
from briefs.models import Brief, BriefItem

T = TypeVar("T")

RESOLUTIONS = {
    "noted": "noted (both versions are known)",
    "kept_a": "kept “{value_a}”",
    "kept_b": "kept “{value_b}”",
    "reworded": "reworded to avoid the disputed detail",
}


def flag_key(kind: str, value_a: str, value_b: str) -> str:
    """What a flag is about, independent of which side is a or b and of the synthesis run."""
    first, second = sorted([" ".join(value_a.split()), " ".join(value_b.split())])
    return f"{kind}: {first} / {second}"


@dataclass(frozen=True)
class ItemFlag:
    key: str
    kind: str
    value_a: str
    value_b: str
    explanation: str  # which sources say what
    resolution: dict | None  # the item's entry in flag_resolutions, None while open

    @property
    def is_open(self) -> bool:
        return self.resolution is None

    @property
    def resolution_text(self) -> str:
        if self.resolution is None:
            return ""
        template = RESOLUTIONS.get(self.resolution.get("resolution", ""), "{resolution}")
        return template.format(value_a=self.value_a, value_b=self.value_b, resolution="settled")


@dataclass(frozen=True)
class CitedSentence:
    sentence_id: int
    article_id: int
    index: int


def cited_sentences(items: list[BriefItem]) -> dict[int, list[CitedSentence]]:
    """The sentences each item cites (by item id), in reading order; one query."""
    cited: dict[int, list[CitedSentence]] = defaultdict(list)
    if not items:
        return cited
    rows = (
        BriefItem.sentences.through.objects.filter(briefitem_id__in=[i.pk for i in items])
        .values_list("briefitem_id", "sentence_id", "sentence__article_id", "sentence__index")
        .order_by("sentence__article_id", "sentence__index")
    )
    for item_id, sentence_id, article_id, index in rows:
        cited[item_id].append(CitedSentence(sentence_id, article_id, index))
    return cited


def first_per_article(cited: Iterable[tuple[int, int, T]]) -> dict[int, T]:
    """From (article id, sentence index, value) of an item's cited sentences: the value of each article's
    first cited sentence in reading order, what the item's source stands for (its quote, its link)."""
    first: dict[int, T] = {}
    for article_id, _, value in sorted(cited, key=lambda entry: entry[:2]):
        first.setdefault(article_id, value)
    return first


def evidence_links(
    items: list[BriefItem], cited: dict[int, list[CitedSentence]]
) -> dict[int, dict[int, int]]:
    """For each item, its articles' first cited sentence (article id -> sentence id): where each source
    badge of the item leads (the sentence highlighted in the article's text)."""
    return {
        item.pk: first_per_article((c.article_id, c.index, c.sentence_id) for c in cited.get(item.pk, []))
        for item in items
    }


def item_flags(
    items: list[BriefItem], cited: dict[int, list[CitedSentence]] | None = None
) -> dict[int, list[ItemFlag]]:
    """The discrepancy flags of each item (by item id), open ones first; two queries (one when `cited`,
    from cited_sentences, is given)."""
    if not items:
        return {}
    if cited is None:
        cited = cited_sentences(items)
    sentences_of = {item_id: {c.sentence_id for c in found} for item_id, found in cited.items()}
    claim_ids = {item.claim_id for item in items if item.claim_id}
    sentence_ids = set().union(*sentences_of.values()) if sentences_of else set()
    if not claim_ids and not sentence_ids:
        return {item.pk: [] for item in items}
    discrepancies = list(
        Discrepancy.objects.filter(
            Q(claim_id__in=claim_ids)
            | Q(other_claim_id__in=claim_ids)
            | Q(sentence_a_id__in=sentence_ids)
            | Q(sentence_b_id__in=sentence_ids)
        )
        .only(
            "claim_id",
            "other_claim_id",
            "sentence_a_id",
            "sentence_b_id",
            "kind",
            "value_a",
            "value_b",
            "explanation",
        )
        .order_by("id")
    )
    flags: dict[int, list[ItemFlag]] = {}
    for item in items:
        cited = sentences_of.get(item.pk, set())
        resolved = {entry.get("key"): entry for entry in item.flag_resolutions or []}
        seen: dict[str, ItemFlag] = {}
        for d in discrepancies:
            concerns = (
                (item.claim_id and item.claim_id in (d.claim_id, d.other_claim_id))
                or d.sentence_a_id in cited
                or d.sentence_b_id in cited
            )
            if not concerns:
                continue
            key = flag_key(d.kind, d.value_a, d.value_b)
            if key not in seen:
                seen[key] = ItemFlag(key, d.kind, d.value_a, d.value_b, d.explanation, resolved.get(key))
        flags[item.pk] = sorted(seen.values(), key=lambda flag: (not flag.is_open, flag.key))
    return flags


@dataclass(frozen=True)
class PublishWarning:
    code: str  # unsourced, duplicate, discrepancy, headline
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def _normalised(text: str) -> str:
    return " ".join("".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace()).split())


def publish_warnings(
    brief: Brief, items: list[BriefItem], flags: dict[int, list[ItemFlag]] | None = None
) -> list[PublishWarning]:
    """What the pre-publish check lists: unsourced items, duplicated items, open discrepancy flags and a
    headline left at the story's working title. `items` come with their articles prefetched."""
    if flags is None:
        flags = item_flags(items)
    warnings = []
    if brief.headline and _normalised(brief.headline) == _normalised(brief.story.title):
        warnings.append(
            PublishWarning(
                "headline", "The headline is still the story's working title; write one for readers."
            )
        )
    first_with: dict[str, int] = {}
    first_claim: dict[int, int] = {}
    for number, item in enumerate(items, start=1):
        if not item.articles.all():
            warnings.append(PublishWarning("unsourced", f"Item {number} cites no source."))
        text = _normalised(item.text)
        if text in first_with:
            warnings.append(PublishWarning("duplicate", f"Item {number} repeats item {first_with[text]}."))
        elif item.claim_id and item.claim_id in first_claim:
            warnings.append(
                PublishWarning(
                    "duplicate", f"Item {number} states the same claim as item {first_claim[item.claim_id]}."
                )
            )
        first_with.setdefault(text, number)
        if item.claim_id:
            first_claim.setdefault(item.claim_id, number)
        for flag in flags.get(item.pk, []):
            if flag.is_open:
                warnings.append(
                    PublishWarning(
                        "discrepancy",
                        f"Item {number}: sources disagree "
                        f"({flag.kind}: “{flag.value_a}” vs “{flag.value_b}”).",
                    )
                )
    return warnings
