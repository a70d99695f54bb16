"""The service: batches and items as recorded, queueing, a crash mid-batch, resuming, limits."""

from __future__ import annotations

import json

import pytest

from articles import jobs
from articles.importing import BatchRejected, ImportSource, create_import_batch, run_import_batch, service
from articles.models import Article, ImportBatch, ImportItem
from tests.texts import make_text


def text_source(name: str, seed: int) -> ImportSource:
    return ImportSource(name=name, data=f"Headline {seed}\n{make_text(seed)}".encode())


def test_a_batch_records_what_was_given_and_queues_its_import(story, queued, django_user_model):
    editor = django_user_model.objects.create_user("editor")
    sources = [
        text_source("a.txt", 1),
        ImportSource(name="https://example.org/x", url="https://example.org/x"),
    ]

    batch = jobs.start_import(story, sources, user=editor)

    assert batch.created_by == editor
    assert batch.inputs == ["a.txt", "https://example.org/x"]
    items = list(batch.items.all())
    assert [(item.source, item.status) for item in items] == [
        ("a.txt", ImportItem.Status.PENDING),
        ("https://example.org/x", ImportItem.Status.PENDING),
    ]
    assert bytes(items[0].payload).startswith(b"Headline 1")
    assert items[1].source_url == "https://example.org/x"
    assert queued.imports == [batch.pk]
    assert batch.finished is None


def test_running_a_batch_stores_articles_and_queues_only_new_ones_for_analysis(story, queued):
    batch = create_import_batch(
        story,
        [text_source("a.txt", 1), text_source("again.txt", 1), ImportSource("e.txt", b"")],
    )
    seen: list[tuple[int, int, str]] = []

    jobs.import_now(batch.pk, progress=lambda done, total, item: seen.append((done, total, item.source)))

    batch.refresh_from_db()
    items = list(batch.items.all())
    assert [item.status for item in items] == [
        ImportItem.Status.IMPORTED,
        ImportItem.Status.DUPLICATE,
        ImportItem.Status.FAILED,
    ]
    assert items[0].article.import_batch == batch
    assert items[0].payload is None  # the bytes are dropped once processed
    assert queued.analyses == [items[0].article_id]
    assert seen == [(1, 3, "a.txt"), (2, 3, "again.txt"), (3, 3, "e.txt")]
    assert batch.finished is not None


def test_too_many_sources_are_refused(story, settings):
    settings.IMPORT_MAX_FILES = 2

    with pytest.raises(BatchRejected, match=r"3 files or URLs given; at most 2 can be imported at once"):
        create_import_batch(story, [text_source(f"{n}.txt", n) for n in range(3)])
    assert not ImportBatch.objects.exists()


def test_an_unexpected_reader_error_fails_that_item_only(story, monkeypatch):
    real_read_source = service.read_source

    def flaky(source, limits):
        if source.name == "bad.txt":
            raise KeyError("surprise")
        return real_read_source(source, limits)

    monkeypatch.setattr(service, "read_source", flaky)
    batch = create_import_batch(story, [text_source("bad.txt", 1), text_source("good.txt", 2)])

    run_import_batch(batch.pk)

    bad, good = batch.items.all()
    assert bad.status == ImportItem.Status.FAILED
    assert bad.message.startswith("bad.txt: could not be read: the importer met something in it")
    assert "KeyError" not in bad.message
    assert good.status == ImportItem.Status.IMPORTED


class SimulatedCrash(Exception):
    pass


def crash_on(monkeypatch: pytest.MonkeyPatch, crash_at_call: int) -> None:
    """Make the worker die right after the n-th article is written, before its item is recorded."""
    real_store_entry = service._store_entry
    calls = {"count": 0}

    def store_then_crash(*args, **kwargs):
        outcome = real_store_entry(*args, **kwargs)
        calls["count"] += 1
        if calls["count"] == crash_at_call:
            raise SimulatedCrash
        return outcome

    monkeypatch.setattr(service, "_store_entry", store_then_crash)


