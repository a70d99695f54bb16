"""Where sources disagree on a checkable detail.

Plain Python, no Django. The details come from articles.nlp.facts (numbers with what they count, dates,
times, people's titles, read from spaCy's mentions); a flag needs two different independent sources that
state the same detail differently:

- number, date, time: in two sentences that state the same fact (fact similarity at or above
  DISCREPANCY_SIMILARITY, whether or not they ended up in one claim), the same detail (the age, the number
  of ships, the weekday) with different values, neither sentence stating the other's value; two sentences
  the claims link (mutual best matches at the claim threshold) are compared on numbers only, whose key says
  what they count (a weekday says nothing of which event it dates);
- role: one person given different titles by different sources, each source consistent with itself;
- name: one name spelt two ways by different sources (a letter or two apart, each source using only its
  own spelling).

One flag per detail and pair of values, naming the closest pair of sentences, with the sources on each side
in the explanation. Precision over recall: a rule says nothing when it cannot tell.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from articles.nlp.claims import SentenceTable, mutual_best_pairs, strong_pairs
from articles.nlp.facts import Detail, conflicting, person_titles

# Two sentences this similar (articles.nlp.claims.fact_similarity) state the same fact closely enough for
# their details to be compared.
DISCREPANCY_SIMILARITY = 0.6
# Two sentences that agree on one checkable detail (the same age, the same weekday) and are this similar are
# about the same event too, so their other details are compared: "the 11-year-old ... hundreds of texts" and
# "the 11-year-old ... thousands of text messages".
CORROBORATED_SIMILARITY = 0.4
T = TypeVar("T")  # what a side of a pair states (a detail, the name as written)
# spaCy's small model tags a misspelt person's name as a place or an organisation now and then
# ("Julia Louis-Drefyus": GPE): a spelling is compared when either form is tagged as a person somewhere.
_SPELT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})


@dataclass(frozen=True)
class DiscrepancyFlag:
    kind: str  # number, date, time, role, name
    subject: str  # what the sources disagree about (what the number counts, the person)
    row_a: int  # SentenceTable rows
    row_b: int
    value_a: str
    value_b: str
    explanation: str


def find_discrepancies(
    table: SentenceTable, similarity: float = DISCREPANCY_SIMILARITY, linked: float | None = None
) -> list[DiscrepancyFlag]:
    """Every disagreement between independent sources of one story, one flag per detail and pair of
    values; sentences are paired by their fact similarity, whatever claims they ended up in. With `linked`
    (the claim threshold), two sentences that the claims would link (mutual best matches at or above it,
    articles.nlp.claims.mutual_best_pairs) are compared too: each is the other's statement of its fact."""
    flags = _detail_flags(table, table.details, similarity, linked)
    flags += _role_flags(table)
    flags += _spelling_flags(table)
    flags.sort(key=lambda flag: (min(flag.row_a, flag.row_b), flag.kind, flag.value_a, flag.value_b))
    return flags


def _source(table: SentenceTable, row: int) -> int:
    return int(table.row_sources[row])


def _label(table: SentenceTable, row: int) -> str:
    """The source of the row's sentence as a person names it (the outlet), never the counting key."""
    return (table.labels or table.sources)[int(table.documents[row])]


def _detail_flags(
    table: SentenceTable, details: list[list[Detail]], threshold: float, linked: float | None = None
) -> list[DiscrepancyFlag]:
    rows, cols, values = strong_pairs(table.facts, min(threshold, CORROBORATED_SIMILARITY))
    mutual: set[tuple[int, int]] = set()
    if linked is not None:
        firsts, seconds, _ = mutual_best_pairs(table, linked)
        mutual = set(zip(firsts.tolist(), seconds.tolist(), strict=True))
    best: dict[tuple, tuple[float, int, int, Detail, Detail]] = {}
    for a, b, value in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
        if a >= b or not details[a] or not details[b] or _source(table, a) == _source(table, b):
            continue
        agreeing = value >= threshold or _agreeing(details[a], details[b])
        if not agreeing and (a, b) not in mutual:
            continue
        for da in details[a]:
            for db in details[b]:
                if not conflicting(da, db):
                    continue
                # Only linked: compare counts (keyed by what they count), not a weekday or a time,
                # which says nothing of the event it dates ("quit Thursday", "posted on Friday").
                if not agreeing and da.kind != "number":
                    continue
                # A sentence that also states the other value is not a contradiction.
                if any(d.key == db.key and d.value == db.value for d in details[a]):
                    continue
                if any(d.key == da.key and d.value == da.value for d in details[b]):
                    continue
                first, second = sorted([(da.value, a, da), (db.value, b, db)], key=lambda item: item[0])
                slot = (da.kind, da.key, first[0], second[0])
                if slot not in best or value > best[slot][0]:
                    best[slot] = (value, first[1], second[1], first[2], second[2])
    flags = []
    for (kind, key, _, _), (_, a, b, da, db) in best.items():
        if a > b:
            a, b, da, db = b, a, db, da
        what = {"age": "the age", "percent": "the percentage"}.get(key)
        if key.startswith("money"):
            what = "the amount"
        if kind == "number":
            what = what or f"the number ({key})"
        elif kind == "date":
            what = "the day"
        else:
            what = "the time"
        explanation = (
            f"Sources disagree on {what}: “{da.text}” in {_label(table, a)}, "
            f"“{db.text}” in {_label(table, b)}."
        )
        flags.append(DiscrepancyFlag(kind, key, a, b, da.text, db.text, explanation))
    return flags


