"""Fetching a web page or feed: a deadline for the whole download, a size limit enforced while streaming,
clear reasons.

The deadline is wall-clock time from the request to the last byte, not only a socket timeout: a server that
trickles a few bytes a second never lets a socket read time out, so a watchdog thread shuts the connection's
socket down when the time is up, and the fetch fails naming the limit.

Unless private addresses are allowed (settings.IMPORT_ALLOW_PRIVATE_URLS), every request, redirects
included, is refused when its host resolves to a loopback, private, link-local or otherwise non-public
address, so that an import URL cannot reach services inside the network (metadata endpoints, databases).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from articles.importing.errors import ImportFailure
from articles.importing.sources import size_label
from articles.importing.urls import shown_url

USER_AGENT = "CoverageWorkbench/0.1 (+https://github.com/coverage-workbench; article import)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}
)
# JSON Feed and JSON-LD served on their own.
JSON_TYPES = frozenset({"application/feed+json", "application/json", "application/ld+json"})
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    media_type: str
    charset: str | None
    data: bytes
    # A conditional request's answer: 304, nothing changed since the validators given (no data).
    not_modified: bool = False
    # The validators the server sent, for the next conditional request (a watched feed keeps them).
    etag: str = ""
    last_modified: str = ""

    @property
    def is_feed_type(self) -> bool:
        return self.media_type in FEED_TYPES

    @property
    def is_json_type(self) -> bool:
        return self.media_type in JSON_TYPES


def fetch(
    url: str,
    name: str,
    *,
    timeout: float,
    max_bytes: int,
    allow_private: bool = False,
    etag: str = "",
    last_modified: str = "",
) -> FetchedPage:
    """GET `url`; only HTML, feed and JSON content types are accepted.

    `timeout` bounds connecting, each read, and the whole download (wall-clock, however slowly the server
    sends). Every failure is an ImportFailure whose message starts with `name`. Without `allow_private`, a URL
    (or a redirect) to a non-public address fails. With `etag` or `last_modified` (what the server sent last
    time) the request is conditional, and a 304 answer is a page with `not_modified` set and no data.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ImportFailure(f"{name}: not an http:// or https:// address")
    deadline = Deadline(timeout)
    session = requests.Session()
    adapter = GuardedAdapter(name, deadline, public_only=not allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        with deadline:
            page = _get(
                session, url, name, deadline, max_bytes=max_bytes, etag=etag, last_modified=last_modified
            )
        if deadline.expired:  # the socket was shut down, which can look like the end of the page
            raise deadline.failure(name)
        return page
    except requests.exceptions.RequestException as exc:
        if deadline.expired:
            raise deadline.failure(name) from None
        raise _request_failure(exc, name, parsed.hostname, timeout) from None
    except OSError:
        if deadline.expired:
            raise deadline.failure(name) from None
        raise ImportFailure(
            f"{name}: could not be fetched (the connection failed); try again later, or save the page in "
            "a browser and import the file"
        ) from None
    finally:
        session.close()


def _get(
    session: requests.Session,
    url: str,
    name: str,
    deadline: Deadline,
    *,
    max_bytes: int,
    etag: str = "",
    last_modified: str = "",
) -> FetchedPage:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/feed+json;q=0.8",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with session.get(url, stream=True, timeout=deadline.seconds, headers=headers) as response:
        deadline.answered = True
        validators = {
            "etag": response.headers.get("ETag", "")[:500],
            "last_modified": response.headers.get("Last-Modified", "")[:100],
        }
        if response.status_code == 304 and (etag or last_modified):
            return FetchedPage(
                url=response.url or url,
                media_type="",
                charset=None,
                data=b"",
                not_modified=True,
                **validators,
            )
        if response.status_code >= 400:
            reason = f" {response.reason}" if response.reason else ""
            raise ImportFailure(f"{name}: the server answered HTTP {response.status_code}{reason}")
        media_type, charset = _content_type(response.headers.get("Content-Type", ""))
        if media_type not in HTML_TYPES | FEED_TYPES | JSON_TYPES:
            raise ImportFailure(f"{name}: not a web page or feed (content type {media_type or 'not given'})")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise ImportFailure(
                f"{name}: {size_label(int(declared))}, over the {size_label(max_bytes)} limit"
            )
        data = _read_limited(response, name, deadline=deadline, max_bytes=max_bytes)
        return FetchedPage(
            url=response.url or url, media_type=media_type, charset=charset, data=data, **validators
        )


def _request_failure(exc: requests.exceptions.RequestException, name: str, host: str, timeout: float):
    if isinstance(exc, requests.exceptions.Timeout):
        return ImportFailure(f"{name}: no answer within {timeout:g} seconds")
    if isinstance(exc, requests.exceptions.SSLError):
        return ImportFailure(f"{name}: the site's TLS certificate could not be verified")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return ImportFailure(f"{name}: could not connect to {host} (host unreachable or refused)")
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return ImportFailure(
            f"{name}: too many redirects (the site kept sending the request elsewhere); open the address in "
            "a browser and import the address of the page it ends on"
        )
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return ImportFailure(
            f"{name}: the site redirected to an address that is not http:// or https://, which cannot be "
            "fetched; open it in a browser and import the article's own web address, or a saved copy"
        )
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return ImportFailure(
            f"{name}: the address (or one the site redirected to) is not a valid web address; check it "
            "and import it again"
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return ImportFailure(
            f"{name}: the download broke off or arrived garbled; try again later, or save the page in a "
            "browser and import the file"
        )
    return ImportFailure(
        f"{name}: could not be fetched (the connection failed); try again later, or save the page in "
        "a browser and import the file"
    )


class Deadline:
    """A wall-clock limit on one download: when it passes, every socket the download opened is shut down,
    which ends a blocked read at once, however slowly the server was sending."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self.answered = False  # the response's status line and headers had arrived
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def check(self, name: str) -> None:
        if self.expired or time.monotonic() > self.ends:
            self.expired = True
            raise self.failure(name)

    def failure(self, name: str) -> ImportFailure:
        if not self.answered:
            return ImportFailure(f"{name}: no answer within {self.seconds:g} seconds")
        return ImportFailure(
            f"{name}: the download did not finish within {self.seconds:g} seconds (the server sent it too "
            "slowly; IMPORT_FETCH_TIMEOUT limits the whole download); try again later, or save the page in a "
            "browser and import the file"
        )

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class GuardedAdapter(HTTPAdapter):
    """A transport adapter whose connections report their sockets to the download's Deadline and, with
    `public_only`, that checks every request it sends (the first one and each redirect) for a public host."""

    def __init__(self, name: str, deadline: Deadline, *, public_only: bool) -> None:
        self.name = name
        self.deadline = deadline
        self.public_only = public_only
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        deadline = self.deadline

        class WatchedHTTPConnection(HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                deadline.watch(sock)
                return sock

        class WatchedHTTPSConnection(HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                deadline.watch(sock)
                return sock

        class WatchedHTTPPool(HTTPConnectionPool):
            ConnectionCls = WatchedHTTPConnection

        class WatchedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = WatchedHTTPSConnection

        self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}

    def send(self, request: requests.PreparedRequest, *args, **kwargs) -> requests.Response:
        if self.public_only:
            refuse_non_public(request.url or "", self.name)
        return super().send(request, *args, **kwargs)


def refuse_non_public(url: str, name: str) -> None:
    """Raise ImportFailure when `url`'s host is, or resolves to, an address that is not public."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError, ValueError):
        raise ImportFailure(f"{name}: the host of {shown_url(url)} could not be found") from None
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            raise ImportFailure(
                f"{name}: refused to fetch {shown_url(url)}: {host} is {ip}, a loopback, private or "
                "link-local address "
                "(set IMPORT_ALLOW_PRIVATE_URLS=true to allow addresses inside the network)"
            )


def _read_limited(response: requests.Response, name: str, *, deadline: Deadline, max_bytes: int) -> bytes:
    received = bytearray()
    for chunk in response.iter_content(CHUNK_BYTES):
        received.extend(chunk)
        if len(received) > max_bytes:
            raise ImportFailure(f"{name}: larger than the {size_label(max_bytes)} limit (stopped reading)")
        deadline.check(name)
    return bytes(received)


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset
