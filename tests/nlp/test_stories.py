"""Stories from a stream (articles.nlp.stories): what an editor sees of the grouping, with the real spaCy
pipeline and sentence embeddings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from articles.nlp.stories import StoryParams, StreamArticle, cluster_stream

CHILE_1 = (
    "A magnitude 6.8 earthquake struck central Chile on Tuesday near the town of Talca, killing at least "
    "four people. The quake collapsed adobe houses in the Maule region and cut power to 200,000 homes. "
    "President Gabriel Boric flew to Talca to meet rescue teams. Aftershocks rattled Santiago overnight."
)
CHILE_2 = (
    "Rescuers in Talca searched collapsed adobe homes after Tuesday's 6.8-magnitude quake in Chile's Maule "
    "region, which killed four people. Boric visited the town and promised aid. Electricity was cut to about "
    "200,000 homes, and residents of Santiago felt strong aftershocks."
)
JAPAN_1 = (
    "A magnitude 7.1 earthquake hit the Noto peninsula in Japan on Saturday, killing at least twelve people "
    "in Wajima. Fires destroyed wooden houses in the port town. Prime Minister Fumio Kishida sent troops to "
    "Ishikawa prefecture, and a tsunami warning was lifted after three hours."
)
JAPAN_2 = (
    "Troops reached Wajima on Sunday after Saturday's 7.1-magnitude quake on Japan's Noto peninsula left "
    "twelve dead. Kishida said fires had gutted the old port district of the Ishikawa town. The tsunami "
    "warning for the coast was lifted within three hours."
)


def stories_of(articles: list[StreamArticle], params: StoryParams | None = None) -> dict:
    pairs = cluster_stream(articles, params or StoryParams())
    return {article.id: assignment.story for article, assignment in pairs}


def test_reports_of_one_event_join_one_story_and_a_similar_event_elsewhere_stays_apart():
    stories = stories_of(
        [
            StreamArticle("chile-1", CHILE_1, "Deadly quake strikes central Chile"),
            StreamArticle("japan-1", JAPAN_1, "Quake kills twelve in Japan's Noto peninsula"),
            StreamArticle("chile-2", CHILE_2),
            StreamArticle("japan-2", JAPAN_2),
        ]
    )
    assert stories["chile-1"] == stories["chile-2"]
    assert stories["japan-1"] == stories["japan-2"]
    assert stories["chile-1"] != stories["japan-1"]


def test_the_same_kind_of_report_a_year_later_is_a_new_story_but_a_day_later_joins():
    day = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    stories = stories_of(
        [
            StreamArticle("first", CHILE_1, published_at=day),
            StreamArticle("next-day", CHILE_2, published_at=day.replace(day=5)),
            StreamArticle("next-year", CHILE_2, published_at=day.replace(year=2026)),
        ]
    )
    assert stories["first"] == stories["next-day"]
    assert stories["next-year"] != stories["first"]


def test_undated_articles_are_grouped_by_their_text_alone():
    day = datetime(2025, 3, 4, tzinfo=UTC)
    stories = stories_of(
        [StreamArticle("dated", CHILE_1, published_at=day), StreamArticle("undated", CHILE_2)]
    )
    assert stories["dated"] == stories["undated"]


def test_a_story_retired_from_the_index_of_active_stories_is_not_joined_again():
    # With room for two active stories, a third event retires the least recently updated one (Chile), so a
    # later report on it starts a new story instead of being compared with every story ever seen.
    params = replace(StoryParams(), max_active=2)
    other = (
        "The central bank raised its main interest rate by half a point on Thursday to fight inflation, "
        "its governor told reporters in Frankfurt. Markets had expected the increase."
    )
    stories = stories_of(
        [
            StreamArticle("chile-1", CHILE_1),
            StreamArticle("japan-1", JAPAN_1),
            StreamArticle("rates", other),
            StreamArticle("chile-2", CHILE_2),
        ],
        params,
    )
    assert len({stories["chile-1"], stories["japan-1"], stories["rates"]}) == 3
    assert stories["chile-2"] not in (stories["chile-1"], stories["japan-1"], stories["rates"])


def test_an_articles_evidence_does_not_depend_on_the_articles_that_arrive_with_it():
    """The encoder's int8 activations are scaled per run: each article's lead is embedded on its own, so the
    story an article joins cannot change with the batch it was read in."""
    import numpy as np

    from articles.nlp.stories import article_evidence

    chile = StreamArticle(id="chile-1", text=CHILE_1)
    alone = article_evidence([chile])[0]
    among = article_evidence(
        [StreamArticle(id="japan-1", text=JAPAN_1), chile, StreamArticle(id="japan-2", text=JAPAN_2)]
    )[1]
    assert np.array_equal(alone.vector, among.vector)
    assert alone.terms == among.terms
