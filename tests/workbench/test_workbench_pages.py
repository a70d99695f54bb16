"""The reading pages: story list, workspace panes and filters, an article's text, import, re-run analysis."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article, ImportBatch, ImportItem, Mention, Sentence, Story
from briefs.models import Brief
from tests.workbench.wb_factories import build_story, draft_brief

PARTIAL = {"HTTP_HX_REQUEST": "true"}


def test_story_list_shows_counts_states_and_last_change(editor_client, built):
    draft_brief(built)
    Story.objects.create(title="Empty story", slug="empty")
    html = editor_client.get(reverse("story_list")).content.decode()
    row = html[html.index(built.story.title) :]
    row = row[: row.index("</tr>")]
    assert "<td>3</td>" in row  # articles
    assert row.count("<td>3</td>") == 2  # and outlets
    assert "analysed" in row and "Draft" in row and "v3" in row
    assert "no articles" in html


def test_story_list_search(editor_client, built):
    Story.objects.create(title="Flooding in the north", slug="floods")
    html = editor_client.get(reverse("story_list") + "?q=flood").content.decode()
    assert "Flooding in the north" in html and built.story.title not in html
    fragment = editor_client.get(
        reverse("story_list") + "?q=flood", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-table"
    )
    assert fragment.content.decode().lstrip().startswith('<div id="story-table"')


def test_editor_creates_a_story_and_lands_on_import(editor_client, accounts, db):
    response = editor_client.post(reverse("story_create"), {"title": "Wildfire  near the coast"})
    story = Story.objects.get(title="Wildfire near the coast")
    assert response["Location"] == reverse("story_import", args=[story.slug])
    assert story.slug == "wildfire-near-the-coast" and story.created_by == accounts["editor"]
    editor_client.post(reverse("story_create"), {"title": "Wildfire near the coast"})
    assert Story.objects.filter(slug="wildfire-near-the-coast-2").exists()
    assert not Brief.objects.filter(story=story).exists()  # the first edit of the brief makes it


def test_story_called_new_does_not_shadow_the_create_address(editor_client, db):
    editor_client.post(reverse("story_create"), {"title": "New"})
    story = Story.objects.get(title="New")
    assert story.slug == "new-2"
    assert editor_client.get(story.get_absolute_url()).status_code == 200


def test_story_without_title_is_refused(editor_client, db):
    response = editor_client.post(reverse("story_create"), {"title": "  "}, follow=True)
    assert "needs a title" in response.content.decode()
    assert not Story.objects.exists()


def test_workspace_has_three_panes(editor_client, built):
    html = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    for pane in ('id="sources-pane"', 'id="claims-pane"', 'id="brief-pane"'):
        assert pane in html
    for article in built.articles:
        assert article.title in html and article.outlet.name in html
    assert built.sentences[0][0].text in html  # the lexrank summary
    assert "Start from the candidate brief (3 sentences)" in html
    assert "Melanie Krause" in html  # entity sidebar
    assert "7,000" in html and "700" in html and "Discrepancy (number)" in html
    assert "25%" in html  # overlap matrix


@pytest.mark.parametrize(
    "claim_filter,shown,hidden",
    [
        ("agreed", ["agreed", "disputed"], ["unique"]),
        ("unique", ["unique"], ["agreed", "disputed"]),
        ("discrepancies", ["disputed"], ["agreed", "unique"]),
    ],
)
def test_claim_filters(editor_client, built, claim_filter, shown, hidden):
    response = editor_client.get(
        reverse("story_detail", args=[built.story.slug]) + f"?filter={claim_filter}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="claims-pane",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claims-pane"') and 'id="sources-pane"' not in html
    for key in shown:
        assert f'id="claim-{built.claims[key].pk}"' in html
    for key in hidden:
        assert f'id="claim-{built.claims[key].pk}"' not in html


def test_entity_filter(editor_client, built):
    html = editor_client.get(
        reverse("story_detail", args=[built.story.slug]) + f"?entity={built.entity.pk}"
    ).content.decode()
    assert f'id="claim-{built.claims["agreed"].pk}"' in html
    assert f'id="claim-{built.claims["unique"].pk}"' not in html
    assert "Mentioning <strong>Melanie Krause</strong>" in html


def test_summary_algorithm_selector(editor_client, built):
    html = editor_client.get(
        reverse("story_detail", args=[built.story.slug]) + "?algorithm=lsa",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="sources-pane",
    ).content.decode()
    assert html.lstrip().startswith('<section id="sources-pane"')
    assert "No lsa summary yet." in html
    assert '<option value="lsa" selected>' in html


def test_article_text_is_escaped_and_mentions_highlighted(editor_client, built):
    body = "<script>alert('x')</script> Melanie Krause & co. resigned. Second <b>sentence</b> here."
    article = Article.objects.create(
        story=built.story, title="<i>Hostile</i>", body=body, content_hash="x" * 64, source_format="html"
    )
    first_end = body.index("resigned.") + len("resigned.")
    first = Sentence.objects.create(article=article, index=0, start=0, end=first_end, text=body[:first_end])
    Sentence.objects.create(
        article=article, index=1, start=first_end + 1, end=len(body), text=body[first_end + 1 :]
    )
    start = body.index("Melanie")
    Mention.objects.create(
        article=article,
        entity=built.entity,
        start=start,
        end=start + 14,
        text="Melanie Krause",
        label="PERSON",
    )
    url = reverse("article_text", args=[built.story.slug, article.pk])
    html = editor_client.get(url, **PARTIAL).content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert (
        '<mark class="entity entity-person" title="Melanie Krause (PERSON)">Melanie Krause</mark> &amp; co.'
        in html
    )
    assert f'name="sentence" value="{first.pk}"' in html
    page = editor_client.get(url).content.decode()
    assert "<html" in page and "&lt;i&gt;Hostile&lt;/i&gt;" in page


def test_article_of_another_story_is_not_found(editor_client, built):
    other = build_story(slug="other", title="Other")
    assert (
        editor_client.get(reverse("article_text", args=[built.story.slug, other.articles[0].pk])).status_code
        == 404
    )


def test_import_form_validates_and_names_the_field(editor_client, built):
    response = editor_client.post(
        reverse("story_import", args=[built.story.slug]), {"url": "ftp://example.org/x"}
    )
    assert response.status_code == 422
    assert (
        "Web page URL" in response.content.decode() and "not an http(s) address" in response.content.decode()
    )
    empty = editor_client.post(reverse("story_import", args=[built.story.slug]), {})
    assert empty.status_code == 422 and "Nothing to import" in empty.content.decode()


def test_import_creates_a_batch_and_shows_its_report(editor_client, built, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles import jobs

    queued = []
    monkeypatch.setattr(jobs, "enqueue_import", lambda batch: queued.append(batch.pk))
    files = [
        SimpleUploadedFile("one.txt", b"Title one\n\nBody one.", content_type="text/plain"),
        SimpleUploadedFile("two.md", b"# Title two\n\nBody two.", content_type="text/markdown"),
    ]
    response = editor_client.post(
        reverse("story_import", args=[built.story.slug]),
        {
            "files": files,
            "pasted": "Pasted body.",
            "url": "https://example.org/a",
            "feed_url": "https://example.org/f",
        },
    )
    batch = ImportBatch.objects.get(story=built.story)
    assert response["Location"] == reverse("import_batch", args=[built.story.slug, batch.pk])
    assert queued == [batch.pk]
    items = list(batch.items.order_by("position"))
    assert [i.source for i in items] == [
        "one.txt",
        "two.md",
        "Pasted text",
        "https://example.org/a",
        "https://example.org/f",
    ]
    assert [i.format_hint for i in items][2:] == ["paste", "url", "feed"]

    report = editor_client.get(reverse("import_batch", args=[built.story.slug, batch.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in report and "one.txt" in report
    ImportItem.objects.filter(batch=batch, position=0).update(
        status="failed", message="one.txt: no text found"
    )
    ImportItem.objects.filter(batch=batch).exclude(position=0).update(status="imported")
    ImportBatch.objects.filter(pk=batch.pk).update(finished=batch.created)
    report = editor_client.get(
        reverse("import_batch", args=[built.story.slug, batch.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="batch-report",
    ).content.decode()
    assert report.lstrip().startswith('<section id="batch-report"') and "every 2s" not in report
    assert "one.txt: no text found" in report and "Failed: 1" in report and "Imported: 4" in report


def test_rerun_analysis_queues_every_article(editor_client, built, monkeypatch):
    from articles import jobs

    calls = []
    monkeypatch.setattr(
        jobs,
        "enqueue_analysis",
        lambda a, algorithm=None, force=False: calls.append((a.pk, algorithm, force)),
    )
    response = editor_client.post(
        reverse("story_rerun_analysis", args=[built.story.slug]), {"algorithm": "lsa"}, follow=True
    )
    assert sorted(calls) == sorted((a.pk, "lsa", True) for a in built.articles)
    assert "Analysis queued again for 3 articles with lsa." in response.content.decode()
    refused = editor_client.post(
        reverse("story_rerun_analysis", args=[built.story.slug]), {"algorithm": "magic"}, follow=True
    )
    assert "not a summary algorithm" in refused.content.decode() and len(calls) == 3


def test_story_list_queries_do_not_grow_with_stories(editor_client, built, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as few:
        editor_client.get(reverse("story_list"))
    for n in range(4):
        draft_brief(build_story(slug=f"s{n}", title=f"Story {n}"))
    with django_assert_max_num_queries(10) as more:
        editor_client.get(reverse("story_list"))
    assert len(more.captured_queries) == len(few.captured_queries)