def _agreeing(details_a: list[Detail], details_b: list[Detail]) -> bool:
    """Whether two sentences state one detail with the same value."""
    stated = {(d.kind, d.key, d.value) for d in details_a}
    return any((d.kind, d.key, d.value) in stated for d in details_b)


def _role_flags(table: SentenceTable) -> list[DiscrepancyFlag]:
    """A person whose title differs between sources, each source giving only its own."""
    by_person: dict[str, dict[int, dict[str, list[tuple[int, Detail]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for row, text in enumerate(table.texts):
        for detail in person_titles(text, table.mentions[row]):
            by_person[detail.key][_source(table, row)][detail.value].append((row, detail))
    flags = []
    for person, sources in by_person.items():
        consistent = {
            source: next(iter(values.items())) for source, values in sources.items() if len(values) == 1
        }
        by_value: dict[str, list[tuple[int, Detail]]] = defaultdict(list)
        for _, (value, statements) in consistent.items():
            by_value[value].extend(statements)
        # A title stated by one source and also, on its own, by another is not disputed by that other.
        values = sorted(by_value)
        for i, value_a in enumerate(values):
            for value_b in values[i + 1 :]:
                a, da, b, db = _closest(table, by_value[value_a], by_value[value_b])
                flags.append(
                    DiscrepancyFlag(
                        "role",
                        person,
                        a,
                        b,
                        da.text,
                        db.text,
                        f"{person.title()}'s title: “{value_a}” in {_sources(table, by_value[value_a])}, "
                        f"“{value_b}” in {_sources(table, by_value[value_b])}.",
                    )
                )
    return flags


def _sources(table: SentenceTable, statements: list[tuple[int, Detail]]) -> str:
    return ", ".join(sorted({_label(table, row) for row, _ in statements}))


def _closest(
    table: SentenceTable, side_a: list[tuple[int, T]], side_b: list[tuple[int, T]]
) -> tuple[int, T, int, T]:
    """The most similar pair (by embedding) of a sentence from each side, earlier row first, each with what
    it stated."""
    best = None
    for row_a, da in side_a:
        for row_b, db in side_b:
            score = float(table.embeddings[row_a] @ table.embeddings[row_b])
            if best is None or score > best[0]:
                best = (score, row_a, da, row_b, db)
    _, a, da, b, db = best
    return (a, da, b, db) if a <= b else (b, db, a, da)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    for suffix in ("'s", "’s", "'", "’"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.replace("’", "'").strip(" .,")


def _edits(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, counting a swap of two neighbouring letters as one edit; > limit is cut."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _spelling_flags(table: SentenceTable) -> list[DiscrepancyFlag]:
    """One person's name spelt two ways: same number of words, all equal but one, which is a letter or two
    apart (both at least five letters, not a plural or possessive), each spelling used by sources that never
    use the other. When neither form is tagged as a person anywhere, only one edit apart ("North Korea" and
    "South Korea" are two)."""
    used: dict[str, dict[int, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    people: set[str] = set()
    for row in range(len(table)):
        for mention in table.mentions[row]:
            if mention.label in _SPELT_LABELS:
                form = _fold(mention.text)
                if form and " " in form:
                    used[form][_source(table, row)].append((row, mention.text))
                    if mention.label == "PERSON":
                        people.add(form)
    # Two forms all equal but one word meet in the bucket of the other words (near-linear, not all pairs).
    buckets: dict[tuple, list[str]] = defaultdict(list)
    for form in sorted(used):
        words = form.split()
        for i in range(len(words)):
            buckets[(len(words), i, *words[:i], *words[i + 1 :])].append(form)
    pairs = sorted({(a, b) for same in buckets.values() for n, a in enumerate(same) for b in same[n + 1 :]})
    flags = []
    for form_a, form_b in pairs:
        words_a, words_b = form_a.split(), form_b.split()
        different = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
        if len(different) != 1:
            continue
        x, y = different[0]
        limit = 2 if {form_a, form_b} & people else 1
        if min(len(x), len(y)) < 5 or x.rstrip("s") == y.rstrip("s") or _edits(x, y) > limit:
            continue
        sources_a, sources_b = set(used[form_a]), set(used[form_b])
        if sources_a & sources_b:
            continue  # one source writes both: a typo inside that source, or two people
        side_a = [(row, text) for source in sources_a for row, text in used[form_a][source]]
        side_b = [(row, text) for source in sources_b for row, text in used[form_b][source]]
        a, text_a, b, text_b = _closest(table, side_a, side_b)
        flags.append(
            DiscrepancyFlag(
                "name",
                form_a,
                a,
                b,
                text_a,
                text_b,
                f"The name is spelt two ways: “{text_a}” in {_label(table, a)}, "
                f"“{text_b}” in {_label(table, b)}.",
            )
        )
    return flags
