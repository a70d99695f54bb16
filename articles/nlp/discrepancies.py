"""Where sources disagree on a checkable detail.

Plain Python, no Django. Precision over recall: every rule needs the two sentences to come from different
sources and to speak about the same thing in the same slot, and says nothing when it cannot tell.

- status: one event (a person's departure, the story's agreement, ...) reported as done by one source and as
  pending or as long-standing by another ("has officially stepped down" / "is preparing to step down").
- role: one person given different titles ("Commissioner" / "Acting Commissioner").
- number: within one claim, different numbers counting the same thing ("14 systems" / "12 systems").
- date: within one claim, different weekdays or months for the same verb ("confirmed on Tuesday" / "on
  Monday").
- name: within one claim, different people in the same titled slot ("Treasury Secretary X" / "... Y").

One flag per disagreement and pair of values, naming the closest pair of sentences (most similar wording),
with the sources on each side in the explanation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from articles.nlp.claims import (
    CALENDAR_WORDS,
    TITLE_WORDS,
    NameResolver,
    SentenceTable,
    content_terms,
    name_spans,
)


@dataclass(frozen=True)
class DiscrepancyFlag:
    kind: str  # status, role, number, date, name
    subject: str  # what the sources disagree about, for people
    row_a: int  # SentenceTable rows
    row_b: int
    value_a: str
    value_b: str
    explanation: str


@dataclass(frozen=True)
class _Statement:
    """One sentence's value for one slot."""

    slot: tuple[str, ...]
    row: int
    value: str  # the class compared (done, pending, ...; a normalised title; a number)
    text: str  # the words as the source wrote them


# --- status of an event ---------------------------------------------------------------------------

_DEPART_VERB = r"(?:step down|resign|quit|leave (?:his|her|their|the) (?:post|job|office|role))"
_DEPART_DONE = r"(?:stepped down|resigned|quit|left (?:his|her|their|the) (?:post|job|office|role))"
_AGREEMENT = r"(?:agreement|deal|pact|arrangement|accord|memorandum of understanding|treaty)"
_ADVERB = r"(?:\w+ly |soon |already )?"

STATUS_PATTERNS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "departure": [
        ("done", re.compile(rf"\b(?:has|have|had) {_ADVERB}{_DEPART_DONE}\b")),
        ("done", re.compile(rf"\b(?:who|and) {_ADVERB}{_DEPART_DONE}\b")),
        (
            "pending",
            re.compile(
                rf"\b(?:is|are|was|were) {_ADVERB}(?:preparing|expected|set|poised|planning|going|about) to "
                rf"{_DEPART_VERB}\b"
            ),
        ),
        ("pending", re.compile(rf"\bwill {_ADVERB}{_DEPART_VERB}\b")),
        ("pending", re.compile(rf"\b(?:prepares|plans|intends) to {_DEPART_VERB}\b")),
        (
            "pending",
            re.compile(
                r"\b(?:planned|impending|upcoming|expected|imminent) (?:departure|exit|resignation)\b"
            ),
        ),
    ],
    "agreement": [
        (
            "done",
            re.compile(
                r"\b(?:finali[sz]ed|signed|sealed|struck|concluded) (?:an? |the )?"
                rf"(?:[\w-]+ ){{0,2}}{_AGREEMENT}\b"
            ),
        ),
        (
            "done",
            re.compile(rf"\b{_AGREEMENT}(?:,| was| has been) {_ADVERB}(?:finali[sz]ed|signed|approved)\b"),
        ),
        ("done", re.compile(rf"\bnewly signed (?:[\w-]+ ){{0,2}}{_AGREEMENT}\b")),
        (
            "pending",
            re.compile(rf"\b(?:proposed|draft|planned|potential|possible) (?:[\w-]+ ){{0,2}}{_AGREEMENT}\b"),
        ),
        (
            "long-standing",
            re.compile(
                rf"\b{_AGREEMENT}\W+(?:\w+ ){{0,2}}(?:maintained|in place|in effect|operating|running) for "
                r"(?:several|many|\d+|two|three|four|five) (?:years|decades)\b"
            ),
        ),
        (
            "long-standing",
            re.compile(rf"\b(?:long-standing|longstanding|decades-old|years-old) {_AGREEMENT}\b"),
        ),
    ],
}
_STATUS_WORDING = {"done": "done", "pending": "still to come", "long-standing": "in place for years"}


