"""The Inbox: an Inbox source's entries sort themselves into stories, and an editor accepts, merges, splits
and moves them, every action audited and undoable (articles.services.inbox)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from articles import jobs
from articles.importing import ImportSource
from articles.models import Article, Claim, Job, Story, StoryAction, WatchedSource
from articles.services import inbox, watching
from articles.services.stories import story_create
from tests.watching.events import FESTIVAL, QUAKE, STRIKE


def poll(source: WatchedSource) -> WatchedSource:
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.poll_source(source.pk)
    return WatchedSource.objects.get(pk=source.pk)


def publish(feeds, *reports) -> None:
    for title, body in reports:
        feeds.add_entry(title, body)


def inbox_source(feeds, accounts) -> WatchedSource:
    return watching.add_source(accounts["editor"], url=feeds.feed_url, story=None)


def story_of(title: str) -> Story:
    return Article.objects.select_related("story").get(title=title).story


def act(action, *args, **kwargs):
    """An editor's action as the Inbox page does it: then the stories it changed are synthesised again (the
    jobs run as they commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = action(*args, **kwargs)
        jobs.resynthesise_sorted(done)
    return done


def titles(story: Story) -> set[str]:
    return set(story.articles.values_list("title", flat=True))


@pytest.fixture
def sorted_inbox(feeds, accounts, db):
    """An Inbox source whose feed brought two reports of an earthquake and one of a rail strike."""
    publish(feeds, QUAKE[0], STRIKE[0], QUAKE[1])
    source = poll(inbox_source(feeds, accounts))
    return source


def test_reports_of_one_event_form_one_candidate_story_and_another_event_its_own(sorted_inbox):
    quake, strike = story_of(QUAKE[0][0]), story_of(STRIKE[0][0])
    assert quake != strike
    assert titles(quake) == {QUAKE[0][0], QUAKE[1][0]}
    assert titles(strike) == {STRIKE[0][0]}
    # Both wait in the Inbox, titled after a report, analysed and synthesised like any story.
    assert set(inbox.candidates()) == {quake, strike}
    assert quake.status == Story.Status.CANDIDATE and quake.title in {QUAKE[0][0], QUAKE[1][0]}
    assert Article.objects.filter(analyzed_at__isnull=True).count() == 0
    assert Claim.objects.filter(story=quake).exists() and Claim.objects.filter(story=strike).exists()
    # Each story the import fed is synthesised once, after the import and its analyses (not once per article).
    for story in (quake, strike):
        assert Job.objects.filter(story=story, kind=Job.Kind.SYNTHESIS).count() == 1
    assert "3 new entries" in sorted_inbox.last_result


