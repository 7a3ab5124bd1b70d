"""Input records for Spark: JSONL (as ``storydiff ingest`` reads it) or Parquet (``storydiff export``).

Each record becomes an ``Article`` or a ``Skipped`` with its reason, by the
same rules as ingesting the file into a store, so a corpus read here holds
the same articles as the store ``stories --rebuild`` groups.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ingest import check_article
from ..ingest.jsonl import article_from_record
from ..ingest.jsonl import parse_line as parse_json
from ..models import Article, Skipped
from ..settings import Settings

PARQUET_SUFFIXES = (".parquet", ".pq")


def is_parquet(path: str) -> bool:
    """A Parquet file, or a folder of them (as Spark writes); anything else is read as JSON Lines."""
    if path.lower().endswith(PARQUET_SUFFIXES):
        return True
    local = Path(path.removeprefix("file://"))
    return local.is_dir() and any(p.suffix in PARQUET_SUFFIXES for p in local.iterdir())


def origin_of(path: str, index: int, single_file: bool) -> str:
    """Where record ``index`` (0-based) came from: ``FILE:LINE`` for one file, else its position."""
    return f"{path}:{index + 1}" if single_file else f"{path} (record {index + 1})"


def parse_line(line: bytes, origin: str, settings: Settings) -> Article | Skipped | None:
    """One JSONL line as ``ingest`` reads it (None for a blank line)."""
    limit = int(settings["max_article_bytes"])
    if len(line) > limit:
        return Skipped(origin, f"line longer than max_article_bytes={limit:,}; skipped")
    if not line.strip():
        return None
    record = parse_json(line, origin)
    if isinstance(record, Skipped):
        return record
    return check_article(article_from_record(record, origin), settings)


def parse_row(row: dict[str, Any], origin: str, settings: Settings) -> Article | Skipped:
    """One Parquet row (the store's articles table) as ``import-parquet`` reads it."""
    if row.get("id") is None or row.get("id") == "":
        return Skipped(origin, "no 'id' value")
    if not isinstance(row.get("text"), str):
        return Skipped(origin, "no 'text' value" if row.get("text") is None else "'text' is not a string")
    try:
        article = Article.from_dict({**row, "origin": row.get("origin") or origin})
    except (TypeError, ValueError) as e:  # an 'extra' column that is not a JSON object
        return Skipped(origin, f"unreadable row ({e})")
    return check_article(article, settings)


def unreadable(e: BaseException) -> str:
    """What Spark or Hadoop said was wrong with an input, in one line: the first of its message
    (a Java exception's own, not py4j's "An error occurred while calling ..."), its SQLSTATE left off."""
    java = getattr(e, "java_exception", None)
    text = str(java.getMessage()) if java is not None else str(e)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(e).__name__)
    return re.sub(r"\s*SQLSTATE: \w+\.?$", "", line)[:300]


def read_records(spark: Any, path: str, settings: Settings, partitions: int) -> Any:
    """RDD of ``(record number, Article | Skipped)`` for every record of ``path`` (blank lines left out).

    A local path that is not there, or Parquet Spark cannot read, is an ``InputError`` naming it."""
    local = path.removeprefix("file://")
    pattern = any(c in local for c in "*?[{")  # a glob Spark expands: one that matches nothing fails in the job
    if "://" not in local and not pattern and not Path(local).exists():
        raise InputError(path, "no such file or folder")
    if is_parquet(path):
        try:
            frame = spark.read.parquet(path)  # reads the footers now: a broken file fails here
        except Exception as e:  # AnalysisException, or a Java error through py4j
            raise InputError(path, f"cannot be read as Parquet: {unreadable(e)}") from None
        rows = frame.rdd.zipWithIndex()
        return rows.map(lambda r: (r[1], parse_row(r[0].asDict(), f"{path} (row {r[1] + 1})", settings)))
    single = not Path(local).is_dir()
    lines = spark.sparkContext.textFile(path, minPartitions=partitions, use_unicode=False).zipWithIndex()
    parsed = lines.map(lambda r: (r[1], parse_line(r[0], origin_of(path, r[1], single), settings)))
    return parsed.filter(lambda r: r[1] is not None)
