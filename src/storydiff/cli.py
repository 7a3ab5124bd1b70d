"""The command line: parse options, call a library function, render, map errors to exit codes.

Nothing here knows how a stage works; it only knows which function to call.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import ConfigError, StoryDiffError, writing
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


class _Stderr:
    """``sys.stderr`` as it is at each write: while a progress bar is drawn, rich's stand-in, which
    prints log lines above the bar rather than into it."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


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


def _print_skipped(skipped: Sequence[object]) -> None:
    for item in skipped:
        err.print(f"skipped: {item}", markup=False)


def _batch_summary(verb: str, added: int, unchanged: int, skipped: Sequence[object], db: Path, total: int) -> None:
    """Skipped records on stderr, then one line on stdout saying what a write to the store did."""
    _print_skipped(skipped)
    out.print(
        f"{verb} {added + unchanged} articles ({added} new, {unchanged} already stored), "
        f"skipped {len(skipped)}; {db} holds {total} articles",
        markup=False,
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
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=_Stderr())
    logging.getLogger("storydiff").setLevel(level)
    # Chatty third-party loggers stay at WARNING unless -vv (py4j: a line per Spark connection closed).
    for name in ("trafilatura", "htmldate", "charset_normalizer", "urllib3", "py4j"):
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
    _batch_summary("ingested", report.added, report.unchanged, report.skipped, db, report.stored_total)
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
    _batch_summary("imported", result.added, result.unchanged, result.conflicts, db, total)
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
        click.echo(json.dumps({"stories": [s.as_dict() for s in result]}, ensure_ascii=False))
        return
    for s in result:
        dates = f" {s.first_seen or '?'}..{s.last_seen or '?'}" if s.first_seen or s.last_seen else ""
        out.print(f"{s.id} ({len(s.articles)}){dates} {s.title or ''}", markup=False)
        out.print(f"    {', '.join(s.articles)}", markup=False)


@cli.command("spark-stories")
@click.option("--input", "input_path", required=True,
              help="Articles as JSON Lines (one file, a folder, .gz) or Parquet (`storydiff export`); any path "
                   "Spark reads (hdfs://, s3a://).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for stories.parquet, stories.json, rejects.jsonl and summary.json; written beside it, "
                   "then renamed into place.")
@click.option("--master", default="local[*]", show_default=True,
              help="Spark master; under spark-submit the one spark-submit was given wins.")
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE", help="A Spark setting (repeatable).")
@click.option("--partitions", type=int, default=None,
              help="Partitions for the shuffles (reading and block clustering use four times as many); "
                   "default Spark's default parallelism (its cores), at least 2.")
@click.pass_context
def spark_stories(ctx: click.Context, input_path: str, output: Path, master: str, confs: tuple[str, ...],
                  partitions: int | None) -> None:
    """Group a corpus into stories on Apache Spark: the same stories as `stories --rebuild`, at cluster scale.

    Exit code 2 when some records were rejected (each is in DIR/rejects.jsonl; the first are shown).
    """
    settings = _settings(ctx)
    conf = {}
    for item in confs:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--conf {item!r}: expected KEY=VALUE")
        conf[key] = value
    with _errors():
        try:
            from .scale import spark_session
            from .scale import spark_stories as run_spark
        except ImportError as e:
            raise ConfigError(f"spark-stories needs pyspark ({e}); install storydiff[scale]") from None
        from pyspark.sql import SparkSession

        from .scale.progress import StageProgress, watched

        owned = SparkSession.getActiveSession() is None  # a session the caller started stays running
        with _progress() as progress:
            task = progress.add_task("starting Spark", total=None)

            def show(p: StageProgress) -> None:
                progress.update(task, completed=p.done, total=p.total,
                                description=escape(f"stage {p.started}: {p.name}"))

            spark = spark_session(master, conf)
            try:
                # Nothing to draw on: no thread asking the JVM.
                with nullcontext() if progress.disable else watched(spark.sparkContext, show):
                    report = run_spark(spark, input_path, output, settings, partitions)
            finally:
                if owned:
                    spark.stop()
    _print_skipped(report.rejects)
    if report.rejected > len(report.rejects):
        err.print(f"... {report.rejected - len(report.rejects)} more in {output / 'rejects.jsonl'}", markup=False)
    out.print(f"{report.articles} articles in {report.stories} stories ({report.blocks} blocks, largest "
              f"{report.largest_block}); rejected {report.rejected}; {report.seconds:.1f} s; wrote {output}",
              markup=False)
    sys.exit(report.exit_code)


