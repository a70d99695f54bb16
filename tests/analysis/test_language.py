"""An article in a language the pipeline cannot read is marked, not run through the English rules."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import jobs
from articles.importing import ImportSource, create_import_batch, run_import_batch, sources_from_paths
from articles.models import (
    Article,
    CandidateBriefSentence,
    Claim,
    Entity,
    Job,
    Mention,
    Sentence,
    Story,
    Summary,
)
from articles.services.analysis import analyze_article
from articles.services.synthesis import synthesize_story
from tests.conftest import SEEDS_DIR

GERMAN_FILE = SEEDS_DIR.parent / "tests" / "fixtures" / "import" / "bahnstreik.txt"
NOTE = "Not analysed: the pipeline reads English only; this article is German (de)."
MARKER = "German — not analysed (the pipeline reads English only)"


@pytest.fixture
def mixed_story(db) -> Story:
    """One English seed article and one German article, imported with the importer's service."""
    story = Story.objects.create(title="Two languages", slug="two-languages")
    english_seed = sorted(SEEDS_DIR.glob("*.txt"))[0]
    sources = [
        *sources_from_paths([str(english_seed)]),
        ImportSource(name="bahnstreik.txt", data=GERMAN_FILE.read_bytes()),
    ]
    run_import_batch(create_import_batch(story, sources).pk)
    assert sorted(story.articles.values_list("language", flat=True)) == ["de", "en"]
    return story


def english_and_german(story: Story) -> tuple[Article, Article]:
    return story.articles.get(language="en"), story.articles.get(language="de")


def analyse_in_background(story: Story, capture) -> None:
    """As after an import: one analysis job per article, then (queued by the last one) the synthesis."""
    with capture(execute=True):
        for article in story.articles.all():
            jobs.enqueue_analysis(article)


def test_the_german_article_gets_no_sentences_or_mentions_and_its_job_succeeds_with_the_reason(
    mixed_story, django_capture_on_commit_callbacks
):
    analyse_in_background(mixed_story, django_capture_on_commit_callbacks)
    english, german = english_and_german(mixed_story)
    german.refresh_from_db()

    job = Job.objects.get(kind=Job.Kind.ANALYSIS, article=german)
    assert (job.state, job.attempts, job.error) == (Job.State.SUCCEEDED, 1, "")
    assert german.analysis_note == NOTE
    assert not Sentence.objects.filter(article=german).exists()
    assert not Mention.objects.filter(article=german).exists()
    assert not Summary.objects.filter(article=german).exists()
    # The English pipeline would have found the union leader in the German text; nobody did.
    assert not Entity.objects.filter(story=mixed_story, name__contains="Weselsky").exists()
    assert not Entity.objects.filter(articles=german).exists()
    # The English article next to it is analysed as ever.
    assert Sentence.objects.filter(article=english).count() > 5
    assert Mention.objects.filter(article=english).exists()
    assert Article.objects.get(pk=english.pk).analysis_note == ""


def test_the_story_is_still_synthesised_from_its_english_article(
    mixed_story, django_capture_on_commit_callbacks
):
    analyse_in_background(mixed_story, django_capture_on_commit_callbacks)
    english, german = english_and_german(mixed_story)

    synthesis = Job.objects.get(kind=Job.Kind.SYNTHESIS, story=mixed_story)
    assert synthesis.state == Job.State.SUCCEEDED, synthesis.error
    claims = Claim.objects.filter(story=mixed_story)
    assert claims.exists()
    claim_articles = set(Sentence.objects.filter(claims__story=mixed_story).values_list("article", flat=True))
    assert claim_articles == {english.pk}
    brief_articles = set(
        CandidateBriefSentence.objects.filter(candidate__story=mixed_story).values_list(
            "sentence__article", flat=True
        )
    )
    assert brief_articles == {english.pk}


def source_card(html: str, article: Article) -> str:
    """The sources pane's card of one article."""
    found = re.search(rf'<article class="source" id="article-{article.pk}">(.*?)</article>', html, re.S)
    assert found, f"no card for article {article.pk}"
    return found.group(1)


def test_the_workspace_and_the_article_page_mark_the_german_article(
    mixed_story, django_capture_on_commit_callbacks, client, django_user_model
):
    analyse_in_background(mixed_story, django_capture_on_commit_callbacks)
    english, german = english_and_german(mixed_story)
    client.force_login(django_user_model.objects.create_user("reader"))

    workspace = client.get(mixed_story.get_absolute_url()).content.decode()
    assert MARKER in source_card(workspace, german)
    assert "not analysed" not in source_card(workspace, english)
    assert "Not analysed yet" not in source_card(workspace, german)

    page = client.get(reverse("article_text", args=[mixed_story.slug, german.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert MARKER in html
    # The editor can still read it, in full.
    assert "Pendler in Berlin, Hamburg und München mussten auf Busse" in html
    english_page = client.get(reverse("article_text", args=[mixed_story.slug, english.pk])).content.decode()
    assert "not analysed" not in english_page


def test_the_analyze_command_names_the_article_it_left_out_and_does_not_fail(mixed_story):
    out = StringIO()
    call_command("analyze", "--story", mixed_story.slug, stdout=out)  # raises CommandError on a failure

    _, german = english_and_german(mixed_story)
    assert "1 of 2 article(s) analysed." in out.getvalue()
    assert f"1 left out:\n  Article {german.pk} “{german.title}”: {NOTE}" in out.getvalue()


def test_an_analysed_article_marked_german_loses_what_the_english_pipeline_wrote(mixed_story):
    english, _ = english_and_german(mixed_story)
    analyze_article(english.pk)
    synthesize_story(mixed_story)  # the story stage, as the pipeline runs it once the story settles
    assert Entity.objects.filter(articles=english).exists()

    Article.objects.filter(pk=english.pk).update(language="de")  # an editor corrects it in the admin
    outcome = analyze_article(english.pk)
    synthesize_story(mixed_story)

    assert outcome.skipped
    assert not Sentence.objects.filter(article=english).exists()
    assert not Mention.objects.filter(article=english).exists()
    assert not Summary.objects.filter(article=english).exists()
    assert not Entity.objects.filter(story=mixed_story).exists()  # the story's entities, consolidated again
    assert Article.objects.get(pk=english.pk).analysis_note == NOTE


def test_a_german_article_corrected_to_english_is_analysed_and_its_note_cleared(mixed_story):
    _, german = english_and_german(mixed_story)
    analyze_article(german.pk)
    assert Article.objects.get(pk=german.pk).analysis_note == NOTE

    Article.objects.filter(pk=german.pk).update(language="en")
    analyze_article(german.pk)

    assert Sentence.objects.filter(article=german).exists()
    assert Article.objects.get(pk=german.pk).analysis_note == ""


def test_the_admin_lists_each_article_with_its_language_and_shows_the_note(
    mixed_story, client, django_user_model
):
    _, german = english_and_german(mixed_story)
    analyze_article(german.pk)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw-long-1"))

    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert '<td class="field-language_label">German (de)</td>' in listing
    assert '<td class="field-language_label">English (en)</td>' in listing
    change = client.get(reverse("admin:articles_article_change", args=[german.pk])).content.decode()
    assert NOTE in change
