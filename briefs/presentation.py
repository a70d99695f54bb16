"""Pure functions over a brief snapshot (see briefs.services.brief_snapshot): numbered citations, the word
diff between two revisions, and the Markdown and JSON exports. No database access here.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field


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


def http_url(url: str | None) -> str:
    """The URL when it is http(s); anything else (javascript:, data:) is never made a link."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


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


def snapshot_text(snapshot: dict) -> str:
    """The brief as plain text, one line per part, for comparing revisions."""
    lines = [snapshot.get("headline", ""), snapshot.get("standfirst", "")]
    for n, entry in enumerate(snapshot.get("items", []), start=1):
        outlets = ", ".join(s.get("outlet", "") for s in entry.get("sources", [])) or "unsourced"
        lines.append(f"{n}. {entry['text']} [{outlets}]")
    return "\n".join(lines)


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


# --- Exports ---------------------------------------------------------------------------------------


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


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
            title = _markdown_escape(source.title)
            link = f"[{title}]({source.url})" if source.url else title
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
