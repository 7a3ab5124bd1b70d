"""Place names in any gazetteer spelling → one GeoNames id.

The table in ``data/place_aliases.tsv.gz`` is built from GeoNames (cities of
5,000+ people, countries, US states, with their Latin and Cyrillic alternate
names) by ``scripts/build_place_aliases.py``. Keys are ``name_key`` folds, so
spellings GeoNames does not list but that fold alike ("Kostjantynivka") still
resolve. Where two places share a key the more populous wins: news names the
big one far more often, and a wrong join of two small places is rarer than a
missed join of a big one.
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
def _table() -> dict[str, tuple[int, str]]:
    """name key → (population, "geonames:ID"); loaded once, ~0.3 s."""
    best: dict[str, tuple[int, str]] = {}
    if not TABLE.exists():
        return best
    with gzip.open(TABLE, "rt", encoding="utf-8") as f:
        for line in f:
            gid, _name, pop_text, keys = line.rstrip("\n").split("\t")
            pop = int(pop_text)
            value = (pop, f"geonames:{gid}")
            for key in keys.split("|"):
                held = best.get(key)
                if held is None or held[0] < pop:
                    best[key] = value
    return best


@lru_cache(maxsize=16384)
def place_key(name: str) -> str | None:
    """The GeoNames id ("geonames:706483") of a place name, or None if the gazetteer lacks it."""
    cleaned = _AFFIXES.sub("", name.strip()).strip()
    key = name_key(cleaned)
    if len(key.replace(" ", "")) < 3:
        return None
    hit = _table().get(key)
    return hit[1] if hit else None


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
                gid, name, _pop, _keys = line.split("\t", 3)
                out[gid] = (name,)
    return out
