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

    table = Table(show_lines=False, expand=False)
    for col in ("id", "from", "title", "published", "source", "lang", "words"):
        table.add_column(col, overflow="fold")
    with Store(db, read_only=True) as store:
        for art in store.articles():
            origin = Path(art.origin.split(":", 1)[0]).name if art.origin else ""
            table.add_row(
                art.id,
                origin,
                (art.title or "—")[:70],
                art.published or "—",
                art.source or "—",
                art.lang or "—",
                str(len(art.text.split())),
            )
    console.print(table)
    console.print(f"store: {db}", markup=False)
