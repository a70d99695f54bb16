"""News-like prose for tests, different for every seed: plain Python, no Django (the feed server uses it)."""

from __future__ import annotations

import random

VOCABULARY = (
    "council harbour minister budget report river school hospital festival museum railway election court "
    "farmers weather storm bridge airport union teachers police mayor senate market prices energy water "
    "village coast island museum library garden factory workers strike protest vote result survey scientists "
    "study ocean forest wildlife tourism hotel season harvest drought flood rescue volunteers "
    "children parents students exam university research project funding plan proposal decision agreement "
    "contract company "
    "investors shares profit loss debt tax reform law judge jury verdict appeal witness evidence officer "
    "station platform train ferry bus route road traffic cyclists lane tunnel construction engineers repairs "
    "delay cost million euros dollars percent week month year morning evening night spring summer autumn "
    "winter record crowd concert stadium team coach match goal season league title player injury transfer"
).split()
VERBS = "said announced confirmed reported expected warned approved rejected delayed opened closed".split()


def make_text(seed: int, paragraphs: int = 3, sentences: int = 4) -> str:
    """News-like prose, different for every seed (no five-word run shared by chance)."""
    rng = random.Random(seed)
    result = []
    for _ in range(paragraphs):
        lines = []
        for _ in range(sentences):
            words = [rng.choice(VOCABULARY) for _ in range(rng.randint(9, 15))]
            words.insert(rng.randint(2, len(words) - 2), rng.choice(VERBS))
            lines.append(" ".join(words).capitalize() + ".")
        result.append(" ".join(lines))
    return "\n\n".join(result)
