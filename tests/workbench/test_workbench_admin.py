"""The admin keeps every briefs model, links related objects, and publishes or re-runs analysis by action."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from briefs.models import Publication
from tests.workbench.wb_factories import draft_brief


@pytest.fixture
def admin_user_client(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-long-enough-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["brief", "briefitem", "revision", "publication"])
def test_changelists_and_change_pages_open(admin_user_client, built, model):
    brief = draft_brief(built)
    from briefs.services import brief_publish

    publication = brief_publish(brief, user=None, expected_version=3)
    objects = {
        "brief": brief,
        "briefitem": brief.items.first(),
        "revision": brief.revisions.get(number=3),
        "publication": publication,
    }
    assert admin_user_client.get(reverse(f"admin:briefs_{model}_changelist")).status_code == 200
    page = admin_user_client.get(reverse(f"admin:briefs_{model}_change", args=[objects[model].pk]))
    assert page.status_code == 200
    if model == "revision":
        assert reverse("brief_export", args=[built.story.slug, 3, "md"]) in page.content.decode()
    if model == "brief":
        assert reverse("admin:articles_story_change", args=[built.story.pk]) in page.content.decode()


def test_publish_action(admin_user_client, built):
    brief = draft_brief(built)
    response = admin_user_client.post(
        reverse("admin:briefs_brief_changelist"),
        {"action": "publish_current_version", "_selected_action": [brief.pk]},
        follow=True,
    )
    assert "published revision 3" in response.content.decode()
    assert Publication.objects.filter(brief=brief, unpublished_at__isnull=True).exists()


def test_rerun_actions_queue_analysis(admin_user_client, built, monkeypatch, rf):
    from django.contrib import admin

    from articles import jobs
    from articles.models import Article, Story
    from web.admin.articles import rerun_article_analysis, rerun_story_analysis

    calls = []
    monkeypatch.setattr(jobs, "enqueue_analysis", lambda a, algorithm=None, force=False: calls.append(a.pk))
    messages_sent = []

    class Recorder:
        def message_user(self, request, message, level=None):
            messages_sent.append(message)

    request = rf.post("/")
    request.user = get_user_model().objects.get(username="root")
    rerun_story_analysis(Recorder(), request, Story.objects.filter(pk=built.story.pk))
    rerun_article_analysis(Recorder(), request, Article.objects.filter(pk=built.articles[0].pk))
    assert sorted(calls) == sorted([a.pk for a in built.articles] + [built.articles[0].pk])
    assert messages_sent == ["Analysis queued for 3 articles.", "Analysis queued for 1 article."]
    assert admin.site.is_registered(Publication)


# --- Briefs are edited in the workbench; the admin shows them read-only ---------------------------


def test_the_admin_shows_a_brief_read_only_with_a_link_to_the_workspace(admin_user_client, built):
    brief = draft_brief(built)
    page = admin_user_client.get(reverse("admin:briefs_brief_change", args=[brief.pk])).content.decode()
    assert "Krause resigns" in page
    assert 'name="headline"' not in page and 'name="items-0-text"' not in page
    assert 'name="_save"' not in page
    assert f'href="{built.story.get_absolute_url()}"' in page
    assert admin_user_client.get(reverse("admin:briefs_brief_add")).status_code == 403


def test_an_admin_edit_of_a_brief_is_refused_and_the_next_revision_is_the_editors_own(
    admin_user_client, editor_client, accounts, built
):
    brief = draft_brief(built)
    item = brief.items.order_by("position").first()
    response = admin_user_client.post(
        reverse("admin:briefs_brief_change", args=[brief.pk]),
        {
            "headline": "Changed in the admin",
            "standfirst": "",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "2",
            "items-0-id": item.pk,
            "items-0-brief": brief.pk,
            "items-0-position": 0,
            "items-0-text": "Rewritten in the admin",
            "items-0-origin": "own",
        },
    )
    assert response.status_code == 403
    item_page = reverse("admin:briefs_briefitem_change", args=[item.pk])
    assert admin_user_client.post(item_page, {"text": "Rewritten in the admin"}).status_code == 403
    delete_page = reverse("admin:briefs_briefitem_delete", args=[item.pk])
    assert admin_user_client.post(delete_page, {"post": "yes"}).status_code == 403

    brief.refresh_from_db()
    item.refresh_from_db()
    assert (brief.headline, brief.version, item.text) == ("Krause resigns", 3, built.claims["agreed"].text)

    editor_client.post(
        reverse("brief_add_own", args=[built.story.slug]), {"text": "An editor's line.", "version": 3}
    )
    revision = brief.revisions.get(number=4)
    assert revision.author == accounts["editor"]
    assert revision.snapshot["headline"] == "Krause resigns"
    assert [entry["text"] for entry in revision.snapshot["items"]][0] == built.claims["agreed"].text


def test_deleting_a_story_in_the_admin_still_takes_its_brief_with_it(admin_user_client, built):
    from articles.models import Story
    from briefs.models import Brief

    draft_brief(built)
    response = admin_user_client.post(
        reverse("admin:articles_story_delete", args=[built.story.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Story.objects.filter(pk=built.story.pk).exists() and not Brief.objects.exists()


# --- The chief editor in the admin -----------------------------------------------------------------


def test_the_chief_editor_opens_the_admin_and_corrects_an_articles_metadata(
    chief_client, editor_client, built
):
    from articles.models import Outlet

    index = chief_client.get(reverse("admin:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert (
        reverse("admin:articles_article_changelist") in html
        and reverse("admin:briefs_brief_changelist") in html
    )
    assert "/admin/auth/user/" not in html  # accounts stay with the administrators

    article = built.articles[0]
    wire = Outlet.objects.create(name="Correct Wire")
    page = chief_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="url"' in page and 'name="body"' not in page  # the text the citations point into is fixed
    data = {
        "story": article.story_id,
        "outlet": wire.pk,
        "title": article.title,
        "url": "https://correct.example/story",
        "byline": article.byline,
        "published_at_0": "2025-04-08",
        "published_at_1": "10:00:00",
        "source_format": article.source_format,
        "source_name": article.source_name,
        "language": article.language,
    }
    response = chief_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.outlet == wire and article.url == "https://correct.example/story"

    # Editors do not get the admin; nobody edits a brief there.
    assert editor_client.get(reverse("admin:index")).status_code == 302
    assert chief_client.get(reverse("admin:briefs_brief_add")).status_code == 403


def test_set_role_gives_an_account_its_role_and_the_admin_with_chief_editor(db, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    user = get_user_model().objects.create_user("alice", password="a-long-password-77")
    call_command("set_role", "alice", "Chief editor")
    user.refresh_from_db()
    assert (
        user.is_staff and user.has_perm("briefs.publish_brief") and user.has_perm("articles.change_article")
    )
    assert "alice is now Chief editor and can open the admin" in capsys.readouterr().out
    call_command("set_role", "alice", "Viewer")
    user = get_user_model().objects.get(pk=user.pk)
    assert not user.is_staff and not user.has_perm("briefs.edit_brief")
    with pytest.raises(CommandError, match="There is no account “bob”"):
        call_command("set_role", "bob", "Editor")
