"""Rules that the import, the analysis, the pages and the exports share, written once. Plain Python.

- Links: only http(s) addresses are links or fetched (`is_http_url`, `http_url`); a stored javascript: or
  data: URL is shown as text, never linked. Storing an address has its own rules (articles/importing/urls.py).
- Headlines: a short line that does not end like a sentence (`is_headline`). The import takes such a first
  line as the title (up to HEADLINE_MAX_WORDS words); the segmenter takes one inside a body as a crosshead,
  with the tighter HEADING_MAX_WORDS, as a body's long unpunctuated line is more often a list item or a
  caption than a heading.
- Shortening for display: `shorten` cuts at `limit` characters with an ellipsis, never mid-space.
- Independent sources: one per outlet, a wire copy counted with its original (`source_groups`).
"""

from __future__ import annotations

from collections.abc import Sequence

HTTP_SCHEMES = ("http", "https")
# Closing quotes and brackets that may follow a line's last punctuation mark.
CLOSERS = "\"'”’)]»›"
# A line that ends with one of these (before any closers) is a sentence or a clause, not a headline.
SENTENCE_PUNCTUATION = ".!?…:;,"
HEADLINE_MAX_WORDS = 40
HEADLINE_MAX_CHARS = 300
HEADING_MAX_WORDS = 25


def is_http_url(value: str | None) -> bool:
    """True for an http:// or https:// address (any case, surrounding spaces ignored)."""
    return (value or "").strip().lower().startswith(tuple(f"{scheme}://" for scheme in HTTP_SCHEMES))


def http_url(value: str | None) -> str:
    """The address, stripped, when it is http(s); "" for anything else (javascript:, data:, a path)."""
    value = (value or "").strip()
    return value if is_http_url(value) else ""


def is_headline(
    line: str, *, max_words: int = HEADLINE_MAX_WORDS, max_chars: int | None = HEADLINE_MAX_CHARS
) -> bool:
    """A short line without closing punctuation: a headline or a crosshead rather than a sentence."""
    stripped = line.strip().rstrip(CLOSERS).rstrip()
    if not stripped or stripped[-1] in SENTENCE_PUNCTUATION:
        return False
    if max_chars is not None and len(line) > max_chars:
        return False
    return len(stripped.split()) <= max_words


def shorten(text: str, limit: int) -> str:
    """`text` with runs of white space made one space, cut to at most `limit` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_groups(sources: Sequence[str], copy_of: Sequence[int | None]) -> list[int]:
    """Per document, the id of the independent source it belongs to, from each document's source key (its
    outlet) and the index of the document it copies (None): one source per outlet, and a wire copy belongs to
    its original's. The rule a claim's support is counted by (articles.nlp.claims.independent_sources), and
    the story's change counts (articles.selectors.coverage_changes)."""
    root = list(range(len(sources)))

    def find(d: int) -> int:
        seen = set()
        while root[d] != d and d not in seen:
            seen.add(d)
            d = root[d]
        return d

    by_label: dict[str, int] = {}
    for d, source in enumerate(sources):
        first = by_label.setdefault(source, d)
        if first != d:
            root[find(d)] = find(first)
    for d, original in enumerate(copy_of):
        if original is not None and 0 <= original < len(sources) and original != d:
            a, b = find(d), find(original)
            if a != b:
                root[max(a, b)] = min(a, b)
    return [find(d) for d in range(len(sources))]
