"""Sentence-level hedge detection on a sentence-labelled uncertainty corpus.

Usage: python bench/hedges.py [DATA_DIR] [--tune]

DATA_DIR defaults to ../shared/data (relative to the repo root); the corpus is
the CoNLL-2010 Wikipedia weasel split in DATA_DIR/wiki_weasel_szeged/
{train,test}.csv (text,label; 1 = uncertain). Prints precision, recall and F1
of ``sentence_is_hedged`` on test. ``--tune`` instead prints, on train only,
how precise each lexicon entry is, which is how the shipped entries were chosen.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path

from storydiff.claims import hedges

ROOT = Path(__file__).resolve().parents[1]


def load(path: Path) -> list[tuple[str, int]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["text"].strip(), int(r["label"])) for r in csv.DictReader(f)]


def prf(gold: list[int], pred: list[bool]) -> tuple[float, float, float]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def tune(rows: list[tuple[str, int]]) -> None:
    """Per-entry precision and hits on train: keep entries that help F1."""
    hits: Counter[str] = Counter()
    good: Counter[str] = Counter()
    for text, label in rows:
        seen = {h.text.lower() for h in hedges.find_hedges(text, sentences=[(0, len(text))])}
        for phrase in seen:
            hits[phrase] += 1
            good[phrase] += label
    for phrase, n in hits.most_common(120):
        print(f"{good[phrase] / n:.2f} {n:5d} {phrase}")


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    data = Path(args[0]) if args else ROOT / ".." / "shared" / "data"
    folder = data / "wiki_weasel_szeged"
    if "--tune" in argv:
        tune(load(folder / "train.csv"))
        return 0
    for split in ("train", "test"):
        rows = load(folder / f"{split}.csv")
        t = time.perf_counter()
        pred = [hedges.sentence_is_hedged(text) for text, _ in rows]
        secs = time.perf_counter() - t
        p, r, f = prf([label for _, label in rows], pred)
        print(f"{split}: n={len(rows)} P={p:.3f} R={r:.3f} F1={f:.3f} ({len(rows) / secs:,.0f} sentences/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
