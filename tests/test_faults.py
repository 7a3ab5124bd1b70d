"""A full disk and a read-only store: a clear error naming the file, exit code 1, nothing stored lost.

The disk is a real one: a 3 MB tmpfs mounted for the test (the tests run as root here and in CI, so
`mount` works; without it these tests fail, they do not skip), remounted larger or read-only.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from storydiff.models import content_hash

ROOT = Path(__file__).resolve().parents[1]
PAIR = [str(ROOT / "examples" / "konstantinovka" / f"report-{x}.txt") for x in "ab"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3M", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"these tests mount a small tmpfs and need root: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _remount(mnt: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mnt)], check=True)


def _corpus(path: Path, start: int, stop: int) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(start, stop):
            text = f"{i} " + " ".join(f"word{(i * 7 + k) % 997}" for k in range(400))
            fh.write(json.dumps({"id": f"a{i:04d}", "text": text}) + "\n")
    return path


def _storydiff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "storydiff", "--setting", "ingest_batch_size", "50",
                           "--setting", "detect_language", "false", *args], capture_output=True, text=True,
                          timeout=300)


def _consistent_rows(db: Path) -> list[str]:
    """The stored ids, after checking every row's text still has its recorded hash."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT id, text, content_hash FROM articles ORDER BY id").fetchall()
    finally:
        con.close()
    assert all(content_hash(text) == digest for _, text, digest in rows)
    return [r[0] for r in rows]


def test_a_full_disk_is_a_clear_error_and_loses_nothing_stored(small_disk: Path, tmp_path: Path) -> None:
    db = small_disk / "store.duckdb"
    first = _storydiff("ingest", str(_corpus(tmp_path / "first.jsonl", 0, 300)), "--db", str(db))
    assert first.returncode == 0, first.stderr
    more = _corpus(tmp_path / "more.jsonl", 300, 1500)
    full = _storydiff("ingest", str(more), "--db", str(db))
    assert full.returncode == 1
    assert f"error: {db}: the disk is full; nothing from this batch was stored" in full.stderr
    assert "No space left on device" in full.stderr
    assert "Traceback" not in full.stderr
    stored = _consistent_rows(db)
    assert stored[:300] == [f"a{i:04d}" for i in range(300)]  # everything from before is there
    assert len(stored) % 50 == 0  # and whole batches only

    _remount(small_disk, "size=64M")  # space freed: the same command completes the rest
    again = _storydiff("ingest", str(more), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert _consistent_rows(db) == [f"a{i:04d}" for i in range(1500)]


def test_a_full_disk_for_an_output_file_names_it(small_disk: Path) -> None:
    with open(small_disk / "filler", "wb") as fh, contextlib.suppress(OSError):  # fill the disk
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    out = small_disk / "comparison.html"
    done = subprocess.run([sys.executable, "-m", "storydiff", "compare", *PAIR, "--format", "html", "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert f"error: {out}: cannot write the output (No space left on device)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_read_only_store_is_a_clear_error_and_can_still_be_read(small_disk: Path, tmp_path: Path) -> None:
    db = small_disk / "store.duckdb"
    assert _storydiff("ingest", str(_corpus(tmp_path / "c.jsonl", 0, 100)), "--db", str(db)).returncode == 0
    _remount(small_disk, "ro")
    for command in (["ingest", str(_corpus(tmp_path / "d.jsonl", 100, 150))], ["stories"]):
        done = _storydiff(*command, "--db", str(db))
        assert done.returncode == 1, command
        assert f"error: {db}: cannot open the store for writing" in done.stderr
        assert "Read-only file system" in done.stderr and "Traceback" not in done.stderr
    exported = _storydiff("export", "--parquet", str(tmp_path / "out.parquet"), "--db", str(db))
    assert exported.returncode == 0 and "exported 100 articles" in exported.stdout  # reading still works
    served = _storydiff("serve", "--db", str(db), "--get", "/article/a0042.json")
    assert served.returncode == 0 and json.loads(served.stdout)["id"] == "a0042"
    assert _consistent_rows(db) == [f"a{i:04d}" for i in range(100)]


def test_spark_stories_on_a_full_or_read_only_disk_names_the_output_and_keeps_the_last_one(
        small_disk: Path, tmp_path: Path) -> None:
    """The stories' Parquet is written in the JVM and the JSON in Python: either failing is one error
    line naming DIR, exit 1, and DIR's last complete output untouched."""
    import pyspark  # noqa: F401  (fails, never skips, without Spark)

    corpus = _corpus(tmp_path / "corpus.jsonl", 0, 200)
    out = small_disk / "stories"
    run = ("spark-stories", "--input", str(corpus), "--output", str(out), "--master", "local[1]")
    first = _storydiff(*run)
    assert first.returncode == 0, first.stderr
    kept = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    _remount(small_disk, "ro")
    done = _storydiff(*run)
    assert done.returncode == 1 and f"error: {out}: cannot write the output (Read-only file system)" in done.stderr
    assert "Traceback" not in done.stderr

    _remount(small_disk, "rw")
    free = 16 * 1024  # room for the JSON files' first bytes, not for the stories' Parquet
    (small_disk / "filler").write_bytes(b"\0" * (3 * 1024 * 1024 - sum(len(b) for b in kept.values()) * 2 - free))
    done = _storydiff(*run)
    assert done.returncode == 1, done.stderr
    assert f"error: {out}: cannot write the output (No space left on device)" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == kept
    assert not (small_disk / ".stories.partial").exists()
