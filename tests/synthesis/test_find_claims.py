"""`find_claims`: the DB-free front door to the story synthesis' engine."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

DOCUMENTS = [
    "Storm Closes Canal\n\nRescue teams said 40 ships were stranded in the canal on Wednesday. "
    "The port authority expects traffic to resume next week.",
    "Rescue teams said 50 ships were stranded in the canal on Wednesday. "
    "Local fishermen reported damage to their boats.",
]


def test_claims_and_discrepancies_with_offsets_for_good_lines_and_errors_for_bad_ones(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "canal", "documents": DOCUMENTS})
        + "\n{not json\n"
        + json.dumps({"id": "empty", "documents": []})
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    with pytest.raises(CommandError) as failed:
        call_command("find_claims", str(source), "--output", str(out))
    assert "2 line(s)" in str(failed.value)
    errors = capsys.readouterr().err
    assert f"{source}:2: not valid JSON" in errors
    assert f"{source}:3: " in errors and "documents" in errors

    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["id"] == "canal" and set(record) == {"id", "claims", "discrepancies"}
    seen = []
    for claim in record["claims"]:
        assert set(claim) == {"support", "sentences"} and claim["support"] >= 1
        for sentence in claim["sentences"]:
            assert set(sentence) == {"doc", "start", "end"}
            seen.append((sentence["doc"], sentence["start"], sentence["end"]))
    assert len(seen) == len(set(seen)), "a sentence in two claims"
    texts = {DOCUMENTS[doc][start:end] for doc, start, end in seen}
    assert "Storm Closes Canal" not in texts, "a heading became a claim"
    assert "Local fishermen reported damage to their boats." in texts, "a support-1 claim is missing"
    assert len(texts) == 4
    [flag] = record["discrepancies"]
    assert flag["kind"] == "number" and {flag["value_a"], flag["value_b"]} == {"40", "50"}
    for side, value in (("a", flag["value_a"]), ("b", flag["value_b"])):
        where = flag[side]
        assert value in DOCUMENTS[where["doc"]][where["start"] : where["end"]]
    assert flag["a"]["doc"] != flag["b"]["doc"]


def test_a_missing_input_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("find_claims", str(tmp_path / "missing.jsonl"))
