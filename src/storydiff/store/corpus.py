"""The embedded corpus store: one DuckDB file.

Writes go in transactions of one batch each, so a process killed mid-ingest
leaves every earlier batch stored and none half-stored; re-running the same
ingest skips what is there and completes the rest.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from ..errors import IdConflictError, NotFoundError, StoreError
from ..models import Article, Skipped
from .schema import ARTICLE_COLUMNS, MIGRATIONS, SCHEMA_VERSION

LOGGER = logging.getLogger(__name__)

_LOCK_WORDS = ("lock", "conflicting")


@dataclass(slots=True)
class AddResult:
    """What one call to :meth:`Store.add_articles` did."""

    added: int = 0
    unchanged: int = 0
    conflicts: list[Skipped] = field(default_factory=list)

    def __iadd__(self, other: AddResult) -> AddResult:
        self.added += other.added
        self.unchanged += other.unchanged
        self.conflicts.extend(other.conflicts)
        return self


def _connect(path: Path, read_only: bool, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    if read_only and not path.exists():
        raise StoreError(f"{path}: no store here; run `storydiff ingest PATH --db {path}` first")
    if not read_only and not path.parent.exists():
        raise StoreError(f"{path}: folder {path.parent} does not exist")
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            msg = str(e)
            if any(w in msg.lower() for w in _LOCK_WORDS):
                if time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                raise StoreError(
                    f"{path}: the store is in use by another storydiff process and stayed locked for "
                    f"{lock_timeout:g} s (store_lock_timeout); wait for it to finish, or use another --db"
                ) from None
            if "read-only" in msg.lower() or "permission" in msg.lower():
                raise StoreError(f"{path}: cannot open the store for writing ({msg})") from None
            raise StoreError(f"{path}: cannot open the store ({msg})") from None
        except duckdb.Error as e:
            raise StoreError(f"{path}: not a storydiff store, or damaged ({e})") from None


class Store:
    """A storydiff corpus in a DuckDB file. Use as a context manager."""

    def __init__(self, path: Path | str, *, read_only: bool = False, lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.con = _connect(self.path, read_only, lock_timeout)
        try:
            self._migrate()
        except BaseException:
            self.con.close()
            raise

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: committed when the block ends, rolled back if it raises (or is interrupted)."""
        self.con.begin()
        try:
            yield self.con
            self.con.commit()
        except BaseException:
            try:
                self.con.rollback()
            except duckdb.Error as e:
                # A failed write may have ended the transaction already (a full disk does): report the
                # error that failed it, not "cannot rollback - no transaction is active".
                LOGGER.debug("%s: rollback after a failed write: %s", self.path, e)
            raise

    def _schema_version(self) -> int:
        has_meta = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchone()
        if not has_meta or not has_meta[0]:
            return 0
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store has schema version {version}, newer than this storydiff "
                f"understands ({SCHEMA_VERSION}); upgrade storydiff"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise StoreError(f"{self.path}: store needs an upgrade; open it once without read-only access")
        self._write_guard(lambda: self._apply_migrations(version))

    def _apply_migrations(self, version: int) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction() as con:
                con.execute(sql)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(number)])
            LOGGER.info("%s: schema migrated to version %d", self.path, number)

    def _write_guard(self, fn: Any) -> Any:
        """Run a write, turning disk and permission failures into one clear StoreError."""
        try:
            return fn()
        except duckdb.Error as e:
            msg = str(e)
            low = msg.lower()
            if "no space" in low or ("disk" in low and "full" in low):
                raise StoreError(f"{self.path}: the disk is full; nothing from this batch was stored ({msg})") from None
            if "read-only" in low or "read only" in low or "permission" in low:
                raise StoreError(f"{self.path}: the store cannot be written ({msg})") from None
            raise StoreError(f"{self.path}: write failed; nothing from this batch was stored ({msg})") from None

    # -- articles ----------------------------------------------------------
    def add_articles(
        self, articles: Sequence[Article], ingested_at: Sequence[datetime] | None = None
    ) -> AddResult:
        """Store a batch in one transaction: new ids are added, identical re-sends are no-ops,
        a different article under a stored id is reported (naming both origins) and skipped."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        return self._write_guard(lambda: self._add(articles, ingested_at))  # type: ignore[no-any-return]

    def _add(self, articles: Sequence[Article], ingested_at: Sequence[datetime] | None) -> AddResult:
        import pyarrow as pa

        result = AddResult()
        if not articles:
            return result
        now = datetime.now(UTC)
        ids = [a.id for a in articles]
        with self.transaction() as con:
            stored = {
                row[0]: (row[1], row[2])
                for row in con.execute(
                    "SELECT id, content_hash, origin FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                    [ids],
                ).fetchall()
            }
            rows: dict[str, list[Any]] = {c: [] for c in ARTICLE_COLUMNS}
            for i, art in enumerate(articles):
                digest = art.content_hash
                if art.id in stored:
                    old_hash, old_origin = stored[art.id]
                    if old_hash == digest:
                        result.unchanged += 1
                    else:
                        err = IdConflictError(art.id, old_origin, art.origin)
                        result.conflicts.append(Skipped(art.origin, err.reason))
                    continue
                stored[art.id] = (digest, art.origin)
                values = {
                    "id": art.id, "source": art.source, "url": art.url, "title": art.title,
                    "published": art.published, "text": art.text, "lang": art.lang,
                    "content_hash": digest, "origin": art.origin, "author": art.author,
                    "extra": json.dumps(art.extra, ensure_ascii=False, default=str) if art.extra else None,
                    "ingested_at": ingested_at[i] if ingested_at is not None else now,
                }
                for col in ARTICLE_COLUMNS:
                    rows[col].append(values[col])
                result.added += 1
            if result.added:
                schema = pa.schema(
                    [(c, pa.timestamp("us", tz="UTC") if c == "ingested_at" else pa.string()) for c in ARTICLE_COLUMNS]
                )
                batch = pa.Table.from_pydict(rows, schema=schema)
                con.register("_incoming", batch)
                try:
                    cols = ", ".join(ARTICLE_COLUMNS)
                    con.execute(f"INSERT INTO articles ({cols}) SELECT {cols} FROM _incoming")
                finally:
                    con.unregister("_incoming")
        return result

    def count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else 0

    def ids(self) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT id FROM articles ORDER BY id").fetchall()]

    @staticmethod
    def _article(row: tuple[Any, ...]) -> Article:
        d = dict(zip(ARTICLE_COLUMNS, row, strict=True))
        return Article.from_dict(d)

    def get(self, article_id: str) -> Article:
        cols = ", ".join(ARTICLE_COLUMNS)
        row = self.con.execute(f"SELECT {cols} FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise NotFoundError(f"{self.path}: no article with id {article_id!r}")
        return self._article(row)

    def articles(self, ids: Iterable[str] | None = None, batch_size: int = 1000) -> Iterator[Article]:
        """Stored articles in id order (all of them, or those named), streamed in batches."""
        cols = ", ".join(ARTICLE_COLUMNS)
        if ids is None:
            cur = self.con.cursor()
            cur.execute(f"SELECT {cols} FROM articles ORDER BY id")
        else:
            cur = self.con.cursor()
            cur.execute(
                f"SELECT {cols} FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id", [list(ids)]
            )
        try:
            while rows := cur.fetchmany(batch_size):
                for row in rows:
                    yield self._article(row)
        finally:
            cur.close()

    # -- Parquet -----------------------------------------------------------
    def export_parquet(self, out: Path) -> int:
        """Write the articles table to ``out`` (written beside it, then renamed into place)."""
        tmp = out.with_name(out.name + ".partial")
        try:
            self.con.execute(
                f"COPY (SELECT * FROM articles ORDER BY id) TO '{_sql_path(tmp)}' (FORMAT parquet)"
            )
        except duckdb.Error as e:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{out}: cannot write Parquet ({e})") from None
        tmp.replace(out)
        return self.count()

    def import_parquet(self, src: Path, batch_size: int = 1000) -> AddResult:
        """Add the articles of a Parquet file made by :meth:`export_parquet` (or any with id and text)."""
        try:
            rel = self.con.execute(f"SELECT * FROM read_parquet('{_sql_path(src)}') LIMIT 0")
            columns = [d[0] for d in rel.description]
        except duckdb.Error as e:
            raise StoreError(f"{src}: not a readable Parquet file ({e})") from None
        missing = {"id", "text"} - set(columns)
        if missing:
            raise StoreError(f"{src}: Parquet file lacks the column(s) {', '.join(sorted(missing))}")
        cols = [c for c in ARTICLE_COLUMNS if c in columns]
        cur = self.con.cursor()
        cur.execute(f"SELECT {', '.join(cols)} FROM read_parquet('{_sql_path(src)}') ORDER BY id")
        total = AddResult()
        try:
            while rows := cur.fetchmany(batch_size):
                records = [dict(zip(cols, r, strict=True)) for r in rows]
                arts = [Article.from_dict({**r, "origin": r.get("origin") or str(src)}) for r in records]
                stamps = [r["ingested_at"] for r in records] if "ingested_at" in cols else None
                total += self.add_articles(arts, stamps)
        finally:
            cur.close()
        return total


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (COPY takes no parameters)."""
    return str(path).replace("'", "''")
