"""Sources people can name: what an article's outlet reads as, and how the story list counts outlets."""

from __future__ import annotations

import hashlib
import re

from django.urls import reverse

from articles.models import Article, Outlet, Story


def _article(story: Story, n: int, **fields) -> Article:
    defaults = {
        "title": f"Headline number {n}",
        "body": f"Body {n}.",
        "content_hash": hashlib.sha256(f"{story.pk}:{n}".encode()).hexdigest(),
        "source_format": "text",
        "source_name": f"seeds/00{n}_062758445608dbed.txt",
    }
    return Article.objects.create(story=story, **{**defaults, **fields})


def _outlets_cell(html: str, title: str) -> str:
    row = re.search(rf"<tr>\s*<td><a [^>]*>{re.escape(title)}</a></td>(.*?)</tr>", html, re.S).group(1)
    return re.sub(r"\s+", " ", re.findall(r"<td>(.*?)</td>", row, re.S)[1]).strip()


def test_an_article_without_outlet_never_reads_as_its_file_name_or_headline(db):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    from_file = _article(story, 1)
    from_web = _article(story, 2, url="https://www.harbour-gazette.example/fire")
    named = _article(story, 3, outlet=Outlet.objects.create(name="Harbour Gazette"))

    assert from_file.source_label == "Unknown outlet"
    assert from_web.source_label == "harbour-gazette.example"
    assert named.source_label == "Harbour Gazette"
    # Two articles of unknown outlets are two sources; two of one outlet, one.
    assert from_file.source_key != from_web.source_key
    assert _article(story, 4, outlet=named.outlet).source_key == named.source_key


def test_a_javascript_url_gives_no_host(db):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    assert _article(story, 1, url="javascript:alert(1)").source_label == "Unknown outlet"


def test_story_list_counts_named_outlets_and_unknown_ones_as_sources_of_their_own(editor_client):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    gazette = Outlet.objects.create(name="Harbour Gazette")
    first = _article(story, 1, outlet=gazette)
    _article(story, 2, outlet=gazette)  # the same outlet again: still one outlet
    _article(story, 3, outlet=Outlet.objects.create(name="Port News"))
    unknown = _article(story, 4)  # outlet unknown: one more source
    _article(story, 5, near_duplicate_of=first)  # a copy of another article, outlet unknown: not one more
    _article(story, 6, near_duplicate_of=unknown)

    html = editor_client.get(reverse("story_list")).content.decode()

    assert _outlets_cell(html, "Harbour fire").startswith("3 ")
    assert "(1 unknown)" in _outlets_cell(html, "Harbour fire")


def test_story_list_outlets_of_a_story_whose_outlets_are_all_unknown_is_not_zero(editor_client):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    for n in range(1, 4):
        _article(story, n)

    html = editor_client.get(reverse("story_list")).content.decode()

    assert _outlets_cell(html, "Harbour fire").startswith("3 ")


def test_a_claim_of_two_articles_of_unknown_outlets_says_so_instead_of_naming_one(editor_client, built):
    for article in built.articles[:2]:
        Article.objects.filter(pk=article.pk).update(outlet=None, url="")
    agreed = built.claims["agreed"]

    html = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()

    claim = re.search(rf'<li class="claim" id="claim-{agreed.pk}">.*?</li>', html, re.S).group(0)
    assert re.findall(r'<span class="badge outlet">([^<]+)</span>', claim) == ["Unknown outlet ×2"]
    assert f"{built.story.slug}-0.txt" not in html and f"{built.story.slug}-1.txt" not in html
