"""Import test fixtures: a story, a stand-in for the job queue, distinct texts, a local web server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from articles import jobs
from articles.importing import ImportSource, create_import_batch
from articles.models import ImportItem, Story

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


@dataclass
class QueuedJobs:
    imports: list[int] = field(default_factory=list)
    analyses: list[int] = field(default_factory=list)
    syntheses: list[int] = field(default_factory=list)  # story ids asked about (maybe_enqueue_synthesis)


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> QueuedJobs:
    """Records what the pipeline (articles.jobs) queued for the import; no analysis runs in these tests."""
    calls = QueuedJobs()
    monkeypatch.setattr(jobs, "enqueue_import", lambda batch: calls.imports.append(batch.pk))

    def enqueue_analysis(article, algorithm=None, force=False):
        calls.analyses.append(article.pk)

    monkeypatch.setattr(jobs, "enqueue_analysis", enqueue_analysis)
    monkeypatch.setattr(jobs, "maybe_enqueue_synthesis", lambda story_id: calls.syntheses.append(story_id))
    return calls


@pytest.fixture
def story(db) -> Story:
    return Story.objects.create(title="Test story", slug="test-story")


def import_sources(story: Story, sources: list[ImportSource]) -> list[ImportItem]:
    batch = create_import_batch(story, sources)
    jobs.import_now(batch.pk)  # as the import command runs it
    return list(batch.items.select_related("article", "article__outlet").order_by("position", "entry"))


def import_file(
    story: Story, name: str, data: bytes | str, format_hint: str | None = None
) -> list[ImportItem]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return import_sources(story, [ImportSource(name=name, data=raw, format_hint=format_hint)])


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- A local web server ------------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    stream_bytes: int = 0  # send this many bytes in chunks, without a Content-Length header
    delay: float = 0.0  # wait this long before answering


@dataclass
class LocalSite:
    base: str
    routes: dict[str, Route]

    def add(self, path: str, body: bytes | str = b"", **options) -> str:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(raw, **options)
        return self.base + path


@pytest.fixture
def site(settings) -> Iterator[LocalSite]:
    """An http.server on 127.0.0.1 in a thread, serving whatever a test adds.

    Fetching from 127.0.0.1 needs IMPORT_ALLOW_PRIVATE_URLS (off in production); these tests turn it on.
    """
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    routes: dict[str, Route] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.stream_bytes:
                self.end_headers()
                chunk = b"<p>" + b"x" * 8187 + b"</p>\n"
                sent = 0
                try:
                    while sent < route.stream_bytes:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LocalSite(base=f"http://127.0.0.1:{server.server_address[1]}", routes=routes)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url(settings) -> str:
    """An address on this machine where nothing listens (private addresses allowed, as for `site`)."""
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/article"


def html_page(title: str, text: str, *, site_name: str = "", author: str = "", date: str = "") -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    meta = ""
    if site_name:
        meta += f'<meta property="og:site_name" content="{site_name}">'
    if author:
        meta += f'<meta name="author" content="{author}">'
    if date:
        meta += f'<meta property="article:published_time" content="{date}">'
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{meta}<script>var ads = 1;</script></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>Copyright footer text</footer></body></html>"
    )
