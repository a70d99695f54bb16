"""A story's timeline as an Atom feed: read with the personal key from the timeline page, refused without it,
for another story, or once the account is deactivated."""

from __future__ import annotations

import re

import feedparser
from django.test import Client
from django.urls import reverse

from tests.workbench.wb_factories import build_story


def feed_address(client: Client, slug: str) -> str:
    page = client.get(reverse("story_timeline", args=[slug])).content.decode()
    found = re.search(r'href="([^"]*timeline\.atom\?key=[^"]+)"', page)
    assert found, "the timeline page links to its feed"
    return found.group(1).replace("&amp;", "&")


def test_an_editor_reads_the_timeline_in_a_feed_reader(db, editor_client):
    built = build_story()
    address = feed_address(editor_client, built.story.slug)
    response = Client().get(address)  # a feed reader: no session
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = [entry.title for entry in feedparser.parse(response.content).entries]
    assert titles[0] == "Sources disagree (number): “7,000” / “700”"  # newest first
    assert "Outlet A first reports" in titles[-1]


def test_the_feed_without_its_key_or_for_another_story_is_refused(db, editor_client, accounts):
    built = build_story()
    other = build_story(slug="other-story", title="Another story")
    address = feed_address(editor_client, built.story.slug)
    assert Client().get(reverse("story_timeline_feed", args=[built.story.slug])).status_code == 403
    assert Client().get(address[:-3] + "xyz").status_code == 403
    assert Client().get(address.replace(built.story.slug, other.story.slug)).status_code == 403
    accounts["editor"].is_active = False
    accounts["editor"].save()
    assert Client().get(address).status_code == 403
