"""`storydiff claims` end to end on the example pair: entities, roles, hedges, dates, places."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storydiff.cli import cli


@pytest.fixture(scope="module")
def pair() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1] / "examples" / "konstantinovka"
    result = CliRunner().invoke(cli, ["claims", str(root / "report-a.txt"), str(root / "report-b.txt"),
                                      "--published", "2025-11-23", "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_documents_keep_the_file_text(pair: dict[str, Any]) -> None:
    root = Path(__file__).resolve().parents[1] / "examples" / "konstantinovka"
    docs = {d["id"]: d for d in pair["documents"]}
    assert docs["report-a"]["text"] == (root / "report-a.txt").read_text(encoding="utf-8")
    assert docs["report-b"]["published"] == "2025-11-23"


def test_offsets_point_at_the_quoted_text(pair: dict[str, Any]) -> None:
    texts = {d["id"]: d["text"] for d in pair["documents"]}
    for claim in pair["claims"]:
        text = texts[claim["doc"]]
        assert text[claim["start"]:claim["end"]] == claim["text"]
        for part in ("source", "cue", "content"):
            span = claim[part]
            if span is not None:
                assert text[span["start"]:span["end"]] == span["text"]
    for entity in pair["entities"]:
        for m in entity["mentions"]:
            assert texts[m["doc"]][m["start"]:m["end"]] == m["text"]


def _entity_with(pair: dict[str, Any], spelling: str) -> dict[str, Any]:
    [entity] = [e for e in pair["entities"] if any(m["text"] == spelling for m in e["mentions"])]
    return entity


def test_one_person_across_spellings_with_a_role_from_each_report(pair: dict[str, Any]) -> None:
    person = _entity_with(pair, "Kimakovsky")
    assert person["type"] == "PERSON"
    assert {m["text"] for m in person["mentions"]} >= {"Kimakovski", "Kimakovsky"}
    assert {m["doc"] for m in person["mentions"]} == {"report-a", "report-b"}
    roles = {(r["doc"], r["role"]) for r in person["roles"]}
    assert ("report-a", "local official") in roles
    assert ("report-b", "military adviser to the head of the DPR") in roles


def test_one_place_across_both_reports(pair: dict[str, Any]) -> None:
    place = _entity_with(pair, "Konstantinovka")
    assert place["type"] == "PLACE"
    assert {m["doc"] for m in place["mentions"]} == {"report-a", "report-b"}


def test_the_retreat_claim_in_a_carries_its_hedges(pair: dict[str, Any]) -> None:
    [claim] = [c for c in pair["claims"] if c["doc"] == "report-a" and "left wounded comrades" in c["text"]]
    assert {"cited in unverified sources", "reportedly", "if confirmed"} <= set(claim["hedges"])


def test_relative_date_resolves_against_the_publication_date(pair: dict[str, Any]) -> None:
    visit = [c for c in pair["claims"] if c["doc"] == "report-b" and "battles were underway" in c["text"]]
    assert visit and all(c["time"] == "2025-11-20" for c in visit)


def test_text_format_names_speaker_and_role(tmp_path: Path, examples: Path) -> None:
    out = tmp_path / "claims.txt"
    result = CliRunner().invoke(cli, ["claims", str(examples / "konstantinovka" / "report-b.txt"),
                                      "--format", "text", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "(military adviser to the head of the DPR)" in text
    assert "written" not in text or "Kimakovsky" in text


def test_out_dir_writes_one_file_per_document(tmp_path: Path, examples: Path) -> None:
    result = CliRunner().invoke(cli, ["claims", str(examples / "konstantinovka"), "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["report-a.json", "report-b.json"]
    one = json.loads((tmp_path / "report-a.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in one["documents"]] == ["report-a"]
    assert all(c["doc"] == "report-a" for c in one["claims"])
