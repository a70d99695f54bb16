"""The import through the real pipeline (articles.jobs): what it queues, as the web form and worker see it."""

from __future__ import annotations

import pytest

from articles import jobs
from articles.importing import ImportSource, create_import_batch
from articles.models import Job
from tests.texts import make_text


@pytest.fixture
def queued():
    """Overrides the stand-in: these tests use the real queue."""
    return None


def test_creating_a_batch_records_an_import_job_sent_on_commit(story, django_capture_on_commit_callbacks):
    source = ImportSource(name="a.txt", data=f"Headline\n{make_text(300)}".encode())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = jobs.start_import(story, [source])

    job = Job.objects.get(kind=Job.Kind.IMPORT, batch=batch)
    assert job.state == Job.State.QUEUED and job.story == story
    assert len(callbacks) == 1  # the task goes out only once the batch is committed


def test_each_new_article_gets_an_analysis_job(story, django_capture_on_commit_callbacks):
    sources = [
        ImportSource(name=f"{n}.txt", data=f"Headline {n}\n{make_text(310 + n)}".encode()) for n in range(2)
    ]
    batch = create_import_batch(story, sources)

    with django_capture_on_commit_callbacks(execute=False):
        jobs.import_now(batch.pk)

    analysed = set(Job.objects.filter(kind=Job.Kind.ANALYSIS).values_list("article_id", flat=True))
    assert analysed == set(batch.items.values_list("article_id", flat=True))
