"""Recognise lines and sentences that are not part of the story: credits, prompts, widgets, repeats.

Web articles arrive with the page furniture still in them (share buttons, cookie notices, photo credits,
"Tweet with a location", "Advertisement Continue reading the main story"). Each rule below has a short reason
that is stored with the sentence, so an editor can see why a line was left out of summaries and claims.

Rules are checked on whole lines (a paragraph of the article) and on single sentences. A line rule marks every
sentence of the line; a sentence rule marks only that sentence.
"""

from __future__ import annotations

import re
import unicodedata

from articles.rules import CLOSERS, HEADING_MAX_WORDS, is_headline  # noqa: F401 (CLOSERS: claims, stories)

# Line rules: the whole line (paragraph) is furniture. Anchored patterns, so ordinary prose rarely matches.
_LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("separator", re.compile(r"^[\W_]+$")),
    (
        "advertisement",
        re.compile(
            r"^(photo\s+)?(advertisement|advertising|sponsored( content)?|story continued below"
            r"|continue reading( the main story)?)(\s+continue reading the main story)?\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "comment prompt",
        re.compile(
            r"^(leave a (comment|reply)|post a comment|add a comment|\d+\s+comments?"
            r"|(show|view|hide) comments|comments?|join the (conversation|discussion))\W*$",
            re.IGNORECASE,
        ),
    ),
    ("tweet widget", re.compile(r"^tweet with a location\W*$", re.IGNORECASE)),
    (
        "share prompt",
        re.compile(
            r"^((share|tweet|email|e-mail|pin|print|reddit|whatsapp|facebook|twitter|linkedin|save)[\s|/,·•]*){1,8}$"
            r"|^(read or )?share this (story|article)\b"
            r"|^click to (email|share|print|tweet)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "navigation",
        re.compile(
            r"^(photos?|videos?|image|gallery|slideshow( \(\d+ images\))?|today|follow|more|also|see also"
            r"|read more"
            r"|related( links| stories| articles)?|top stories|trending( now)?|exclusive|abstract|reset"
            r"|text size\s*-?|getty|getty images|full-size image here|more information|watch|listen"
            r"|playback|replay|enlarge this image)\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "related link",
        re.compile(
            r"^(►\s*)?(related|read more|read|also|see also|more|photos|video|watch|listen|recommended)\s*:"
            r"|^\(?(photos|video|related)\s*:[^)]*\)?$"
            r"|^read more about\s*:"
            r"|^\[[^\]]{0,160}\]$",
            re.IGNORECASE,
        ),
    ),
    ("social embed", re.compile(r"\ba post shared by\b.{0,80}\bon \w{3,9}\.? \d{1,2}, \d{4}", re.IGNORECASE)),
]

# Sentence rules: furniture that also shows up inside a paragraph, or as a line of several sentences.
_SENTENCE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "photo credit",
        re.compile(
            r"\b(AP Photo|REUTERS|AFP|Getty Images|Getty|Shutterstock|iStock|Photofest)\s*/"
            r"|\((Photo|Image|Picture|Credit)s?\s*:[^)]*\)"
            r"|^(\[?\s*)?(File photo|Photo illustration|Photo|Photograph|Picture|Image|Credit|Source"
            r"|Featured image)"
            r"s?( by| courtesy of)?\s*[:/-]"
            r"|\b(Photo|Image|Credit|Picture)s?\s*:\s*[A-Z][^.]{0,80}$"
            r"|\bImage (copyright|caption)\b|\btoggle caption\b"
            r"|\b(Photograph|Photo) by [A-Z][\w.]+( [A-Z][\w.]+){0,3}\.?$"
            r"|\((AP|Reuters|AFP|Getty|Associated Press)( Photo)?[^)]{0,60}\)$"
            r"|(^|\. )(Getty Images|Getty|AP|Reuters|AFP)\.?$",
        ),
    ),
    (
        "tweet widget",
        re.compile(r"you can add location information to your tweets|tweet location history", re.IGNORECASE),
    ),
    (
        "subscribe prompt",
        re.compile(
            r"\b(sign up (for|now|to|here|today)|subscribe (now|to|for|here|today)|free sign up"
            r"|newsletters?\b.{0,60}\b(inbox|sign up|subscribe)|(delivered|straight) to your inbox"
            r"|get breaking news (alerts|when it happens)|breaking news (alerts|emails)"
            r"|download the .{1,40} app\b|by signing up you agree|you can unsubscribe"
            r"|add as an interest|never miss (our|a) (top )?stor)",
            re.IGNORECASE,
        ),
    ),
    (
        "social follow",
        re.compile(
            r"^[–—-]?\s*follow (us|me|him|her|them|@\w+|[A-Z][\w.]*( [A-Z][\w.]*){0,4})\b.{0,60}"
            r"\b(on )?(twitter|facebook|instagram|google\+|tumblr|threads|bluesky|@\w+|https?://)"
            r"|^stay up to date,? follow\b"
            r"|^(have a tip|got a tip)\b"
            r"|^(e-?mail|contact|call) [^.]{0,60}(@|\(\d{3}\)|\d{3}-\d{3}-\d{4}|: )",
            re.IGNORECASE,
        ),
    ),
    (
        "share prompt",
        re.compile(
            r"^read or share this story\b|\bshare (this|your) (story|article|thoughts)\b.{0,40}\bcomments?\b"
            r"|\bclick (here|to email|to share)\b.{0,40}$"
            r"|\b(let us know|tell us) in (the )?comments\b|\bsend us your (images|photos|video)",
            re.IGNORECASE,
        ),
    ),
    (
        "cookie notice",
        re.compile(
            r"\b(we|this (site|website)) uses? cookies\b|\bcookie (policy|settings|preferences|notice)\b"
            r"|\baccept (all )?cookies\b|\bby (continuing to use|using) (this|our) (site|website)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "video player",
        re.compile(
            r"\b(please )?(enable|turn on) javascript\b|\bjavascript is disabled\b|\brequires javascript\b"
            r"|\bmedia playback is unsupported\b|\bthis feature is not available right now\b"
            r"|\brating is available when the video\b|\breplay more videos\b|\bjust watched\b"
            r"|\bmust watch\b.{0,120}\d{1,2}:\d{2}$|\byour browser does not support\b",
            re.IGNORECASE,
        ),
    ),
    (
        "copyright",
        re.compile(r"^(copyright|©)|\ball rights reserved\b|\bcopyright \d{4}\b|©\s*\d{4}", re.IGNORECASE),
    ),
    ("social embed", re.compile(r"\ba post shared by\b", re.IGNORECASE)),
]

_PHOTO_CREDIT = dict(_SENTENCE_RULES)["photo credit"]
_CAPTION_MAX_CHARS = 400
# Repeated lines shorter than this are not worth flagging (a repeated "Yes." in an interview is fine).
_MIN_REPEAT_CHARS = 20
TERMINAL = ".!?…"


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‘’“”\"'`]", "", text)
    return re.sub(r"\s+", " ", text).strip(" .:-–—")


