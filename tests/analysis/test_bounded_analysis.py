"""Analysis holds no transaction during its heavy part, ends cleanly when its article is deleted, and names
the limit of what it analyses.

The locking case runs in a process of its own on a file-backed SQLite database (the embedded default's),
where an open write transaction is what makes every other writer fail with "database is locked".
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from io import StringIO

import pytest
from django.core.management import call_command

from articles.jobs import run_analysis_job
from articles.models import Article, Job, Sentence, Story
from articles.services import analysis
from articles.services.analysis import ArticleVanished, analyze_article
from tests.conftest import PROJECT_DIR

BODY = (
    "Harbour fire closes the port\n\n"
    "The fire began at dawn in a warehouse near the docks. Crews from three stations came within minutes.\n\n"
    "The port authority said the harbour would stay shut until Friday while investigators work."
)


def make_article(story: Story, title: str, body: str = BODY) -> Article:
    return Article.objects.create(
        story=story,
        title=title,
        body=body,
        content_hash=hashlib.sha256(f"{title}:{body}".encode()).hexdigest(),
        source_format="text",
        source_name=f"{title}.txt",
    )


@pytest.fixture
def story(db) -> Story:
    return Story.objects.create(title="Harbour fire", slug="harbour-fire")


def delete_during_summary(monkeypatch, article_id: int) -> None:
    """The article is deleted (as in the admin) while its summary is being computed."""
    real = analysis.summarize

    def summarize(*args, **kwargs):
        Article.objects.filter(pk=article_id).delete()
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "summarize", summarize)


def test_an_article_deleted_during_its_analysis_ends_it_with_a_clear_message(story, monkeypatch):
    article = make_article(story, "Port fire")
    delete_during_summary(monkeypatch, article.pk)

    with pytest.raises(ArticleVanished) as raised:
        analyze_article(article.pk)

    assert str(raised.value) == (
        f"Article {article.pk} “Port fire” was deleted while it was being analysed; nothing was saved."
    )
    assert not Sentence.objects.filter(article_id=article.pk).exists()


def test_an_article_deleted_before_its_analysis_is_named(story):
    article = make_article(story, "Port fire")
    Article.objects.filter(pk=article.pk).delete()
    with pytest.raises(ArticleVanished, match=f"Article {article.pk} no longer exists"):
        analyze_article(article.pk)


@pytest.mark.django_db(transaction=True)  # autocommit, as the command runs
def test_the_analyze_command_goes_on_after_an_article_deleted_during_its_analysis(monkeypatch):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    first = make_article(story, "Port fire")
    second = make_article(story, "Harbour shut", BODY.replace("Friday", "Monday"))
    delete_during_summary(monkeypatch, first.pk)
    out = StringIO()

    call_command("analyze", story=story.slug, stdout=out)

    report = out.getvalue()
    assert "1 of 2 article(s) analysed." in report
    assert f"1 skipped:\n  Article {first.pk} “Port fire”: deleted before or during its analysis" in report
    second.refresh_from_db()
    assert second.analyzed_at is not None
    assert second.sentences.count() == 4
    assert second.summaries.exists()


def test_an_article_over_the_analysis_limit_fails_its_job_in_plain_words(story, monkeypatch):
    monkeypatch.setattr(analysis, "MAX_ANALYSIS_CHARACTERS", 100)
    article = make_article(story, "Port fire")
    job = Job.objects.create(kind=Job.Kind.ANALYSIS, story=story, article=article, progress_total=3)

    finished = run_analysis_job(job.pk, synthesise=False)

    assert finished.state == Job.State.FAILED
    assert finished.error == (
        f"Article {article.pk} “Port fire” is too long to analyse: {len(BODY):,} characters, and the "
        "workbench analyses at most 100. Split it into shorter articles and import those."
    )


CONCURRENT_WRITE = textwrap.dedent(
    """
    import hashlib, sqlite3, sys, threading
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command("migrate", verbosity=0)
    from articles.models import Article, Story
    from articles.services import analysis

    body = "\\n".join(f"Sentence {n} of the long report names harbour item {n}." for n in range(400))
    story = Story.objects.create(title="Long report", slug="long-report")
    article = Article.objects.create(story=story, title="Long report", body=body, source_format="text",
                                     content_hash=hashlib.sha256(body.encode()).hexdigest())
    heavy, release = threading.Event(), threading.Event()
    real = analysis.summarize

    def summarize(*args, **kwargs):  # the heavy part: signal it has begun, wait for the other editor
        heavy.set()
        release.wait(60)
        return real(*args, **kwargs)

    analysis.summarize = summarize
    outcome = {}

    def analyse():
        try:
            outcome["result"] = analysis.analyze_article(article.pk)
        except Exception as exc:
            outcome["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    worker = threading.Thread(target=analyse)
    worker.start()
    heavy.wait(120)
    other = sqlite3.connect(sys.argv[1], timeout=1)  # another editor's connection
    try:
        other.execute("UPDATE articles_story SET title = 'Renamed' WHERE id = ?", (story.pk,))
        other.commit()
        print("other write: ok")
    except sqlite3.OperationalError as exc:
        print(f"other write: {exc}")
    finally:
        other.close()
        release.set()
    worker.join(300)
    print("analysis:", outcome.get("error") or f"{outcome['result'].sentences} sentences")
    """
)


@pytest.mark.timeout(300)
def test_another_editor_can_write_while_an_analysis_computes(tmp_path):
    database = tmp_path / "workbench.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "workbench.settings.test",
    }
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_WRITE, str(database)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert lines[-2:] == ["other write: ok", "analysis: 400 sentences"], done.stdout + done.stderr[-2000:]


def lock_the_first_writes(monkeypatch, times: int) -> list[int]:
    """The first `times` writes of an analysis meet a database locked by another writer."""
    from django.db import OperationalError

    real, tries = analysis._write_sentences, []

    def write_sentences(*args, **kwargs):
        tries.append(1)
        if len(tries) <= times:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "_write_sentences", write_sentences)
    monkeypatch.setattr(analysis, "WRITE_RETRY_PAUSE", 0)
    return tries


def test_a_write_that_meets_a_locked_database_is_tried_again(story, monkeypatch):
    article = make_article(story, "Port fire")
    tries = lock_the_first_writes(monkeypatch, times=1)

    outcome = analyze_article(article.pk)

    assert len(tries) == 2
    assert outcome.sentences == 4
    assert article.sentences.count() == 4
    assert article.summaries.exists()


def test_a_database_that_stays_locked_fails_the_analysis_saying_so(story, monkeypatch):
    article = make_article(story, "Port fire")
    lock_the_first_writes(monkeypatch, times=analysis.WRITE_ATTEMPTS)
    job = Job.objects.create(kind=Job.Kind.ANALYSIS, story=story, article=article, progress_total=3)

    finished = run_analysis_job(job.pk, synthesise=False)

    assert finished.state == Job.State.FAILED
    assert finished.error == (
        f"Article {article.pk} “Port fire” was analysed, but its results could not be saved: the database "
        f"stayed locked by another writer ({analysis.WRITE_ATTEMPTS} tries). Nothing was changed; run the "
        "analysis again."
    )
    assert not article.sentences.exists()
    article.refresh_from_db()
    assert article.analyzed_at is None


@pytest.mark.django_db(transaction=True)  # autocommit, as a worker runs
def test_an_analysis_job_whose_article_is_deleted_meanwhile_ends_quietly(monkeypatch, caplog):
    story = Story.objects.create(title="Harbour fire", slug="harbour-fire")
    article = make_article(story, "Port fire")
    other = make_article(story, "Harbour shut", BODY.replace("Friday", "Monday"))
    job = Job.objects.create(kind=Job.Kind.ANALYSIS, story=story, article=article, progress_total=3)
    delete_during_summary(monkeypatch, article.pk)

    with caplog.at_level("INFO", logger="articles.jobs"):
        run_analysis_job(job.pk)  # no exception: the job went with its article

    assert not Job.objects.filter(pk=job.pk).exists()
    assert f"Article {article.pk} “Port fire” was deleted while it was being analysed" in caplog.text
    assert "failed" not in caplog.text
    assert Article.objects.filter(pk=other.pk).exists()
