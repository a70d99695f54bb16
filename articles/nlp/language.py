"""Which language an article is written in, and whether the pipeline can read it. Plain Python, no Django.

Detection uses py3langid (a Naive Bayes classifier over byte n-grams that comes with its model, so nothing is
downloaded). The analysis pipeline (spaCy's English model, sumy with English stop words, the English rules for
boilerplate, claims and discrepancies) reads only the languages in SUPPORTED_LANGUAGES. An article in another
language is stored and readable but not analysed (articles.services.analysis). An article whose language is
unknown ("") is analysed as before: being too short to tell is no reason to leave an article out.
"""

from __future__ import annotations

import re
from functools import cache

# The languages the analysis pipeline reads. Keep it the only place that says so.
SUPPORTED_LANGUAGES = frozenset({"en"})

# Below this many letters the text is too short to tell its language; about 20 words of English. Counted as
# letters, not words, so that Chinese or Japanese text (no spaces between words) is measured fairly, and a
# table of figures (few letters) does not count as text.
MIN_LETTERS = 100
# py3langid's probability (normalised over all its languages) below which the result is not trusted. Of 20,000
# random 10-60 word stretches of the English Multi-News validation articles (with at least 100 letters), 0.04%
# were classified as another language at 0.9 or above (0.1% at 0.5); all 690 whole articles came out English
# (two of them below 0.9, so unknown, and analysed all the same).
MIN_CONFIDENCE = 0.9
# Labels py3langid gives text that is in no language at all.
NO_LANGUAGE = frozenset({"zxx", "und"})

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sr": "Serbian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*")


def normalise_language(code: str) -> str:
    """The primary subtag of a language tag, lower case ("en-US" -> "en", "de_DE" -> "de"); "" if not one."""
    match = LANGUAGE_TAG.fullmatch((code or "").strip().lower())
    if match is None or match.group(1) in NO_LANGUAGE:
        return ""
    return match.group(1)


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_identifier() -> None:
    """Read py3langid's model now (about 0.7 s), not at the first detection (a worker's first import)."""
    _identifier()


def detect_language(text: str, declared: str = "") -> str:
    """The language of `text` (pass the title and body together) as an ISO 639-1 code, or "" when unknown.

    The rule:
    - Text with fewer than MIN_LETTERS letters is too short to tell: the result is the language the source
      declared (`declared`, e.g. an HTML `lang` attribute, normalised to its primary subtag), else "".
    - Otherwise py3langid decides. When it is less than MIN_CONFIDENCE sure, the declared language (else "")
      is kept instead. When it is sure, its answer wins over a declared language that disagrees: sites often
      declare their template's default language whatever the article is written in.
    For the few languages without a two-letter code, py3langid's three-letter label is returned (e.g. "pcm").
    """
    declared = normalise_language(declared)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return declared
    code, probability = _identifier().classify(text)
    code = normalise_language(code)
    if not code or probability < MIN_CONFIDENCE:
        return declared
    return code


def language_name(code: str) -> str:
    """A person's name for the language ("de" -> "German"); the code itself when not in LANGUAGE_NAMES."""
    code = normalise_language(code) or (code or "").strip()
    return LANGUAGE_NAMES.get(code, code)


def is_supported(code: str) -> bool:
    """May the pipeline analyse text in this language? Yes for the supported ones, and for unknown ("")."""
    code = normalise_language(code)
    return not code or code in SUPPORTED_LANGUAGES


def supported_names() -> str:
    """The supported languages for a sentence: "English", or "English and French"."""
    names = sorted(language_name(code) for code in SUPPORTED_LANGUAGES)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def unsupported_marker(code: str) -> str:
    """What the workspace shows on an article the pipeline cannot read; "" when it can.

    "German — not analysed (the pipeline reads English only)".
    """
    if is_supported(code):
        return ""
    return f"{language_name(code)} — not analysed (the pipeline reads {supported_names()} only)"


def not_analysed_reason(code: str) -> str:
    """The note recorded on an article that analysis skipped; "" when the pipeline can read it.

    "Not analysed: the pipeline reads English only; this article is German (de)."
    """
    if is_supported(code):
        return ""
    code = normalise_language(code)
    return (
        f"Not analysed: the pipeline reads {supported_names()} only; "
        f"this article is {language_name(code)} ({code})."
    )
