"""The summarize_clusters command on a small file written here (not the evaluation set)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.nlp.brief import BriefParams, cluster_documents, select_brief
from articles.nlp.segmentation import segment_many

BRIDGE = [
    "The city council approved the new river bridge on Tuesday after a two-year debate. The bridge will cost "
    "40 million dollars and open in 2027. Mayor Ana Ruiz said the vote ended years of delays. Construction "
    "starts in the spring, the transport department said.",
    "After two years of debate, the city council on Tuesday approved a new bridge over the river. Officials "
    "said the bridge would cost 40 million dollars. Mayor Ana Ruiz welcomed the vote. Some residents worry "
    "about traffic during the works.\n\nShare this article",
]
LIBRARY = [
    "The central library will stay open until midnight during exam weeks, the university announced. Students "
    "had asked for longer hours for years. The change starts next month and costs little, officials said.",
]


@pytest.fixture
def clusters_file(tmp_path):
    path = tmp_path / "clusters.jsonl"
    lines = [
        json.dumps({"id": "bridge", "documents": BRIDGE}),
        "{this is not json",
        json.dumps({"id": 7, "documents": LIBRARY}),
        json.dumps({"id": "empty", "documents": []}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_summaries_for_good_lines_and_errors_with_line_numbers_for_bad_ones(clusters_file, tmp_path, capsys):
    output = tmp_path / "out.jsonl"
    with pytest.raises(CommandError, match="2 line"):
        call_command("summarize_clusters", str(clusters_file), "--words", "40", "--output", str(output))
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["bridge", 7]
    for record in records:
        assert set(record) == {"id", "summary"}
        assert 0 < len(record["summary"].split()) <= 40
    assert "Share this article" not in records[0]["summary"]
    errors = capsys.readouterr().err
    assert f"{clusters_file}:2: not valid JSON" in errors
    assert f"{clusters_file}:4: " in errors and "documents" in errors


def test_timings_report_segment_and_select(clusters_file, tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text(clusters_file.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    call_command(
        "summarize_clusters", str(good), "--words", "60", "--output", str(tmp_path / "o.jsonl"), "--timings"
    )
    timing_lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    timings = json.loads(timing_lines[-1])
    assert timings["segment"] > 0 and timings["select"] > 0 and timings["clusters"] == 1


def test_the_command_uses_the_candidate_brief_selection(clusters_file, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(clusters_file.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    output = tmp_path / "o.jsonl"
    call_command("summarize_clusters", str(good), "--words", "60", "--output", str(output))
    summary = json.loads(output.read_text(encoding="utf-8"))["summary"]
    expected = select_brief(
        cluster_documents(segment_many(BRIDGE)),
        BriefParams(word_budget=60, claim_threshold=settings.CLAIM_SIMILARITY_THRESHOLD),
    ).text
    assert summary == expected
    assert "40 million dollars" in summary


def test_a_missing_input_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="nope.jsonl: no such file"):
        call_command("summarize_clusters", str(tmp_path / "nope.jsonl"))
