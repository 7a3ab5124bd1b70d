"""Benchmark attribution extraction on the PolNeAR dev split.

usage: python bench/attribution.py [DATA_DIR] [--out DIR] [--split dev]

DATA_DIR defaults to ../shared/data from the repo root. Writes one SPEC §2
``claims`` JSON per article to --out (default: a temporary folder), scores them
with shared/eval/score_attribution.py and prints its report, then the speed in
words/s: parse (spaCy) + extraction, and extraction alone given the parse.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storydiff.claims.attribution import Attribution, find_attributions  # noqa: E402
from storydiff.claims.nlp import load_nlp  # noqa: E402


def _span(span: Any) -> dict[str, Any] | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def claims_json(article: str, text: str, found: list[Attribution]) -> dict[str, Any]:
    """The ``claims`` output of SPEC §2 for one article."""
    claims = []
    for n, a in enumerate(found, 1):
        parts = [s for s in (a.source, a.cue, a.content) if s is not None]
        start, end = min(s.start for s in parts), max(s.end for s in parts)
        claims.append({
            "id": f"C{n}", "doc": article, "start": start, "end": end, "text": text[start:end],
            "source": _span(a.source), "cue": _span(a.cue), "content": _span(a.content),
            "speaker": None, "speaker_role": None, "hedges": [], "time": None, "places": [],
        })
    return {"documents": [{"id": article, "text": text}], "entities": [], "claims": claims}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args(argv)
    gold = args.data_dir / "polnear" / "data" / args.split
    out = args.out or Path(tempfile.mkdtemp(prefix="attribution-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted((gold / "text").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8").replace("\r\n", "\n") for p in paths]
    words = sum(len(t.split()) for t in texts)
    nlp = load_nlp()
    find_attributions("Warm-up, he said.")  # load the models outside the timing
    began = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=16))
    parsed = time.perf_counter()
    results = [find_attributions(text, doc) for text, doc in zip(texts, docs, strict=True)]
    done = time.perf_counter()
    for path, text, found in zip(paths, texts, results, strict=True):
        with open(out / f"{path.stem}.json", "w", encoding="utf-8") as f:
            json.dump(claims_json(path.stem, text, found), f, ensure_ascii=False)
    scorer = ROOT.parent / "shared" / "eval" / "score_attribution.py"
    if not scorer.exists():
        scorer = args.data_dir.parent / "eval" / "score_attribution.py"
    subprocess.run([sys.executable, str(scorer), str(gold), str(out)], check=True)
    print(f"articles={len(paths)} words={words} output={out}")
    print(f"words_per_s={words / (done - began):.0f} (parse + extraction) "
          f"extraction_only={words / (done - parsed):.0f}")


if __name__ == "__main__":
    main()
