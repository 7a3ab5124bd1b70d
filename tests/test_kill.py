"""A subprocess ingest killed with SIGKILL midway; the re-run ends with exactly the expected rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

N = 4000
BATCH = 200


def _write_corpus(path: Path) -> None:
    words = ["council", "budget", "harbour", "strike", "minister", "storm", "election", "court", "police", "report"]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(N):
            body = " ".join(words[(i + k) % len(words)] for k in range(300))
            fh.write(json.dumps({"id": f"gen-{i:05d}", "title": f"Story {i}", "text": f"{i} {body}"}) + "\n")


def _rows(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT id, content_hash FROM articles ORDER BY id").fetchall()
    finally:
        con.close()


def _ingest_cmd(src: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "storydiff", "-v", "--setting", "ingest_batch_size", str(BATCH),
            "--setting", "detect_language", "false", "ingest", str(src), "--db", str(db)]


def _kill_after_batches(src: Path, db: Path, batches: int) -> None:
    """Start an ingest and SIGKILL it as soon as it has committed ``batches`` batches."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(_ingest_cmd(src, db), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = 0
    for line in proc.stderr:
        if "committed a batch" in line:
            seen += 1
            if seen == batches:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"


def test_killed_ingest_leaves_a_consistent_store_and_rerun_completes(tmp_path: Path) -> None:
    src = tmp_path / "corpus.jsonl"
    _write_corpus(src)
    db = tmp_path / "store.duckdb"
    counts = []
    for batches in (1, 3, 2):  # the re-runs after the first kill skip stored rows, then die again
        _kill_after_batches(src, db, batches)
        rows = _rows(db)
        counts.append(len(rows))
        assert 0 < len(rows) < N
        assert len({r[0] for r in rows}) == len(rows)
    assert counts == sorted(counts)  # nothing stored was ever lost
    done = subprocess.run(_ingest_cmd(src, db), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = _rows(db)
    assert [r[0] for r in rows] == [f"gen-{i:05d}" for i in range(N)]
    assert f"({N - counts[-1]} new, {counts[-1]} already stored)" in done.stdout
