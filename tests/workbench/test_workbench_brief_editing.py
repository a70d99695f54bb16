"""Every editing action through the views, as HTMX requests (pane re-rendered) and as plain form posts."""

from __future__ import annotations

import re

from django.urls import reverse

from briefs.models import Brief, BriefItem, Revision
from briefs.services import (
    brief_add_claim,
    brief_add_own_item,
    brief_get_or_create,
)

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "brief-pane"}


def url(name, built, *args):
    return reverse(name, args=[built.story.slug, *args])


def items_of(built) -> list[BriefItem]:
    return list(BriefItem.objects.filter(brief__story=built.story).order_by("position"))


def brief_with(built, *claims) -> Brief:
    brief = brief_get_or_create(built.story)
    for n, key in enumerate(claims):
        brief_add_claim(brief, built.claims[key], user=None, expected_version=n)
    brief.refresh_from_db()
    return brief


def test_add_claim_renders_the_pane_and_records_a_revision(editor_client, accounts, built):
    claim = built.claims["agreed"]
    response = editor_client.post(url("brief_add_claim", built), {"claim": claim.pk, "version": 0}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="brief-pane"') and "<html" not in html
    assert 'data-version="1"' in html
    assert claim.text in html and "Outlet A" in html and "Outlet B" in html
    [item] = items_of(built)
    assert item.origin == "claim" and item.claim == claim
    assert {a.pk for a in item.articles.all()} == {built.articles[0].pk, built.articles[1].pk}
    revision = Revision.objects.get(brief__story=built.story)
    assert revision.number == 1 and revision.author == accounts["editor"]
    assert revision.snapshot["items"][0]["text"] == claim.text
    assert "Added claim" in revision.action


def test_plain_form_post_redirects_back_to_the_workspace_with_a_message(editor_client, built):
    response = editor_client.post(
        url("brief_add_claim", built), {"claim": built.claims["unique"].pk, "version": 0}, follow=True
    )
    assert response.redirect_chain[0][0] == built.story.get_absolute_url() + "#brief-pane"
    assert "Claim added to the brief." in response.content.decode()
    assert len(items_of(built)) == 1


def test_add_sentence(editor_client, built):
    sentence = built.sentences[2][0]
    response = editor_client.post(
        url("brief_add_sentence", built), {"sentence": sentence.pk, "version": 0}, **HTMX
    )
    assert response.status_code == 200
    [item] = items_of(built)
    assert item.text == sentence.text and item.origin == "sentence"
    assert list(item.articles.all()) == [built.articles[2]]


def test_sentence_of_another_story_is_refused(editor_client, built):
    from tests.workbench.wb_factories import build_story

    other = build_story(slug="other-story", title="Other")
    response = editor_client.post(
        url("brief_add_sentence", built), {"sentence": other.sentences[0][0].pk, "version": 0}, **HTMX
    )
    assert response.status_code == 422
    assert "no longer exists" in response.content.decode()
    assert items_of(built) == []


def test_own_item_is_unsourced_until_a_source_is_attached(editor_client, built):
    response = editor_client.post(url("brief_add_own", built), {"text": "My own line.", "version": 0}, **HTMX)
    assert "unsourced" in response.content.decode()
    [item] = items_of(built)
    assert item.origin == "own" and not item.articles.exists()
    response = editor_client.post(
        url("brief_attach_source", built, item.pk), {"article": built.articles[1].pk, "version": 1}, **HTMX
    )
    assert response.status_code == 200
    assert list(item.articles.all()) == [built.articles[1]]
    assert 'class="badge unsourced"' not in response.content.decode()


def test_empty_own_item_is_refused_with_a_message(editor_client, built):
    response = editor_client.post(url("brief_add_own", built), {"text": "   ", "version": 0}, **HTMX)
    assert response.status_code == 422
    assert "empty" in response.content.decode()
    assert Brief.objects.get(story=built.story).version == 0


def test_edit_item_keeps_sources_and_marks_it_edited(editor_client, built):
    brief_with(built, "agreed")
    [item] = items_of(built)
    form = editor_client.get(url("brief_edit_item", built, item.pk), **{"HTTP_HX_REQUEST": "true"})
    assert (
        form.status_code == 200
        and "<textarea" in form.content.decode()
        and "<html" not in form.content.decode()
    )
    response = editor_client.post(
        url("brief_edit_item", built, item.pk), {"text": "Krause quits, Treasury says.", "version": 1}, **HTMX
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.text == "Krause quits, Treasury says." and item.edited
    assert item.articles.count() == 2
    assert "edited" in response.content.decode()


def test_saving_an_item_unchanged_records_no_revision(editor_client, built):
    brief_with(built, "agreed")
    [item] = items_of(built)
    for _ in range(10):
        response = editor_client.post(
            url("brief_edit_item", built, item.pk), {"text": item.text, "version": 1}, **HTMX
        )
        assert response.status_code == 200
        assert "Nothing to save" in response.content.decode()
    assert Revision.objects.filter(brief__story=built.story).count() == 1
    assert Brief.objects.get(story=built.story).version == 1
    item.refresh_from_db()
    assert not item.edited


def test_edit_page_without_javascript(editor_client, built):
    brief_with(built, "agreed")
    [item] = items_of(built)
    page = editor_client.get(url("brief_edit_item", built, item.pk))
    assert (
        page.status_code == 200 and "<html" in page.content.decode() and "Save item" in page.content.decode()
    )


def test_move_item_up_down_and_to_a_position(editor_client, built):
    brief_with(built, "agreed", "unique", "disputed")
    first, second, third = items_of(built)
    editor_client.post(url("brief_move_item", built, third.pk), {"direction": "up", "version": 3}, **HTMX)
    assert [i.pk for i in items_of(built)] == [first.pk, third.pk, second.pk]
    editor_client.post(url("brief_move_item", built, first.pk), {"direction": "down", "version": 4}, **HTMX)
    assert [i.pk for i in items_of(built)] == [third.pk, first.pk, second.pk]
    editor_client.post(url("brief_move_item", built, second.pk), {"to": 0, "version": 5}, **HTMX)
    assert [i.pk for i in items_of(built)] == [second.pk, third.pk, first.pk]
    assert [i.position for i in items_of(built)] == [0, 1, 2]
    assert Revision.objects.filter(brief__story=built.story).count() == 6


def test_merge_unites_sources_and_joins_text(editor_client, built):
    brief_with(built, "agreed", "unique", "disputed")
    first, second, third = items_of(built)
    response = editor_client.post(
        url("brief_merge", built), {"items": [first.pk, third.pk], "text": "", "version": 3}, **HTMX
    )
    assert response.status_code == 200
    merged, remaining = items_of(built)
    assert merged.pk == first.pk and remaining.pk == second.pk
    assert merged.origin == "merged" and merged.edited
    assert merged.text == f"{first.text} {third.text}"
    assert {a.pk for a in merged.articles.all()} == {a.pk for a in built.articles}


def test_merge_with_given_text(editor_client, built):
    brief_with(built, "agreed", "unique")
    first, second = items_of(built)
    editor_client.post(
        url("brief_merge", built),
        {"items": [first.pk, second.pk], "text": "Both in one.", "version": 2},
        **HTMX,
    )
    [merged] = items_of(built)
    assert merged.text == "Both in one."


def test_merge_needs_two_items(editor_client, built):
    brief_with(built, "agreed", "unique")
    first, _ = items_of(built)
    response = editor_client.post(url("brief_merge", built), {"items": [first.pk], "version": 2}, **HTMX)
    assert response.status_code == 422
    assert "two or more" in response.content.decode()
    assert len(items_of(built)) == 2


def test_remove_item(editor_client, built):
    brief_with(built, "agreed", "unique")
    first, second = items_of(built)
    editor_client.post(url("brief_remove_item", built, first.pk), {"version": 2}, **HTMX)
    assert [i.pk for i in items_of(built)] == [second.pk]
    assert items_of(built)[0].position == 0


def test_start_from_candidate_replaces_items_and_sets_the_headline(editor_client, built):
    brief_add_own_item(brief_get_or_create(built.story), text="Old item", user=None, expected_version=0)
    response = editor_client.post(url("brief_start_from_candidate", built), {"version": 1}, **HTMX)
    assert response.status_code == 200
    items = items_of(built)
    candidate = built.story.candidate_brief.sentences.order_by("position")
    assert [i.text for i in items] == [row.sentence.text for row in candidate]
    assert items[0].claim == built.claims["agreed"] and items[0].articles.count() == 2
    assert items[-1].origin == "sentence" and items[-1].articles.count() == 1
    assert Brief.objects.get(story=built.story).headline == built.story.title


def test_start_from_candidate_without_one(editor_client, built):
    built.story.candidate_brief.delete()
    response = editor_client.post(url("brief_start_from_candidate", built), {"version": 0}, **HTMX)
    assert response.status_code == 422
    assert "no candidate brief" in response.content.decode()


def test_update_headline_and_standfirst(editor_client, built):
    response = editor_client.post(
        url("brief_header", built),
        {"headline": "  Krause   resigns ", "standfirst": "She leaves.", "version": 0},
        **HTMX,
    )
    assert response.status_code == 200
    brief = Brief.objects.get(story=built.story)
    assert (brief.headline, brief.standfirst, brief.version) == ("Krause resigns", "She leaves.", 1)


def test_stale_brief_level_edit_is_refused_and_the_current_version_shown(editor_client, chief_client, built):
    brief_with(built, "agreed", "unique")
    first = editor_client.post(url("brief_add_own", built), {"text": "Editor's line.", "version": 2}, **HTMX)
    assert first.status_code == 200
    merge = {"items": [i.pk for i in items_of(built)[:2]], "text": "", "version": 2}
    stale = chief_client.post(url("brief_merge", built), merge, **HTMX)
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Not saved." in html and "changed by editor" in html and "now at version 3" in html
    assert "Editor&#x27;s line." in html and 'data-version="3"' in html
    assert len(items_of(built)) == 3 and [i.text for i in items_of(built)][-1] == "Editor's line."
    assert Brief.objects.get(story=built.story).version == 3


def test_additions_on_a_stale_version_are_all_kept(editor_client, chief_client, built):
    brief_with(built, "agreed")
    editor_client.post(url("brief_add_own", built), {"text": "Editor's line.", "version": 1}, **HTMX)
    late = chief_client.post(url("brief_add_own", built), {"text": "Chief's line.", "version": 1}, **HTMX)
    assert late.status_code == 200 and 'data-version="3"' in late.content.decode()
    assert [i.text for i in items_of(built)][1:] == ["Editor's line.", "Chief's line."]


def test_stale_plain_post_redirects_with_the_conflict_message(editor_client, built):
    brief_with(built, "agreed", "unique")
    response = editor_client.post(
        url("brief_remove_item", built, items_of(built)[0].pk), {"version": 1}, follow=True
    )
    assert "Your change was not saved" in response.content.decode()
    assert len(items_of(built)) == 2


def test_missing_version_is_refused(editor_client, built):
    response = editor_client.post(url("brief_add_own", built), {"text": "x"}, **HTMX)
    assert response.status_code == 400
    assert "which version" in response.content.decode()


def test_item_of_another_brief_is_refused(editor_client, built):
    from tests.workbench.wb_factories import build_story

    other = build_story(slug="other-story", title="Other")
    brief_add_own_item(brief_get_or_create(other.story), text="Elsewhere", user=None, expected_version=0)
    foreign = BriefItem.objects.get(brief__story=other.story)
    response = editor_client.post(url("brief_remove_item", built, foreign.pk), {"version": 0}, **HTMX)
    assert response.status_code == 422
    assert BriefItem.objects.filter(pk=foreign.pk).exists()


def test_get_on_an_action_is_not_allowed(editor_client, built):
    assert editor_client.get(url("brief_add_own", built)).status_code == 405


# --- Two editors, one brief ------------------------------------------------------------------------


def edit_form(client, built, item) -> str:
    form = client.get(url("brief_edit_item", built, item.pk), HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    return form.content.decode()


def test_two_editors_editing_different_items_are_both_saved(editor_client, chief_client, built):
    brief_with(built, "agreed", "unique")
    first, second = items_of(built)
    assert 'name="item_version" value="1"' in edit_form(editor_client, built, first)
    assert 'name="item_version" value="1"' in edit_form(chief_client, built, second)
    mine = {"text": "The editor's first item.", "version": 2, "item_version": 1}
    assert editor_client.post(url("brief_edit_item", built, first.pk), mine, **HTMX).status_code == 200
    theirs = {"text": "The chief's second item.", "version": 2, "item_version": 1}
    response = chief_client.post(url("brief_edit_item", built, second.pk), theirs, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Item saved" in html and "Not saved" not in html
    assert "The editor&#x27;s first item." in html and "The chief&#x27;s second item." in html
    assert [i.text for i in items_of(built)] == ["The editor's first item.", "The chief's second item."]
    assert Brief.objects.get(story=built.story).version == 4


def test_an_edit_of_the_same_item_is_refused_and_keeps_both_texts(editor_client, chief_client, built):
    brief_with(built, "agreed", "unique")
    first, _ = items_of(built)
    mine = {"text": "Krause quits, says Treasury.", "version": 2, "item_version": 1}
    assert editor_client.post(url("brief_edit_item", built, first.pk), mine, **HTMX).status_code == 200
    typed = {"text": "Krause resigns over the data deal.", "version": 2, "item_version": 1}
    refused = chief_client.post(url("brief_edit_item", built, first.pk), typed, **HTMX)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Not saved." in html and "Item 1 was changed by editor at" in html
    form = re.search(
        rf'<li class="brief-item editing refused" id="item-{first.pk}".*?</li>', html, re.S
    ).group(0)
    assert re.search(r"<textarea[^>]*>Krause resigns over the data deal.</textarea>", form)
    assert "Saved by editor at" in form and "Krause quits, says Treasury." in form
    assert 'name="item_version" value="2"' in form
    assert items_of(built)[0].text == "Krause quits, says Treasury."
    # The second Save, deliberately over the colleague's text, goes through.
    again = chief_client.post(url("brief_edit_item", built, first.pk), typed | {"item_version": 2}, **HTMX)
    assert again.status_code == 200
    assert items_of(built)[0].text == "Krause resigns over the data deal."


def test_an_edit_of_an_item_a_colleague_removed_offers_to_add_the_text(editor_client, chief_client, built):
    brief_with(built, "agreed", "unique")
    first, second = items_of(built)
    editor_client.post(url("brief_remove_item", built, first.pk), {"version": 2, "item_version": 1}, **HTMX)
    typed = {"text": "A line worth keeping.", "version": 2, "item_version": 1}
    refused = chief_client.post(url("brief_edit_item", built, first.pk), typed, **HTMX)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "removed or merged by a colleague" in html
    assert re.search(r'<textarea id="refused-text" name="text"[^>]*>A line worth keeping.</textarea>', html)
    assert "Add it as a new item" in html
    assert [i.pk for i in items_of(built)] == [second.pk]


def test_a_refused_edit_without_javascript_shows_the_edit_page_with_both_texts(
    editor_client, chief_client, built
):
    brief_with(built, "agreed")
    [item] = items_of(built)
    editor_client.post(
        url("brief_edit_item", built, item.pk), {"text": "First.", "version": 1, "item_version": 1}
    )
    refused = chief_client.post(
        url("brief_edit_item", built, item.pk), {"text": "Second.", "version": 1, "item_version": 1}
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "<html" in html and "Not saved." in html and "Saved by editor at" in html
    assert re.search(r"<textarea[^>]*>Second.</textarea>", html) and "First." in html


def test_other_items_actions_go_through_after_a_colleague_edits_one(editor_client, chief_client, built):
    brief_with(built, "agreed", "unique", "disputed")
    first, second, third = items_of(built)
    editor_client.post(
        url("brief_edit_item", built, first.pk), {"text": "Edited.", "version": 3, "item_version": 1}, **HTMX
    )
    # The chief's page still shows version 3: moving item 3 up (before item 2) and removing item 2 both work.
    up = chief_client.post(
        url("brief_move_item", built, third.pk),
        {"before": second.pk, "version": 3, "item_version": 1},
        **HTMX,
    )
    assert up.status_code == 200 and "Item moved." in up.content.decode()
    assert [i.pk for i in items_of(built)] == [first.pk, third.pk, second.pk]
    removed = chief_client.post(
        url("brief_remove_item", built, second.pk), {"version": 3, "item_version": 1}, **HTMX
    )
    assert removed.status_code == 200
    # Removing the item the editor changed, on the version the chief saw, is refused.
    stale = chief_client.post(
        url("brief_remove_item", built, first.pk), {"version": 3, "item_version": 1}, **HTMX
    )
    assert stale.status_code == 409 and "Item 1 was changed by editor" in stale.content.decode()
    assert [i.pk for i in items_of(built)] == [first.pk, third.pk]


def test_the_pane_forms_send_the_items_versions_and_neighbours(editor_client, built):
    brief_with(built, "agreed", "unique")
    first, second = items_of(built)
    html = editor_client.get(url("brief_pane", built), **HTMX).content.decode()
    assert f'data-item-id="{first.pk}" data-item-version="1"' in html
    assert f'name="item_version" value="1"><input type="hidden" name="after" value="{second.pk}">' in html
    assert f'name="item_version" value="1"><input type="hidden" name="before" value="{first.pk}">' in html


def test_the_headline_is_refused_only_if_a_colleague_changed_it(editor_client, chief_client, built):
    brief_with(built, "agreed")
    [item] = items_of(built)
    editor_client.post(
        url("brief_edit_item", built, item.pk), {"text": "Edited.", "version": 1, "item_version": 1}, **HTMX
    )
    header = {"headline": "Krause resigns", "standfirst": "She leaves.", "version": 1}
    saved = chief_client.post(url("brief_header", built), header, **HTMX)
    assert saved.status_code == 200 and "Headline and standfirst saved." in saved.content.decode()
    typed = {"headline": "Krause quits the IRS", "standfirst": "After the deal.", "version": 2}
    refused = editor_client.post(url("brief_header", built), typed, **HTMX)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "The headline and standfirst were changed by chief at" in html
    assert 'name="headline" value="Krause quits the IRS"' in html
    assert re.search(r'name="standfirst"[^>]*>After the deal.</textarea>', html)
    theirs = re.search(r'<div class="theirs".*?</div>', html, re.S).group(0)
    assert "Saved by chief at" in theirs and "Krause resigns" in theirs and "She leaves." in theirs
    assert 'data-version="3"' in html
    assert Brief.objects.get(story=built.story).headline == "Krause resigns"
    again = editor_client.post(url("brief_header", built), typed | {"version": 3}, **HTMX)
    assert again.status_code == 200
    assert Brief.objects.get(story=built.story).headline == "Krause quits the IRS"


def test_a_brief_past_version_999_still_saves_where_numbers_are_grouped(editor_client, built, settings):
    # A deployment that groups digits ("1,234") must not put a grouped version into the pane's forms: the
    # next save would be refused as "version missing".
    settings.USE_THOUSAND_SEPARATOR = True
    brief = brief_with(built, "agreed")
    Brief.objects.filter(pk=brief.pk).update(version=1234)
    [item] = items_of(built)
    html = editor_client.get(url("brief_pane", built), **HTMX).content.decode()
    assert 'name="version" value="1234"' in html and 'data-version="1234"' in html
    assert "1,234" not in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = editor_client.post(
        url("brief_edit_item", built, item.pk),
        {"text": "Edited text.", "version": version, "item_version": item.version},
        **HTMX,
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.text == "Edited text."
