"""What is not a claim: page furniture, headings and fragments. Plain Python, no Django."""

from __future__ import annotations

from articles.nlp.boilerplate import CLOSERS, TERMINAL
from articles.nlp.types import SentenceSpan

# Fewer words than this is a fragment ("Photo.", "Read more", a quote shard).
MIN_CLAIM_WORDS = 4


def junk_reason(span: SentenceSpan) -> str:
    """Why a sentence cannot be a claim, or "" when it can: page furniture (the segmenter's boilerplate
    rules), a heading or headline (no closing punctuation), or a fragment (too short, or starting inside a
    sentence: a lower-case first letter)."""
    if span.is_boilerplate:
        return span.boilerplate_reason or "boilerplate"
    text = span.text.strip()
    stripped = text.rstrip(CLOSERS).rstrip()
    if not stripped or stripped[-1] not in TERMINAL:
        return "heading"
    if len(text.split()) < MIN_CLAIM_WORDS:
        return "fragment"
    first = next((ch for ch in text if ch.isalnum()), "")
    if first.islower():
        return "fragment"
    return ""
