"""A small newsroom for the security tests: the demo accounts in their groups, one story whose brief the
chief published (revision 3, two sourced items) with an import batch, and a story never published."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from articles.models import Article, ImportBatch, Story
from briefs.models import Brief, BriefItem
from briefs.services import brief_get_or_create, brief_publish, ensure_demo_accounts
from tests.workbench.wb_factories import BuiltStory, build_story, draft_brief

PASSWORD = "security-tests-password-1"
ROLES = ("anonymous", "viewer", "editor", "chief")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Newsroom:
    users: dict
    built: BuiltStory
    brief: Brief
    batch: ImportBatch
    draft_story: Story

    @property
    def story(self) -> Story:
        return self.built.story

    def client(self, role: str, **options) -> Client:
        """A client for the role; logged in with force_login (django-axes guards the real login form)."""
        client = Client(**options)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client

    def current_brief(self) -> Brief:
        return Brief.objects.get(pk=self.brief.pk)

    def items(self) -> list[BriefItem]:
        return list(self.current_brief().items.order_by("position", "id"))

    def article(self, n: int = 0) -> Article:
        return self.built.articles[n]


@pytest.fixture
def newsroom(db) -> Newsroom:
    users = {user.username: user for user in ensure_demo_accounts(PASSWORD)}
    built = build_story()
    brief = draft_brief(built, user=users["editor"])
    brief_publish(brief, user=users["chief"], expected_version=brief.version)
    batch = ImportBatch.objects.create(story=built.story, created_by=users["editor"], inputs=["a.txt"])
    draft_story = build_story(slug="never-published", title="Never published", candidate=False).story
    brief_get_or_create(draft_story)
    return Newsroom(
        users=users, built=built, brief=Brief.objects.get(pk=brief.pk), batch=batch, draft_story=draft_story
    )
