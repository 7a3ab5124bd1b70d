"""spark-stories on a real local Spark: the same stories as `stories --rebuild`, rejects, restarts, the CLI.

The corpus is generated (bench/grouping_speed.py's generator) from the texts the
repo ships: each event is one of the test or example stories with its names and
numbers replaced by new ones, its sentences shuffled and a few words dropped.
"""

from __future__ import annotations

import gc
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyspark  # noqa: F401  (a missing Spark fails these tests; ``make venv`` installs it)
import pytest
from click.testing import CliRunner

from storydiff.cli import cli

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import grouping_speed  # noqa: E402  (the bench's generator, reused rather than copied)
from storydiff.group.block import band_bucket  # noqa: E402
from storydiff.group.collection import BULK_THRESHOLDS  # noqa: E402
from storydiff.scale import spark_session, spark_stories  # noqa: E402
from storydiff.scale.components import by_number, components  # noqa: E402
from storydiff.scale.job import _at_home, _shared_bands, _young  # noqa: E402
from storydiff.scale.progress import StageProgress, watched  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for every test here (starting one takes 5-20 s)."""
    session = spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()


def _seed_stories() -> list[list[str]]:
    """Stories of two or more reports the repo ships (test corpus by id prefix, the example pair)."""
    by_story: dict[str, list[str]] = defaultdict(list)
    for name in ("corpus.jsonl", "later.jsonl"):
        for line in (ROOT / "tests" / "data" / "group" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            by_story[record["id"].rsplit("-", 1)[0]].append(f"{record['title']}\n{record['text']}")
    pair = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "konstantinovka").glob("*.txt"))]
    return [texts for _, texts in sorted(by_story.items()) if len(texts) > 1] + [pair]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated articles, with dates (some with times and offsets) on most of them."""
    folder = tmp_path_factory.mktemp("corpus")
    raw = folder / "raw.jsonl"
    grouping_speed.generate_from(_seed_stories(), 3000, raw, seed=5)
    rng = random.Random(5)
    out = folder / "corpus.jsonl"
    with open(raw, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            record = json.loads(line)
            day = 1 + int(record["story"][1:]) % 28
            if rng.random() < 0.9:
                record["published"] = f"2025-03-{day:02d}" if rng.random() < 0.5 else \
                    f"2025-03-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+0{rng.randrange(4)}:00"
            dst.write(json.dumps(record) + "\n")
    return out


def _stories(output: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((output / "stories.json").read_text(encoding="utf-8"))
    return data


def test_spark_gives_the_stories_of_rebuild(spark: Any, corpus: Path, tmp_path: Path) -> None:
    """The issue's consistency test: Parquet export -> Spark equals `stories --rebuild`, ids and order included."""
    runner = CliRunner()
    db, parquet = tmp_path / "s.duckdb", tmp_path / "articles.parquet"
    assert runner.invoke(cli, ["ingest", str(corpus), "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli, ["export", "--parquet", str(parquet), "--db", str(db)]).exit_code == 0
    local = runner.invoke(cli, ["stories", "--rebuild", "--db", str(db), "--format", "json"])
    assert local.exit_code == 0, local.output

    out = tmp_path / "out n=3000"  # a space and "=" in the folder name reach Parquet unquoted
    report = spark_stories(spark, str(parquet), out, partitions=3)
    assert report.exit_code == 0 and report.articles == 3000
    assert (out / "stories.json").read_text(encoding="utf-8") == local.output
    stories = _stories(out)["stories"]
    assert 1 < report.largest_block < 3000 and report.stories == len(stories)
    assert len(stories) < 2000  # the generated reports do get grouped
    names = {p.name for p in out.iterdir()}
    assert "stories.parquet" in names and not any("%" in name for name in names), names
    rows = spark.read.parquet("file://" + str(out / "stories.parquet")).orderBy("id").collect()
    assert sorted((r.id, tuple(r.articles)) for r in rows) == sorted((s["id"], tuple(s["articles"])) for s in stories)


def test_jsonl_input_gives_the_same_stories_as_group_stories(spark: Any, corpus: Path, tmp_path: Path) -> None:
    from storydiff.group import group_stories
    from storydiff.ingest import load_articles
    from storydiff.models import Article
    from storydiff.settings import Settings

    lines = corpus.read_text(encoding="utf-8").splitlines()[:600]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = spark_stories(spark, str(small), tmp_path / "out", partitions=2)
    articles = [a for a in load_articles([small], Settings()) if isinstance(a, Article)]
    expected = [s.as_dict() for s in group_stories(articles)]
    assert _stories(tmp_path / "out")["stories"] == expected
    assert report.rejected == 0


def _messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "Dockers in Antwerp walked out on Monday, the ABVV union said."}),
        "{not json",
        json.dumps({"id": "a2", "title": "no text"}),
        json.dumps({"id": "a3", "text": "   "}),
        json.dumps([1, 2]),
        "",
        json.dumps({"id": "a1", "text": "Dockers in Antwerp walked out on Monday, the ABVV union said."}),
        json.dumps({"id": "a1", "text": "Another text under a used id."}),
        json.dumps({"id": "a4", "text": "Antwerp dockers of the ABVV stayed out on Monday."}),
        json.dumps({"id": "a5", "text": "no names and no numbers here, so no event keys at all"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_records_are_rejected_with_reasons_and_exit_2(spark: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["spark-stories", "--input", str(_messy(tmp_path)), "--output",
                                      str(tmp_path / "out"), "--master", "local[2]", "--partitions", "2"])
    assert result.exit_code == 2, result.output
    rejects = [json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()]
    messy = str(tmp_path / "messy.jsonl")
    assert [r["origin"] for r in rejects] == [f"{messy}:{n}" for n in (2, 3, 4, 5, 8)]
    reasons = [r["reason"] for r in rejects]
    assert reasons[0].startswith("not valid JSON")
    assert reasons[1:4] == ["no 'text' field", "empty: no article text", "expected a JSON object, got list"]
    assert reasons[4] == f"id already used by {messy}:1 for a different text; that one is kept"
    assert f"skipped: {messy}:2: not valid JSON" in result.output
    listed = sorted(a for s in _stories(tmp_path / "out")["stories"] for a in s["articles"])
    assert listed == ["a1", "a4", "a5"]  # the identical re-send of a1 is no reject and no second article
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["rejected"] == 5 and summary["articles"] == 3
    assert spark.sparkContext._jsc is not None  # the CLI left the tests' session running


def test_a_restarted_run_replaces_partial_output_and_gives_the_same_stories(spark: Any, corpus: Path,
                                                                             tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(corpus.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    # What a killed run leaves: a hidden half-written folder beside the output.
    partial = tmp_path / ".out.partial"
    (partial / "stories.parquet").mkdir(parents=True)
    (partial / "stories.json").write_text('{"stories": [', encoding="utf-8")
    spark_stories(spark, str(small), out, partitions=2)
    assert not partial.exists()
    first = (out / "stories.json").read_bytes()
    first_rows = sorted(map(tuple, spark.read.parquet(str(out / "stories.parquet")).collect()))
    spark_stories(spark, str(small), out, partitions=3)  # again, over the complete output, split otherwise
    assert (out / "stories.json").read_bytes() == first
    assert sorted(map(tuple, spark.read.parquet(str(out / "stories.parquet")).collect())) == first_rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small.jsonl"]


def test_components_match_union_find(spark: Any) -> None:
    rng = random.Random(3)
    edges = [(i, rng.randrange(max(0, i - 40), i)) for i in range(1, 2000) if rng.random() < 0.7]
    edges += [(b, a) for a, b in edges[:50]] + [(7, 7)]
    parent = list(range(2000))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[max(find(a), find(b))] = min(find(a), find(b))
    labels = dict(components(spark.sparkContext.parallelize(edges, 3), 3).collect())
    on_edges = {n for e in edges for n in e if e[0] != e[1]}
    assert {n: labels.get(n, n) for n in on_edges} == {n: find(n) for n in on_edges}


def test_only_band_buckets_of_two_articles_or_more_are_named_and_sent_home() -> None:
    """Band rows from two homes (node % 2): the band two articles share comes back to both homes
    under ``band_bucket``'s name; the same values in another band, and bands of one article, do not."""
    same = np.array([7, 8, 9, 10], dtype=np.uint32)
    other = np.array([1, 2, 3, 4], dtype=np.uint32)
    home0 = (np.array([0, 2]), np.array([3, 3]), np.stack([same, other]))
    home1 = (np.array([1, 1]), np.array([3, 5]), np.stack([same, same]))
    shared = _shared_bands([home0, home1], 2)
    assert shared == {0: [(0, band_bucket(3, same))], 1: [(1, band_bucket(3, same))]}
    assert _shared_bands([(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4), np.uint32))], 2) == {}


def test_items_made_at_home_meet_the_items_sent_there_without_moving(spark: Any) -> None:
    """``_at_home``: frames made in partition ``home`` stay there and the key counts sent to that home
    join them; an RDD that lost its home partitioning is refused, not unioned into twice the partitions."""
    sc = spark.sparkContext
    made = sc.parallelize([(h, h) for h in range(3)], 3).partitionBy(3, by_number).mapPartitionsWithIndex(
        lambda home, part: [("f", home, f"frame of {home}"), ("c", home, "ask")], preservesPartitioning=True)
    sent = sc.parallelize([(h, ("d", f"counts for {h}")) for h in (2, 0, 1, 2)], 2)
    joined = _at_home(made, "f", sent, 3)
    assert joined.getNumPartitions() == 3
    got = joined.mapPartitionsWithIndex(lambda p, part: [(p, sorted(v for _, v in part))]).collect()
    assert got == [(h, [("d", f"counts for {h}")] * (2 if h == 2 else 1) + [("f", f"frame of {h}")])
                   for h in range(3)]
    lost = made.map(lambda r: r)  # a map forgets the partitioning
    with pytest.raises(RuntimeError, match="home partitioning was lost"):
        _at_home(lost, "f", sent, 3)


def test_partition_work_runs_without_full_collections_and_restores_them(spark: Any) -> None:
    """``_young``: in the Python workers, a partition's work runs with a local run's bulk thresholds
    (no full collections over the millions of objects a home holds); the reused worker gets its
    own thresholds back for the next task."""
    rdd = spark.sparkContext.parallelize(range(4), 2)
    inside = rdd.mapPartitions(lambda part: _young(gc.get_threshold() for _ in part)).collect()
    assert inside == [BULK_THRESHOLDS] * 4
    after = rdd.mapPartitions(lambda part: [gc.get_threshold()]).collect()
    assert after and all(t != BULK_THRESHOLDS and t[2] < BULK_THRESHOLDS[2] for t in after)


def test_progress_reports_the_running_stages_tasks_as_the_job_goes(spark: Any, corpus: Path, tmp_path: Path) -> None:
    """What the CLI's progress bar shows: the job's stages as they run, each by the line of the job
    that made it, tasks done of tasks, the count of stages only growing, and all done at the end."""
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(corpus.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    seen: list[StageProgress] = []
    with watched(spark.sparkContext, seen.append, every=0.02):
        spark_stories(spark, str(small), tmp_path / "out", partitions=2)
    assert len({p.started for p in seen}) >= 3, seen
    assert [p.started for p in seen] == sorted(p.started for p in seen)
    assert all(0 <= p.done <= p.total for p in seen)
    assert any("job.py:" in p.name or "components.py:" in p.name for p in seen), seen
    assert not any("/" in p.name for p in seen)
    assert seen[-1].done == seen[-1].total > 0


def test_an_input_that_cannot_be_read_is_an_error_naming_it_and_the_last_output_stays(
        spark: Any, corpus: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(corpus.read_text(encoding="utf-8").splitlines()[:100]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    spark_stories(spark, str(small), out, partitions=2)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    broken = tmp_path / "broken.parquet"
    broken.write_text('{"id": "a1", "text": "not Parquet at all"}\n', encoding="utf-8")
    cases = {
        str(tmp_path / "missing.jsonl"): "no such file or folder",
        str(broken): "cannot be read as Parquet: ",
        str(tmp_path / "none-*.jsonl"): "matches 0 files",  # a glob is Spark's to expand: it fails in the job
    }
    for path, problem in cases.items():
        result = CliRunner().invoke(cli, ["spark-stories", "--input", path, "--output", str(out),
                                          "--master", "local[2]", "--partitions", "2"])
        assert result.exit_code == 1, result.output
        assert f"error: {path}: " in result.output and problem in result.output, result.output
        assert "Traceback" not in result.output and "py4j" not in result.output
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
        assert not (tmp_path / ".out.partial").exists()  # a failed run takes its partial folder with it
