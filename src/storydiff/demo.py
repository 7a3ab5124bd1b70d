"""`storydiff demo`: the whole product on the bundled example corpus.

It grows with the pipeline: each stage that lands adds its part here.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .claims import extract_claims
from .compare import compare_articles
from .errors import InputError
from .ingest import load_articles
from .models import Article
from .pipeline import ingest, stories, story_articles
from .report import render_claims, render_comparison, render_html
from .settings import Settings
from .store import Store


def example_corpus() -> Path:
    """The example corpus: $STORYDIFF_EXAMPLES, a copy inside an installed wheel, or the source checkout's."""
    candidates = [
        Path(os.environ["STORYDIFF_EXAMPLES"]) if os.environ.get("STORYDIFF_EXAMPLES") else None,
        Path(__file__).resolve().parent / "_examples",
        Path(__file__).resolve().parents[2] / "examples",
    ]
    for path in candidates:
        if path is not None and path.is_dir():
            return path
    raise InputError("examples/", "the bundled example corpus is not installed; pass --corpus FOLDER")


def _shown(path: Path) -> str:
    """A path as a user would type it: relative to the current folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_demo(corpus: Path, out_dir: Path, db: Path | None, settings: Settings, console: Console) -> None:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    db = db or out_dir / "storydiff.duckdb"
    if db.exists():
        db.unlink()

    console.rule("1. ingest")
    console.print(f"$ storydiff ingest {_shown(corpus)} --db {_shown(db)}", markup=False)
    report = ingest([corpus], db, settings)
    console.print(
        f"ingested {report.read} articles ({report.added} new), skipped {len(report.skipped)}",
        markup=False,
    )
    for skipped in report.skipped:
        console.print(f"  skipped: {skipped}", markup=False)

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("file", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=44)
    table.add_column("published", no_wrap=True)
    table.add_column("words", justify="right", min_width=5)
    with Store(db, read_only=True) as store:
        for art in store.articles():
            origin = Path(art.origin.split(":", 1)[0]).name if art.origin else ""
            table.add_row(
                origin,
                art.title or art.text.strip().split("\n", 1)[0],
                (art.published or "—")[:10],
                str(len(art.text.split())),
            )
    console.print(table)
    console.print(f"store: {db}", markup=False)

    console.rule("2. stories")
    console.print(f"$ storydiff stories --db {db}", markup=False)
    found = stories(db, settings)
    with Store(db, read_only=True) as store:
        files = {a.id: Path(a.origin.split(":", 1)[0]).name for a in store.articles()}
    for story in found:
        dates = f" · {story.first_seen[:10]}" if story.first_seen else ""
        n = len(story.articles)
        label = f"{n} report" + ("s" if n != 1 else "")
        console.print(f"{story.id} ({label}{dates}) {story.title or ''}", markup=False)
        console.print("    " + ", ".join(sorted(files.get(a, a) for a in story.articles)), markup=False)

    pair = sorted(corpus.rglob("report-*.txt"))[:2]
    if len(pair) == 2:
        console.rule("3. claims")
        console.print(f"$ storydiff claims {_shown(pair[0])} {_shown(pair[1])} --published 2025-11-23", markup=False)
        articles = [replace(a, published="2025-11-23") for a in load_articles(pair, settings)
                    if isinstance(a, Article)]
        result = extract_claims(articles, settings)
        (out_dir / "claims.json").write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1),
                                             encoding="utf-8")
        render_claims(result, console)
        console.print(f"claims JSON: {out_dir / 'claims.json'}", markup=False)

        console.rule("4. compare")
        html = out_dir / "comparison.html"
        console.print(
            f"$ storydiff compare {_shown(pair[0])} {_shown(pair[1])} --published 2025-11-23 --format html -o {html}",
            markup=False,
        )
        comparison = compare_articles(articles, settings)
        html.write_text(render_html(comparison), encoding="utf-8")
        (out_dir / "comparison.json").write_text(
            json.dumps(comparison.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        render_comparison(comparison, console)
        console.print(f"comparison: {html} (open in a browser), {out_dir / 'comparison.json'}", markup=False)

    biggest = max(found, key=lambda s: len(s.articles), default=None)
    if biggest is not None and len(biggest.articles) > 2:
        console.rule("5. show")
        html = out_dir / f"story-{biggest.id}.html"
        console.print(f"$ storydiff show {biggest.id} --db {_shown(db)} --format html -o {html}", markup=False)
        versions = story_articles(db, biggest.id, settings)
        comparison = compare_articles(versions, settings)
        html.write_text(render_html(comparison), encoding="utf-8")
        counts = Counter(d.kind for d in comparison.discrepancies)
        console.print(
            f"{biggest.id}: {len(versions)} versions, {len(comparison.claims)} claims, "
            f"{len(comparison.matches)} matched pairs; "
            + ", ".join(f"{n} {kind}" for kind, n in counts.most_common()),
            markup=False,
        )
        console.print(f"story comparison: {html}", markup=False)

    console.rule("browse")
    console.print(f"$ storydiff serve --db {_shown(db)}    # then open http://127.0.0.1:8000/", markup=False)
