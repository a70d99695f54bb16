"""Pure functions over a brief snapshot (see briefs.services.brief_snapshot): numbered citations, the changes
between two revisions (item by item, with word diffs), and the Markdown and JSON exports. No database access
here.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

from articles.rules import http_url
from briefs.markdown import markdown_link, markdown_text


@dataclass
class CitedItem:
    text: str
    edited: bool
    origin: str
    citations: list[int] = field(default_factory=list)
    quotes: dict[int, str] = field(default_factory=dict)  # citation number -> the sentence it quotes

    @property
    def cited(self) -> list[tuple[int, str]]:
        """(number, quoted sentence or "") for each citation, in order."""
        return [(n, self.quotes.get(n, "")) for n in self.citations]

    @property
    def unsourced(self) -> bool:
        return not self.citations


@dataclass
class CitedSource:
    number: int
    outlet: str
    title: str
    url: str
    published_at: str | None
    quotes: list[str] = field(default_factory=list)  # the sentences of this source the brief cites


@dataclass
class CitedBrief:
    headline: str
    standfirst: str
    version: int
    items: list[CitedItem]
    sources: list[CitedSource]


def cite(snapshot: dict) -> CitedBrief:
    """Number the sources in order of first citation; each item lists the numbers of its sources."""
    numbers: dict[int, int] = {}
    sources: list[CitedSource] = []
    items = []
    for entry in snapshot.get("items", []):
        citations = []
        quotes: dict[int, str] = {}
        for source in entry.get("sources", []):
            article_id = source["article_id"]
            if article_id not in numbers:
                numbers[article_id] = len(numbers) + 1
                sources.append(
                    CitedSource(
                        number=numbers[article_id],
                        outlet=source.get("outlet", ""),
                        title=source.get("title", ""),
                        url=http_url(source.get("url", "")),
                        published_at=source.get("published_at"),
                    )
                )
            citations.append(numbers[article_id])
            if quote := source.get("quote", ""):
                quotes[numbers[article_id]] = quote
                cited_source = sources[numbers[article_id] - 1]
                if quote not in cited_source.quotes:
                    cited_source.quotes.append(quote)
        items.append(
            CitedItem(
                text=entry["text"],
                edited=entry.get("edited", False),
                origin=entry.get("origin", ""),
                citations=sorted(citations),
                quotes=quotes,
            )
        )
    return CitedBrief(
        headline=snapshot.get("headline", ""),
        standfirst=snapshot.get("standfirst", ""),
        version=snapshot.get("version", 0),
        items=items,
        sources=sources,
    )


# --- Word diff -------------------------------------------------------------------------------------


_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class DiffChunk:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffChunk]:
    """The words deleted from `old` and inserted in `new`, in reading order (whitespace is its own token)."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    chunks: list[DiffChunk] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if chunks and chunks[-1].op == op:
            chunks[-1].text += text
        else:
            chunks.append(DiffChunk(op, text))

    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", old_tokens[a0:a1])
        else:
            if a1 > a0:
                add("delete", old_tokens[a0:a1])
            if b1 > b0:
                add("insert", new_tokens[b0:b1])
    return chunks


# --- Changes between two revisions -----------------------------------------------------------------


@dataclass
class BriefChange:
    """One change between two revisions, for people: what happened (`summary`), and for a changed text the
    word diff of it (`diff`) or the text itself (`text`: an added, removed or moved item)."""

    kind: str  # "headline", "standfirst", "added", "removed", "edited", "sources", "moved", "merged", "flags"
    summary: str
    diff: list[DiffChunk] = field(default_factory=list)
    text: str = ""


def _outlets(entry: dict) -> list[str]:
    return [s.get("outlet", "") for s in entry.get("sources", [])]


def _source_ids(entry: dict) -> set[int]:
    return {s["article_id"] for s in entry.get("sources", []) if "article_id" in s}


