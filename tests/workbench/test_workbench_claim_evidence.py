"""An editor checks a claim's evidence: the claims pane opens each claim onto the sentence every source wrote
(HTMX on first open, and a plain link to the same URL as a page), each sentence linked to its place in the
article's reading page, where it is marked; a claim's flags include those where it is the other side.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from articles.models import Claim, Discrepancy
from tests.workbench.wb_factories import DEFAULT_TEXTS, BuiltStory, add_wire_copy, build_story

HTMX = {"HTTP_HX_REQUEST": "true"}

# The third outlet dates the announcement differently from the second.
TEXTS = [
    *DEFAULT_TEXTS[:2],
    (
        "Treasury confirms departure of acting IRS commissioner",
        "The Treasury said on Monday that Melanie Krause will leave the IRS. "
        "The agreement covers the addresses of 700 people, according to court filings.\n"
        "She is the fifth person to lead the agency this year.",
    ),
]


@pytest.fixture
def evidence(db) -> BuiltStory:
    """Claim "agreed": Outlet A's and Outlet B's first sentences, and Outlet D's copy of Outlet A's (support
    stays 2). Claim "monday": Outlet C's first sentence alone. A date discrepancy between Outlet B's sentence
    (in "agreed") and Outlet C's (in "monday"), so "monday" is its `other_claim`."""
    built = build_story(texts=TEXTS)
    first, second, third = built.articles
    copy = add_wire_copy(built, first, "Outlet D")
    agreed = built.claims["agreed"]
    agreed.sentences.add(built.sentences[3][0])
    monday_sentence = built.sentences[2][0]
    monday = Claim.objects.create(
        story=built.story,
        position=3,
        text=monday_sentence.text,
        representative=monday_sentence,
        support=1,
    )
    monday.sentences.set([monday_sentence])
    built.claims["monday"] = monday
    Discrepancy.objects.create(
        claim=agreed,
        other_claim=monday,
        kind="date",
        sentence_a=built.sentences[1][0],
        sentence_b=monday_sentence,
        value_a="Tuesday",
        value_b="Monday",
    )
    assert copy.near_duplicate_of_id == first.pk
    return built


def evidence_url(built: BuiltStory, claim: Claim) -> str:
    return reverse("claim_evidence", args=[built.story.slug, claim.pk])


def sentence_link(built: BuiltStory, sentence) -> str:
    url = reverse("article_text", args=[built.story.slug, sentence.article_id])
    return f"{url}?sentence={sentence.pk}#sentence-{sentence.pk}"


def claim_in_pane(html: str, claim: Claim) -> str:
    return re.search(rf'<li class="claim[^"]*" id="claim-{claim.pk}">.*?</li>', html, re.S).group(0)


def test_the_workspace_opens_each_claim_onto_its_evidence(evidence, editor_client):
    agreed, monday = evidence.claims["agreed"], evidence.claims["monday"]
    html = editor_client.get(reverse("story_detail", args=[evidence.story.slug])).content.decode()
    claim = claim_in_pane(html, agreed)
    url = evidence_url(evidence, agreed)
    # Loaded with HTMX when the claim is first opened, and a plain link to the same page without JavaScript.
    assert re.search(
        rf'<details class="evidence" hx-get="{url}" hx-trigger="toggle once" hx-target="find .evidence-body"',
        claim,
    )
    assert '<summary aria-label="Show the evidence for the claim: ' in claim
    assert f'<a href="{url}">' in claim
    # The pane names no sentence of the claim besides its text: the evidence is loaded on demand.
    assert escape(evidence.sentences[1][0].text) not in claim
    # A flag is shown on both claims: the claim of its first sentence and the other one.
    for each in (agreed, monday):
        flag = claim_in_pane(html, each)
        assert "Discrepancy (date):" in flag and "“Tuesday”" in flag and "“Monday”" in flag, each


