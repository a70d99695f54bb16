"""Is a rendered page free of live markup an attacker could have planted? Parsed like a browser would."""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
EMBEDDING_TAGS = {"img", "svg", "iframe", "object", "embed", "math", "video", "audio", "base"}
INVISIBLE = re.compile(r"[\x00-\x20]+")


def is_script_url(value: str) -> bool:
    return INVISIBLE.sub("", value).lower().startswith(SCRIPT_SCHEMES)


class LiveMarkupFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag}> has an event handler attribute {name}={value!r}")
            if name in URL_ATTRIBUTES and value and is_script_url(value):
                self.problems.append(f"<{tag}> has a script URL {name}={value!r}")
        if tag in EMBEDDING_TAGS:
            self.problems.append(f"an <{tag}> element: {attrs!r}")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"a <script> that is not one of ours: {attrs!r}")
            self.in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"an inline script: {data[:80]!r}")


def live_markup(html: str) -> list[str]:
    """What in `html` would run script in a browser (empty when the page is inert)."""
    finder = LiveMarkupFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
