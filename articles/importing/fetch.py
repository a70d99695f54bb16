"""Fetching a web page or feed: a timeout, a size limit enforced while streaming, clear reasons.

Unless private addresses are allowed (settings.IMPORT_ALLOW_PRIVATE_URLS), every request, redirects
included, is refused when its host resolves to a loopback, private, link-local or otherwise non-public
address, so that an import URL cannot reach services inside the network (metadata endpoints, databases).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter

from articles.importing.errors import ImportFailure
from articles.importing.sources import size_label
from articles.importing.urls import shown_url

USER_AGENT = "CoverageWorkbench/0.1 (+https://github.com/coverage-workbench; article import)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}
)
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    media_type: str
    charset: str | None
    data: bytes

    @property
    def is_feed_type(self) -> bool:
        return self.media_type in FEED_TYPES


def fetch(url: str, name: str, *, timeout: float, max_bytes: int, allow_private: bool = False) -> FetchedPage:
    """GET `url`; only HTML and feed content types are accepted.

    `timeout` bounds connecting, each read, and the whole download. Every failure is an ImportFailure whose
    message starts with `name`. Without `allow_private`, a URL (or a redirect) to a non-public address fails.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ImportFailure(f"{name}: not an http:// or https:// address")
    session = requests.Session()
    if not allow_private:
        adapter = PublicAddressesOnly(name)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    try:
        with session.get(
            url,
            stream=True,
            timeout=timeout,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9",
            },
        ) as response:
            if response.status_code >= 400:
                reason = f" {response.reason}" if response.reason else ""
                raise ImportFailure(f"{name}: the server answered HTTP {response.status_code}{reason}")
            media_type, charset = _content_type(response.headers.get("Content-Type", ""))
            if media_type not in HTML_TYPES | FEED_TYPES:
                raise ImportFailure(
                    f"{name}: not a web page or feed (content type {media_type or 'not given'})"
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ImportFailure(
                    f"{name}: {size_label(int(declared))}, over the {size_label(max_bytes)} limit"
                )
            data = _read_limited(response, name, timeout=timeout, max_bytes=max_bytes)
            return FetchedPage(url=response.url or url, media_type=media_type, charset=charset, data=data)
    except requests.exceptions.Timeout:
        raise ImportFailure(f"{name}: no answer within {timeout:g} seconds") from None
    except requests.exceptions.SSLError:
        raise ImportFailure(f"{name}: the site's TLS certificate could not be verified") from None
    except requests.exceptions.ConnectionError:
        raise ImportFailure(
            f"{name}: could not connect to {parsed.hostname} (host unreachable or refused)"
        ) from None
    except requests.exceptions.TooManyRedirects:
        raise ImportFailure(
            f"{name}: too many redirects (the site kept sending the request elsewhere); open the address in "
            "a browser and import the address of the page it ends on"
        ) from None
    except requests.exceptions.InvalidSchema:
        raise ImportFailure(
            f"{name}: the site redirected to an address that is not http:// or https://, which cannot be "
            "fetched; open it in a browser and import the article's own web address, or a saved copy"
        ) from None
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema):
        raise ImportFailure(
            f"{name}: the address (or one the site redirected to) is not a valid web address; check it "
            "and import it again"
        ) from None
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
        raise ImportFailure(
            f"{name}: the download broke off or arrived garbled; try again later, or save the page in a "
            "browser and import the file"
        ) from None
    except requests.exceptions.RequestException:
        raise ImportFailure(
            f"{name}: could not be fetched (the connection failed); try again later, or save the page in "
            "a browser and import the file"
        ) from None
    finally:
        session.close()


class PublicAddressesOnly(HTTPAdapter):
    """A transport adapter that checks every request it sends (the first one and each redirect)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def send(self, request: requests.PreparedRequest, *args, **kwargs) -> requests.Response:
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


def _read_limited(response: requests.Response, name: str, *, timeout: float, max_bytes: int) -> bytes:
    deadline = time.monotonic() + timeout
    received = bytearray()
    for chunk in response.iter_content(CHUNK_BYTES):
        received.extend(chunk)
        if len(received) > max_bytes:
            raise ImportFailure(f"{name}: larger than the {size_label(max_bytes)} limit (stopped reading)")
        if time.monotonic() > deadline:
            raise ImportFailure(f"{name}: the download took longer than {timeout:g} seconds")
    return bytes(received)


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset
