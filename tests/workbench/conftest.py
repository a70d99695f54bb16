from __future__ import annotations

import pytest
from django.test import Client

from briefs.services import ensure_demo_accounts
from tests.workbench.wb_factories import BuiltStory, build_story

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def accounts(db) -> dict:
    return {user.username: user for user in ensure_demo_accounts(PASSWORD)}


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(accounts) -> Client:
    return _client_for(accounts["editor"])


@pytest.fixture
def chief_client(accounts) -> Client:
    return _client_for(accounts["chief"])


@pytest.fixture
def viewer_client(accounts) -> Client:
    return _client_for(accounts["viewer"])


@pytest.fixture
def built(db) -> BuiltStory:
    return build_story()
