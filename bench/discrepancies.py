"""Precision and recall of the discrepancy finders on PolNeAR pairs with one controlled change each.

usage: python bench/discrepancies.py [DATA_DIR] [--split dev] [--limit N] [--seed S] [--kinds k1,k2]
                                     [--json OUT] [--show-errors K] [--dry-run]

DATA_DIR defaults to ../shared/data from the repo root. For every article of the split
(the first --limit of them, sorted by name) it builds pairs A = the article, B = the
article with exactly one change (bench/_changes.py: a number, a date, a speaker's role,
a speaker, a hedge, an "anonymity" clause, a removed or added sentence, a
transliterated surname, a place) and two controls (unchanged; harmless edits), runs
``compare_articles([A, B])`` in-process on each and scores every discrepancy but
``framing``:

- a discrepancy of the pair's expected kind whose evidence overlaps the change (in the
  document that should carry it) is a true positive;
- any other is a false positive; in a changed pair, one whose evidence lies nowhere
  near the change (not in the changed sentence) is "unrelated": left out of FP and
  precision, counted in the strict precision.

Recall of a kind = pairs of that kind with at least one true positive / pairs of that kind.
--kinds takes change kinds (number, date, role, speaker, hedge_dropped, anonymity,
removed_sentence, added_sentence, transliteration, place, control, control_edits) or
discrepancy kinds (only_in = both sentence changes). --dry-run only builds the pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from _changes import EXPECTED, GENERATORS, Pair, Prepared, build_pairs, prepare  # noqa: E402
from _polnear import read_split  # noqa: E402

SCORED = ("role_conflict", "attribution_conflict", "date_conflict", "number_conflict", "place_conflict",
          "hedge_dropped", "only_in", "internal_contradiction", "name_variant")
DEFAULT_DATE = "2016-10-01"


@dataclass
class Verdict:
    kind: str
    verdict: str  # tp, fp, unrelated
    explanation: str
    evidence: list[dict[str, Any]]


@dataclass
class Result:
    pair: Pair
    verdicts: list[Verdict] = field(default_factory=list)
    framing: int = 0
    error: str | None = None
    seconds: float = 0.0

    @property
    def hit(self) -> bool:
        return any(v.verdict == "tp" for v in self.verdicts)


def overlaps(start: int, end: int, span: tuple[int, int]) -> bool:
    """Evidence [start, end) touches span; an empty span (an insertion point) must lie within the evidence."""
    s, e = span
    if s == e:
        return start <= s <= end
    return start < e and s < end


def sentence_around(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span widened to the sentence(s) around it (a rough split on end punctuation and line breaks)."""
    s, e = span
    while s > 0 and text[s - 1] != "\n" and not (text[s - 1] == " " and s > 1 and text[s - 2] in ".!?”\""):
        s -= 1
    while e < len(text) and text[e] != "\n" and not (text[e] in ".!?" and (e + 1 == len(text) or text[e + 1] in
                                                                         " \n”\"")):
        e += 1
    return s, min(len(text), e + 1)


def judge(pair: Pair, kind: str, evidence: list[tuple[str, int, int]]) -> str:
    """tp, fp or unrelated for one predicted discrepancy of a pair."""
    focus = {"a": pair.a_focus, "b": pair.b_focus}
    if pair.carrier in ("a", "b"):
        focus = {pair.carrier: focus[pair.carrier]}
    touches = any(overlaps(s, e, span) for doc, s, e in evidence for span in focus.get(doc, []))
    if kind == pair.expected and touches:
        return "tp"
    if pair.expected is None:
        return "fp"
    texts = {"a": pair.a, "b": pair.b}
    region = {
        "a": [sentence_around(pair.a, sp) for sp in pair.a_focus + pair.a_spans],
        "b": [sentence_around(pair.b, sp) for sp in pair.b_focus + pair.b_spans],
    }
    near = any(overlaps(s, e, span) for doc, s, e in evidence if doc in texts for span in region[doc])
    return "fp" if near else "unrelated"


