"""Place names in any gazetteer spelling → one GeoNames id.

The table in ``data/place_aliases.tsv.gz`` is built from GeoNames (cities of
5,000+ people, countries, US states, with their Latin and Cyrillic alternate
names) by ``scripts/build_place_aliases.py``. Keys are ``name_key`` folds, so
spellings GeoNames does not list but that fold alike still resolve. Where two
places share a key the build keeps the more populous: news names the big one
far more often, and a wrong join of two small places is rarer than a missed
join of a big one.
"""

from __future__ import annotations

import gzip
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from functools import lru_cache
from pathlib import Path

from ..cache import cache_dir
from ..normalize.names import name_key

TABLE = Path(__file__).resolve().parent / "data" / "place_aliases.tsv.gz"

# Words around a place name that do not change which place it is.
_AFFIXES = re.compile(
    r"^(?:the\s+)?(?:city|town|village|settlement|region|province|state|republic)\s+of\s+"
    r"|^the\s+|\s+(?:city|town|village|region|oblast|province|district|area|raion)$",
    re.IGNORECASE,
)


def _rows() -> Iterator[tuple[str, str]]:
    """(name key, "geonames:ID") for every key in the shipped table (keys are unique in it)."""
    if not TABLE.exists():
        return
    with gzip.open(TABLE, "rt", encoding="utf-8") as f:
        for line in f:
            gid, _name, keys = line.rstrip("\n").split("\t")
            for key in keys.split("|"):
                yield key, "geonames:" + gid


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """name key → "geonames:ID" in memory: the fallback where no cache can be written."""
    return dict(_rows())


@lru_cache(maxsize=1)
def _index() -> sqlite3.Connection | None:
    """The table as an SQLite index in the user's cache, built once per machine and table.

    Reading 65,000 gazetteer lines into a dict costs about 0.5 s, a fifth of a short
    ``storydiff compare``; an indexed file answers the few lookups a comparison makes in
    microseconds. The file name carries the table's size and time, so a new table
    builds a new index.
    """
    if not TABLE.exists():
        return None
    stat = TABLE.stat()
    path = cache_dir() / f"place_aliases-{stat.st_size}-{stat.st_mtime_ns}.sqlite"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            with closing(sqlite3.connect(partial)) as db:
                db.execute("CREATE TABLE alias (key TEXT PRIMARY KEY, place TEXT NOT NULL) WITHOUT ROWID")
                db.executemany("INSERT OR IGNORE INTO alias VALUES (?, ?)", _rows())
                db.commit()
            partial.replace(path)  # atomic: a reader never sees a half-built index
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except (OSError, sqlite3.Error):
        return None


def _lookup(key: str) -> str | None:
    db = _index()
    if db is None:
        return _table().get(key)
    try:
        row = db.execute("SELECT place FROM alias WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return _table().get(key)
    return None if row is None else str(row[0])


@lru_cache(maxsize=16384)
def place_key(name: str) -> str | None:
    """The GeoNames id ("geonames:706483") of a place name, or None if the gazetteer lacks it."""
    cleaned = _AFFIXES.sub("", name.strip()).strip()
    key = name_key(cleaned)
    if len(key.replace(" ", "")) < 3:
        return None
    return _lookup(key)


def place_name(place_id: str) -> str | None:
    """The GeoNames main name of a place id from ``place_key``."""
    gid = place_id.removeprefix("geonames:")
    for name in _names().get(gid, ()):
        return name
    return None


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str]]:
    out: dict[str, tuple[str]] = {}
    if TABLE.exists():
        with gzip.open(TABLE, "rt", encoding="utf-8") as f:
            for line in f:
                gid, name, _keys = line.split("\t", 2)
                out[gid] = (name,)
    return out