def _status_statements(table: SentenceTable, resolver: NameResolver) -> list[_Statement]:
    statements: list[_Statement] = []
    departure_people: dict[int, set[str]] = defaultdict(set)  # document -> people it says leave
    unresolved: list[tuple[int, str, str]] = []
    for row, text in enumerate(table.texts):
        lower = text.lower()
        names = [(span.start, resolver.key(span.name)) for span in name_spans(text)]
        for kind, patterns in STATUS_PATTERNS.items():
            for status, pattern in patterns:
                for match in pattern.finditer(lower):
                    if kind == "departure":
                        people = [
                            key for start, key in names if start < match.start() and resolver.is_person(key)
                        ]
                        if people:
                            departure_people[int(table.documents[row])].add(people[-1])
                            statements.append(
                                _Statement(("status", kind, people[-1]), row, status, match.group(0))
                            )
                        else:  # "the acting head of the agency is preparing to resign": who, see below
                            unresolved.append((row, status, match.group(0)))
                    else:
                        slot = ("status", kind, "")
                        statements.append(_Statement(slot, row, status, match.group(0)))
    # An unnamed leaver is the one person the same article names as leaving, when there is exactly one.
    for row, status, words in unresolved:
        people = departure_people.get(int(table.documents[row]), set())
        if len(people) == 1:
            statements.append(_Statement(("status", "departure", next(iter(people))), row, status, words))
    return statements


# --- titles of people ------------------------------------------------------------------------------

_QUALIFIERS = frozenset(
    {"acting", "interim", "former", "deputy", "vice", "assistant", "outgoing", "incoming"}
)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "top", "official", "leader", "head"})
_TITLE_RUN = re.compile(r"((?:[A-Z][\w.’'-]*\s+){1,5})$")


def _title_statements(table: SentenceTable, resolver: NameResolver) -> list[_Statement]:
    """The title written right before a person's name: "Acting IRS Commissioner Melanie Krause"."""
    statements: list[_Statement] = []
    for row, text in enumerate(table.texts):
        mentions_qualifier = any(word in _QUALIFIERS for word in re.findall(r"[a-z]+", text.lower()))
        for span in name_spans(text):
            key = resolver.key(span.name)
            if not resolver.is_person(key):
                continue
            run = _TITLE_RUN.search(text[: span.start])
            if not run:
                continue
            words = [w.strip(".").lower() for w in run.group(1).split()]
            titles = [w for w in words if w in TITLE_WORDS and w not in _HONORIFICS]
            heads = [w for w in titles if w not in _QUALIFIERS]
            if not heads:
                continue
            qualifiers = sorted(set(titles) & _QUALIFIERS)
            if not qualifiers and mentions_qualifier:
                # "the acting head of the IRS, Commissioner Melanie Krause": that title is not bare
                continue
            value = " ".join([*qualifiers, heads[-1]])
            statements.append(_Statement(("role", key), row, value, run.group(1).strip()))
    return statements


# --- numbers, dates and named slots inside one claim -----------------------------------------------

_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "dozen": "12", "hundred": "100", "thousand": "1000", "million": "1000000",
    "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
}  # fmt: skip
_NUMBER = re.compile(
    r"\b(\d[\d,.]*\s?(?:%|percent|per cent)?|"
    + "|".join(_NUMBER_WORDS)
    + r")\s+((?:[a-z-]+\s+){0,2}?)([a-z]{3,})\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(\w+)\s+(?:on|in|last|this|since)\s+(" + "|".join(CALENDAR_WORDS) + r")\b", re.IGNORECASE
)


def _normalise_number(raw: str) -> str:
    value = raw.lower().replace(",", "").replace(" ", "").replace("percent", "%").replace("percent", "%")
    return _NUMBER_WORDS.get(value, value)


