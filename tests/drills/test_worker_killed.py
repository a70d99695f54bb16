"""Drill: a worker is killed (SIGKILL) during a story's synthesis (real stack: PostgreSQL, Redis, workers).

The test-only hook WORKBENCH_TEST_SYNTHESIS_DELAY (articles.jobs) makes the first worker sleep after the
synthesis has written its claims and candidate brief and before the job is marked done: the worst moment for
a kill. The message was not acknowledged (acks_late, reject_on_worker_lost), so a new worker gets it again;
the job finishes once, with one candidate brief and the same claims, none doubled.
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from articles import jobs
from articles.models import CandidateBrief, CandidateBriefSentence, Claim, Job
from articles.services.analysis import analyze_article
from tests.realstack.conftest import seed_story, wait_for  # noqa: F401 - seed_story is a fixture

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(600)]


def claim_rows(story) -> list[tuple]:
    return sorted(
        Claim.objects.filter(story=story)
        .annotate(n=Count("sentences"))
        .values_list("representative_id", "support", "n", "text")
    )


def test_a_synthesis_killed_after_writing_runs_again_and_finishes_once(drill_workers, seed_story):  # noqa: F811
    for article in seed_story.articles.all():
        analyze_article(article.pk)
    first = drill_workers.start(WORKBENCH_TEST_SYNTHESIS_DELAY="90")
    job = jobs.enqueue_synthesis(seed_story)

    def written_and_running() -> bool:
        return (
            Job.objects.get(pk=job.pk).state == Job.State.RUNNING
            and CandidateBrief.objects.filter(story=seed_story).exists()
        )

    wait_for(written_and_running, 180, "the synthesis to write its rows", drill_workers)
    claims_first = claim_rows(seed_story)
    candidate_first = list(
        CandidateBriefSentence.objects.filter(candidate__story=seed_story).values_list(
            "position", "sentence_id"
        )
    )
    assert claims_first and candidate_first
    first.kill()
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING  # the kill left the job unfinished

    drill_workers.start(CELERY_VISIBILITY_TIMEOUT="1")
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED, 240, "the rerun", drill_workers)

    job.refresh_from_db()
    assert job.attempts == 2 and not job.error
    assert Job.objects.filter(story=seed_story, kind=Job.Kind.SYNTHESIS).count() == 1
    assert CandidateBrief.objects.filter(story=seed_story).count() == 1
    assert claim_rows(seed_story) == claims_first  # replaced by the rerun, not added to
    assert (
        list(
            CandidateBriefSentence.objects.filter(candidate__story=seed_story).values_list(
                "position", "sentence_id"
            )
        )
        == candidate_first
    )
    representatives = Claim.objects.filter(story=seed_story).values_list("representative_id", flat=True)
    assert len(set(representatives)) == len(representatives)
