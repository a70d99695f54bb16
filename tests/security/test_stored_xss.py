"""Stored XSS: script planted in every field a user or a source controls renders inert everywhere it appears.

Each payload carries a marker; a page must show the marker (so the field was really rendered there) and
contain no live markup: no <script> other than our static files, no on*= or hx-on attribute, no javascript:
URL, no element the payload tried to create.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from articles.importing import ImportSource, create_import_batch, run_import_batch
from articles.models import Article, Discrepancy, Entity, ImportBatch, Mention, Outlet, Summary
from briefs.models import Brief
from briefs.presentation import cite, snapshot_markdown
from briefs.services import brief_get_or_create
from tests.security.conftest import PASSWORD
from tests.security.inert import is_script_url, live_markup
from tests.workbench.wb_factories import DEFAULT_TEXTS, build_story


def script(marker: str) -> str:
    return f'<script>alert("{marker}")</script>'


def img(marker: str) -> str:
    return f'<img src=x onerror=alert("{marker}")>'


def attribute_breakout(marker: str) -> str:
    return f'" onmouseover="alert(\'{marker}\')" data-x="'


def js_url(marker: str) -> str:
    return f"javascript:alert('{marker}')"


POISONED_TEXTS = [
    (
        f"Chief {script('article-title')} resigns",
        f"Acting IRS Commissioner Melanie Krause will resign {img('body')} the Treasury said on Tuesday. "
        f"The agency signed a deal {attribute_breakout('body-attr')} in April.\n"
        "Critics said the deal put taxpayer privacy at risk. Krause had led the agency since February.",
    ),
    *DEFAULT_TEXTS[1:],  # the rest of the story is the ordinary fixture text
]

HTML_IMPORT = f"""<!DOCTYPE html><html><head>
<title>Harbour council approves the new ferry budget</title>
<script>alert("import-head-script")</script></head>
<body><article><h1>Harbour council {script("import-title").replace("<", "&lt;").replace(">", "&gt;")}</h1>
<p>The harbour council approved the ferry budget on Monday after a long debate about costs and routes.
<script>alert("import-body-script")</script></p>
<p>Councillors said the new route would open in spring <img src=x onerror=alert("import-img")> and serve
three islands. <a href="javascript:alert('import-link')">Read more</a> about the plan.</p>
<p>Residents wrote {img("import-text").replace("<", "&lt;").replace(">", "&gt;")} in their letters to
the council, asking for a later last ferry on weekdays and more space for bicycles on board.</p>
</article></body></html>"""


@pytest.fixture
def poisoned(newsroom):
    """A story whose every editable field carries a payload, edited and published through the views."""
    built = build_story(slug="poisoned", title=f"Story {script('story-title')}", texts=POISONED_TEXTS)
    story, first = built.story, built.articles[0]
    Outlet.objects.filter(pk=first.outlet_id).update(name=f"Outlet {img('outlet')}")
    Article.objects.filter(pk=first.pk).update(url=js_url("article-url"), byline=script("byline"))
    Summary.objects.filter(article=first).update(text=f"Summary {script('summary')}")
    Entity.objects.filter(pk=built.entity.pk).update(name=f"Krause {attribute_breakout('entity')}")
    start = first.body.index("<img")
    evil_entity = Entity.objects.create(story=story, name=img("entity-name"), label="ORG", mention_count=1)
    Mention.objects.create(
        article=first,
        entity=evil_entity,
        start=start,
        end=first.body.index(">", start) + 1,
        text="x",
        label="ORG",
    )
    Discrepancy.objects.filter(claim__story=story).update(value_a=script("discrepancy"))

    editor = newsroom.client("editor")
    brief = brief_get_or_create(story)
    slug = story.slug

    def post(name: str, data: dict, *args) -> None:
        data = data | {"version": brief_get_or_create(story).version}
        response = editor.post(reverse(name, args=[slug, *args]), data)
        assert response.status_code == 302, (name, response.status_code)

    post("brief_header", {"headline": f"Headline {script('headline')}", "standfirst": img("standfirst")})
    post("brief_add_claim", {"claim": built.claims["agreed"].pk})
    post("brief_add_own", {"text": f"Own {attribute_breakout('own')} {js_url('own-url')}"})
    own = brief.items.order_by("-position").first()
    post("brief_add_own", {"text": "Will be edited"})
    edited = brief.items.order_by("-position").first()
    post("brief_edit_item", {"text": f"Edited {script('edited')}"}, edited.pk)
    post("brief_attach_source", {"article": first.pk}, own.pk)
    chief = newsroom.client("chief")
    published = chief.post(
        reverse("brief_publish", args=[slug]),
        {"version": brief_get_or_create(story).version, "confirm_warnings": "yes"},
    )
    assert published.status_code == 302
    return built


def brief_of(story) -> Brief:
    return Brief.objects.get(story=story)


def assert_inert(html: str, where: str, markers: list[str]) -> None:
    problems = live_markup(html)
    assert not problems, f"{where}: live markup:\n" + "\n".join(problems)
    missing = [m for m in markers if m not in html]
    assert not missing, f"{where}: the payloads {missing} were not rendered at all, so this proves nothing"


def test_workspace_story_list_and_fragments(poisoned, newsroom):
    story = poisoned.story
    client = newsroom.client("editor")
    pages = {
        "story list": (reverse("story_list"), {}, ["story-title"]),
        "workspace": (
            story.get_absolute_url(),
            {},
            ["story-title", "article-title", "outlet", "byline", "summary", "body", "entity", "discrepancy"]
            + ["headline", "standfirst", "own", "edited"],
        ),
        "claims pane (htmx)": (
            story.get_absolute_url() + f"?entity={poisoned.entity.pk}",
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "claims-pane"},
            ["body", "outlet"],
        ),
        "brief pane (htmx)": (
            reverse("brief_pane", args=[story.slug]),
            {"HTTP_HX_REQUEST": "true"},
            ["headline", "standfirst", "own", "edited"],
        ),
        "claim evidence": (
            reverse("claim_evidence", args=[story.slug, poisoned.claims["agreed"].pk]),
            {},
            ["story-title", "article-title", "outlet", "body"],
        ),
        "claim evidence with a discrepancy (htmx)": (
            reverse("claim_evidence", args=[story.slug, poisoned.claims["disputed"].pk]),
            {"HTTP_HX_REQUEST": "true"},
            ["discrepancy"],
        ),
        "item edit form": (
            reverse(
                "brief_edit_item", args=[story.slug, brief_of(story).items.order_by("position").last().pk]
            ),
            {},
            ["edited"],
        ),
    }
    for where, (path, headers, markers) in pages.items():
        response = client.get(path, **headers)
        assert response.status_code == 200, where
        assert_inert(response.content.decode(), where, markers)


def test_full_text_with_mentions_highlighted(poisoned, newsroom):
    story, article = poisoned.story, poisoned.articles[0]
    client = newsroom.client("viewer")
    path = reverse("article_text", args=[story.slug, article.pk])
    for where, headers in (("article page", {}), ("article text (htmx)", {"HTTP_HX_REQUEST": "true"})):
        html = client.get(path, **headers).content.decode()
        assert 'class="entity entity-org"' in html, "the mention is highlighted"
        assert_inert(html, where, ["body", "body-attr", "entity-name", "entity"])


def test_history_diff(poisoned, newsroom):
    story = poisoned.story
    client = newsroom.client("viewer")
    newest = brief_of(story).version
    html = client.get(reverse("brief_history", args=[story.slug]), {"a": 1, "b": newest}).content.decode()
    assert_inert(html, "history diff", ["edited", "own", "body"])
    fragment = client.get(
        reverse("brief_history", args=[story.slug]),
        {"a": 1, "b": newest},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="diff",
    ).content.decode()
    assert_inert(fragment, "history diff (htmx)", ["edited"])


def test_public_page_index_and_html_export(poisoned, newsroom):
    story = poisoned.story
    anonymous = newsroom.client("anonymous")
    public = anonymous.get(reverse("public_brief", args=[story.slug])).content.decode()
    assert_inert(public, "public page", ["headline", "standfirst", "own", "edited", "body", "outlet"])
    assert_inert(anonymous.get(reverse("public_index")).content.decode(), "public index", ["headline"])
    export = newsroom.client("viewer").get(
        reverse("brief_export", args=[story.slug, brief_of(story).version, "html"])
    )
    assert_inert(export.content.decode(), "HTML export", ["headline", "standfirst", "edited", "outlet"])


def test_citation_links_are_only_http(poisoned, newsroom):
    """The first article's stored URL is javascript:; its citation names it without linking it."""
    story = poisoned.story
    html = newsroom.client("anonymous").get(reverse("public_brief", args=[story.slug])).content.decode()
    assert "Outlet" in html and "article-url" not in html.split('href="')[-1]
    snapshot = brief_of(story).revisions.order_by("-number").first().snapshot
    urls = [source.url for source in cite(snapshot).sources]
    assert urls and all(url == "" or url.startswith(("http://", "https://")) for url in urls)
    assert not any(is_script_url(url) for url in urls)
    assert "](javascript:" not in snapshot_markdown(snapshot).replace(" ", "")


