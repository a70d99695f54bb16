"""A folder's manifest.json names its files' outlets, URLs and dates; its problems are reported, not fatal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from articles.importing import create_import_batch, run_import_batch, sources_from_paths
from articles.models import Article, ImportItem
from tests.texts import make_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def import_folder(story, folder: Path) -> list[ImportItem]:
    batch = create_import_batch(story, sources_from_paths([str(folder)]))
    run_import_batch(batch.pk)
    return list(batch.items.select_related("article", "article__outlet").order_by("position", "entry"))


def folder_of(tmp_path: Path, count: int = 3) -> Path:
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    for n in range(count):
        path = folder / ("nested" if n == count - 1 else "") / f"{n:03d}_5f3c2a9e81d04b7c.txt"
        path.write_text(f"Harbour headline {n}\n{make_text(300 + n)}", encoding="utf-8")
    return folder


def test_the_seeds_import_with_the_outlets_of_their_manifest_not_their_file_names(story):
    items = import_folder(story, SEEDS)

    assert [item.status for item in items] == [ImportItem.Status.IMPORTED] * 5  # the manifest is no article
    labels = [item.article.source_label for item in items]
    assert labels == [f"Demo outlet {letter}" for letter in "ABCDE"]
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(path.name for path in SEEDS.glob("*.txt"))


def test_manifest_fields_are_stored_on_the_articles_over_what_the_files_say(story, tmp_path):
    folder = folder_of(tmp_path)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "about": "test",
                "files": {
                    "000_5f3c2a9e81d04b7c.txt": {
                        "outlet": "Harbour Gazette",
                        "url": "https://www.harbour-gazette.example/fire",
                        "published_at": "2025-04-08T09:30:00+02:00",
                    },
                    "nested/002_5f3c2a9e81d04b7c.txt": {"outlet": "Port News"},
                },
            }
        ),
        encoding="utf-8",
    )

    items = import_folder(story, folder)

    assert all(item.status == ImportItem.Status.IMPORTED for item in items)
    by_name = {Path(item.article.source_name).name: item.article for item in items}
    gazette = by_name["000_5f3c2a9e81d04b7c.txt"]
    assert gazette.outlet.name == "Harbour Gazette"
    assert gazette.outlet.domain == "harbour-gazette.example"
    assert gazette.url == "https://www.harbour-gazette.example/fire"
    assert gazette.published_at.isoformat() == "2025-04-08T07:30:00+00:00"
    assert by_name["002_5f3c2a9e81d04b7c.txt"].outlet.name == "Port News"
    unlisted = by_name["001_5f3c2a9e81d04b7c.txt"]
    assert unlisted.outlet is None  # not in the manifest: its outlet stays unknown


def test_manifest_problems_are_failed_items_naming_them_and_the_files_import_anyway(story, tmp_path):
    folder = folder_of(tmp_path)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "files": {
                    "000_5f3c2a9e81d04b7c.txt": {
                        "outlet": "Harbour Gazette",
                        "url": "ftp://harbour.example/fire",
                        "published_at": "last Tuesday",
                        "outlett": "typo",
                    },
                    "missing.txt": {"outlet": "Nobody"},
                    "001_5f3c2a9e81d04b7c.txt": "Port News",
                }
            }
        ),
        encoding="utf-8",
    )

    items = import_folder(story, folder)

    imported = [item for item in items if item.status == ImportItem.Status.IMPORTED]
    assert len(imported) == 3
    gazette = next(i.article for i in imported if i.article.source_name.endswith("000_5f3c2a9e81d04b7c.txt"))
    assert gazette.outlet.name == "Harbour Gazette"  # the entry's good field is kept
    assert gazette.url == "" and gazette.published_at is None  # its bad ones left out
    messages = [item.message for item in items if item.status == ImportItem.Status.FAILED]
    assert all(item.source.endswith("manifest.json") for item in items if item.status == "failed")
    assert len(messages) == 5
    text = "\n".join(messages)
    assert "“000_5f3c2a9e81d04b7c.txt”: url “ftp://harbour.example/fire” is not an http(s) address" in text
    assert "published_at “last Tuesday” is not a date" in text
    assert "unknown field “outlett”" in text
    assert "lists “missing.txt”, which is not in" in text
    assert "the entry for “001_5f3c2a9e81d04b7c.txt” is not an object" in text
    assert not Article.objects.filter(outlet__name="Nobody").exists()


def test_a_malformed_manifest_is_reported_with_its_line_and_blocks_nothing(story, tmp_path):
    folder = folder_of(tmp_path)
    broken = '{"files": {\n  "000_5f3c2a9e81d04b7c.txt": {"outlet": "A"}\n'
    (folder / "manifest.json").write_text(broken, encoding="utf-8")

    items = import_folder(story, folder)

    assert [item.status for item in items].count(ImportItem.Status.IMPORTED) == 3
    failed = [item for item in items if item.status == ImportItem.Status.FAILED]
    assert len(failed) == 1
    assert failed[0].source.endswith("manifest.json")
    assert "manifest.json line 3" in failed[0].message and "not valid JSON" in failed[0].message
    assert "imported without it" in failed[0].message


def test_a_json_file_that_is_not_a_manifest_is_reported_and_the_others_import(story, tmp_path):
    folder = folder_of(tmp_path, count=2)
    (folder / "manifest.json").write_text('[{"title": "A list of articles"}]', encoding="utf-8")

    items = import_folder(story, folder)

    assert [item.status for item in items].count(ImportItem.Status.IMPORTED) == 2
    assert "not a manifest" in next(item.message for item in items if item.status == "failed")


def test_a_copy_of_the_seeds_folder_elsewhere_still_uses_its_manifest(story, tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)

    items = import_folder(story, copy)

    assert {item.article.outlet.name for item in items} == {f"Demo outlet {letter}" for letter in "ABCDE"}
