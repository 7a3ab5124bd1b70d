"""Story grouping quality: pairwise and B-cubed F1 on ECB+ and on UCI headlines.

    .venv/bin/python bench/grouping.py [DATA_DIR] [--only ecbplus|uci] [--incremental] [--setting NAME VALUE ...]

DATA_DIR defaults to ../shared/data (relative to the repo root). For each
set the script ingests the articles into a fresh store, runs
`storydiff stories --format json` as a user would, and scores the output with
`eval/score_grouping.py` (beside DATA_DIR) against the gold stories:

- ecbplus: the plain-text articles of ``ecbplus/text`` (no dates) against
  ``ecbplus/gold_stories.jsonl``;
- uci: the headlines of ``uci_news_aggregator_subset/*.csv``, converted to
  JSONL (id, title, text = the headline, published from TIMESTAMP), against
  their STORY column.

``--setting`` passes through to storydiff, so a sweep is a shell loop.
``--incremental`` groups every other ECB+ file first and then adds the rest
with a second `storydiff stories` (the same article ids: the copies have the
same names and texts, so the second ingest only adds the other half).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORYDIFF = ROOT / ".venv" / "bin" / "storydiff"


def run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def uci_to_jsonl(csv_path: Path, jsonl: Path, gold: Path) -> int:
    n = 0
    with open(csv_path, encoding="utf-8", newline="") as src, open(jsonl, "w", encoding="utf-8") as out, \
            open(gold, "w", encoding="utf-8") as g:
        for row in csv.DictReader(src):
            published = datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, UTC).isoformat(timespec="seconds")
            record = {"id": f"uci-{row['ID']}", "title": row["TITLE"], "text": row["TITLE"],
                      "source": row["PUBLISHER"], "url": row["URL"], "published": published}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            g.write(json.dumps({"id": record["id"], "story": row["STORY"]}) + "\n")
            n += 1
    return n


def evaluate(name: str, inputs: list[Path], gold: Path, scorer: Path, settings: list[str], work: Path,
             first: list[Path] | None = None) -> str:
    """Ingest and group; with ``first``, ingest and group those first, then the rest (incremental)."""
    db = work / f"{name}.duckdb"
    if first:
        run([str(STORYDIFF), "ingest", *map(str, first), "--db", str(db)])
        run([str(STORYDIFF), *settings, "stories", "--db", str(db), "--format", "json"])
    run([str(STORYDIFF), "ingest", *map(str, inputs), "--db", str(db)])
    started = time.perf_counter()
    stories = run([str(STORYDIFF), *settings, "stories", "--db", str(db), "--format", "json"])
    seconds = time.perf_counter() - started
    out = work / f"{name}-stories.json"
    out.write_text(stories, encoding="utf-8")
    report = run([sys.executable, str(scorer), str(gold), str(out)])
    n = sum(len(s["articles"]) for s in json.loads(stories)["stories"])
    print(f"== {name}: {n} articles, stories in {seconds:.1f} s (process, models loaded)")
    print(report.rstrip())
    return report.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--only", choices=["ecbplus", "uci"])
    parser.add_argument("--setting", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("--incremental", action="store_true",
                        help="ECB+ only: group half of the files (every other one by name), then add the rest")
    args = parser.parse_args()
    scorer = args.data.parent / "eval" / "score_grouping.py"
    settings = [x for name, value in args.setting for x in ("--setting", name, value)]
    summary = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.only in (None, "ecbplus"):
            ecb = args.data / "ecbplus"
            files = sorted((ecb / "text").glob("*.txt"))
            first = None
            if args.incremental:
                half = work / "first-half"
                half.mkdir()
                first = []
                for path in files[::2]:
                    (half / path.name).write_bytes(path.read_bytes())
                    first.append(half / path.name)
            summary["ecbplus"] = evaluate("ecbplus", [ecb / "text"], ecb / "gold_stories.jsonl", scorer,
                                          settings, work, first)
        if args.only in (None, "uci"):
            folder = args.data / "uci_news_aggregator_subset"
            csv_path = next(folder.glob("*.csv"))
            jsonl, gold = work / "uci.jsonl", work / "uci-gold.jsonl"
            uci_to_jsonl(csv_path, jsonl, gold)
            summary["uci"] = evaluate("uci", [jsonl], gold, scorer, settings, work)
    for name, line in summary.items():
        print(f"{name}: {line}")


if __name__ == "__main__":
    main()