def test_the_evidence_page_lists_each_source_with_a_link_to_its_sentence(evidence, editor_client):
    agreed = evidence.claims["agreed"]
    response = editor_client.get(evidence_url(evidence, agreed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "Evidence for a claim" in html
    members = [evidence.sentences[0][0], evidence.sentences[1][0], evidence.sentences[3][0]]
    for sentence in members:
        assert escape(sentence.text) in html
        assert f'href="{sentence_link(evidence, sentence)}"' in html
    for outlet in ("Outlet A", "Outlet B", "Outlet D"):
        assert f'<span class="outlet">{outlet}</span>' in html
    # The wire copy is a member, named as a copy, and adds no support.
    assert '<span class="outlet">Outlet D</span> <span class="copy-of">(copy of Outlet A)</span>' in html
    assert html.count("copy of") == 1
    assert "2 sources</span>" in html
    assert "3 sentences, 1 from wire copy, which does not add support." in html


def test_the_linked_article_page_marks_the_sentence(evidence, viewer_client):
    sentence = evidence.sentences[1][0]
    other = evidence.sentences[1][1]
    html = viewer_client.get(sentence_link(evidence, sentence)).content.decode()
    assert f'<span class="sentence cited" id="sentence-{sentence.pk}">' in html
    assert '<span class="visually-hidden">Cited sentence: </span>' in html
    assert f'<span class="sentence" id="sentence-{other.pk}">' in html
    # Without the parameter the anchor is there (the fragment alone scrolls to it) and nothing is marked.
    plain = viewer_client.get(reverse("article_text", args=[evidence.story.slug, sentence.article_id]))
    assert f'id="sentence-{sentence.pk}"' in plain.content.decode()
    assert "cited" not in plain.content.decode()
    # Nonsense is ignored.
    bad = viewer_client.get(
        reverse("article_text", args=[evidence.story.slug, sentence.article_id]) + "?sentence=x"
    )
    assert bad.status_code == 200 and "sentence cited" not in bad.content.decode()


def test_a_discrepancy_appears_on_the_evidence_of_both_claims(evidence, editor_client):
    agreed, monday = evidence.claims["agreed"], evidence.claims["monday"]
    tuesday_sentence, monday_sentence = evidence.sentences[1][0], evidence.sentences[2][0]
    for claim, other in ((agreed, monday), (monday, agreed)):
        html = editor_client.get(evidence_url(evidence, claim)).content.decode()
        flags = re.search(r'<ul class="evidence-flags" aria-label="Discrepancies">.*</ul>', html, re.S)
        assert flags, claim
        flags = flags.group(0)
        assert "Discrepancy (date):" in flags and "“Tuesday” / “Monday”" in flags
        assert '<span class="outlet">Outlet B</span> says “Tuesday”' in flags
        assert '<span class="outlet">Outlet C</span> says “Monday”' in flags
        for sentence in (tuesday_sentence, monday_sentence):
            assert escape(sentence.text) in flags and f'href="{sentence_link(evidence, sentence)}"' in flags
        assert f'<a href="{evidence_url(evidence, other)}">its evidence</a>' in flags
    # A discrepancy within one claim does not point to another claim.
    disputed = editor_client.get(evidence_url(evidence, evidence.claims["disputed"])).content.decode()
    assert "“7,000” / “700”" in disputed and "belongs to another claim" not in disputed


def test_the_discrepancies_filter_includes_a_claim_flagged_as_the_other_side(evidence, editor_client):
    html = editor_client.get(
        reverse("story_detail", args=[evidence.story.slug]) + "?filter=discrepancies",
        HTTP_HX_TARGET="claims-pane",
        **HTMX,
    ).content.decode()
    for key in ("agreed", "monday", "disputed"):
        assert f'id="claim-{evidence.claims[key].pk}"' in html, key
    assert f'id="claim-{evidence.claims["unique"].pk}"' not in html
    assert "Claims <small>(3)</small>" in html


def test_htmx_loads_only_the_evidence_into_the_claim(evidence, editor_client):
    agreed = evidence.claims["agreed"]
    url = evidence_url(evidence, agreed)
    html = editor_client.get(url, **HTMX).content.decode()
    assert html.lstrip().startswith(f'<div class="claim-evidence" id="claim-evidence-{agreed.pk}">')
    assert "<html" not in html and "Evidence for a claim" not in html
    assert escape(evidence.sentences[0][0].text) in html and "(copy of Outlet A)" in html
    assert f'<a href="{url}">Open the evidence on its own page</a>' in html


def test_a_viewer_reads_the_evidence_and_anonymous_users_log_in(evidence, viewer_client):
    url = evidence_url(evidence, evidence.claims["agreed"])
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.get(url, **HTMX).status_code == 200
    response = Client().get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_claim_of_another_story_is_not_found(evidence, editor_client):
    other = build_story(slug="other-story", title="Another story")
    foreign = other.claims["agreed"]
    assert editor_client.get(evidence_url(evidence, foreign)).status_code == 404
    assert editor_client.get(evidence_url(evidence, foreign), **HTMX).status_code == 404
    assert (
        editor_client.get(reverse("claim_evidence", args=[evidence.story.slug, 999_999])).status_code == 404
    )
    # The claim is found under its own story.
    assert editor_client.get(evidence_url(other, foreign)).status_code == 200


def test_a_claim_without_member_sentences_still_has_an_evidence_page(evidence, editor_client):
    bare = Claim.objects.create(story=evidence.story, position=9, text="A claim left without sentences.")
    html = editor_client.get(evidence_url(evidence, bare)).content.decode()
    assert "A claim left without sentences." in html and "No sentences are recorded for this claim." in html


def test_the_evidence_makes_the_same_few_queries_whatever_the_claim(
    evidence, editor_client, django_assert_max_num_queries
):
    """One member or three, with a flag or none: session and user 2, the story 1, the claim with its members
    1, the discrepancies 1; the full page adds the header's groups."""
    urls = [evidence_url(evidence, evidence.claims[key]) for key in ("unique", "agreed")]
    editor_client.get(urls[0])  # warm the session's permissions
    for headers, limit in (({}, 6), (HTMX, 5)):
        counts = []
        for url in urls:
            with django_assert_max_num_queries(limit) as captured:
                assert editor_client.get(url, **headers).status_code == 200
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1], (headers, counts)


def test_a_one_source_claim_with_a_close_sentence_elsewhere_is_not_called_unique(evidence, editor_client):
    """ "monday" has one source, but Outlet A has a sentence close to it: the pane says "1 source" and names
    Outlet A instead of "unique", the unique filter leaves it out, and its evidence shows Outlet A's sentence.
    The factory's "unique" claim, with nothing close elsewhere, keeps its label."""
    monday, unique = evidence.claims["monday"], evidence.claims["unique"]
    close = evidence.sentences[0][1]
    Claim.objects.filter(pk=monday.pk).update(closest=close, closest_similarity=0.36)
    workspace = reverse("story_detail", args=[evidence.story.slug])
    html = editor_client.get(workspace).content.decode()
    pane = claim_in_pane(html, monday)
    assert "1 source</span>" in pane and "unique · 1 source" not in pane
    assert "not unique: Outlet A has a similar sentence" in pane
    assert "unique · 1 source" in claim_in_pane(html, unique)
    filtered = editor_client.get(workspace + "?filter=unique").content.decode()
    assert f'id="claim-{unique.pk}"' in filtered and f'id="claim-{monday.pk}"' not in filtered
    page = editor_client.get(evidence_url(evidence, monday)).content.decode()
    assert "Not labelled unique reporting" in page
    assert escape(close.text) in page and f'href="{sentence_link(evidence, close)}"' in page
    page = editor_client.get(evidence_url(evidence, unique)).content.decode()
    assert "Not labelled unique reporting" not in page