def _sources_change(old: dict, new: dict) -> str:
    """The sources attached and detached between two versions of an item, and outlets renamed (a source
    correction); "" when they are the same."""
    before = {s.get("article_id"): s.get("outlet", "") for s in old.get("sources", [])}
    after = {s.get("article_id"): s.get("outlet", "") for s in new.get("sources", [])}
    attached = [name for article, name in after.items() if article not in before]
    detached = [name for article, name in before.items() if article not in after]
    renamed = [
        f"{before[article]} now named {name}"
        for article, name in after.items()
        if article in before and before[article] != name
    ]
    parts = (
        f"attached {', '.join(attached)}" if attached else "",
        f"detached {', '.join(detached)}" if detached else "",
        f"{', '.join(renamed)}" if renamed else "",
    )
    return "; ".join(part for part in parts if part)


def _match_items(old: list[dict], new: list[dict]) -> dict[int, int]:
    """Which old item (index) each new item (index) is: the same `item_id` (snapshots record it), else, for
    the rest (older snapshots, a restore's new items), the same text and sources, in order."""
    matched: dict[int, int] = {}
    old_by_id = {e["item_id"]: n for n, e in enumerate(old) if e.get("item_id") is not None}
    for n, entry in enumerate(new):
        if entry.get("item_id") in old_by_id:
            matched[n] = old_by_id[entry["item_id"]]
    taken = set(matched.values())
    for n, entry in enumerate(new):
        if n in matched:
            continue
        key = (entry["text"], sorted(_source_ids(entry)))
        found = next(
            (
                o
                for o, was in enumerate(old)
                if o not in taken and (was["text"], sorted(_source_ids(was))) == key
            ),
            None,
        )
        if found is not None:
            matched[n] = found
            taken.add(found)
    return matched


def _moved(pairs: list[tuple[int, int]]) -> set[int]:
    """Of the (old index, new index) pairs in new order, the new indices that moved: all but the longest run
    that kept its order (so removing or adding an item moves nobody)."""
    olds = [o for _, o in pairs]
    best: list[list[int]] = []  # best[k]: the longest increasing run ending at k, as indices into pairs
    for k, value in enumerate(olds):
        before = [best[j] for j in range(k) if olds[j] < value]
        best.append(max(before, key=len, default=[]) + [k])
    kept = set(max(best, key=len, default=[]))
    return {pairs[k][0] for k in range(len(pairs)) if k not in kept}


