"""Story grouping speed: articles/s and peak memory, end to end from JSONL.

    .venv/bin/python bench/grouping_speed.py [DATA_DIR] [--sizes 10000,100000] [--online] [--no-baseline]
        [--work DIR]

The corpus is generated from the real ECB+ articles in DATA_DIR/ecbplus/text
(default ../shared/data), so the groups are known: each generated event takes
one real story's articles and gives its names and numbers new, consistent
values, then each copy of an article gets its
sentences shuffled, a few words dropped, and sometimes a sentence from
another report of the same event mixed in. An article's gold group is its
generated event.

Names are 4-5 syllables of 100 (10^8 and 10^10 names): at 1M articles (~85k
events of ~150 names) about 6% of the 4-syllable names an event draws are
drawn by one other event too, and two events almost never share two names,
so events collide only by chance, as two unrelated real events sharing a
surname do. (Before, 3-5 syllables of 30: each 3-syllable name was shared by
~150 events at 1M, the events could not be told apart, and the blocks grew
38x from 100k to 1M.) Numbers stay 2-9999, shared across events as real
counts, ages and dates are: grouping must not lean on them. The events of
one base story share all its other wording (a template used ~1,300 times at
1M), so telling them apart by names stays the hard part.

For each size the script writes the JSONL, then in a fresh process reads it,
groups it from scratch as ``storydiff stories`` does on a fresh store (blocks,
then ``StoryIndex`` per block, all tiers on; ``--online``: also the online
index a later incremental run uses) and writes the stories JSON, and
reports articles/s, peak memory (max RSS) and pairwise F1 against the
generated groups. The baseline is a plain datasketch MinHashLSH (128
permutations, word 3-shingles, threshold 0.5, connected components) over the
same JSONL, run the same way; the ratio is ours / baseline in articles/s.
With --work DIR the generated JSONL files are kept there and reused by later
runs (a 1M corpus is 2 GB and took 8 minutes to generate at a load average of 5-7).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r"\b[A-Z][\w'-]*|\b\d+\b")
MID_SENTENCE = re.compile(r"(?<![.!?\n] )(?<!^)\b[A-Z][\w'-]*", re.M)
# 100 syllables; names of 4-5 of them (see the docstring for why).
SYLLABLES = [c + v for c in "bdfghjklmnprstvzcwxy" for v in "aeiou"]


def _pseudo(rng: random.Random, token: str) -> str:
    if token.isdigit():
        return str(rng.randint(2, 9999))
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(4, 5))).capitalize()


def generate(data: Path, n: int, out: Path, seed: int = 11) -> None:
    """Write n articles as JSONL (id, text, story) built from the real ECB+ stories."""
    gold = [json.loads(line) for line in (data / "ecbplus" / "gold_stories.jsonl").open(encoding="utf-8")]
    by_story: dict[str, list[str]] = defaultdict(list)
    for row in gold:
        by_story[row["story"]].append((data / "ecbplus" / "text" / f"{row['id']}.txt").read_text("utf-8"))
    generate_from([by_story[s] for s in sorted(by_story)], n, out, seed)


def generate_from(base_stories: list[list[str]], n: int, out: Path, seed: int = 11) -> None:
    """Write n articles as JSONL (id, text, story): events made from these stories' texts in turn.

    (Also what tests/test_scale.py uses, with the texts the repo ships.)
    """
    rng = random.Random(seed)
    written, event = 0, 0
    base_names = [{m.group(0) for text in base for m in MID_SENTENCE.finditer(text)} for base in base_stories]
    with open(out, "w", encoding="utf-8") as fh:
        while written < n:
            base = base_stories[event % len(base_stories)]
            mapping: dict[str, str] = {}
            erng = random.Random(f"{seed}-{event}")

            def rename(m: re.Match[str], mapping: dict[str, str] = mapping, erng: random.Random = erng) -> str:
                tok = m.group(0)
                if tok not in mapping:
                    mapping[tok] = _pseudo(erng, tok)
                return mapping[tok]

            # Every word the story capitalises mid-sentence is a name: rename it everywhere.
            names = base_names[event % len(base_stories)]

            def rename_names(m: re.Match[str], names: set[str] = names) -> str:
                return rename(m) if m.group(0) in names or m.group(0).isdigit() else m.group(0)

            renamed = [TOKEN.sub(rename_names, text) for text in base]
            for text in renamed:
                if written >= n:
                    break
                sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
                title, body = sentences[0], sentences[1:]
                rng.shuffle(body)
                if rng.random() < 0.3 and len(renamed) > 1:  # a sentence from another report of the event
                    other = rng.choice(renamed)
                    body.insert(rng.randrange(len(body) + 1), rng.choice(re.split(r"(?<=[.!?])\s+", other)))
                words = " ".join([title, *body]).split(" ")
                words = [w for w in words if rng.random() > 0.03]  # drop a few words
                record = {"id": f"g{written}", "text": " ".join(words), "story": f"e{event}"}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
            event += 1


def pairwise_f1(gold: dict[str, str], system: dict[str, str]) -> float:
    def pairs(counter: Counter[object]) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    both = pairs(Counter((gold[a], system[a]) for a in gold))
    sys_pairs, gold_pairs = pairs(Counter(system.values())), pairs(Counter(gold.values()))
    p = both / sys_pairs if sys_pairs else 0.0
    r = both / gold_pairs if gold_pairs else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def run_ours(jsonl: Path, out: Path) -> None:
    """What `storydiff stories` does on a fresh store: the from-scratch grouping in blocks."""
    import logging

    from storydiff.group import GroupParams, group_from_scratch, make_embedder
    from storydiff.models import Article
    from storydiff.settings import Settings

    # Each step's time (group.block logs it), shown by measure().
    logging.basicConfig(level=logging.INFO, format="    %(message)s", stream=sys.stderr)
    settings = Settings()
    with open(jsonl, encoding="utf-8") as fh:  # streamed: group_from_scratch keeps no texts
        articles = (Article(id=r["id"], text=r["text"]) for r in map(json.loads, fh))
        index = group_from_scratch(articles, GroupParams.from_settings(settings), make_embedder(settings))
    out.write_text(json.dumps({"stories": [s.as_dict() for s in index.result()]}), encoding="utf-8")


def run_online(jsonl: Path, out: Path) -> None:
    """What a later `storydiff stories` does with new articles: the online index, a chunk at a time."""
    from itertools import islice

    from storydiff.group import GroupParams, StoryIndex, make_embedder
    from storydiff.models import Article
    from storydiff.settings import Settings

    settings = Settings()
    params = GroupParams.from_settings(settings)
    index = StoryIndex(params, make_embedder(settings))
    # Streamed a chunk at a time (as the index groups them anyway): the corpus is never all in memory.
    with open(jsonl, encoding="utf-8") as fh:
        records = map(json.loads, fh)
        while chunk := [Article(id=r["id"], text=r["text"]) for r in islice(records, params.chunk_size)]:
            index.add(chunk)
    stories = index.result()
    out.write_text(json.dumps({"stories": [s.as_dict() for s in stories]}), encoding="utf-8")


def run_baseline(jsonl: Path, out: Path) -> None:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    with open(jsonl, encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            words = re.findall(r"\w+", r["text"].lower())
            m = MinHash(num_perm=128)
            for i in range(max(1, len(words) - 2)):
                m.update(" ".join(words[i : i + 3]).encode("utf-8"))
            parent[r["id"]] = r["id"]
            for other in lsh.query(m):
                parent[find(other)] = find(r["id"])
            lsh.insert(r["id"], m)
    groups: dict[str, list[str]] = defaultdict(list)
    for a in parent:
        groups[find(a)].append(a)
    out.write_text(json.dumps({"stories": [{"id": k, "articles": v} for k, v in groups.items()]}), "utf-8")


def measure(which: str, jsonl: Path, out: Path) -> tuple[float, float, float]:
    """Run one grouping in a fresh process; return (seconds, its peak RSS in MB, the largest worker's in MB).

    A worker is forked from the process, so its RSS counts pages it still shares with it.
    """
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import grouping_speed as g; "
            f"from pathlib import Path; g.run_{which}(Path({str(jsonl)!r}), Path({str(out)!r})); "
            "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{which} failed:\n{done.stderr}")
    steps = [line for line in done.stderr.splitlines() if line.startswith("    ")]
    if steps:
        print("\n".join(steps), flush=True)
    own, child = done.stdout.strip().splitlines()[-1].split()
    return seconds, int(own) / 1024, int(child) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--online", action="store_true", help="also time the online (incremental) index")
    parser.add_argument("--work", type=Path, help="keep the generated JSONL here and reuse it")
    args = parser.parse_args()
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in map(int, args.sizes.split(",")):
            jsonl = (args.work or Path(tmp)) / f"gen-{n}.jsonl"
            if not args.work or not jsonl.exists():
                generate(args.data, n, jsonl.with_suffix(".partial"))
                jsonl.with_suffix(".partial").replace(jsonl)
            gold = {r["id"]: r["story"] for r in map(json.loads, jsonl.open(encoding="utf-8"))}
            rows = {}
            for which in ("ours", *(("online",) if args.online else ()),
                          *(() if args.no_baseline else ("baseline",))):
                out = Path(tmp) / f"{which}-{n}.json"
                seconds, mb, worker_mb = measure(which, jsonl, out)
                system = {a: s["id"] for s in json.loads(out.read_text("utf-8"))["stories"] for a in s["articles"]}
                rows[which] = (n / seconds, mb, pairwise_f1(gold, system))
                workers = f" (largest worker {worker_mb:,.0f} MB)" if worker_mb else ""
                print(f"n={n} {which}: {n / seconds:,.0f} articles/s, {seconds:.1f} s, "
                      f"peak {mb:,.0f} MB{workers}, pairwise F1 {rows[which][2]:.3f}, "
                      f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
            if "baseline" in rows:
                print(f"n={n} ratio ours/baseline: {rows['ours'][0] / rows['baseline'][0]:.2f}x", flush=True)


if __name__ == "__main__":
    main()
