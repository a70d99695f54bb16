"""What readers produce: plain data, no Django."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ParsedArticle:
    """One article as read from a source; every field is plain text (never HTML)."""

    title: str
    body: str
    source_format: str
    raw_input: str = ""
    standfirst: str = ""
    byline: str = ""
    url: str = ""
    published_at: datetime | None = None
    published_time_known: bool = True  # False: the source gave a date without a time of day
    outlet_name: str = ""
    outlet_domain: str = ""
    language: str = ""
    source_name: str = ""


@dataclass
class Entry:
    """One item of a source: an article, or the reason it could not be read. `label` names it in messages."""

    label: str
    article: ParsedArticle | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    # A watched feed's entry whose address is already in the workbench: not read, not recorded.
    skipped: bool = False


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = 5 * 1024 * 1024
    fetch_timeout: float = 10.0
    # Seconds all the page fetches of one feed's entries may take together
    # (settings.IMPORT_FEED_FETCH_BUDGET); entries whose turn comes after that keep their own text or fail.
    feed_fetch_budget: float = 60.0
    max_feed_entries: int = 100
    # Articles in one JSON, JSON Lines or CSV file (settings.IMPORT_MAX_ENTRIES); a bigger file is refused.
    max_entries: int = 1000
    # May a URL point at a loopback, private or link-local address? (settings.IMPORT_ALLOW_PRIVATE_URLS)
    allow_private_addresses: bool = False
    # A watched feed's poll: feed entries whose link this says is already imported are skipped unread (their
    # page is not fetched again).
    skip_link: Callable[[str], bool] | None = None


@dataclass(frozen=True)
class SourceDetails:
    """What the person importing says about a source's articles, over what the source itself says: the
    outlet's name, the article's web address and its publication date (ISO 8601). Empty means "not given"."""

    outlet: str = ""
    url: str = ""
    published_at: str = ""

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value}

    @classmethod
    def from_dict(cls, data: dict | None) -> SourceDetails | None:
        data = {key: str(data.get(key) or "") for key in ("outlet", "url", "published_at")} if data else {}
        return cls(**data) if any(data.values()) else None