def _published_overrides(values: tuple[str, ...]) -> tuple[str | None, dict[str, str]]:
    """``--published DATE`` (every document) and ``--published ID=DATE`` (one) into a default and a map."""
    default: str | None = None
    per_doc: dict[str, str] = {}
    for value in values:
        if "=" in value:
            doc_id, _, date = value.rpartition("=")
            per_doc[doc_id] = date
        else:
            default = value
    return default, per_doc


def _documents(files: Sequence[Path], published: tuple[str, ...], settings: Settings) -> tuple[list[Any], list[Any]]:
    """The articles in ``files`` (dated by ``--published`` where they state no date) and the records skipped.

    Exits 1 when nothing could be read.
    """
    from dataclasses import replace

    from .claims.extract import split_parsable
    from .ingest import load_articles
    from .models import Article, Skipped
    from .normalize import to_iso

    default, per_doc = _published_overrides(published)
    items = list(load_articles(list(files), settings))
    skipped = [i for i in items if isinstance(i, Skipped)]
    parsable, too_hard = split_parsable([i for i in items if isinstance(i, Article)], settings)
    skipped += too_hard
    articles = []
    for art in parsable:
        given = per_doc.get(art.id, default if art.published is None else None)
        if given is not None:
            iso = to_iso(given)
            if iso is None:
                raise ConfigError(f"--published {given!r} is not a date")
            art = replace(art, published=iso)
        articles.append(art)
    _print_skipped(skipped)
    if not articles:
        sys.exit(1)
    return articles, skipped


_PUBLISHED_HELP = ("Publication date for documents that state none (plain text): DATE for all, ID=DATE for one. "
                   "Relative dates in the text resolve against it.")


def _write_comparison(comparison: Any, fmt: str, output: Path | None) -> None:
    """A comparison as text (rich), JSON (SPEC §2) or a self-contained HTML page."""
    import json

    from .report import render_comparison, render_html

    if fmt == "json":
        text = json.dumps(comparison.as_dict(), ensure_ascii=False, indent=1) + "\n"
    elif fmt == "html":
        text = render_html(comparison)
    else:
        if output is None:
            render_comparison(comparison, out)
            return
        with writing(output), open(output, "w", encoding="utf-8") as fh:
            render_comparison(comparison, Console(file=fh, width=120, highlight=False))
        return
    if output is None:
        click.echo(text, nl=False)
        return
    with writing(output):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    if fmt == "html":
        err.print(f"wrote {output}", markup=False)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="text for people; json is the comparison of SPEC §2; html a self-contained page with the "
                   "versions side by side.")
