"""Issue 14, case 6: every export escapes what it embeds. The Markdown export is rendered by a CommonMark
renderer (markdown-it-py, locked in requirements/dev.lock, with raw HTML allowed as CommonMark allows it) and
must give no live markup and show every hostile value as the text it was; the HTML and JSON exports of the
same brief are checked too."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from markdown_it import MarkdownIt

from briefs.presentation import cite, snapshot_json, snapshot_markdown

HOSTILE_URLS = [
    "https://evil.example/a)<svg onload=alert(1)>",
    'https://evil.example/b" onmouseover="alert(2)',
    "https://evil.example/c <img src=x onerror=alert(3)>",
    "https://evil.example/d\\)<svg/onload=alert(4)>",
    "https://evil.example/e?q=&lt;script&gt;alert(5)&lt;/script&gt;",
    "https://evil.example/f>\n\n<script>alert(6)</script>",
]
HOSTILE_TEXTS = [
    "</a><script>alert(7)</script>",
    "x](javascript:alert(8))",
    "&lt;img src=x onerror=alert(9)&gt;",
    "two\n\n<div onclick=alert(10)>lines</div>",
    "- [a](javascript:alert(11)) `code` *em* _u_ ~~s~~ ![i](https://evil.example/i.png)",
    "1. <iframe src=javascript:alert(12)>",
]
# What CommonMark may produce from the export's own structure; anything else is markup that leaked.
ALLOWED = {"h1": set(), "p": set(), "em": set(), "ol": {"start"}, "li": set(), "a": {"href"}}


def hostile_snapshot() -> dict:
    sources = [
        {
            "article_id": number,
            "outlet": HOSTILE_TEXTS[number % len(HOSTILE_TEXTS)],
            "title": HOSTILE_TEXTS[(number + 1) % len(HOSTILE_TEXTS)],
            "url": url,
            "published_at": None,
            "quote": HOSTILE_TEXTS[(number + 2) % len(HOSTILE_TEXTS)],
        }
        for number, url in enumerate(HOSTILE_URLS, start=1)
    ]
    return {
        "headline": "Headline\n\n<script>alert(13)</script>",
        "standfirst": "*Stand* <b onmouseover=alert(14)>first</b>",
        "version": 3,
        "items": [
            {"text": text, "edited": True, "origin": "manual", "sources": [sources[n % len(sources)]]}
            for n, text in enumerate(HOSTILE_TEXTS)
        ],
    }


class Markup(HTMLParser):
    """The elements, attributes and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


def rendered_markdown() -> Markup:
    return parse(MarkdownIt("commonmark").render(snapshot_markdown(hostile_snapshot())))


def test_the_markdown_export_renders_without_live_markup():
    html = rendered_markdown()
    leaked = [(tag, attrs) for tag, attrs in html.tags if tag not in ALLOWED or set(attrs) - ALLOWED[tag]]
    assert not leaked, f"markup from the brief's values became live: {leaked}"


def test_the_markdown_export_links_each_source_to_its_own_address():
    links = [attrs["href"] for tag, attrs in rendered_markdown().tags if tag == "a"]
    assert len(links) == len(HOSTILE_URLS)
    for href, url in zip(links, HOSTILE_URLS, strict=True):
        assert href.startswith("https://evil.example/"), href
        # The same address, with only what could not stand in a destination percent-encoded.
        assert href.replace("%20", " ").replace("%0A", "\n") == url.replace("(", "%28").replace(
            ")", "%29"
        ).replace("<", "%3C").replace(">", "%3E").replace('"', "%22").replace("\\", "%5C")


@pytest.mark.parametrize("value", [*HOSTILE_TEXTS[:4], "Headline <script>alert(13)</script>"])
def test_the_markdown_export_shows_every_value_as_the_text_it_was(value):
    shown = " ".join("".join(rendered_markdown().text).split())
    assert " ".join(value.split()) in shown


def test_the_html_and_json_exports_escape_the_same_values():
    snapshot = hostile_snapshot()
    html = render_to_string(
        "briefs/export.html",
        {
            "brief": cite(snapshot),
            "revision": SimpleNamespace(number=3, created=timezone.now(), author=None),
            "story": SimpleNamespace(title="<script>alert(15)</script>"),
        },
    )
    tags = parse(html).tags
    scripts = [tag for tag, _ in tags if tag in {"script", "svg", "img", "iframe", "div", "b"}]
    handlers = [name for _, attrs in tags for name in attrs if name.startswith("on")]
    bad_links = [
        attrs.get("href")
        for tag, attrs in tags
        if tag == "a" and not (attrs.get("href") or "#").startswith(("https://", "#", "/"))
    ]
    assert (scripts, handlers, bad_links) == ([], [], [])
    exported = json.loads(snapshot_json(snapshot))
    assert [source["url"] for source in exported["sources"]] == HOSTILE_URLS
    assert [item["text"] for item in exported["items"]] == HOSTILE_TEXTS
