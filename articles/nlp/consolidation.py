"""One canonical entity per real-world referent, across all the articles of a story.

Mentions are first cleaned (possessive 's, a leading "the", titles before a person's name) and grouped by
their cleaned form whatever label spaCy gave each one. Groups are then joined when one is
- a surname of a full person name ("Krause" into "Melanie Krause"),
- an acronym of a longer name ("IRS" into "Internal Revenue Service", "DHS" into "Department of Homeland
  Security"), or
- the same organisation without its generic words ("Homeland Security", "Treasury Department").
The label is the majority over the group's multi-word mentions (spaCy is more reliable on full names; it tags
"Krause’s" as ORG), else over all of them. The canonical name is the longest proper form, except that an
organisation the sources call by its acronym at least twice as often as by its full name is named by the
acronym ("IRS", with "Internal Revenue Service" among the aliases).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

# Labels that name a referent; numbers, amounts and times are kept as mentions but not consolidated.
ENTITY_LABELS = frozenset(
    {
        "PERSON",
        "NORP",
        "FAC",
        "ORG",
        "GPE",
        "LOC",
        "PRODUCT",
        "EVENT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
        "DATE",
    }
)
NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
TITLES = frozenset(
    """
    acting interim deputy assistant associate chief senior former late then commissioner secretary president
    vice director administrator chairman chairwoman chair ceo cfo spokesman spokeswoman spokesperson minister
    premier chancellor governor gov mayor senator sen rep representative congressman congresswoman judge
    justice attorney general ambassador sheriff officer detective sergeant sgt lieutenant lt captain capt
    colonel col major maj commander admiral prof professor dr doctor mr mrs ms miss sir dame lord lady king
    queen prince princess pope rev reverend coach leader speaker treasurer
    """.split()
)
# Labels spaCy gives a bare surname by mistake, typically before a possessive ("Krause’s" -> ORG).
SURNAME_CONFUSIONS = frozenset({"ORG", "PRODUCT", "FAC", "WORK_OF_ART", "NORP", "GPE"})
GENERIC_ORG_WORDS = frozenset(
    {"department", "of", "the", "u.s", "us", "agency", "office", "ministry", "federal"}
)
ACRONYM_SKIP_WORDS = frozenset({"of", "the", "and", "for", "&", "on", "in", "to", "at"})
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "`": "'"})
_POSSESSIVE = re.compile(r"(?<=\w)['’]s$|(?<=s)['’]$", re.IGNORECASE)
# A date names something only with a number or a day or month name ("weeks", "decades" do not).
_SPECIFIC_DATE = re.compile(
    r"\d|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june"
    r"|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class MentionRef:
    """A mention to consolidate: `key` is the caller's handle for it (a row id, a tuple)."""

    key: Hashable
    article: Hashable
    text: str
    label: str


@dataclass
class ConsolidatedEntity:
    name: str
    label: str
    aliases: list[str]
    mention_count: int
    articles: list[Hashable]
    mention_keys: list[Hashable] = field(default_factory=list)


def clean_surface(text: str, label: str = "") -> str:
    """The mention as a name: no possessive, no leading "the", no titles before a person's name."""
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" \t\"'“”‘’()[]{},;:-–—")
    cleaned = _POSSESSIVE.sub("", cleaned).strip()
    cleaned = re.sub(r"^the\s+", "", cleaned, flags=re.IGNORECASE)
    if label == "PERSON":
        cleaned = _strip_titles(cleaned)
    return cleaned.strip(" .,") if not _is_acronym_with_dots(cleaned) else cleaned


def _is_acronym_with_dots(text: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.){2,}", text))


def _strip_titles(name: str) -> str:
    tokens = name.split()
    last_title = -1
    for position, token in enumerate(tokens[:-1]):
        if token.lower().strip(".") in TITLES:
            last_title = position
    rest = tokens[last_title + 1 :]
    if last_title >= 0 and rest and rest[0][:1].isupper():
        return " ".join(rest)
    return name


def _key(cleaned: str) -> str:
    return re.sub(r"\s+", " ", cleaned.translate(_QUOTES).replace(".", "")).casefold().strip()


def _acronym(cleaned: str) -> str:
    """The initials of a multi-word name ("Department of Homeland Security" -> "dhs"), or ""."""
    tokens = [t for t in re.split(r"[\s\-]+", cleaned) if t]
    if len(tokens) < 2:
        return ""
    initials = [t[0] for t in tokens if t.lower() not in ACRONYM_SKIP_WORDS and t[:1].isupper()]
    return "".join(initials).casefold() if len(initials) >= 2 else ""


def _looks_like_acronym(surface: str) -> bool:
    bare = surface.replace(".", "")
    return 2 <= len(bare) <= 6 and bare.isalpha() and bare.isupper()


def _core_words(key: str) -> str:
    return " ".join(word for word in key.split() if word not in GENERIC_ORG_WORDS)


@dataclass
class _Group:
    key: str
    surfaces: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    multiword_labels: Counter = field(default_factory=Counter)
    possessive: bool = False
    refs: list[MentionRef] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.refs)

    @property
    def label(self) -> str:
        return _majority(self.multiword_labels or self.labels)

    @property
    def surface(self) -> str:
        return self.surfaces.most_common(1)[0][0]


