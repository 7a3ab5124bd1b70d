"""Ingest throughput: articles/s for N JSONL articles of ~600 words into a fresh store.

    .venv/bin/python bench/ingest_speed.py [--n 10000] [--words 600]

The articles are made from real sentences (the bundled example reports)
shuffled per article, so the text has real words and punctuation. Runs the
`storydiff ingest` command as a user would (a separate process, timed whole)
and prints articles/s, MB/s and the peak memory of the ingest process.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sentences() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "examples").rglob("*.txt")):
        out += [s.strip() for s in path.read_text(encoding="utf-8").replace("\n", " ").split(". ") if s.strip()]
    return out


def make_corpus(path: Path, n: int, words: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    pool = sentences()
    size = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            body: list[str] = []
            count = 0
            while count < words:
                s = rng.choice(pool)
                body.append(s + ".")
                count += len(s.split())
            line = json.dumps({"id": f"bench-{i:07d}", "title": body[0][:80], "text": " ".join(body),
                               "published": f"2025-11-{1 + i % 28:02d}", "source": f"outlet-{i % 50}"})
            fh.write(line + "\n")
            size += len(line) + 1
    return size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=600)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        size = make_corpus(src, args.n, args.words)
        db = Path(tmp) / "store.duckdb"
        cmd = [sys.executable, "-m", "storydiff", "ingest", str(src), "--db", str(db)]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"ingest failed ({done.returncode}): {done.stderr}")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(done.stdout.strip())
        print(f"articles={args.n} words_per_article~{args.words} input_mb={size / 1e6:.1f}")
        print(f"elapsed_s={elapsed:.2f} articles_per_s={args.n / elapsed:.0f} mb_per_s={size / 1e6 / elapsed:.1f} "
              f"peak_rss_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
