"""Dataclasses passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """One sentence of a text, with character offsets so that text[start:end] == text of the sentence."""

    index: int
    start: int
    end: int
    text: str
    is_boilerplate: bool = False
    boilerplate_reason: str = ""
