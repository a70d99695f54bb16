from __future__ import annotations

import pytest

from tests.workbench.wb_factories import BuiltStory, build_story


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def built(db) -> BuiltStory:
    return build_story()
