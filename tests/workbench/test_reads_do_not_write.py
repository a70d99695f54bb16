"""Reading a story writes nothing: a Viewer opening a story whose brief nobody has edited yet leaves no Brief
behind (nor any other row); the brief is made by the first edit."""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse

from briefs.models import Brief, Revision

HTMX = {"HTTP_HX_REQUEST": "true"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("articles", "briefs")
        for model in apps.get_app_config(app).get_models()
    }


def test_a_viewer_reads_every_page_of_a_story_without_a_brief_and_nothing_is_written(viewer_client, built):
    slug = built.story.slug
    article = built.articles[0]
    before = row_counts()
    assert before["briefs.Brief"] == 0

    workspace = viewer_client.get(reverse("story_detail", args=[slug]))
    assert workspace.status_code == 200
    html = workspace.content.decode()
    assert 'id="brief-pane"' in html and "version 0" in html
    assert built.claims["agreed"].text in html

    for target in ("claims-pane", "sources-pane"):
        pane = viewer_client.get(reverse("story_detail", args=[slug]), HTTP_HX_TARGET=target, **HTMX)
        assert pane.status_code == 200 and f'id="{target}"' in pane.content.decode()
    pane = viewer_client.get(reverse("brief_pane", args=[slug]), **HTMX)
    assert pane.status_code == 200 and 'id="brief-pane"' in pane.content.decode()

    text = viewer_client.get(reverse("article_text", args=[slug, article.pk]))
    assert text.status_code == 200 and article.title in text.content.decode()

    history = viewer_client.get(reverse("brief_history", args=[slug]))
    assert history.status_code == 200 and built.story.title in history.content.decode()

    # There is no revision to export yet: a plain "not found", not an error and not a new brief.
    assert viewer_client.get(reverse("brief_export", args=[slug, 1, "md"])).status_code == 404

    assert Brief.objects.count() == 0
    assert row_counts() == before


def test_the_first_edit_makes_the_brief_at_version_1_under_the_editor(editor_client, accounts, built):
    slug = built.story.slug
    editor_client.get(reverse("story_detail", args=[slug]))
    assert not Brief.objects.exists()

    response = editor_client.post(
        reverse("brief_add_claim", args=[slug]), {"claim": built.claims["agreed"].pk, "version": 0}, **HTMX
    )

    assert response.status_code == 200 and "version 1" in response.content.decode()
    brief = Brief.objects.get(story=built.story)
    assert (brief.version, brief.updated_by) == (1, accounts["editor"])
    revision = Revision.objects.get(brief=brief)
    assert (revision.number, revision.author) == (1, accounts["editor"])