@click.option("--published", multiple=True, metavar="[ID=]DATE", help=_PUBLISHED_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.pass_context
def compare(ctx: click.Context, files: tuple[Path, ...], fmt: str, published: tuple[str, ...],
            output: Path | None) -> None:
    """Compare two or more versions of a story claim by claim: what agrees, conflicts, is added or dropped."""
    from .compare import compare_articles

    settings = _settings(ctx)
    with _errors():
        articles, skipped = _documents(files, published, settings)
        if len(articles) < 2:
            raise ConfigError(f"compare needs at least two documents; {len(articles)} could be read")
        with _progress() as progress:
            progress.add_task(f"comparing {len(articles)} versions", total=None)
            result = compare_articles(articles, settings)
        _write_comparison(result, fmt, output)
    sys.exit(2 if skipped else 0)


@cli.command()
@click.argument("story_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="As for `compare`.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.pass_context
def show(ctx: click.Context, story_id: str, db: Path, fmt: str, output: Path | None) -> None:
    """The comparison of one story's reports (see `storydiff stories` for the ids)."""
    from .compare import compare_articles
    from .pipeline import story_articles

    settings = _settings(ctx)
    with _errors():
        from .claims.extract import split_parsable

        articles, skipped = split_parsable(story_articles(db, story_id, settings), settings)
        _print_skipped(skipped)
        most = int(settings["compare_max_documents"])
        if len(articles) > most:
            err.print(f"story {story_id} has {len(articles)} reports; comparing the first {most} "
                      f"(compare_max_documents), not {', '.join(a.id for a in articles[most:most + 3])}"
                      + (" ..." if len(articles) > most + 3 else ""), markup=False)
            articles = articles[:most]
        if not articles:
            sys.exit(1)
        if len(articles) < 2:
            err.print(f"story {story_id} has one report ({articles[0].id}); there is nothing to compare it with",
                      markup=False)
            sys.exit(1)
        with _progress() as progress:
            progress.add_task(f"comparing {len(articles)} versions", total=None)
            result = compare_articles(articles, settings)
        _write_comparison(result, fmt, output)
    sys.exit(2 if skipped else 0)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people; json is `documents`, `entities` and `claims` of SPEC §2.")
@click.option("--published", multiple=True, metavar="[ID=]DATE", help=_PUBLISHED_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one JSON file per document (DOC_ID.json) into this folder, each with its own claims.")
@click.pass_context
def claims(ctx: click.Context, files: tuple[Path, ...], fmt: str, published: tuple[str, ...],
           output: Path | None, out_dir: Path | None) -> None:
    """Attributed claims and entities: who says what, in which role, with which hedges, when and where."""
    import json

    from .claims import extract_claims
    from .models import ClaimSet
    from .report import render_claims

    settings = _settings(ctx)
    with _errors():
        articles, skipped = _documents(files, published, settings)
        with _progress() as progress:
            progress.add_task("extracting claims", total=None)
            result = extract_claims(articles, settings)
    with _errors():
        if out_dir is not None:
            with writing(out_dir):
                out_dir.mkdir(parents=True, exist_ok=True)
            for art in result.documents:
                one = ClaimSet((art,), result.entities, tuple(c for c in result.claims if c.doc == art.id),
                               tuple(r for r in result.roles if r.doc == art.id))
                safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in art.id)
                with writing(out_dir / f"{safe}.json"):
                    (out_dir / f"{safe}.json").write_text(json.dumps(one.as_dict(), ensure_ascii=False),
                                                          encoding="utf-8")
        elif fmt == "json":
            text = json.dumps(result.as_dict(), ensure_ascii=False, indent=1)
            if output:
                with writing(output):
                    output.write_text(text + "\n", encoding="utf-8")
            else:
                click.echo(text)
        elif output:
            with writing(output), open(output, "w", encoding="utf-8") as fh:
                render_claims(result, Console(file=fh, width=120, highlight=False))
        else:
            render_claims(result, out)
    sys.exit(2 if skipped else 0)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--token", envvar="STORYDIFF_TOKEN", show_envvar=True, default=None,
              help="Secret every request must carry (Authorization: Bearer TOKEN, or ?token=TOKEN once per "
                   "browser); required off loopback.")
@click.option("--get", "get_path", metavar="PATH",
              help="Print the answer to one request (e.g. /stories.json) instead of listening; exit 1 on an error.")
@click.pass_context
def serve(ctx: click.Context, db: Path, host: str, port: int, token: str | None, get_path: str | None) -> None:
    """Browse the store in a web browser: stories, their versions side by side, articles; JSON twins.

    Read-only: the store is opened read-only, and no other process can write it while it is served.
    """
    try:
        from .serve import check_bind
        from .serve import serve as run_server
    except ImportError as e:  # pragma: no cover - the serve extra is part of the default install
        err.print(f"error: storydiff serve needs the serve extra ({e.name} is missing): "
                  "pip install 'storydiff[serve]'", markup=False)
        sys.exit(1)
    settings = _settings(ctx)
    with _errors():
        if get_path is not None:
            sys.exit(_serve_get(db, settings, token, get_path))
        check_bind(host, token)

        def ready(url: str) -> None:
            err.print(f"serving {db} read-only at {url}" + (f"?token={token}" if token else "")
                      + " (Ctrl-C stops)", markup=False)

        access_log = logging.getLogger("storydiff").getEffectiveLevel() <= logging.INFO
        run_server(db, settings, host, port, token, access_log=access_log, on_ready=ready)


def _serve_get(db: Path, settings: Settings, token: str | None, path: str) -> int:
    """`serve --get PATH`: one request through the app, no port opened."""
    import warnings

    with warnings.catch_warnings():  # starlette's notice about httpx, which is what we use
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient

    from .serve import create_app

    headers = {"authorization": f"Bearer {token}"} if token else {}
    with TestClient(create_app(db, settings, token), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as client:
        response = client.get(path, headers=headers, follow_redirects=False)
    click.echo(response.text, nl=not response.text.endswith("\n"))
    return 0 if response.status_code < 400 else 1


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cli(prog_name="storydiff")


if __name__ == "__main__":
    main()
