"""The checkable details a sentence states: numbers with what they count, dates, times, people's titles.

Plain Python, no Django. Details are read from spaCy's entity mentions (CARDINAL, QUANTITY, MONEY, PERCENT,
DATE, TIME, PERSON), already computed at analysis, and normalised so that two sources can be compared:
"Twenty-eight-year-old" and "28-year-old" are both the age 28; "40 ships" counts ships; "Tuesday" is a
weekday. A detail whose meaning is unclear (a range, "about 40", a number that counts nothing nearby) is not
read: precision first, because a flag an editor must dismiss costs trust.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from articles.nlp.consolidation import TITLES
from articles.nlp.terms import content_terms

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "dozen": 12,
}  # fmt: skip
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 10**12,
}
# "hundreds of", "thousands of": an order of magnitude, comparable only with another one.
_VAGUE = {"dozens": 12, "hundreds": 100, "thousands": 1_000, "millions": 1_000_000, "billions": 10**9}
# Words that make a number approximate or a bound: not a value two sources can contradict.
_HEDGES = frozenset(
    "about around approximately nearly almost roughly some over under more less fewer least most up "
    "than estimated roughly upwards several between".split()
)
_CURRENCIES = {
    "dollar": re.compile(r"\$|\bdollars?\b|\busd\b"),
    "euro": re.compile(r"€|\beuros?\b|\beur\b"),
    "pound": re.compile(r"£|\bpounds?\b|\bgbp\b|\bsterling\b"),
    "yen": re.compile(r"¥|\byen\b"),
}
_NUMBER_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = "january february march april may june july august september october november december".split()
_APPOSITIVE_AGE = re.compile(r",\s(\d{1,3}),")
_AGE = re.compile(r"\b([\w-]+?)[- ]years?[- ]old\b", re.IGNORECASE)
_NUMERAL = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b", re.IGNORECASE)
# How many times something happened, written as one word ("shot once", "struck twice"); not "once again",
# "at once", "once more" (idioms), and never at the start of a clause ("Once there, ...": a conjunction).
_FREQUENCY = re.compile(
    r"(?<![.,;:!?]\s)(?<!\bat\s)\b(once|twice|thrice)\b(?!\s+(?:again|more|upon|before))", re.I
)
_FORMERLY = re.compile(
    r"\b(?:is|was|were|are|had|has|have|who|he|she|they|it|we|i|you)\s+once\b|\bonce\s+(?:a|an|the|was|were|had|said|again)\b",
    re.I,
)
_FREQUENCIES = {"once": 1, "twice": 2, "thrice": 3}
# "a block and a half", "two miles and a half": a whole number of something plus a half.
_AND_A_HALF = re.compile(
    r"\b(an?|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+([a-z]+)\s+and\s+a\s+half\b", re.I
)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "sir", "dame", "lord", "lady", "dr", "doctor", "late"})
# Stop words after a number that say nothing about what it counts.
_FILLERS = frozenset("of the a an more than other new additional percent per cent %".split())


@dataclass(frozen=True, slots=True)
class Detail:
    """One checkable detail: `kind` and `key` say what it is about (number of "ship", age, weekday...),
    `value` is the normalised value compared, `text` the words as written, `start`/`end` their offsets in
    the sentence."""

    kind: str  # number, date, time, role
    key: str
    value: str
    text: str
    start: int
    end: int
    vague: bool = False


def parse_number(words: str) -> tuple[float | None, bool]:
    """The value of a written number ("1,200", "twenty-eight", "3.5 million", "hundreds") and whether it is
    only an order of magnitude; (None, False) when it is not one plain number."""
    cleaned = words.lower().replace("’", "'").strip()
    tokens = [t for t in re.split(r"[\s-]+", cleaned) if t]
    if not tokens:
        return None, False
    if len(tokens) == 1 and tokens[0] in _VAGUE:
        return float(_VAGUE[tokens[0]]), True
    total = 0.0
    current = 0.0
    seen = False
    for token in tokens:
        token = token.strip(".,")
        if _NUMERAL.fullmatch(token):
            current += float(token.replace(",", ""))
            seen = True
        elif token in _UNITS:
            if token in ("a", "an") and seen:
                return None, False
            current += _UNITS[token]
            seen = True
        elif token in _SCALES and seen:
            current = max(current, 1.0) * _SCALES[token]
            if _SCALES[token] >= 1000:
                total += current
                current = 0.0
        elif token in ("and",):
            continue
        else:
            return None, False
    if not seen:
        return None, False
    return total + current, False


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _stem(word: str) -> str:
    terms = content_terms(word)
    return terms[0] if terms else ""


def _counted(text: str, end: int) -> str:
    """What a number counts: the first content word within three words after it ("40 ships", "hundreds of
    texts"), as a stem; "" when none is near."""
    for count, match in enumerate(_WORD.finditer(text, end)):
        if count >= 3:
            break
        word = match.group(0).lower()
        if word in _FILLERS:
            continue
        if word in _UNITS or word in _SCALES or word in _WEEKDAYS or word in _MONTHS:
            return ""
        return _stem(word)
    return ""


def _hedged(text: str, start: int) -> bool:
    before = [w.lower() for w in _WORD.findall(text[max(0, start - 30) : start])][-2:]
    return any(w in _HEDGES for w in before)


def _is_range(text: str, start: int, end: int) -> bool:
    around = text[max(0, start - 6) : end + 8].lower()
    return bool(re.search(r"\d\s*(?:-|–|to|or|and)\s*\d|between", around))


def sentence_details(text: str, mentions: Sequence) -> list[Detail]:
    """The checkable details of one sentence, from its mentions (objects with start, end, text, label and
    entity, offsets into `text`)."""
    details: list[Detail] = []
    taken: list[tuple[int, int]] = []
    for match in _AGE.finditer(text):
        value, vague = parse_number(match.group(1))
        if value is not None and not vague and 0 < value < 130:
            details.append(
                Detail("number", "age", _format(value), match.group(0), match.start(), match.end())
            )
            taken.append((match.start(), match.end()))
    for match in _FREQUENCY.finditer(text):
        if match.start() == 0 or _hedged(text, match.start()):
            continue
        if match.group(1).lower() == "once" and _FORMERLY.search(
            text[max(0, match.start() - 12) : match.end() + 8]
        ):
            continue  # "was once a star", "she once said": formerly, not one time
        value = _FREQUENCIES[match.group(1).lower()]
        details.append(Detail("number", "times", str(value), match.group(0), match.start(), match.end()))
        taken.append((match.start(), match.end()))
    for match in _AND_A_HALF.finditer(text):
        value, vague = parse_number(match.group(1))
        counted = _stem(match.group(2))
        if value is None or vague or not counted or _hedged(text, match.start()):
            continue
        details.append(
            Detail("number", counted, _format(value + 0.5), match.group(0), match.start(), match.end())
        )
        taken.append((match.start(), match.end()))
    for mention in mentions:
        if mention.label == "PERSON":  # "Geraldine Alcorn, 28, was charged": an age in apposition
            age = _APPOSITIVE_AGE.match(text, mention.end)
            if age and 0 < int(age.group(1)) < 130:
                start, end = age.start(1), age.end(1)
                details.append(Detail("number", "age", str(int(age.group(1))), age.group(1), start, end))
                taken.append((start, end))
    for mention in mentions:
        if any(mention.start < end and start < mention.end for start, end in taken):
            continue
        label = mention.label
        words = text[mention.start : mention.end]
        if label in _NUMBER_LABELS:
            detail = _number_detail(text, mention.start, mention.end, words, label)
        elif label == "DATE":
            detail = _date_detail(words, mention.start, mention.end)
        elif label == "TIME":
            detail = _time_detail(words, mention.start, mention.end)
        else:
            detail = None
        if detail is not None:
            details.append(detail)
    return details


def _number_detail(text: str, start: int, end: int, words: str, label: str) -> Detail | None:
    if _hedged(text, start) or _is_range(text, start, end):
        return None
    lower = words.lower()
    if label == "PERCENT":
        number = _NUMERAL.search(lower)
        if not number:
            return None
        return Detail(
            "number", "percent", _format(float(number.group(0).replace(",", ""))), words, start, end
        )
    if label == "MONEY":
        # Amounts compare only in one currency: "896 million pounds" and "$1.2 billion" can both be right.
        context = text[max(0, start - 4) : end + 12].lower()
        currencies = {name for name, pattern in _CURRENCIES.items() if pattern.search(context)}
        if len(currencies) != 1:
            return None
        core = re.sub(r"[$€£¥]|\b(?:dollars?|euros?|pounds?|yen|usd|eur|gbp|cents?)\b", " ", lower).strip()
        value, vague = parse_number(core)
        if value is None or vague:
            return None
        return Detail("number", f"money ({currencies.pop()})", _format(value), words, start, end)
    # CARDINAL or QUANTITY: a number and, inside or right after the mention, what it counts.
    inner = _WORD.findall(lower)
    value, vague = parse_number(lower)
    key = ""
    if value is None and inner:  # a quantity with its unit inside ("40 miles")
        number_part = lower.rsplit(" ", 1)[0]
        value, vague = parse_number(number_part)
        key = _stem(inner[-1]) if value is not None else ""
    if value is None:
        return None
    key = key or _counted(text, end)
    if not key:
        return None
    return Detail("number", key, _format(value), words, start, end, vague=vague)


def _date_detail(words: str, start: int, end: int) -> Detail | None:
    lower = words.lower()
    tokens = _WORD.findall(lower)
    weekdays = [t for t in tokens if t in _WEEKDAYS]
    if weekdays and len(set(weekdays)) == 1 and not re.search(r"\b(?:last|next|every|this)\b", lower):
        return Detail("date", "weekday", weekdays[0], words, start, end)
    months = [t for t in tokens if t in _MONTHS]
    days = re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", lower)
    if len(months) == 1 and len(days) == 1 and 1 <= int(days[0]) <= 31:
        return Detail("date", "day", f"{months[0]} {int(days[0])}", words, start, end)
    return None


def _time_detail(words: str, start: int, end: int) -> Detail | None:
    match = _TIME.search(words)
    if not match or re.search(r"\b(?:about|around|after|before|until|by)\b", words.lower()):
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not 1 <= hour <= 12:
        return None
    return Detail("time", "clock", f"{hour}:{minute:02d} {match.group(3).lower()}m", words, start, end)


_TITLE_BEFORE = re.compile(r"((?:[\w.’'-]+\s+){1,4})$")
_APPOSITIVE_TITLE = re.compile(r"^,\s+(?:the\s+|an?\s+|who\s+is\s+an?\s+)?((?:[\w’'-]+\s+){0,3}[\w’'-]+)\b")


def person_titles(text: str, mentions: Sequence) -> list[Detail]:
    """The title a sentence gives a named person: written before the name ("Acting IRS Commissioner Melanie
    Krause") or as an appositive after it ("Matthew Kanan, an associate professor of chemistry"). The value
    is the title's words from the shared title list (articles.nlp.consolidation.TITLES), in order."""
    details = []
    for mention in mentions:
        if mention.label != "PERSON" or not mention.entity or " " not in mention.entity:
            continue
        candidates = []
        before = _TITLE_BEFORE.search(text[: mention.start])
        if before:
            words = before.group(1).split()
            # Only the run right before the name that is capitalised (a title) counts.
            run = []
            for word in reversed(words):
                if not word[:1].isupper():
                    break
                run.insert(0, word)
            candidates.append(run)
        after = _APPOSITIVE_TITLE.match(text[mention.end : mention.end + 80])
        if after:
            candidates.append(after.group(1).split())
        for words in candidates:
            titled = [w.strip(".,").lower() for w in words]
            kept = [w for w in titled if w in TITLES and w not in _HONORIFICS]
            if kept:
                details.append(
                    Detail(
                        "role", mention.entity, " ".join(kept), " ".join(words), mention.start, mention.end
                    )
                )
                break
    return details


def conflicting(a: Detail, b: Detail) -> bool:
    """Two details about the same thing with different values that cannot both be true."""
    if (a.kind, a.key) != (b.kind, b.key) or a.value == b.value:
        return False
    return a.vague == b.vague
