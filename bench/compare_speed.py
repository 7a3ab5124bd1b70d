"""Comparison speed on the example pair: whole process, and in-process with models loaded.

    .venv/bin/python bench/compare_speed.py [--runs 5] [--setting NAME VALUE ...]

Whole process: `storydiff compare A B --format json -o FILE` run as a user
would, timed end to end (interpreter start, imports, model loads, output);
the median of --runs. In-process: `compare_articles` on the same pair after
one warm-up call, so the spaCy pipeline, the CRF and the embedding model are
loaded; the median of --runs. Targets: < 3 s and < 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAIR = [ROOT / "examples" / "konstantinovka" / f"report-{x}.txt" for x in "ab"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--setting", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("storydiff"))
    flags = [x for name, value in args.setting for x in ("--setting", name, value)]

    whole = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run([exe, *flags, "compare", *map(str, PAIR), "--format", "json", "-o", f"{tmp}/c.json"],
                           check=True, stderr=subprocess.DEVNULL)
            whole.append(time.perf_counter() - t)

    from storydiff.compare import compare_articles
    from storydiff.models import Article
    from storydiff.settings import Settings

    settings = Settings(dict(args.setting))
    articles = [Article(p.stem, p.read_text(encoding="utf-8"), published="2025-11-23") for p in PAIR]
    t = time.perf_counter()
    result = compare_articles(articles, settings)
    first = time.perf_counter() - t
    warm = []
    for _ in range(args.runs):
        t = time.perf_counter()
        compare_articles(articles, settings)
        warm.append(time.perf_counter() - t)
    words = sum(len(a.text.split()) for a in articles)
    print(f"example pair: {words} words, {len(result.claims)} claims, {len(result.discrepancies)} discrepancies")
    print(f"whole process (storydiff compare):  median {statistics.median(whole):.2f} s  "
          f"(min {min(whole):.2f}, max {max(whole):.2f}; target < 3 s)")
    print(f"in-process, first call (loads models): {first:.2f} s")
    print(f"in-process, models loaded:          median {statistics.median(warm):.3f} s  "
          f"(min {min(warm):.3f}; target < 0.5 s)")


if __name__ == "__main__":
    main()
