"""The DuckDB store: idempotent ingest, id conflicts, Parquet round trip, Unicode round trip."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from storydiff.cli import cli
from storydiff.models import Article
from storydiff.pipeline import ingest
from storydiff.store import Store
from storydiff.store.schema import SCHEMA_VERSION


def table(db: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM articles ORDER BY id").fetchall()
    finally:
        con.close()


def test_ingesting_the_same_folder_twice_changes_nothing(examples: Path, db: Path) -> None:
    first = ingest([examples], db)
    before = table(db)
    second = ingest([examples], db)
    assert (first.added, first.unchanged) == (12, 0)
    assert (second.added, second.unchanged) == (0, 12)
    assert table(db) == before  # not even ingested_at moves


def test_a_different_article_under_a_stored_id_names_both_origins(tmp_path: Path, db: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "brief.txt").write_text("The mayor resigned on Monday.", encoding="utf-8")
    (two / "brief.txt").write_text("The mayor did not resign.", encoding="utf-8")
    ingest([one], db)
    report = ingest([two], db)
    [conflict] = report.skipped
    assert str(two / "brief.txt") in conflict.origin
    assert str(one / "brief.txt") in conflict.reason and "'brief'" in conflict.reason
    assert report.exit_code == 1
    with Store(db, read_only=True) as store:
        assert store.get("brief").text == "The mayor resigned on Monday."


def test_schema_version_is_recorded(db: Path) -> None:
    Store(db).close()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    con.close()


def test_not_a_store_is_a_clear_error(tmp_path: Path, runner: CliRunner) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(cli, ["ingest", str(tmp_path), "--db", str(bogus)])
    assert result.exit_code == 1
    assert "bogus.duckdb" in result.stderr and "store" in result.stderr


def test_parquet_round_trip(examples: Path, db: Path, tmp_path: Path, runner: CliRunner) -> None:
    ingest([examples], db)
    parquet = tmp_path / "articles.parquet"
    result = runner.invoke(cli, ["export", "--parquet", str(parquet), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "exported 12 articles" in result.stdout
    other = tmp_path / "copy.duckdb"
    result = runner.invoke(cli, ["import-parquet", str(parquet), "--db", str(other)])
    assert result.exit_code == 0, result.output
    assert "12 new" in result.stdout
    assert table(other) == table(db)
    again = runner.invoke(cli, ["import-parquet", str(parquet), "--db", str(other)])
    assert "0 new, 12 already stored" in again.stdout


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(min_size=1).filter(lambda t: t.strip()), min_size=1, max_size=5),
    title=st.one_of(st.none(), st.text()),
)
def test_any_unicode_text_comes_back_identical(texts: list[str], title: str | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for i, text in enumerate(texts):
                fh.write(json.dumps({"id": f"a{i}", "text": text, "title": title}) + "\n")
        db = Path(tmp) / "s.duckdb"
        report = ingest([src], db)
        assert report.added == len(texts) and not report.skipped
        with Store(db, read_only=True) as store:
            got = {a.id: a for a in store.articles()}
        for i, text in enumerate(texts):
            assert got[f"a{i}"].text == text
            assert got[f"a{i}"].title == (title or None)
        again = ingest([src], db)
        assert (again.added, again.unchanged) == (0, len(texts))


def test_lone_surrogates_are_refused_not_stored(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_text('{"id": "bad", "text": "broken \\ud800 text"}\n{"id": "good", "text": "fine"}\n', encoding="utf-8")
    report = ingest([src], db)
    assert report.added == 1
    assert "lone surrogate" in report.skipped[0].reason and report.skipped[0].origin.endswith(":1")


def test_articles_stream_in_id_order(db: Path) -> None:
    with Store(db) as store:
        store.add_articles([Article(id=f"id{i:04d}", text=f"text {i}", origin="t") for i in range(2500)])
        ids = [a.id for a in store.articles(batch_size=300)]
    assert ids == sorted(ids) and len(ids) == 2500


def test_a_second_writer_waits_then_fails_with_a_clear_message(examples: Path, db: Path) -> None:
    import subprocess
    import sys

    ingest([examples / "konstantinovka"], db)
    with Store(db):  # this process holds the write lock
        done = subprocess.run(
            [sys.executable, "-m", "storydiff", "--setting", "store_lock_timeout", "1",
             "ingest", str(examples / "formats"), "--db", str(db)],
            capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 1
    assert "in use by another storydiff process" in done.stderr
    assert table(db) and len(table(db)) == 2  # untouched
    assert ingest([examples / "formats"], db).added == 10  # and usable once released
