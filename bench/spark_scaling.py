"""spark-stories scaling: wall time and articles/s by corpus size and cores, against `storydiff stories`.

    .venv/bin/python bench/spark_scaling.py [DATA_DIR] [--sizes 100000,1000000] [--cores 1,2] [--no-local]
        [--local-workers 2,1] [--work DIR] [--pin]

For each size the script generates the corpus (bench/grouping_speed.py's
generator, from the ECB+ stories in DATA_DIR, default ../shared/data) as JSONL,
then, each as its own process:

- local: `storydiff ingest` into a fresh store (timed apart), then `storydiff stories`
  (the from-scratch grouping) with `--setting group_workers N` for each N in --local-workers:
  1 is the fair match for `local[1]` (one core each), 2 is the default;
- spark: `storydiff spark-stories --master local[N]` on the JSONL, for each N in --cores
  (the whole process: JVM start, reading and parsing the JSONL included).

It prints, per run, seconds, CPU seconds (the process and everything it
started: the JVM, Python workers; other jobs on the cores stretch the wall time
but hardly this), articles/s and the load average (other jobs may share the
cores), the speed-up of the most cores over one, the ratio of each Spark run's
time to each local `stories` run, pairwise F1 against the generated events, and
whether each Spark run gave exactly the local stories.

With --pin each run is held to as many cores as it is given (CPU affinity, which the
JVM and Python workers inherit): `local[1]` is then one core's work, JVM included,
where unpinned its JVM moves bytes on the second core beside the Python worker, and
`stories` with N workers gets N cores. Without it, runs use the whole machine.

With --work DIR the generated JSONL is kept there and reused (as
bench/grouping_speed.py --work does). With --ecbplus it also runs both on the 772 ECB+ articles and checks the
two give the same stories (the issue's consistency benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORYDIFF = ROOT / ".venv" / "bin" / "storydiff"
sys.path.insert(0, str(ROOT / "bench"))

from grouping_speed import generate, pairwise_f1  # noqa: E402
from storydiff.settings import Settings  # noqa: E402


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


CPU: dict[str, float] = {}  # CPU seconds of each timed command's process tree, by its last argument
TICK = os.sysconf("SC_CLK_TCK")


def _tree_ticks(root: int, seen: dict[int, int]) -> None:
    """Record the user + system clock ticks of ``root`` and every process under it in ``seen``.

    Read from /proc because getrusage misses them: Spark's JVM and Python workers are not
    waited for by the process that started them.
    """
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            parents[int(entry.name)] = int(fields[1])
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for child in (c for c, p in parents.items() if p == pid and c not in tree):
            tree.add(child)
            todo.append(child)
    for pid in tree & ticks.keys():
        seen[pid] = max(seen.get(pid, 0), ticks[pid])


def pinned(cores: int | None) -> Callable[[], None] | None:
    """For Popen: run on the first ``cores`` of this process's CPUs (children inherit it), or anywhere."""
    if cores is None:
        return None
    mine = sorted(os.sched_getaffinity(0))
    if cores > len(mine):
        sys.exit(f"--pin: {cores} cores asked for, {len(mine)} to run on")
    return lambda: os.sched_setaffinity(0, mine[:cores])


def timed(cmd: list[str], out: Path | None = None, cores: int | None = None) -> float:
    """Wall seconds of ``cmd`` (on ``cores`` CPUs, if given); its process tree's CPU seconds (sampled
    each second) go in ``CPU``."""
    started = time.perf_counter()
    seen: dict[int, int] = {}
    with open(out, "w", encoding="utf-8") if out else open(os.devnull, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.PIPE, text=True, preexec_fn=pinned(cores))
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                _tree_ticks(proc.pid, seen)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = proc.communicate()
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    CPU[cmd[-1]] = sum(seen.values()) / TICK
    if proc.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return seconds


def stories_of(path: Path) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["stories"]
    return data


def partition(stories: list[dict[str, object]]) -> dict[str, str]:
    return {a: str(s["id"]) for s in stories for a in s["articles"]}  # type: ignore[attr-defined]


def whole(gold: dict[str, str] | None, stories: list[dict[str, object]], run: str) -> dict[str, str] | None:
    """``gold`` if the run's stories hold every article in it; else None (no F1), the articles left out reported."""
    missing = sorted(set(gold or ()) - set(partition(stories)))
    if not missing:
        return gold
    print(f"{run} left out {len(missing):,} articles, e.g. {', '.join(missing[:5])}", flush=True)
    return None