def run_pairs(pairs: list[Pair]) -> list[Result]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from storydiff.compare import compare_articles
    from storydiff.models import Article

    results = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True)) as progress:
        task = progress.add_task("compare", total=len(pairs))
        for pair in pairs:
            progress.update(task, description=f"compare {pair.change:<17}")
            result = Result(pair)
            date = pair.published or DEFAULT_DATE
            began = time.perf_counter()
            try:
                comparison = compare_articles([Article(id="a", text=pair.a, published=date),
                                               Article(id="b", text=pair.b, published=date)])
            except Exception as e:  # one broken pair must not stop the run; it is reported
                result.error = f"{type(e).__name__}: {e}"
            else:
                for d in comparison.discrepancies:
                    if d.kind not in SCORED:
                        result.framing += 1
                        continue
                    ev = [(x.doc, x.start, x.end) for x in d.evidence]
                    result.verdicts.append(Verdict(d.kind, judge(pair, d.kind, ev), d.explanation,
                                                   [x.as_dict() for x in d.evidence]))
            result.seconds = time.perf_counter() - began
            results.append(result)
            progress.advance(task)
    return results


def _ratio(n: int, d: int) -> float | None:
    return n / d if d else None


def score(results: list[Result]) -> dict[str, Any]:
    pairs: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        if r.pair.expected:
            pairs[r.pair.expected] += 1
            hits[r.pair.expected] += r.hit
        for v in r.verdicts:
            counts[v.kind][v.verdict] += 1
    rows = {}
    for kind in SCORED:
        c = counts[kind]
        tp, fp, un = c["tp"], c["fp"], c["unrelated"]
        rows[kind] = {
            "pairs": pairs[kind], "pairs_hit": hits[kind], "tp": tp, "fp": fp, "unrelated": un,
            "precision": _ratio(tp, tp + fp), "recall": _ratio(hits[kind], pairs[kind]),
            "strict_precision": _ratio(tp, tp + fp + un),
        }
    controls = [r for r in results if r.pair.expected is None]
    alarmed = sum(1 for r in controls if r.verdicts)
    tp = sum(r["tp"] for r in rows.values())
    fp = sum(r["fp"] for r in rows.values())
    un = sum(r["unrelated"] for r in rows.values())
    return {
        "kinds": rows,
        "controls": len(controls), "controls_alarmed": alarmed, "false_alarm_rate": _ratio(alarmed, len(controls)),
        "micro_precision": _ratio(tp, tp + fp), "micro_strict_precision": _ratio(tp, tp + fp + un),
        "micro_recall": _ratio(sum(hits.values()), sum(pairs.values())),
        "errors": sum(1 for r in results if r.error),
        "seconds_per_pair": _ratio(sum(r.seconds for r in results), len(results)),
    }


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_table(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="discrepancies: one controlled change per pair")
    for col in ("kind", "pairs", "TP", "FP", "unrelated", "precision", "recall", "strict precision"):
        table.add_column(col, justify="left" if col == "kind" else "right", no_wrap=True)
    for kind, r in summary["kinds"].items():
        table.add_row(kind, str(r["pairs"]), str(r["tp"]), str(r["fp"]), str(r["unrelated"]),
                      _fmt(r["precision"]), _fmt(r["recall"]), _fmt(r["strict_precision"]))
    table.add_row("micro", "", "", "", "", _fmt(summary["micro_precision"]), _fmt(summary["micro_recall"]),
                  _fmt(summary["micro_strict_precision"]), style="bold")
    console = Console(width=max(Console().width, 100))
    console.print(table)
    console.print(f"controls with a false alarm: {summary['controls_alarmed']}/{summary['controls']} "
                  f"(rate {_fmt(summary['false_alarm_rate'])}); errors: {summary['errors']}; "
                  f"{_fmt(summary['seconds_per_pair'])} s/pair")


def context(text: str, spans: list[tuple[int, int]], width: int = 110) -> str:
    if not spans:
        return ""
    s, e = min(a for a, _ in spans), max(b for _, b in spans)
    start, end = max(0, s - width), min(len(text), e + width)
    marked = text[start:s] + "[[" + text[s:e] + "]]" + text[e:end]
    return ("…" if start else "") + marked.replace("\n", " ⏎ ") + ("…" if end < len(text) else "")