def is_heading_like(line: str) -> bool:
    """A crosshead inside a body (articles.rules.is_headline, with the body's tighter word limit)."""
    return is_headline(line, max_words=HEADING_MAX_WORDS, max_chars=None)


def line_reason(line: str) -> str:
    """Why a whole line is furniture, or "" when it looks like part of the story."""
    text = line.strip()
    if not text:
        return ""
    for reason, pattern in _LINE_RULES:
        if pattern.search(text):
            return reason
    # A caption: a short line that carries a photo credit anywhere is the caption of a picture.
    if len(text) <= _CAPTION_MAX_CHARS and _PHOTO_CREDIT.search(text):
        return "photo credit"
    return ""


def sentence_reason(sentence: str) -> str:
    """Why a single sentence is furniture, or "" when it looks like part of the story."""
    text = sentence.strip()
    if not text:
        return "empty"
    if len(text) > 600:
        return ""
    for reason, pattern in _SENTENCE_RULES:
        if pattern.search(text):
            return reason
    return line_reason(text)


class RepeatTracker:
    """Remembers the lines of one article, to flag a headline or paragraph that appears again."""

    def __init__(self, title: str = "") -> None:
        self._title = _normalise(title) if title else ""
        self._seen: set[str] = set()

    def reason(self, line: str) -> str:
        key = _normalise(line)
        if len(key) < _MIN_REPEAT_CHARS:
            return ""
        heading = is_heading_like(line)
        if self._title and key == self._title:
            return "repeated headline"
        if key in self._seen:
            return "repeated headline" if heading else "repeated paragraph"
        self._seen.add(key)
        return ""
