"""`cluster_stories`: the DB-free front door to the stream clustering."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from tests.nlp.test_stories import CHILE_1, CHILE_2, JAPAN_1


def test_one_story_line_per_good_line_and_bad_lines_named_by_number(tmp_path, capsys):
    source = tmp_path / "stream.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "a", "text": CHILE_1, "title": "Quake in Chile", "published_at": "2025-03-04"}
                ),
                "{not json",
                json.dumps({"id": "b", "text": JAPAN_1}),
                json.dumps({"id": "c", "text": ""}),
                json.dumps({"id": 4, "text": CHILE_2, "published_at": "2025-03-04T18:30:00+01:00"}),
                json.dumps({"id": "e", "text": CHILE_2, "published_at": "last Tuesday"}),
            ]
        )
        + "\n"
    )
    out = tmp_path / "stories.jsonl"
    with pytest.raises(CommandError) as failed:
        call_command("cluster_stories", str(source), "--output", str(out))
    assert "3 line(s)" in str(failed.value)
    errors = capsys.readouterr().err
    assert f"{source}:2: not valid JSON" in errors
    assert f"{source}:4: " in errors and '"text" is empty' in errors
    assert f"{source}:6: " in errors and "published_at" in errors and "2025-04-08" in errors

    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", 4]
    story = {r["id"]: r["story"] for r in records}
    assert story["a"] == 1 and story["a"] == story[4] and story["b"] != story["a"]


def test_a_missing_input_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("cluster_stories", str(tmp_path / "missing.jsonl"))