def _claim_statements(table: SentenceTable, resolver: NameResolver, claim_of: np.ndarray) -> list[_Statement]:
    statements: list[_Statement] = []
    for row, text in enumerate(table.texts):
        claim = int(claim_of[row])
        for match in _NUMBER.finditer(text):
            unit = content_terms(match.group(3))
            if unit and match.group(3).lower() not in CALENDAR_WORDS:
                slot = ("number", str(claim), unit[0])
                statements.append(_Statement(slot, row, _normalise_number(match.group(1)), match.group(0)))
        for match in _DATE.finditer(text):
            verb = content_terms(match.group(1))
            if verb:
                slot = ("date", str(claim), verb[0])
                statements.append(_Statement(slot, row, match.group(2).lower(), match.group(0)))
        for span in name_spans(text):
            key = resolver.key(span.name)
            run = _TITLE_RUN.search(text[: span.start])
            if not resolver.is_person(key) or not run:
                continue
            words = [w.strip(".").lower() for w in run.group(1).split()]
            if any(w in TITLE_WORDS and w not in _HONORIFICS for w in words):
                slot = ("name", str(claim), " ".join(words))
                statements.append(_Statement(slot, row, key, span.name))
    return statements


# --- pairing -----------------------------------------------------------------------------------------


def find_discrepancies(table: SentenceTable, claim_of: np.ndarray) -> list[DiscrepancyFlag]:
    """Every disagreement between sources of one story, one flag per slot and pair of values."""
    resolver = NameResolver(span.name for text in table.texts for span in name_spans(text))
    statements = (
        _status_statements(table, resolver)
        + _title_statements(table, resolver)
        + _claim_statements(table, resolver, claim_of)
    )
    by_slot: dict[tuple[str, ...], list[_Statement]] = defaultdict(list)
    for statement in statements:
        by_slot[statement.slot].append(statement)

    flags: list[DiscrepancyFlag] = []
    for slot, found in by_slot.items():
        values = sorted({statement.value for statement in found})
        for i, value_a in enumerate(values):
            for value_b in values[i + 1 :]:
                flag = _flag(table, slot, found, value_a, value_b)
                if flag:
                    flags.append(flag)
    flags.sort(key=lambda flag: (min(flag.row_a, flag.row_b), flag.kind, flag.value_a, flag.value_b))
    return flags


def _source(table: SentenceTable, row: int) -> str:
    return table.sources[int(table.documents[row])]


def _flag(
    table: SentenceTable, slot: tuple[str, ...], found: list[_Statement], value_a: str, value_b: str
) -> DiscrepancyFlag | None:
    side_a = [s for s in found if s.value == value_a]
    side_b = [s for s in found if s.value == value_b]
    sources_a = {_source(table, s.row) for s in side_a}
    sources_b = {_source(table, s.row) for s in side_b}
    if sources_a & sources_b:
        return None  # a source that says both is not a disagreement between sources
    if slot[0] == "status" and slot[1] == "agreement":
        # The story's agreement: the two sentences must name a party in common ("the IRS").
        pairs = [(a, b) for a in side_a for b in side_b if table.names[a.row] & table.names[b.row]]
    else:
        pairs = [(a, b) for a in side_a for b in side_b]
    if not pairs:
        return None
    a, b = max(
        pairs, key=lambda pair: (_similarity(table, pair[0].row, pair[1].row), -pair[0].row, -pair[1].row)
    )
    kind = slot[0]
    subject = slot[2] if kind == "status" else (slot[1] if kind == "role" else slot[-1])
    explanation = _explain(kind, slot, subject, (value_a, sorted(sources_a)), (value_b, sorted(sources_b)))
    return DiscrepancyFlag(kind, subject, a.row, b.row, a.text, b.text, explanation)


def _similarity(table: SentenceTable, row_a: int, row_b: int) -> float:
    return float((table.vectors[row_a] @ table.vectors[row_b].T).sum())


def _explain(
    kind: str,
    slot: tuple[str, ...],
    subject: str,
    side_a: tuple[str, list[str]],
    side_b: tuple[str, list[str]],
) -> str:
    def sources(names: list[str]) -> str:
        return ", ".join(names)

    if kind == "status":
        thing = f"{subject.title()}'s {slot[1]}" if subject else f"the {slot[1]}"
        return (
            f"{thing}: {sources(side_a[1])} report it as {_STATUS_WORDING[side_a[0]]}; "
            f"{sources(side_b[1])} as {_STATUS_WORDING[side_b[0]]}."
        )
    if kind == "role":
        return (
            f"{subject.title()}'s title: “{side_a[0]}” in {sources(side_a[1])}, "
            f"“{side_b[0]}” in {sources(side_b[1])}."
        )
    what = {"number": "the number", "date": "the date", "name": "who holds the title"}[kind]
    return (
        f"Sources disagree on {what}: {side_a[0]} ({sources(side_a[1])}) "
        f"against {side_b[0]} ({sources(side_b[1])})."
    )
