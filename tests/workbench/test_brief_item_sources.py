"""An item's sources as the editor sees them: the attach list names each article's outlet (or its URL's
host), and a source attached by mistake can be detached again, as a revision of its own."""

from __future__ import annotations

import re

from django.urls import reverse

from articles.models import Article
from briefs.models import BriefItem, Revision
from briefs.services import brief_add_claim, brief_add_own_item, brief_get_or_create

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "brief-pane"}


def _url(name, built, *args):
    return reverse(name, args=[built.story.slug, *args])


def _attach_options(html: str, item_pk: int) -> list[str]:
    select = re.search(rf'<select id="attach-{item_pk}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", o).strip() for o in re.findall(r'<option value="\d+">(.*?)</option>', select)]


def test_attach_list_names_the_host_of_an_article_without_outlet(editor_client, built):
    Article.objects.filter(pk=built.articles[1].pk).update(
        outlet=None, url="https://www.harbour-gazette.example/fire"
    )
    item = brief_add_own_item(brief_get_or_create(built.story), text="My own line.", user=None)

    page = editor_client.get(built.story.get_absolute_url()).content.decode()
    edit_form = editor_client.get(_url("brief_edit_item", built, item.pk), HTTP_HX_REQUEST="true")

    for html in (page, edit_form.content.decode()):
        options = _attach_options(html, item.pk)
        assert options[1].startswith("harbour-gazette.example: ")
        assert options[0].startswith("Outlet A: ") and options[2].startswith("Outlet C: ")
        assert not any("Unknown outlet" in o for o in options)


def test_a_source_can_be_detached_and_the_history_records_it(editor_client, built):
    brief = brief_get_or_create(built.story)
    item = brief_add_claim(brief, built.claims["agreed"], user=None)  # Outlets A and B, a sentence each
    form = editor_client.get(_url("brief_edit_item", built, item.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-label="Detach Outlet B from item 1"' in form
    # The attach list offers only the articles the item does not cite yet.
    assert "Outlet C: " in form and "Outlet A: " not in form

    response = editor_client.post(
        _url("brief_detach_source", built, item.pk),
        {"article": built.articles[1].pk, "version": 1, "item_version": item.version},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="brief-pane"')
    assert "Outlet B detached from item 1." in html
    badges = re.findall(r'<a class="badge outlet"[^>]*>([^<]+)</a>', html)
    assert badges == ["Outlet A"]
    item = BriefItem.objects.get(pk=item.pk)
    assert [a.pk for a in item.articles.all()] == [built.articles[0].pk]
    assert {s.article_id for s in item.sentences.all()} == {built.articles[0].pk}
    revision = Revision.objects.get(brief__story=built.story, number=2)
    assert revision.action == "Detached Outlet B from item 1"
    assert [s["outlet"] for s in revision.snapshot["items"][0]["sources"]] == ["Outlet A"]


def test_detaching_the_last_source_leaves_the_item_unsourced(editor_client, built):
    brief = brief_get_or_create(built.story)
    item = brief_add_claim(brief, built.claims["unique"], user=None)
    response = editor_client.post(
        _url("brief_detach_source", built, item.pk),
        {"article": built.articles[2].pk, "version": 1, "item_version": item.version},
        **HTMX,
    )
    html = response.content.decode()
    assert re.search(r"<li class=\"brief-item unsourced\"", html)
    assert not BriefItem.objects.get(pk=item.pk).articles.exists()


def test_detaching_a_source_the_item_does_not_cite_records_nothing(editor_client, built):
    item = brief_add_claim(brief_get_or_create(built.story), built.claims["unique"], user=None)
    response = editor_client.post(
        _url("brief_detach_source", built, item.pk),
        {"article": built.articles[0].pk, "version": 1, "item_version": item.version},
        **HTMX,
    )
    assert "Nothing to detach: Outlet A is not a source of this item." in response.content.decode()
    assert Revision.objects.filter(brief__story=built.story).count() == 1


def test_detaching_from_an_item_a_colleague_changed_is_refused(editor_client, built):
    brief = brief_get_or_create(built.story)
    item = brief_add_claim(brief, built.claims["agreed"], user=None)
    seen_version = item.version
    editor_client.post(
        _url("brief_edit_item", built, item.pk),
        {"text": "Krause quits.", "version": 1, "item_version": seen_version},
        **HTMX,
    )
    response = editor_client.post(
        _url("brief_detach_source", built, item.pk),
        {"article": built.articles[1].pk, "version": 1, "item_version": seen_version},
        **HTMX,
    )
    assert response.status_code == 409
    assert "Not saved." in response.content.decode()
    assert BriefItem.objects.get(pk=item.pk).articles.count() == 2


def test_detach_without_javascript_redirects_with_the_message(editor_client, built):
    item = brief_add_claim(brief_get_or_create(built.story), built.claims["agreed"], user=None)
    response = editor_client.post(
        _url("brief_detach_source", built, item.pk),
        {"article": built.articles[0].pk, "version": 1, "item_version": item.version},
        follow=True,
    )
    assert response.redirect_chain[0][0] == built.story.get_absolute_url() + "#brief-pane"
    assert "Outlet A detached from item 1." in response.content.decode()
