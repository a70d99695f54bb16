"""Exact duplicates are reported, not stored; near-duplicates are stored and linked; re-runs are harmless."""

from __future__ import annotations

from articles.importing import ImportSource, sources_from_paths
from articles.models import Article, ImportItem, Story
from articles.nlp.duplicates import NearDuplicateIndex, content_hash, shingles, similarity
from tests.conftest import SEEDS_DIR
from tests.texts import make_text

from .conftest import import_file, import_sources

SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


def lightly_edited(text: str) -> str:
    """The same wire copy as another outlet runs it: a few words changed, one sentence dropped."""
    sentences = text.split(". ")
    del sentences[3]
    edited = ". ".join(sentences)
    return edited.replace(" the ", " a ", 2).replace("said", "stated", 1)


def test_content_hash_ignores_case_spacing_and_typography():
    original = "Krause\u2019s \u201cdeparture\u201d \u2014 confirmed.\n\nTreasury said so."
    variant = '  KRAUSE\'S "departure" - confirmed. Treasury   said so.\n'

    assert content_hash(original) == content_hash(variant)
    assert content_hash(original) != content_hash("Krause's departure was denied. Treasury said so.")


def test_similarity_is_high_for_an_edited_copy_and_low_for_other_coverage():
    seeds = [path.read_text(encoding="utf-8") for path in SEEDS]
    copy = lightly_edited(seeds[0])

    assert similarity(shingles(copy), shingles(seeds[0])) > 0.85
    assert max(similarity(shingles(seeds[0]), shingles(other)) for other in seeds[1:]) < 0.1
    index = NearDuplicateIndex(threshold=0.8)
    for number, text in enumerate(seeds):
        index.add(number, text)
    match = index.best_match(copy)
    assert match is not None and match.key == 0


def test_the_same_text_twice_is_a_duplicate_and_stored_once(story):
    text = "Ferry strike ends\n" + make_text(80)
    markdown = "# Ferry strike ends\n\n" + make_text(80).replace("Council", "**Council**")

    first, second = import_sources(
        story,
        [ImportSource(name="a.txt", data=text.encode()), ImportSource(name="b.md", data=markdown.encode())],
    )

    assert first.status == ImportItem.Status.IMPORTED
    assert second.status == ImportItem.Status.DUPLICATE
    assert second.duplicate_of == first.article
    assert second.article is None
    assert Article.objects.filter(story=story).count() == 1


def test_a_near_duplicate_is_stored_and_linked_with_its_similarity(story):
    original_text = SEEDS[0].read_text(encoding="utf-8")
    (original,) = import_file(story, "wire.txt", original_text)
    (copy,) = import_file(story, "copy.txt", lightly_edited(original_text))

    assert copy.status == ImportItem.Status.NEAR_DUPLICATE
    assert copy.article is not None and copy.duplicate_of == original.article
    assert 0.85 < copy.similarity < 1.0
    copy.article.refresh_from_db()
    assert copy.article.near_duplicate_of == original.article
    assert copy.article.near_duplicate_similarity == copy.similarity
    assert Article.objects.filter(story=story).count() == 2


def test_the_near_duplicate_threshold_is_a_setting(story, settings):
    settings.IMPORT_NEAR_DUPLICATE_THRESHOLD = 0.99
    original_text = SEEDS[0].read_text(encoding="utf-8")
    import_file(story, "wire.txt", original_text)

    (copy,) = import_file(story, "copy.txt", lightly_edited(original_text))

    assert copy.status == ImportItem.Status.IMPORTED
    assert copy.article.near_duplicate_of is None


def test_duplicates_are_per_story(story):
    other = Story.objects.create(title="Other story", slug="other-story")
    text = "Same text\n" + make_text(81)
    import_file(story, "a.txt", text)

    (item,) = import_file(other, "a.txt", text)

    assert item.status == ImportItem.Status.IMPORTED


def test_running_the_same_import_again_is_harmless(story, queued):
    paths = [str(path) for path in SEEDS]
    first = import_sources(story, sources_from_paths(paths))
    analysed_after_first = list(queued.analyses)

    second = import_sources(story, sources_from_paths(paths))

    assert [item.status for item in first] == [ImportItem.Status.IMPORTED] * 5
    assert [item.status for item in second] == [ImportItem.Status.DUPLICATE] * 5
    assert [item.duplicate_of_id for item in second] == [item.article_id for item in first]
    assert Article.objects.filter(story=story).count() == 5
    assert len(analysed_after_first) == 5 and queued.analyses == analysed_after_first