_LABEL_PRIORITY = ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "LAW", "EVENT", "PRODUCT", "WORK_OF_ART"]


def _majority(labels: Counter) -> str:
    def rank(item: tuple[str, int]) -> tuple[int, int]:
        label, count = item
        priority = _LABEL_PRIORITY.index(label) if label in _LABEL_PRIORITY else len(_LABEL_PRIORITY)
        return (-count, priority)

    return sorted(labels.items(), key=rank)[0][0]


class _UnionFind:
    def __init__(self, keys: Sequence[str]) -> None:
        self.parent = {key: key for key in keys}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, child: str, parent: str) -> None:
        a, b = self.find(child), self.find(parent)
        if a != b:
            self.parent[a] = b


def consolidate(mentions: Sequence[MentionRef]) -> list[ConsolidatedEntity]:
    """Entities of a story, most mentioned first; mentions with other labels are left out."""
    groups: dict[str, _Group] = {}
    for ref in mentions:
        if ref.label not in ENTITY_LABELS or (ref.label == "DATE" and not _SPECIFIC_DATE.search(ref.text)):
            continue
        cleaned = clean_surface(ref.text, ref.label)
        key = _key(cleaned)
        if not key or not any(ch.isalpha() for ch in key):
            continue
        group = groups.setdefault(key, _Group(key))
        group.surfaces[cleaned] += 1
        group.labels[ref.label] += 1
        if len(cleaned.split()) >= 2:
            group.multiword_labels[ref.label] += 1
        group.possessive |= bool(_POSSESSIVE.search(ref.text.strip()))
        group.refs.append(ref)

    union = _UnionFind(list(groups))
    # Full person names by their last word, longer names by their initials: each group's label and surface
    # read once (a story of thousands of mentions has hundreds of names to look up).
    people_by_surname: dict[str, list[_Group]] = {}
    names_by_initials: dict[str, list[_Group]] = {}
    for g in groups.values():
        words = g.key.split()
        if len(words) < 2:
            continue
        label = g.label
        if label == "PERSON":
            people_by_surname.setdefault(words[-1], []).append(g)
        if label in NAME_LABELS:
            names_by_initials.setdefault(_acronym(g.surface), []).append(g)

    for group in groups.values():
        if len(group.key.split()) != 1:
            continue
        # A surname: into the most mentioned full person name that ends with it.
        if group.labels["PERSON"] or group.possessive or group.label in SURNAME_CONFUSIONS:
            people = people_by_surname.get(group.key)
            if people:
                union.union(group.key, max(people, key=lambda g: (g.size, g.key)).key)
                continue
        # An acronym: into the most mentioned longer name with those initials.
        if _looks_like_acronym(group.surface):
            expansions = names_by_initials.get(group.key)
            if expansions:
                union.union(group.key, max(expansions, key=lambda g: (g.size, g.key)).key)

    # The same organisation with or without its generic words ("Treasury Department", "Treasury").
    by_core: dict[str, list[_Group]] = {}
    for group in groups.values():
        if group.label == "ORG":
            core = _core_words(group.key)
            if core:
                by_core.setdefault(core, []).append(group)
    for same in by_core.values():
        if len(same) > 1:
            head = max(same, key=lambda g: (len(g.key), g.size))
            for group in same:
                union.union(group.key, head.key)

    merged: dict[str, list[_Group]] = {}
    for key in groups:
        merged.setdefault(union.find(key), []).append(groups[key])
    return sorted((_entity(members) for members in merged.values()), key=lambda e: (-e.mention_count, e.name))


def _entity(members: list[_Group]) -> ConsolidatedEntity:
    surfaces: Counter = Counter()
    labels: Counter = Counter()
    multiword_labels: Counter = Counter()
    refs: list[MentionRef] = []
    for group in members:
        surfaces.update(group.surfaces)
        labels.update(group.labels)
        multiword_labels.update(group.multiword_labels)
        refs.extend(group.refs)
    # One spelling per key (the most common), then the longest proper form names the entity.
    by_key: dict[str, tuple[str, int]] = {}
    for surface, count in surfaces.most_common():
        key = _key(surface)
        best = by_key.get(key)
        by_key[key] = (best[0], best[1] + count) if best else (surface, count)
    forms = sorted(by_key.values(), key=lambda item: (-item[1], item[0]))
    proper = [form for form in forms if any(ch.isupper() for ch in form[0])] or forms
    longest, longest_count = max(proper, key=lambda item: (len(item[0].split()), len(item[0]), item[1]))
    label = _majority(multiword_labels or labels)
    name = longest
    if label != "PERSON":
        # An organisation the sources mostly call by its acronym ("IRS") is named by it.
        acronyms = [
            (form, count)
            for form, count in proper
            if _looks_like_acronym(form) and _key(form) == _acronym(longest) and count >= 2 * longest_count
        ]
        if acronyms:
            name = max(acronyms, key=lambda item: item[1])[0]
    articles = list(dict.fromkeys(ref.article for ref in refs))
    return ConsolidatedEntity(
        name=name,
        label=label,
        aliases=[form for form, _ in forms if form != name],
        mention_count=len(refs),
        articles=articles,
        mention_keys=[ref.key for ref in refs],
    )
