"""`storydiff compare` and `storydiff show` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from storydiff.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PAIR = [str(ROOT / "examples" / "konstantinovka" / f"report-{x}.txt") for x in "ab"]


def test_compare_json_and_html(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["compare", *PAIR, "--published", "2025-11-23", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    kinds = {d["kind"] for d in data["discrepancies"]}
    assert {"name_variant", "role_conflict", "internal_contradiction", "only_in", "framing"} <= kinds
    assert [d["id"] for d in data["documents"]] == ["report-a", "report-b"]

    out = tmp_path / "out" / "report.html"
    res = runner.invoke(cli, ["compare", *PAIR, "--format", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "Kimakovsky" in page and "role_conflict" in page


def test_compare_text_report_quotes_both_sides() -> None:
    res = CliRunner().invoke(cli, ["compare", *PAIR])
    assert res.exit_code == 0, res.output
    assert "local official" in res.stdout.lower() and "military adviser to the head of the DPR" in res.stdout


def test_compare_escapes_markup_in_articles(tmp_path: Path) -> None:
    a = tmp_path / "one.txt"
    b = tmp_path / "two.txt"
    body = "The mayor said 40 people were rescued from the river on Sunday, officials said.\n"
    a.write_text("<script>alert(1)</script> Rescue on the river\n\n" + body, encoding="utf-8")
    b.write_text("<script>alert(1)</script> Rescue on the river\n\n" + body.replace("40", "44"), encoding="utf-8")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["compare", str(a), str(b), "--format", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_compare_needs_two_readable_documents(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["compare", PAIR[0]])
    assert res.exit_code == 1
    assert "at least two" in res.stderr
    missing = tmp_path / "nope.txt"
    res = runner.invoke(cli, ["compare", PAIR[0], str(missing)])
    assert res.exit_code == 1
    assert "nope.txt" in res.stderr


def test_show_compares_a_stored_story(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(ROOT / "examples"), "--db", str(db)]).exit_code == 0
    res = runner.invoke(cli, ["stories", "--db", str(db), "--format", "json"])
    story = next(s for s in json.loads(res.stdout)["stories"] if "report-a" in s["articles"])
    res = runner.invoke(cli, ["show", story["id"], "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {d["id"] for d in data["documents"]} == {"report-a", "report-b"}
    assert any(d["kind"] == "role_conflict" for d in data["discrepancies"])

    res = runner.invoke(cli, ["show", "S999", "--db", str(db)])
    assert res.exit_code == 1
    assert "S999" in res.stderr
