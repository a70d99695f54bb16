"""The article's language, detected at import from its title and body (articles.nlp.language)."""

from __future__ import annotations

import json

import pytest

from articles.importing import ImportSource
from articles.models import ImportItem
from articles.nlp.language import detect_language

from .conftest import fixture_bytes, html_page, import_file, import_sources

GERMAN = fixture_bytes("bahnstreik.txt").decode("utf-8")
ENGLISH = (
    "Rail strike halts long-distance trains across Germany\n\n"
    "The train drivers' union called a nationwide strike on Monday morning. Deutsche Bahn said about 80 "
    "percent of long-distance trains were cancelled, and roughly half of regional services were affected. "
    "Commuters in Berlin, Hamburg and Munich switched to buses, car pools and their own cars. The strike is "
    "due to last until Wednesday evening, the union's leader said in Frankfurt."
)


def as_file(name: str, text: str) -> ImportSource:
    """The text as a file of the format its name gives: plain text, an HTML page, or a JSON object."""
    title, _, body = text.partition("\n\n")
    if name.endswith(".html"):
        data = html_page(title, body)
    elif name.endswith(".json"):
        data = json.dumps({"title": title, "text": body})
    else:
        data = text
    return ImportSource(name=name, data=data.encode("utf-8"))


@pytest.mark.parametrize("extension", ["txt", "html", "json"])
def test_a_german_article_is_stored_as_german_and_an_english_one_as_english(story, extension):
    german, english = import_sources(
        story, [as_file(f"bahnstreik.{extension}", GERMAN), as_file(f"rail-strike.{extension}", ENGLISH)]
    )

    assert (german.status, english.status) == (ImportItem.Status.IMPORTED, ImportItem.Status.IMPORTED)
    assert german.article.title == "Bahnstreik legt den Fernverkehr in ganz Deutschland lahm"
    assert german.article.language == "de"
    assert english.article.language == "en"


def test_a_text_too_short_to_tell_is_stored_with_no_language(story):
    (item,) = import_file(story, "kurz.txt", "Streik beendet\n\nDer Streik ist vorbei.")

    assert item.status == ImportItem.Status.IMPORTED
    assert item.article.language == ""  # unknown: neither the old default "en" nor a guess


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        (GERMAN, "", "de"),
        (ENGLISH, "", "en"),
        # Long enough to tell: the detection wins over a declared language that disagrees ...
        (ENGLISH, "de", "en"),
        (GERMAN, "en-US", "de"),
        # ... too short to tell: the declared language (its primary subtag) is kept, or nothing is known.
        ("Streik beendet. Der Streik ist vorbei.", "de-DE", "de"),
        ("Streik beendet. Der Streik ist vorbei.", "", ""),
        # Figures are not letters: a table of numbers is too short to tell whatever its length.
        (" ".join(f"{n},{n * 7 % 1000:03d} ${n * 13}" for n in range(200)), "", ""),
    ],
)
def test_the_detection_rule(text, declared, expected):
    assert detect_language(text, declared=declared) == expected