def run_size(name: str, jsonl: Path, n: int, cores: list[int], work: Path, local_workers: list[int],
             gold: dict[str, str] | None, pin: bool = False) -> None:
    rows: dict[str, float] = {}
    local_stories = None
    if local_workers:
        db = work / f"{name}.duckdb"
        # The generated 1M corpus (2.08 GB) is over ingest's file limit, a guard against decompression bombs.
        limit = str(max(Settings()["max_file_bytes"], jsonl.stat().st_size))
        seconds = timed([str(STORYDIFF), "--setting", "max_file_bytes", limit, "ingest", str(jsonl), "--db", str(db)])
        print(f"{name}: ingest {seconds:.0f} s ({load()})", flush=True)
    for w in local_workers:
        # A fresh copy of the store each time: on a store with stories, `stories` only adds new articles.
        fresh = work / f"{name}-w{w}.duckdb"
        shutil.copy(db, fresh)
        out = work / f"{name}-local-{w}.json"
        seconds = timed([str(STORYDIFF), "--setting", "group_workers", str(w), "stories", "--db", str(fresh),
                         "--format", "json"], out, w if pin else None)
        rows[f"local w{w}"] = seconds
        fresh.unlink()
        got = stories_of(out)
        if local_stories is not None and got != local_stories:
            print(f"{name}: storydiff stories with {w} workers gave other stories", flush=True)
        local_stories = got
        gold = whole(gold, local_stories, f"{name}: storydiff stories (group_workers {w})")
        f1 = f", pairwise F1 {pairwise_f1(gold, partition(local_stories)):.3f}" if gold else ""
        where = f", pinned to {w} core{'s' * (w > 1)}" if pin else ""
        print(f"{name}: storydiff stories (group_workers {w}{where}) {seconds:.0f} s ({CPU['json']:.0f} CPU s), "
              f"{n / seconds:,.0f} articles/s{f1} ({load()})", flush=True)
    for k in cores:
        out_dir = work / f"{name}-spark-{k}"
        seconds = timed([str(STORYDIFF), "spark-stories", "--input", str(jsonl), "--output", str(out_dir),
                         "--master", f"local[{k}]"], cores=k if pin else None)
        cpu = CPU[f"local[{k}]"]
        rows[f"local[{k}]"] = seconds
        spark = stories_of(out_dir / "stories.json")
        gold = whole(gold, spark, f"{name}: spark-stories local[{k}]")
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        f1 = f", pairwise F1 {pairwise_f1(gold, partition(spark)):.3f}" if gold else ""
        same = "" if local_stories is None else f", identical to local: {'yes' if spark == local_stories else 'NO'}"
        ratio = "".join(f", {seconds / rows[f'local w{w}']:.2f}x local with {w} workers" for w in local_workers)
        where = f" pinned to {k} core{'s' * (k > 1)}" if pin else ""
        print(f"{name}: spark-stories local[{k}]{where} {seconds:.0f} s ({cpu:.0f} CPU s), "
              f"{n / seconds:,.0f} articles/s{ratio}{f1}{same}; "
              f"{summary['blocks']:,} blocks, largest {summary['largest_block']:,} ({load()})", flush=True)
    if len(cores) > 1:
        lo, hi = min(cores), max(cores)
        print(f"{name}: speed-up local[{hi}] over local[{lo}]: {rows[f'local[{lo}]'] / rows[f'local[{hi}]']:.2f}x",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--cores", default="1,2")
    parser.add_argument("--no-local", action="store_true", help="skip the local `storydiff stories`")
    parser.add_argument("--local-workers", default="2,1", help="group_workers for each local `stories` run")
    parser.add_argument("--ecbplus", action="store_true", help="also check both give the same stories on ECB+")
    parser.add_argument("--work", type=Path, help="keep the generated JSONL here and reuse it")
    parser.add_argument("--pin", action="store_true",
                        help="run local[N] and `stories` with N workers on N cores only (CPU affinity)")
    args = parser.parse_args()
    cores = [int(c) for c in args.cores.split(",")]
    local_workers = [] if args.no_local else [int(w) for w in args.local_workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.ecbplus:
            ecb = work / "ecbplus.jsonl"
            with open(ecb, "w", encoding="utf-8") as fh:
                for path in sorted((args.data / "ecbplus" / "text").glob("*.txt")):
                    fh.write(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8")}) + "\n")
            gold = {json.loads(line)["id"]: json.loads(line)["story"]
                    for line in (args.data / "ecbplus" / "gold_stories.jsonl").open(encoding="utf-8")}
            run_size("ecbplus", ecb, len(gold), cores[-1:], work, local_workers[:1] or [2], gold)
        for n in map(int, args.sizes.split(",")):
            jsonl = (args.work or work) / f"gen-{n}.jsonl"
            if not args.work or not jsonl.exists():
                jsonl.parent.mkdir(parents=True, exist_ok=True)
                generate(args.data, n, jsonl.with_suffix(".partial"))
                jsonl.with_suffix(".partial").replace(jsonl)
            gold = {r["id"]: r["story"] for r in map(json.loads, jsonl.open(encoding="utf-8"))}
            run_size(f"n={n}", jsonl, n, cores, work, local_workers, gold, args.pin)


if __name__ == "__main__":
    main()
