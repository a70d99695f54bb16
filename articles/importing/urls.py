"""Web addresses as the workbench keeps them: at most MAX_URL_LENGTH characters, never cut, and never with a
user name or password in them.

Whatever stores an address (a URL import, a feed entry's link, a manifest, a JSON or CSV `url` field, the
import form, "Edit source details") passes it through `check_url` first: a user name and password
(the `user:password@` before a host) are dropped, with a warning for the person importing that does not repeat
them, and an address that is too long is refused with a message naming it, instead of being cut and fetched
cut. Plain Python: no Django needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from articles.rules import is_http_url, shorten

# What Article.url and ImportItem.source_url hold, and about what browsers and servers accept.
MAX_URL_LENGTH = 2000
SHOWN_CHARACTERS = 80


@dataclass(frozen=True)
class CheckedUrl:
    """An address made fit to store: `url` ("" when refused), `warning` when something was dropped from
    it, `problem` when it was refused (both sentences for people, starting with the label given)."""

    url: str
    warning: str = ""
    problem: str = ""


def without_credentials(url: str) -> str:
    """The address without the `user:password@` part of its host, if it has one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    # Like urllib (and browsers), the host is what follows the last "@".
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def shown_url(url: str) -> str:
    """An address as a message quotes it: cut to SHOWN_CHARACTERS with an ellipsis, without credentials."""
    url = without_credentials(url)
    return shorten(url, SHOWN_CHARACTERS)


def check_url(value: str, label: str) -> CheckedUrl:
    """`value` without credentials, or refused when longer than MAX_URL_LENGTH; `label` starts the messages
    ("items.json entry 3, field 'url'")."""
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.hostname, parts.port  # noqa: B018 (a malformed host or port raises here)
    except ValueError:
        problem = f"{label}: {shown_url(url)} is not a valid web address (its host or port is malformed)"
        return CheckedUrl("", problem=problem)
    cleaned = without_credentials(url)
    if len(cleaned) > MAX_URL_LENGTH:
        return CheckedUrl(
            "",
            problem=(
                f"{label}: the address {shown_url(cleaned)} is {len(cleaned):,} characters long, over the "
                f"limit of {MAX_URL_LENGTH:,}; shorten it (the part after “?” is often only tracking)"
            ),
        )
    if cleaned != url:
        return CheckedUrl(
            cleaned,
            warning=(
                f"{label}: the address held a user name and password; they were dropped and are not stored "
                f"(kept {shown_url(cleaned)})"
            ),
        )
    return CheckedUrl(cleaned)


def valid_http_url(value: str) -> bool:
    """An http(s) address with a host, at most MAX_URL_LENGTH characters (what Article.url holds)."""
    if len(value) > MAX_URL_LENGTH or not is_http_url(value) or any(c.isspace() for c in value.strip()):
        return False
    try:
        return bool(urlsplit(value.strip()).hostname)
    except ValueError:
        return False