@pytest.mark.django_db(transaction=True)
def test_a_crash_mid_batch_leaves_only_whole_articles_and_a_rerun_finishes(story, monkeypatch):
    batch = create_import_batch(story, [text_source(f"{n}.txt", n) for n in range(1, 4)])
    crash_on(monkeypatch, crash_at_call=2)

    with pytest.raises(SimulatedCrash):
        run_import_batch(batch.pk)

    # The second article was written and then rolled back with its item: nothing half-done remains.
    assert list(Article.objects.values_list("source_name", flat=True)) == ["1.txt"]
    statuses = dict(batch.items.values_list("source", "status"))
    assert statuses == {"1.txt": "imported", "2.txt": "pending", "3.txt": "pending"}
    assert all(article.import_items.get().status == "imported" for article in Article.objects.all())

    monkeypatch.undo()
    run_import_batch(batch.pk)

    batch.refresh_from_db()
    assert sorted(Article.objects.values_list("source_name", flat=True)) == ["1.txt", "2.txt", "3.txt"]
    assert set(batch.items.values_list("status", flat=True)) == {"imported"}
    assert batch.finished is not None


@pytest.mark.django_db(transaction=True)
def test_a_crash_inside_a_multi_article_file_resumes_without_duplicates(story, monkeypatch):
    records = [{"title": f"Entry {n}", "text": make_text(100 + n)} for n in range(1, 4)]
    batch = create_import_batch(story, [ImportSource("list.json", json.dumps(records).encode())])
    crash_on(monkeypatch, crash_at_call=2)

    with pytest.raises(SimulatedCrash):
        run_import_batch(batch.pk)

    assert list(Article.objects.values_list("title", flat=True)) == ["Entry 1"]
    source_item = batch.items.get(entry=0)
    assert source_item.status == ImportItem.Status.PENDING and source_item.payload is not None

    monkeypatch.undo()
    run_import_batch(batch.pk)

    items = list(batch.items.order_by("entry"))
    assert [(item.entry, item.source, item.status) for item in items] == [
        (1, "list.json entry 1", "imported"),
        (2, "list.json entry 2", "imported"),
        (3, "list.json entry 3", "imported"),
    ]
    assert list(Article.objects.order_by("id").values_list("title", flat=True)) == [
        "Entry 1",
        "Entry 2",
        "Entry 3",
    ]


def test_running_a_finished_batch_again_changes_nothing(story, queued):
    batch = create_import_batch(story, [text_source("a.txt", 1)])
    jobs.import_now(batch.pk)
    finished = ImportBatch.objects.get(pk=batch.pk).finished

    jobs.import_now(batch.pk)

    assert Article.objects.count() == 1
    assert len(queued.analyses) == 1
    assert ImportBatch.objects.get(pk=batch.pk).finished == finished


def test_pasted_text_is_stored_as_pasted(story):
    batch = create_import_batch(
        story,
        [
            ImportSource(
                name="pasted text", data=b"Pasted headline\n" + make_text(9).encode(), format_hint="paste"
            )
        ],
    )

    run_import_batch(batch.pk)

    article = batch.items.get().article
    assert article.source_format == "paste"
    assert article.title == "Pasted headline"


def test_two_runs_of_one_batch_record_each_item_once(story, queued):
    batch = create_import_batch(story, [text_source("a.txt", 1), text_source("b.txt", 2)])
    second_run_done = []

    def start_second_run(done, total, item):
        if not second_run_done:
            second_run_done.append(True)
            jobs.import_now(batch.pk)  # another worker takes the rest of the batch meanwhile

    jobs.import_now(batch.pk, progress=start_second_run)

    items = list(batch.items.all())
    assert [item.status for item in items] == [ImportItem.Status.IMPORTED, ImportItem.Status.IMPORTED]
    assert Article.objects.count() == 2
    assert len(queued.analyses) == 2
