"""The command line: parse options, call a library function, render, map errors to exit codes.

Nothing here knows how a stage works; it only knows which function to call.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import StoryDiffError
from .settings import SETTINGS, Settings

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "storydiff.duckdb"

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _settings(ctx: click.Context) -> Settings:
    obj: Settings = ctx.ensure_object(dict)["settings"]
    return obj


def db_option(fn: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        envvar="STORYDIFF_DB",
        show_default=True,
        show_envvar=True,
        help="The DuckDB store file.",
    )(fn)


def _progress() -> Progress:
    """A progress display on stderr; rich draws nothing when stderr is not a terminal."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except StoryDiffError as e:
        err.print(f"error: {e}", markup=False)
        sys.exit(e.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="storydiff")
@click.option("-v", "--verbose", count=True, help="-v: progress details; -vv: debug logs.")
@click.option(
    "--setting",
    "setting_pairs",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Change one setting (repeatable); `storydiff settings` lists them.",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="STORYDIFF_CONFIG",
    help="A TOML file of settings (NAME = VALUE).",
)
@click.pass_context
def cli(ctx: click.Context, verbose: int, setting_pairs: tuple[tuple[str, str], ...], config: Path | None) -> None:
    """storydiff: show how different news reports tell the same story."""
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("storydiff").setLevel(level)
    # Chatty third-party loggers stay at WARNING unless -vv.
    for name in ("trafilatura", "htmldate", "charset_normalizer", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)
    overrides = dict(setting_pairs)
    with _errors():
        ctx.ensure_object(dict)["settings"] = (
            Settings.from_toml(config, overrides) if config else Settings(overrides)
        )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], db: Path) -> None:
    """Read files, folders (recursively), JSONL, RSS/Atom feeds and WARC archives into the store.

    Idempotent: ingesting the same articles again changes nothing. Exit code 2 when some
    records were skipped (each is listed on stderr), 1 when nothing could be read.
    """
    from .ingest import supported_suffixes
    from .ingest.files import walk
    from .models import Article, Skipped
    from .pipeline import ingest as run_ingest

    settings = _settings(ctx)
    with _errors(), _progress() as progress:
        files = list(walk(list(paths), supported_suffixes(settings)))
        task = progress.add_task("ingesting", total=len(files))
        started = [0]
        articles = [0]

        def on_file(path: Path) -> None:
            # A file is done when the next one starts.
            progress.update(task, completed=started[0], description=f"{articles[0]} articles · {path.name}")
            started[0] += 1

        def on_article(item: Article | Skipped) -> None:
            articles[0] += isinstance(item, Article)

        report = run_ingest(list(paths), db, settings, on_file=on_file, on_article=on_article)
        progress.update(task, completed=len(files))
    for skipped in report.skipped:
        err.print(f"skipped: {skipped}", markup=False)
    out.print(
        f"ingested {report.read} articles ({report.added} new, {report.unchanged} already stored), "
        f"skipped {len(report.skipped)}; {db} holds {report.stored_total} articles",
        markup=False,
    )
    sys.exit(report.exit_code)


@cli.command()
@click.option("--parquet", "parquet", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The Parquet file to write.")
@db_option
@click.pass_context
def export(ctx: click.Context, parquet: Path, db: Path) -> None:
    """Write the store's articles table to a Parquet file (the format spark-stories reads)."""
    from .store import Store

    with _errors(), Store(db, read_only=True, lock_timeout=float(_settings(ctx)["store_lock_timeout"])) as store:
        n = store.export_parquet(parquet)
    out.print(f"exported {n} articles to {parquet}", markup=False)


@cli.command("import-parquet")
@click.argument("parquet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.pass_context
def import_parquet(ctx: click.Context, parquet: Path, db: Path) -> None:
    """Add the articles of a Parquet file written by `storydiff export` (idempotent)."""
    from .store import Store

    with _errors(), Store(db, lock_timeout=float(_settings(ctx)["store_lock_timeout"])) as store:
        result = store.import_parquet(parquet)
        total = store.count()
    for skipped in result.conflicts:
        err.print(f"skipped: {skipped}", markup=False)
    out.print(
        f"imported {result.added + result.unchanged} articles ({result.added} new, {result.unchanged} already "
        f"stored), skipped {len(result.conflicts)}; {db} holds {total} articles",
        markup=False,
    )
    sys.exit(2 if result.conflicts else 0)


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None, envvar="STORYDIFF_DB",
              help="Write the demo store here instead of DIR/storydiff.duckdb.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="Folder for the demo's store and reports (recreated each run).")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Run on this folder instead of the bundled example corpus.")
@click.pass_context
def demo(ctx: click.Context, db: Path | None, out_dir: Path, corpus: Path | None) -> None:
    """Ingest the bundled example corpus and print what storydiff makes of it."""
    from .demo import example_corpus, run_demo

    with _errors():
        corpus = corpus or example_corpus()
        run_demo(corpus, out_dir, db, _settings(ctx), out)


@cli.command("settings")
def list_settings() -> None:
    """List every setting with its default and what it does."""
    for s in SETTINGS:
        out.print(f"{s.name} = {s.default!r}\n    {s.help}", markup=False)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format; json is the shape of SPEC §2.")
@click.option("--rebuild", is_flag=True, help="Forget the stored stories and regroup the corpus from scratch.")
@click.pass_context
def stories(ctx: click.Context, db: Path, fmt: str, rebuild: bool) -> None:
    """Group the corpus into stories (incremental: only articles not yet in a story are assigned)."""
    import json

    from .pipeline import stories as run_stories

    with _errors(), _progress() as progress:
        task = progress.add_task("grouping", total=None)
        result = run_stories(
            db,
            _settings(ctx),
            rebuild,
            on_article=lambda: progress.advance(task),
            on_total=lambda n: progress.update(task, total=n),
        )
    if fmt == "json":
        out.print(json.dumps({"stories": [s.as_dict() for s in result]}, ensure_ascii=False), markup=False)
        return
    for s in result:
        dates = f" {s.first_seen or '?'}..{s.last_seen or '?'}" if s.first_seen or s.last_seen else ""
        out.print(f"{s.id} ({len(s.articles)}){dates} {s.title or ''}", markup=False)
        out.print(f"    {', '.join(s.articles)}", markup=False)


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cli(prog_name="storydiff")


if __name__ == "__main__":
    main()
