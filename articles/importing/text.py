"""Plain text and Markdown: headline, standfirst and byline from the top, paragraphs kept as blank lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from articles.importing.errors import ImportFailure
from articles.importing.records import ParsedArticle
from articles.rules import is_headline

DERIVED_TITLE_MAX_CHARS = 120
BYLINE_PATTERN = re.compile(r"^by\s+\S.{0,120}$", re.IGNORECASE)
SENTENCE_END_PATTERN = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


# Scripts written without spaces between words, and about how many characters make a word in each: Chinese
# and Japanese words average one and a half to two characters (a two-character word is the most common kind),
# so 1.5 errs towards counting more words, not fewer; Thai, Lao, Khmer and Burmese words are longer, about
# three characters. A minimum length in words then means about the same amount of text in every script.
UNSPACED_SCRIPTS = re.compile(
    r"(?P<cjk>[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+)"
    r"|(?P<southeast>[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+)"
)
CHARACTERS_PER_WORD = {"cjk": 1.5, "southeast": 3.0}


def count_words(text: str) -> int:
    """Words in `text`: runs separated by spaces, and in scripts written without spaces (Chinese, Japanese,
    Thai...) their characters divided by CHARACTERS_PER_WORD."""
    unspaced = 0.0

    def measure(match: re.Match[str]) -> str:
        nonlocal unspaced
        unspaced += len(match.group(0)) / CHARACTERS_PER_WORD[match.lastgroup or "cjk"]
        return " "

    spaced = UNSPACED_SCRIPTS.sub(measure, text)
    words = sum(1 for token in spaced.split() if any(ch.isalnum() for ch in token))
    return words + round(unspaced)


@dataclass
class Paragraph:
    text: str
    is_heading: bool = False


@dataclass
class ArticleText:
    title: str
    standfirst: str
    byline: str
    body: str
    title_derived: bool


def text_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of plain text.

    Text whose lines are hard-wrapped (every line short, blocks separated by blank lines) is joined within
    each block; otherwise each line is a paragraph, as in the seeds, where one line holds one paragraph.
    """
    lines = [line.strip() for line in text.split("\n")]
    filled = [line for line in lines if line]
    hard_wrapped = (
        len(filled) >= 4
        and len(filled) < len(lines)
        and max(len(line) for line in filled) <= 100
        and sum(len(line) >= 50 for line in filled) >= 0.6 * len(filled)
    )
    if not hard_wrapped:
        return [Paragraph(_spaces(line)) for line in filled]
    paragraphs: list[Paragraph] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
        elif block:
            paragraphs.append(Paragraph(_spaces(" ".join(block))))
            block = []
    return paragraphs


def split_article(paragraphs: list[Paragraph], title: str = "") -> ArticleText:
    """Title, standfirst, byline and body from paragraphs.

    With a `title` given, a first paragraph repeating it is dropped. Otherwise the first paragraph is the
    headline when it is a heading or a short line without closing punctuation; the paragraph right after it is
    the standfirst when it looks like a headline too (a second headline variant), or the byline when it reads
    "By ...". Without a headline, the title is the start of the first sentence and the whole text is body.
    """
    rest = list(paragraphs)
    standfirst = byline = ""
    if title:
        if rest and _same(rest[0].text, title):
            rest = rest[1:]
    elif len(rest) >= 2 and (rest[0].is_heading or is_headline(rest[0].text)):
        title = rest.pop(0).text
        if len(rest) >= 2 and _is_byline(rest[0].text):
            byline = _byline(rest.pop(0).text)
        elif len(rest) >= 2 and (rest[0].is_heading or is_headline(rest[0].text)):
            standfirst = rest.pop(0).text
            if len(rest) >= 2 and _is_byline(rest[0].text):
                byline = _byline(rest.pop(0).text)
    body = "\n\n".join(p.text for p in rest)
    derived = not title
    if derived:
        title = derive_title(body)
    return ArticleText(title=title, standfirst=standfirst, byline=byline, body=body, title_derived=derived)


def derive_title(body: str) -> str:
    """The first sentence, shortened on a word boundary: a title for text that has no headline."""
    first = SENTENCE_END_PATTERN.split(body.strip(), maxsplit=1)[0].split("\n", 1)[0].strip()
    if len(first) <= DERIVED_TITLE_MAX_CHARS:
        return first
    cut = first[:DERIVED_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return f"{cut}…"


def read_plain_text(text: str, name: str, source_format: str = "text") -> ParsedArticle:
    if not text.strip():
        raise ImportFailure(f"{name}: empty file (only whitespace)")
    paragraphs = markdown_paragraphs(text) if source_format == "markdown" else text_paragraphs(text)
    parts = split_article(paragraphs)
    if not parts.body:
        raise ImportFailure(f"{name}: no article text, only a headline")
    return ParsedArticle(
        title=parts.title,
        standfirst=parts.standfirst,
        byline=parts.byline,
        body=parts.body,
        source_format=source_format,
        raw_input=text,
        source_name=name,
    )


def read_markdown(text: str, name: str) -> ParsedArticle:
    return read_plain_text(text, name, source_format="markdown")


# --- Markdown ---------------------------------------------------------------------------------------

ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
HORIZONTAL_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
BLOCKQUOTE = re.compile(r"^\s{0,3}>\s?")
CODE_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
FRONT_MATTER = re.compile(r"\A---\n(?:[\w-]+:.*\n)+---\n")
INLINE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[a-zA-Z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),
]


def markdown_inline(text: str) -> str:
    for pattern, replacement in INLINE_RULES:
        text = pattern.sub(replacement, text)
    return text


def markdown_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of Markdown with heading markers and basic markup removed.

    Headings, list items and quoted lines each make their own paragraph; other lines of a block are joined, as
    Markdown renders them. Code fences are removed and their lines kept as text.
    """
    text = FRONT_MATTER.sub("", text)
    lines = text.split("\n")
    paragraphs: list[Paragraph] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            joined = _spaces(markdown_inline(" ".join(block)))
            if joined:
                paragraphs.append(Paragraph(joined))
            block.clear()

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if CODE_FENCE.match(line) or LINK_DEFINITION.match(line):
            continue
        if not line.strip() or HORIZONTAL_RULE.match(line):
            flush()
            continue
        if SETEXT_UNDERLINE.match(line) and not block and paragraphs and paragraphs[-1].is_heading:
            continue  # the underline of a heading already taken
        heading = ATX_HEADING.match(line)
        if heading or (line.strip() and SETEXT_UNDERLINE.match(following) and not LIST_ITEM.match(line)):
            flush()
            heading_text = heading.group(1) if heading else line
            heading_text = _spaces(markdown_inline(heading_text))
            if heading_text:
                paragraphs.append(Paragraph(heading_text, is_heading=True))
            continue
        stripped = BLOCKQUOTE.sub("", line)
        if LIST_ITEM.match(stripped):
            flush()
            block.append(LIST_ITEM.sub("", stripped))
            flush()
            continue
        block.append(stripped)
    flush()
    return paragraphs


def _spaces(text: str) -> str:
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    return _spaces(a).casefold() == _spaces(b).casefold()


def _is_byline(line: str) -> bool:
    return (
        bool(BYLINE_PATTERN.match(line.strip()))
        and len(line.split()) <= 12
        and not line.rstrip().endswith(".")
    )


def _byline(line: str) -> str:
    return re.sub(r"^by\s+", "", line.strip(), flags=re.IGNORECASE)
