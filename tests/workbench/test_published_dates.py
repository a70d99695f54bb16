"""An article's date as the workspace shows it: with its time when the source gave one, alone when it gave
only a date (never a made-up "00:00", nor the day before in a time zone west of UTC)."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from articles.models import Article, Story

BODY = (
    "A fire broke out at the harbour on Tuesday. Nobody was hurt, the fire brigade said. "
    "Crews stayed all day."
)


def _import_folder(story: Story, folder) -> None:
    from articles.importing import create_import_batch, run_import_batch, sources_from_paths

    batch = create_import_batch(story, sources_from_paths([str(folder)]))
    run_import_batch(batch.pk)


def _dates_shown(html: str) -> dict[str, str]:
    """Each article's title in the sources pane with the date its meta line shows."""
    shown = {}
    for title, meta in re.findall(r"<h3[^>]*>(?:<a[^>]*>)?([^<]+).*?<p class=\"meta\">(.*?)</p>", html, re.S):
        time = re.search(r"<time datetime=\"([^\"]+)\">([^<]+)</time>", meta)
        shown[title.strip()] = f"{time.group(2)} [{time.group(1)}]" if time else ""
    return shown


def test_date_only_values_show_the_date_alone_and_times_show_the_time(editor_client, tmp_path, settings):
    settings.TIME_ZONE = "America/New_York"  # west of UTC: midnight UTC is the evening before here
    records = [
        {"title": "Fire at the harbour", "text": BODY, "published_at": "2025-04-08"},
        {
            "title": "Harbour reopens",
            "text": BODY.replace("fire", "blaze"),
            "published_at": "2025-04-09T14:30",
        },
    ]
    (tmp_path / "records.json").write_text(json.dumps(records), encoding="utf-8")
    gazette = "Gazette on the fire\n\n" + BODY.replace("harbour", "port")
    (tmp_path / "gazette.txt").write_text(gazette, encoding="utf-8")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"files": {"gazette.txt": {"outlet": "Harbour Gazette", "published_at": "2025-04-10"}}}),
        encoding="utf-8",
    )
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    _import_folder(story, tmp_path)

    flags = dict(story.articles.values_list("title", "published_time_known"))
    assert flags == {"Fire at the harbour": False, "Harbour reopens": True, "Gazette on the fire": False}
    html = editor_client.get(reverse("story_detail", args=[story.slug])).content.decode()
    shown = _dates_shown(html)
    assert shown["Fire at the harbour"] == "8 Apr 2025 [2025-04-08]"
    assert shown["Gazette on the fire"] == "10 Apr 2025 [2025-04-10]"
    assert shown["Harbour reopens"] == "9 Apr 2025, 10:30 [2025-04-09T10:30:00-04:00]"  # 14:30 UTC
    article = Article.objects.get(title="Fire at the harbour")
    page = editor_client.get(reverse("article_text", args=[story.slug, article.pk])).content.decode()
    assert "8 Apr 2025</time>" in page and "00:00" not in page and "7 Apr" not in page


def test_a_corrected_date_shows_its_time(editor_client, tmp_path, accounts):
    from datetime import UTC, datetime

    from articles.services.sources import update_article_source

    (tmp_path / "records.json").write_text(
        json.dumps([{"title": "Fire at the harbour", "text": BODY, "published_at": "2025-04-08"}]), "utf-8"
    )
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    _import_folder(story, tmp_path)
    article = story.articles.get()
    update_article_source(article, accounts["editor"], published_at=datetime(2025, 4, 8, 9, 15, tzinfo=UTC))

    html = editor_client.get(reverse("story_detail", args=[story.slug])).content.decode()
    assert _dates_shown(html)["Fire at the harbour"] == "8 Apr 2025, 09:15 [2025-04-08T09:15:00+00:00]"