def test_an_entry_about_an_existing_story_joins_it_instead_of_the_inbox(feeds, accounts, db):
    story = story_create(title="Belgian rail strike")
    title, body = STRIKE[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.start_import(story, [ImportSource(name="strike.txt", data=f"{title}\n\n{body}".encode())])
    publish(feeds, STRIKE[1], FESTIVAL[0])
    poll(inbox_source(feeds, accounts))

    assert story_of(STRIKE[1][0]) == story
    assert story.articles.count() == 2
    festival = story_of(FESTIVAL[0][0])
    assert festival.status == Story.Status.CANDIDATE
    assert list(inbox.candidates()) == [festival]
    # The Inbox lists what the workbench put into existing stories, so a wrong placement is seen.
    assert [a.title for a in inbox.recently_sorted()] == [STRIKE[1][0]]


def test_accept_merge_split_move_and_undo(sorted_inbox, accounts):
    editor = accounts["editor"]
    quake, strike = story_of(QUAKE[0][0]), story_of(STRIKE[0][0])
    first_title = quake.title

    accepted = act(inbox.accept, editor, quake, title="Crete earthquake")
    quake.refresh_from_db()
    assert (quake.status, quake.title) == (Story.Status.STORY, "Crete earthquake")
    assert quake not in inbox.candidates()

    # Split the second report off, then move it back, then merge the strike into the quake story (wrongly).
    second = Article.objects.get(title=QUAKE[1][0])
    split = act(inbox.split, editor, quake, [second.pk])
    assert split.other.status == Story.Status.CANDIDATE
    assert titles(split.other) == {QUAKE[1][0]}
    assert titles(quake) == {QUAKE[0][0]}
    moved = act(inbox.move, editor, split.other, [second.pk], quake)
    assert titles(quake) == {QUAKE[0][0], QUAKE[1][0]}
    merged = act(inbox.merge, editor, strike, quake)
    strike.refresh_from_db()
    assert strike.status == Story.Status.MERGED and strike.merged_into == quake
    assert titles(quake) == {QUAKE[0][0], QUAKE[1][0], STRIKE[0][0]}
    # Both stories are synthesised again: the claims follow the articles.
    assert Claim.objects.filter(story=quake, sentences__article__title=STRIKE[0][0]).exists()
    assert not Claim.objects.filter(story=strike).exists()

    # Each action is on record, newest first, with who did it.
    assert [a.kind for a in inbox.recent_actions()][:4] == ["merge", "move", "split", "accept"]
    assert all(a.user == editor for a in (accepted, split, moved, merged))

    # Undo the merge: the strike report goes back to its candidate story, in the Inbox again.
    act(inbox.undo, editor, merged)
    strike.refresh_from_db()
    assert strike.status == Story.Status.CANDIDATE and strike.merged_into is None
    assert titles(strike) == {STRIKE[0][0]}
    assert strike in inbox.candidates()
    # The split cannot be undone while its article sits where a later action put it ...
    with pytest.raises(inbox.InboxError, match="moved since"):
        inbox.undo(editor, split)
    # ... but once that move is undone, it can: the story the split made goes, being empty.
    act(inbox.undo, editor, moved)
    act(inbox.undo, editor, split)
    assert not Story.objects.filter(pk=split.other_id).exists()
    assert titles(quake) == {QUAKE[0][0], QUAKE[1][0]}
    act(inbox.undo, editor, accepted)
    quake.refresh_from_db()
    assert (quake.status, quake.title) == (Story.Status.CANDIDATE, first_title)
    with pytest.raises(inbox.InboxError, match="undone already"):
        inbox.undo(editor, accepted)


def test_an_article_cited_in_its_story_brief_is_not_moved_away(sorted_inbox, accounts):
    from briefs.services import brief_add_sentence, brief_get_or_create

    editor = accounts["editor"]
    quake, strike = story_of(QUAKE[0][0]), story_of(STRIKE[0][0])
    cited = Article.objects.get(title=QUAKE[1][0])
    brief = brief_get_or_create(quake)
    brief_add_sentence(brief, sentence=cited.sentences.first(), user=editor, expected_version=brief.version)

    with pytest.raises(inbox.InboxError, match="cited in its story's brief"):
        inbox.move(editor, quake, [cited.pk], strike)
    with pytest.raises(inbox.InboxError, match="not all"):
        inbox.split(editor, quake, quake.articles.values_list("pk", flat=True))
    assert titles(quake) == {QUAKE[0][0], QUAKE[1][0]}
    assert not StoryAction.objects.exists()


def test_a_viewer_may_not_sort_stories(sorted_inbox, accounts):
    quake = story_of(QUAKE[0][0])
    with pytest.raises(PermissionDenied, match="may not sort stories"):
        inbox.accept(accounts["viewer"], quake)
    quake.refresh_from_db()
    assert quake.status == Story.Status.CANDIDATE


# --- the Inbox page ------------------------------------------------------------------------------------


def test_the_inbox_page_lists_the_new_stories_and_an_editor_accepts_one(sorted_inbox, editor_client):
    quake = story_of(QUAKE[0][0])
    page = editor_client.get(reverse("inbox")).content.decode()
    assert QUAKE[0][0] in page and QUAKE[1][0] in page and STRIKE[0][0] in page
    assert "Accept as a story" in page
    # Candidates are not on the story list until accepted.
    assert quake.title not in editor_client.get(reverse("story_list")).content.decode()

    answer = editor_client.post(
        reverse("inbox_action", args=[quake.pk]),
        {"action": "accept", "title": "Crete earthquake"},
        follow=True,
    )
    assert "Accepted “Crete earthquake”." in answer.content.decode()
    assert "Crete earthquake" in editor_client.get(reverse("story_list")).content.decode()
    assert "Crete earthquake" in answer.content.decode()  # in the list of what editors did, with Undo


def test_the_inbox_page_says_what_is_missing_and_changes_nothing(sorted_inbox, editor_client):
    quake = story_of(QUAKE[0][0])
    answer = editor_client.post(reverse("inbox_action", args=[quake.pk]), {"action": "merge"}, follow=True)
    assert "Choose the story to merge this story into." in answer.content.decode()
    answer = editor_client.post(reverse("inbox_action", args=[quake.pk]), {"action": "split"}, follow=True)
    assert "Choose at least one article." in answer.content.decode()
    assert titles(quake) == {QUAKE[0][0], QUAKE[1][0]}
    assert not StoryAction.objects.exists()


def test_a_viewer_sees_the_inbox_without_its_actions(sorted_inbox, viewer_client):
    page = viewer_client.get(reverse("inbox")).content.decode()
    assert QUAKE[0][0] in page
    assert "Accept as a story" not in page and "Undo" not in page
    quake = story_of(QUAKE[0][0])
    assert (
        viewer_client.post(reverse("inbox_action", args=[quake.pk]), {"action": "accept"}).status_code == 403
    )


def test_a_source_added_without_a_story_feeds_the_inbox(feeds, editor_client):
    publish(feeds, QUAKE[0])
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = editor_client.post(
            reverse("source_add"), {"url": feeds.feed_url, "story": "", "interval_minutes": 15}, follow=True
        )
    assert answer.status_code == 200
    source = WatchedSource.objects.get()
    assert source.story is None
    assert "each entry to its story" in editor_client.get(reverse("source_list")).content.decode()
    poll(source)  # whether or not adding it polled it already, the entry is in a candidate story once
    assert story_of(QUAKE[0][0]).status == Story.Status.CANDIDATE
    assert Article.objects.count() == 1


def test_a_candidate_named_after_an_article_that_leaves_takes_the_name_of_one_that_stays(
    sorted_inbox, accounts
):
    editor = accounts["editor"]
    quake = story_of(QUAKE[0][0])
    named, other = (QUAKE[0][0], QUAKE[1][0]) if quake.title == QUAKE[0][0] else (QUAKE[1][0], QUAKE[0][0])
    split = act(inbox.split, editor, quake, [Article.objects.get(title=named).pk])
    quake.refresh_from_db()
    assert (quake.title, split.other.title) == (other, named)  # not two stories of one name
    act(inbox.undo, editor, split)
    quake.refresh_from_db()
    assert quake.title == named and titles(quake) == {named, other}
