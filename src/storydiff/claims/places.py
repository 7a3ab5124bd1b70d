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
import re
from functools import lru_cache
from pathlib import Path

from ..normalize.names import name_key

TABLE = Path(__file__).resolve().parent / "data" / "place_aliases.tsv.gz"

# Words around a place name that do not change which place it is.
_AFFIXES = re.compile(
    r"^(?:the\s+)?(?:city|town|village|settlement|region|province|state|republic)\s+of\s+"
    r"|^the\s+|\s+(?:city|town|village|region|oblast|province|district|area|raion)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """name key → "geonames:ID"; loaded once (keys are unique in the file)."""
    table: dict[str, str] = {}
    if not TABLE.exists():
        return table
    with gzip.open(TABLE, "rt", encoding="utf-8") as f:
        for line in f:
            gid, _name, keys = line.rstrip("\n").split("\t")
            table.update(dict.fromkeys(keys.split("|"), "geonames:" + gid))
    return table


@lru_cache(maxsize=16384)
def place_key(name: str) -> str | None:
    """The GeoNames id ("geonames:706483") of a place name, or None if the gazetteer lacks it."""
    cleaned = _AFFIXES.sub("", name.strip()).strip()
    key = name_key(cleaned)
    if len(key.replace(" ", "")) < 3:
        return None
    return _table().get(key)


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
