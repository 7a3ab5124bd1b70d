"""`storydiff demo`: the whole product on the bundled example corpus.

It grows with the pipeline: each stage that lands adds its part here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .errors import InputError
from .pipeline import ingest
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


def run_demo(corpus: Path, out_dir: Path, db: Path | None, settings: Settings, console: Console) -> None:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    db = db or out_dir / "storydiff.duckdb"
    if db.exists():
        db.unlink()

    console.rule("1. ingest")
    console.print(f"$ storydiff ingest {corpus} --db {db}", markup=False)
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