def show_errors(results: list[Result], k: int) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(width=max(Console().width, 120))
    for kind in SCORED:
        misses = [r for r in results if r.pair.expected == kind and not r.hit and not r.error][:k]
        wrong = [(r, v) for r in results for v in r.verdicts if v.kind == kind and v.verdict != "tp"][:k]
        if not misses and not wrong:
            continue
        console.rule(kind)
        for r in misses:
            p = r.pair
            console.print(f"[bold red]FN[/] {escape(p.article)} {p.change}: {escape(p.note)}")
            console.print(f"   A: {escape(context(p.a, p.a_spans))}")
            console.print(f"   B: {escape(context(p.b, p.b_spans))}")
            for v in r.verdicts:
                console.print(f"   got {v.kind} ({v.verdict}): {escape(v.explanation)}")
        for r, v in wrong:
            p = r.pair
            console.print(f"[bold yellow]FP[/] ({v.verdict}) in a {p.change} pair, {escape(p.article)}: "
                          f"{escape(v.explanation)}")
            for ev in v.evidence[:3]:
                text = p.a if ev["doc"] == "a" else p.b
                console.print(f"   {ev['doc']}: {escape(context(text, [(ev['start'], ev['end'])], 60))}")
            if p.expected:
                console.print(f"   the change: {escape(p.note)}")


def dry_run(pairs: list[Pair], samples: int = 2) -> None:
    counts = Counter(p.change for p in pairs)
    for change in GENERATORS:
        print(f"{change:<18} {counts[change]:5d} pairs  -> {EXPECTED[change][0]}")
    print(f"{'total':<18} {len(pairs):5d}")
    shown: Counter[str] = Counter()
    for p in pairs:
        if shown[p.change] >= samples:
            continue
        shown[p.change] += 1
        print(f"\n--- {p.change} ({p.article}): {p.note}")
        print("  A:", context(p.a, p.a_spans, 70))
        print("  B:", context(p.b, p.b_spans, 70))


def load_pairs(data_dir: Path, split: str, limit: int | None, seed: int, kinds: list[str] | None) -> list[Pair]:
    from rich.console import Console
    from rich.progress import track

    from storydiff.claims.nlp import load_nlp

    articles = read_split(data_dir, split)
    if limit:
        articles = articles[:limit]
    nlp = load_nlp()
    progress = track(articles, description="parse", console=Console(stderr=True))
    prepared: list[Prepared] = [prepare(a, nlp) for a in progress]
    changes = None
    if kinds:
        changes = [c for c in GENERATORS if c in kinds or EXPECTED[c][0] in kinds
                   or ("control" in kinds and EXPECTED[c][0] is None)]
        unknown = set(kinds) - set(GENERATORS) - {e for e, _ in EXPECTED.values() if e} - {"control"}
        if unknown:
            raise SystemExit(f"unknown kinds: {', '.join(sorted(unknown))}")
    return build_pairs(prepared, seed=seed, kinds=changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles (sorted by name)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=None, help="comma-separated change or discrepancy kinds")
    parser.add_argument("--json", type=Path, default=None, help="write the per-pair results here")
    parser.add_argument("--show-errors", type=int, default=0, metavar="K")
    parser.add_argument("--dry-run", action="store_true", help="build the pairs, print counts and samples")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",")] if args.kinds else None
    pairs = load_pairs(args.data_dir, args.split, args.limit, args.seed, kinds)
    if args.dry_run:
        dry_run(pairs)
        return 0
    results = run_pairs(pairs)
    summary = score(results)
    print_table(summary)
    if args.show_errors:
        show_errors(results, args.show_errors)
    if args.json:
        out = {
            "split": args.split, "seed": args.seed, "limit": args.limit, "summary": summary,
            "pairs": [{**r.pair.as_dict(), "a": r.pair.a, "b": r.pair.b, "error": r.error, "framing": r.framing,
                       "seconds": round(r.seconds, 3), "discrepancies": [v.__dict__ for v in r.verdicts]}
                      for r in results],
        }
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
