"""Web UI under load: requests/s and p50/p99 latency of `storydiff serve` over a store of 10,000 articles.

    .venv/bin/python bench/serve_load.py [DATA_DIR] [--n 10000] [--requests 4000] [--concurrency 16]
    .venv/bin/python bench/serve_load.py --db KEEP.duckdb ...      # build the store once, reuse it later
    .venv/bin/python bench/serve_load.py --db KEEP.duckdb --duration 600 --concurrency 8   # a soak

1. The store: N articles generated from the real ECB+ texts in DATA_DIR/ecbplus/text (default
   ../shared/data) by bench/grouping_speed.py's generator (each event: one real story's articles with
   new names and numbers, shuffled and trimmed), given a title (the first sentence), a source and a
   publication time, then `storydiff ingest` and `storydiff stories`, each timed. With --db, an
   existing store is reused as it is.
2. `storydiff serve --port 0` starts on 127.0.0.1 in a subprocess.
3. Warm-up: each of --stories story pages (spread over the stories by size) is requested once, so its
   comparison is computed and cached; these first requests are timed apart (they measure compare, not
   serving).
4. The load, from this process: a fixed list of --requests requests (seeded), sent by --concurrency
   workers over keep-alive connections (httpx, asyncio): 40% overview pages (random page and sort),
   10% searches, 40% story pages, 10% JSON twins (/stories.json, /story/ID.json). With --duration the
   same mix runs for that many seconds instead, printing a line a minute with the server's memory.

Prints requests/s, p50/p99/max latency overall and per kind, the error count (any status but 200 or a
failed request; it must be 0), the server's resident memory, and the load average before and after
(another job may share the cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from grouping_speed import generate  # noqa: E402

SORTS = ("reports", "last_seen", "first_seen", "title", "id")


def storydiff(*args: str) -> float:
    """Run one storydiff command; return its wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "storydiff", *args], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 2):
        sys.exit(f"storydiff {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def make_corpus(data: Path, n: int, out: Path, seed: int = 11) -> None:
    """ECB+-derived articles with the fields a newsroom feed has: title, source, publication time."""
    raw = out.with_suffix(".raw.jsonl")
    generate(data, n, raw, seed)
    rng = random.Random(seed)
    outlets = [f"outlet-{k:02d}.example" for k in range(40)]
    with open(raw, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            record = json.loads(line)
            event = int(record.pop("story")[1:])
            day = 1 + event // 4  # about four events a day, a few hours apart within one
            first = re.split(r"(?<=[.!?])\s", record["text"], maxsplit=1)[0]
            date = f"2025-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d}"
            record.update(title=first[:140], source=rng.choice(outlets),
                          published=f"{date}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00:00")
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
    raw.unlink()


def build_store(data: Path, n: int, db: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / f"serve-{n}.jsonl"
        make_corpus(data, n, jsonl)
        seconds = storydiff("ingest", str(jsonl), "--db", str(db))
        print(f"ingest: {n:,} articles in {seconds:.1f} s", flush=True)
    seconds = storydiff("stories", "--db", str(db))
    print(f"stories: {seconds:.1f} s", flush=True)


def start_server(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "storydiff", "serve", "--db", str(db), "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    if not found:
        proc.kill()
        sys.exit(f"the server did not start: {line}{proc.stderr.read()}")
    return proc, found.group(1)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def plan(rng: random.Random, stories: list[str], words: list[str], pages: int, n: int) -> list[tuple[str, str]]:
    """(kind, path) for n requests in the bench's mix."""
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.40:
            sort = rng.choice(SORTS)
            out.append(("overview", f"/?sort={sort}&page={rng.randint(1, pages)}"))
        elif r < 0.50:
            out.append(("search", f"/?q={rng.choice(words)}"))
        elif r < 0.90:
            out.append(("story", f"/story/{rng.choice(stories)}"))
        elif r < 0.95:
            out.append(("json", f"/stories.json?page={rng.randint(1, pages)}"))
        else:
            out.append(("json", f"/story/{rng.choice(stories)}.json"))
    return out


async def drive(base: str, requests: list[tuple[str, str]], concurrency: int, duration: float | None,
                pid: int, memory: list[float]) -> tuple[dict[str, list[float]], int, float, list[str]]:
    """Send the requests with `concurrency` workers; return latencies per kind, errors, seconds, error samples.

    ``memory`` gets the server's RSS (MB) once a minute in a soak."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors = 0
    samples: list[str] = []
    position = 0
    started = time.perf_counter()
    deadline = started + duration if duration else None
    next_report = started + 60

    def take() -> tuple[str, str] | None:
        nonlocal position, next_report
        now = time.perf_counter()
        if deadline is not None:
            if now >= deadline:
                return None
            if now >= next_report:
                done = sum(len(v) for v in latencies.values())
                memory.append(rss_mb(pid))
                print(f"  {now - started:5.0f} s: {done:,} requests, {errors} errors, server RSS {memory[-1]:.0f} MB",
                      flush=True)
                next_report += 60
            item = requests[position % len(requests)]
        elif position >= len(requests):
            return None
        else:
            item = requests[position]
        position += 1
        return item

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while (item := take()) is not None:
                kind, path = item
                t0 = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                    await response.aclose()
                except httpx.HTTPError as e:
                    ok = False
                    response = None
                    if len(samples) < 5:
                        samples.append(f"{path}: {e!r}")
                latencies[kind].append(time.perf_counter() - t0)
                if not ok:
                    errors += 1
                    if response is not None and len(samples) < 5:
                        samples.append(f"{path}: HTTP {response.status_code}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started, samples


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=10_000, help="articles in the generated store")
    parser.add_argument("--db", type=Path, help="store to use; built here first when it does not exist")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--stories", type=int, default=12, help="story pages in the mix (compared at warm-up)")
    parser.add_argument("--duration", type=float, help="run the mix for this many seconds instead (a soak)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    print(f"load average before: {loadavg()} ({os.cpu_count()} cores)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "serve.duckdb"
        if not db.exists():
            build_store(args.data, args.n, db)
        proc, base = start_server(db)
        try:
            with httpx.Client(base_url=base, timeout=600) as client:
                first = client.get("/stories.json", params={"per_page": 200}).json()
                n_stories, pages = first["total"], max(1, -(-first["total"] // 50))
                every = [s for p in range(1, first["pages"] + 1) for s in
                         client.get("/stories.json", params={"per_page": 200, "page": p}).json()["stories"]]
                print(f"store: {sum(len(s['articles']) for s in every):,} articles in {n_stories:,} stories; "
                      f"server RSS {rss_mb(proc.pid):.0f} MB", flush=True)
                multi = [s for s in every if len(s["articles"]) > 1] or every
                step = max(1, len(multi) // args.stories)
                chosen = [s["id"] for s in multi[::step][: args.stories]]
                warm = []
                for sid in chosen:
                    t0 = time.perf_counter()
                    response = client.get(f"/story/{sid}")
                    response.raise_for_status()
                    warm.append(time.perf_counter() - t0)
                sizes = [len(s["articles"]) for s in every if s["id"] in chosen]
                print(f"warm-up: {len(chosen)} story pages of {min(sizes)}-{max(sizes)} reports compared in "
                      f"{sum(warm):.1f} s (mean {statistics.mean(warm):.2f} s, max {max(warm):.2f} s); "
                      f"server RSS {rss_mb(proc.pid):.0f} MB", flush=True)
                words = sorted({w.lower() for s in every[:300] for w in re.findall(r"[A-Za-z]{6,}", s["title"] or "")})
            rng = random.Random(args.seed)
            requests = plan(rng, chosen, words or ["the"], pages, args.requests)
            what = f"for {args.duration:.0f} s" if args.duration else f"{len(requests):,} requests"
            print(f"load: {what}, concurrency {args.concurrency}, keep-alive", flush=True)
            memory = [rss_mb(proc.pid)]
            latencies, errors, seconds, samples = asyncio.run(
                drive(base, requests, args.concurrency, args.duration, proc.pid, memory))
            memory.append(rss_mb(proc.pid))
            every_latency = [x for v in latencies.values() for x in v]
            total = len(every_latency)
            print(f"requests: {total:,} in {seconds:.1f} s = {total / seconds:,.0f} requests/s; "
                  f"p50 {pct(every_latency, 0.5):.1f} ms, p99 {pct(every_latency, 0.99):.1f} ms, "
                  f"max {max(every_latency) * 1000:.0f} ms; errors {errors}")
            for kind in ("overview", "search", "story", "json"):
                values = latencies.get(kind, [])
                if values:
                    print(f"  {kind:8} {len(values):6,}  p50 {pct(values, 0.5):7.1f} ms  "
                          f"p99 {pct(values, 0.99):7.1f} ms")
            for sample in samples:
                print(f"  error: {sample}")
            growth = (memory[-1] - memory[0]) / memory[0] * 100 if memory[0] else 0.0
            print(f"server RSS: {memory[0]:.0f} MB at the start of the load, {memory[-1]:.0f} MB at the end "
                  f"({growth:+.1f}%), peak {max(memory):.0f} MB; load average after: {loadavg()}")
        finally:
            proc.terminate()
            proc.wait(15)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