def _items_phrase(numbers: list[int]) -> str:
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return f"item {numbers[0]}"
    return "items " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def brief_changes(old: dict, new: dict) -> list[BriefChange]:
    """What changed from snapshot `old` to snapshot `new`, item by item: the headline and standfirst as word
    diffs; items added, removed, edited (a word diff), with sources attached or detached, moved ("from
    position 4 to 2") and merged ("items 2 and 3 into item 2"). Positions count from 1, each in its own
    revision."""
    changes: list[BriefChange] = []
    for part in ("headline", "standfirst"):
        before, after = old.get(part, "") or "", new.get(part, "") or ""
        if before != after:
            changes.append(BriefChange(part, f"{part.capitalize()} changed", diff=word_diff(before, after)))
    old_items, new_items = old.get("items", []), new.get("items", [])
    matched = _match_items(old_items, new_items)
    gone = [o for o in range(len(old_items)) if o not in matched.values()]
    # A merge keeps the first item (its text replaced, origin "merged") and removes the others: a removed item
    # went into a merged item that changed when that item now holds its sentences and sources (an item
    # without either, when its text is in the merged text).
    merged_into: dict[int, list[int]] = {}
    for n, entry in enumerate(new_items):
        was = old_items[matched[n]] if n in matched else None
        if entry.get("origin") != "merged" or (
            was is not None
            and was.get("origin") == "merged"
            and (was["text"], was.get("sentence_ids")) == (entry["text"], entry.get("sentence_ids"))
        ):
            continue
        for o in gone:
            part = old_items[o]
            sentences = set(part.get("sentence_ids", []))
            if any(o in parts for parts in merged_into.values()):
                continue
            if (
                sentences <= set(entry.get("sentence_ids", []))
                and _source_ids(part) <= _source_ids(entry)
                and (sentences or part["text"].strip() in entry["text"])
            ):
                merged_into.setdefault(n, []).append(o)
        parts = merged_into.get(n, []) + ([matched[n]] if n in matched else [])
        if len(parts) < 2:
            merged_into.pop(n, None)  # nothing went into it: an addition or an edit, told below
            continue
        merged_into[n] = parts
        changes.append(
            BriefChange(
                "merged",
                f"Merged {_items_phrase([p + 1 for p in parts])} into item {n + 1}",
                text=entry["text"],
            )
        )
    merged_away = {o for parts in merged_into.values() for o in parts}
    for o in gone:
        if o not in merged_away:
            changes.append(BriefChange("removed", f"Removed item {o + 1}", text=old_items[o]["text"]))
    pairs = sorted(matched.items())
    moved = _moved(pairs)
    for n, entry in enumerate(new_items):
        if n in merged_into:
            continue  # told above as a merge
        if n not in matched:
            outlets = ", ".join(_outlets(entry)) or "unsourced"
            changes.append(BriefChange("added", f"Added item {n + 1} ({outlets})", text=entry["text"]))
            continue
        was = old_items[matched[n]]
        if n in moved:
            changes.append(
                BriefChange(
                    "moved",
                    f"Item moved from position {matched[n] + 1} to {n + 1}",
                    text=entry["text"],
                )
            )
        if was["text"] != entry["text"]:
            changes.append(
                BriefChange("edited", f"Edited item {n + 1}", diff=word_diff(was["text"], entry["text"]))
            )
        if said := _sources_change(was, entry):
            changes.append(BriefChange("sources", f"Sources of item {n + 1}: {said}"))
        if (was.get("flag_resolutions") or []) != (entry.get("flag_resolutions") or []):
            changes.append(BriefChange("flags", f"Item {n + 1}: a discrepancy flag was settled"))
    return changes


# --- Exports ---------------------------------------------------------------------------------------


def _markdown_escape(text: str) -> str:
    """Literal Markdown on one line (briefs.markdown): a CommonMark renderer shows it as typed."""
    return markdown_text(text)


def snapshot_markdown(snapshot: dict) -> str:
    brief = cite(snapshot)
    lines = [f"# {_markdown_escape(brief.headline)}", ""]
    if brief.standfirst:
        lines += [f"*{_markdown_escape(brief.standfirst)}*", ""]
    for n, item in enumerate(brief.items, start=1):
        refs = "".join(f"[^{c}]" for c in item.citations) or " (unsourced)"
        lines.append(f"{n}. {_markdown_escape(item.text)}{refs}")
    if brief.sources:
        lines.append("")
        for source in brief.sources:
            link = markdown_link(source.title, source.url)
            quoted = "".join(f" — “{_markdown_escape(q)}”" for q in source.quotes)
            lines.append(f"[^{source.number}]: {_markdown_escape(source.outlet)}: {link}{quoted}")
    return "\n".join(lines) + "\n"


def snapshot_json(snapshot: dict, **extra) -> str:
    brief = cite(snapshot)
    document = {
        "headline": brief.headline,
        "standfirst": brief.standfirst,
        "version": brief.version,
        **extra,
        "items": [
            {"text": i.text, "edited": i.edited, "origin": i.origin, "sources": i.citations}
            for i in brief.items
        ],
        "sources": [
            {
                "number": s.number,
                "outlet": s.outlet,
                "title": s.title,
                "url": s.url,
                "published_at": s.published_at,
                "quotes": s.quotes,
            }
            for s in brief.sources
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
