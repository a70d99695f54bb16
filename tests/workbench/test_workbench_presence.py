"""Who else has the brief open, and a colleague's change not shown yet: the open pane's ping (a POST)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefs.models import Presence
from briefs.services import brief_add_claim, brief_get_or_create

HTMX = {"HTTP_HX_REQUEST": "true"}


def ping(client: Client, built, version: int, **headers):
    return client.post(
        reverse("brief_presence", args=[built.story.slug]), {"version": version}, **HTMX, **headers
    )


def test_the_pane_pings_while_it_is_open(editor_client, built):
    url = reverse("brief_presence", args=[built.story.slug])
    page = editor_client.get(reverse("story_detail", args=[built.story.slug])).content.decode()
    assert f'hx-post="{url}" hx-trigger="load, every 20s"' in page  # at once when the page opens
    pane = editor_client.get(reverse("brief_pane", args=[built.story.slug]), **HTMX).content.decode()
    assert f'hx-post="{url}" hx-trigger="every 20s"' in pane  # a re-rendered pane is up to date
    assert Presence.objects.count() == 0  # the GETs wrote nothing


def test_a_ping_shows_who_else_has_the_brief_open(editor_client, chief_client, built):
    first = ping(editor_client, built, 0)
    assert first.status_code == 200 and "Also open" not in first.content.decode()
    ping(chief_client, built, 0)
    html = ping(editor_client, built, 0).content.decode()
    assert "Also open: chief" in html and "editor" not in html
    assert "Also open: editor" in ping(chief_client, built, 0).content.decode()
    assert Presence.objects.count() == 2  # one row each, however often they ping


def test_someone_who_closed_the_brief_is_no_longer_shown(editor_client, chief_client, built):
    ping(chief_client, built, 0)
    Presence.objects.update(last_seen=timezone.now() - timedelta(minutes=2))
    assert "Also open" not in ping(editor_client, built, 0).content.decode()


def test_a_colleagues_change_is_announced_with_a_reload_button(editor_client, accounts, built):
    brief = brief_get_or_create(built.story)
    assert "Changed by" not in ping(editor_client, built, 0).content.decode()
    brief_add_claim(brief, built.claims["agreed"], user=accounts["chief"])
    html = ping(editor_client, built, 0).content.decode()
    assert "Changed by chief at" in html and "now version 1" in html
    assert f'hx-get="{reverse("brief_pane", args=[built.story.slug])}" hx-target="#brief-pane"' in html
    assert "Reload brief" in html
    assert "Changed by" not in ping(editor_client, built, 1).content.decode()  # once the pane shows it


def test_a_viewer_sees_who_has_it_open_and_is_not_recorded(viewer_client, editor_client, built):
    ping(editor_client, built, 0)
    html = ping(viewer_client, built, 0).content.decode()
    assert "Also open: editor" in html
    assert list(Presence.objects.values_list("user__username", flat=True)) == ["editor"]


def test_the_ping_is_a_post_and_stops_when_the_session_ended(editor_client, built):
    url = reverse("brief_presence", args=[built.story.slug])
    assert editor_client.get(url).status_code == 405
    assert Client().post(url, {"version": 0}, **HTMX).status_code == 286  # htmx stops polling
    assert Client().post(url, {"version": 0})["Location"].startswith(reverse("login"))
    assert Presence.objects.count() == 0
