"""Publishing, the public page, the Atom feed, history with word diff and restore, and the exports."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.urls import reverse

from briefs.models import Brief, Publication
from briefs.services import brief_edit_item, brief_publish
from tests.workbench.wb_factories import draft_brief

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "brief-pane"}


def test_publish_freezes_a_revision_at_a_public_permalink(chief_client, accounts, built):
    draft_brief(built)
    response = chief_client.post(reverse("brief_publish", args=[built.story.slug]), {"version": 3}, **HTMX)
    assert response.status_code == 200 and "Published revision 3" in response.content.decode()
    publication = Publication.objects.get()
    assert publication.published_by == accounts["chief"] and publication.revision.number == 3

    page = Client().get(reverse("public_brief", args=[built.story.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Krause resigns" in html and "The acting commissioner leaves." in html
    assert built.claims["agreed"].text in html
    # Numbered citations link to the sources, which show outlet, title and URL.
    assert re.search(r'<a class="cite" href="#source-1"[^>]*>\[1\]</a>', html)
    assert 'id="source-1"' in html and 'id="source-3"' in html
    first = built.articles[0]
    assert first.outlet.name in html and first.title in html and f'href="{first.url}"' in html
    assert f'Published <time datetime="{publication.published_at.isoformat()}' in html


def test_edits_after_publishing_stay_private_until_republished(chief_client, built):
    brief = draft_brief(built)
    brief_publish(brief, user=None, expected_version=3)
    item = brief.items.first()
    brief_edit_item(brief, item.pk, text="A later wording.", user=None, expected_version=3)
    public = Client().get(reverse("public_brief", args=[built.story.slug])).content.decode()
    assert "A later wording." not in public
    pane = chief_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert "changes not published" in pane and "Publish changes" in pane
    chief_client.post(reverse("brief_publish", args=[built.story.slug]), {"version": 4}, **HTMX)
    public = Client().get(reverse("public_brief", args=[built.story.slug])).content.decode()
    assert "A later wording." in public
    assert Publication.objects.count() == 2
    assert Publication.objects.filter(unpublished_at__isnull=True).count() == 1


def test_unpublish_and_republish_keep_the_history(chief_client, built):
    brief = draft_brief(built)
    brief_publish(brief, user=None, expected_version=3)
    response = chief_client.post(reverse("brief_unpublish", args=[built.story.slug]), {"version": 3}, **HTMX)
    assert response.status_code == 200 and "Unpublished" in response.content.decode()
    gone = Client().get(reverse("public_brief", args=[built.story.slug]))
    assert gone.status_code == 410 and "was unpublished" in gone.content.decode()
    assert Brief.objects.get(pk=brief.pk).state == "draft"
    chief_client.post(reverse("brief_publish", args=[built.story.slug]), {"version": 3}, **HTMX)
    assert Client().get(reverse("public_brief", args=[built.story.slug])).status_code == 200
    history = chief_client.get(reverse("brief_history", args=[built.story.slug])).content.decode()
    assert history.count("Revision 3 published") == 2 and "unpublished" in history


def test_never_published_is_not_found(built):
    assert Client().get(reverse("public_brief", args=[built.story.slug])).status_code == 404


def test_publishing_an_empty_brief_is_refused(chief_client, built):
    response = chief_client.post(reverse("brief_publish", args=[built.story.slug]), {"version": 0}, **HTMX)
    assert response.status_code == 422
    assert "Nothing to publish" in response.content.decode()
    assert not Publication.objects.exists()


def test_publishing_a_stale_version_is_refused(chief_client, built):
    draft_brief(built)
    response = chief_client.post(reverse("brief_publish", args=[built.story.slug]), {"version": 2}, **HTMX)
    assert response.status_code == 409
    assert not Publication.objects.exists()


def test_atom_feed_lists_live_publications_only(built):
    from tests.workbench.wb_factories import build_story

    brief = draft_brief(built)
    brief_publish(brief, user=None, expected_version=3)
    feed = Client().get(reverse("published_feed"))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "<feed" in body and "Krause resigns" in body
    assert reverse("public_brief", args=[built.story.slug]) in body
    other = build_story(slug="second", title="Second story")
    second = draft_brief(other)
    publication = brief_publish(second, user=None, expected_version=3)
    from briefs.services import brief_unpublish

    brief_unpublish(second, user=None, expected_version=3)
    body = Client().get(reverse("published_feed")).content.decode()
    assert "/published/second/" not in body and publication.pk


def test_history_lists_revisions_and_shows_a_word_diff(editor_client, accounts, built):
    brief = draft_brief(built, user=accounts["editor"])
    item = brief.items.first()
    brief_edit_item(brief, item.pk, text="Krause quits the IRS.", user=accounts["editor"], expected_version=3)
    page = editor_client.get(reverse("brief_history", args=[built.story.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('id="revision-') == 4 and "editor" in html and "Edited item 1" in html
    assert "<ins>" in html and "quits" in html and "<del>" in html
    diff = editor_client.get(
        reverse("brief_history", args=[built.story.slug]) + "?a=1&b=2",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="diff",
    )
    fragment = diff.content.decode()
    assert fragment.lstrip().startswith('<section id="diff"')
    assert re.search(r"<ins>[^<]*Acting IRS Commissioner Melanie Krause will resign", fragment)


def test_restore_an_earlier_revision(editor_client, built):
    brief = draft_brief(built)
    response = editor_client.post(
        reverse("brief_restore", args=[built.story.slug, 2]), {"version": 3}, **HTMX
    )
    assert response.status_code == 200
    brief.refresh_from_db()
    assert brief.version == 4
    assert [i.text for i in brief.items.all()] == [built.claims["agreed"].text]
    assert brief.items.get().articles.count() == 2
    assert brief.revisions.get(number=4).action == "Restored revision 2"


def test_exports_of_a_revision(editor_client, built):
    draft_brief(built)
    base = reverse("brief_export", args=[built.story.slug, 3, "md"])[: -len("3.md")]
    markdown = editor_client.get(base + "3.md")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert 'filename="irs-resigns-r3.md"' in markdown["Content-Disposition"]
    text = markdown.content.decode()
    assert text.startswith("# Krause resigns\n") and "[^1]" in text and f"({built.articles[0].url})" in text

    document = json.loads(editor_client.get(base + "3.json").content)
    assert document["headline"] == "Krause resigns" and document["revision"] == 3
    assert document["items"][0]["sources"] == [1, 2]
    assert (
        document["sources"][0]["outlet"] == "Outlet A"
        and document["sources"][0]["url"] == built.articles[0].url
    )

    html = editor_client.get(base + "3.html").content.decode()
    assert '<h1 class="headline">Krause resigns</h1>' in html and 'href="#source-1"' in html

    earlier = json.loads(editor_client.get(base + "2.json").content)
    assert len(earlier["items"]) == 1
    assert editor_client.get(base + "9.md").status_code == 404
    assert editor_client.get(base + "3.pdf").status_code == 404


def test_exports_escape_markup(editor_client, built):
    from briefs.services import brief_add_own_item

    brief = draft_brief(built)
    brief_add_own_item(brief, text="<script>alert(1)</script> *bold*", user=None, expected_version=3)
    html = editor_client.get(reverse("brief_export", args=[built.story.slug, 4, "html"])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    markdown = editor_client.get(reverse("brief_export", args=[built.story.slug, 4, "md"])).content.decode()
    assert r"\<script\>" in markdown and r"\*bold\*" in markdown
