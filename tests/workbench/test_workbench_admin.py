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
    from briefs.admin_actions import rerun_article_analysis, rerun_story_analysis

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