def test_atom_feed_is_inert_for_feed_readers(poisoned, newsroom):
    """The feed is XML; a reader renders each summary (type="html") as HTML, so it must be escaped HTML."""
    response = newsroom.client("anonymous").get(reverse("published_feed"))
    root = ET.fromstring(response.content)  # noqa: S314 - the feed this test just generated
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(e for e in root.iter(f"{atom}entry") if "headline" in (e.findtext(f"{atom}title") or ""))
    title = entry.find(f"{atom}title")
    assert title.get("type", "text") == "text", "the title is shown as text, not markup"
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "html"
    assert_inert(summary.text, "feed summary as a reader renders it", ["standfirst", "edited", "own"])


def test_html_import_through_the_real_importer(newsroom):
    story = newsroom.draft_story
    batch = create_import_batch(story, [ImportSource(name="evil.html", data=HTML_IMPORT.encode())])
    run_import_batch(batch.pk)
    item = batch.items.get()
    assert item.article is not None, item.message
    article = item.article
    for dropped in ("import-head-script", "import-body-script", "import-img", "import-link"):
        assert dropped not in article.body + article.title, f"the {dropped} element was not dropped"
    assert "<" not in article.title, "the title is one plain line, markup removed"
    client = newsroom.client("viewer")
    page = client.get(reverse("article_text", args=[story.slug, article.pk])).content.decode()
    assert_inert(page, "article page", ["import-title", "import-text"])
    assert_inert(client.get(story.get_absolute_url()).content.decode(), "workspace", ["Harbour council"])


def test_file_names_and_import_reports_are_inert(newsroom):
    story = newsroom.draft_story
    editor = newsroom.client("editor")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{img('file-name')}.txt", b"", content_type="text/plain")
    response = editor.post(reverse("story_import", args=[story.slug]), {"files": [upload]})
    assert response.status_code in (302, 422)
    batch = ImportBatch.objects.filter(story=story).order_by("-pk").first()
    run_import_batch(batch.pk)
    html = editor.get(reverse("import_batch", args=[story.slug, batch.pk])).content.decode()
    assert_inert(html, "import report", ["file-name"])
    jobs = editor.get(reverse("story_jobs", args=[story.slug])).content.decode()
    assert not live_markup(jobs)


def test_login_page_echoes_a_username_inert(newsroom):
    client = newsroom.client("anonymous")
    response = client.post(reverse("login"), {"username": script("username"), "password": PASSWORD})
    assert_inert(response.content.decode(), "login form", ["username"])
