"""Read PolNeAR articles and their brat attribution annotations.

A split folder holds ``text/<article>.txt`` and ``attributions/<article>_<annotator>.ann``.
An ``.ann`` file has T lines (``T3<TAB>Content 115 290;300 310<TAB>text``: a label and one
or more character ranges) and E lines linking the parts of one attribution
(``E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1``). Articles annotated twice
have two ``.ann`` files; :func:`read_split` takes the first annotator's, sorted by name.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution relation; each part is a tuple of (start, end) ranges, empty if absent."""

    source: Ranges = ()
    cue: Ranges = ()
    content: Ranges = ()

    @property
    def extent(self) -> tuple[int, int]:
        ranges = self.source + self.cue + self.content
        return min(s for s, _ in ranges), max(e for _, e in ranges)


@dataclass(frozen=True, slots=True)
class PolnearArticle:
    id: str
    text: str
    published: str | None = None
    attributions: tuple[Attribution, ...] = field(default=())


_DATE_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})_")


def read_ann(path: Path) -> tuple[Attribution, ...]:
    """The attributions of one brat ``.ann`` file, in file order."""
    spans: dict[str, tuple[str, Ranges]] = {}
    events: list[dict[str, str]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            if cols[0].startswith("T"):
                label, _, ranges = cols[1].partition(" ")
                parts = tuple(
                    (int(a), int(b)) for a, b in (r.split() for r in ranges.split(";") if r.strip())
                )
                spans[cols[0]] = (label, parts)
            elif cols[0].startswith("E"):
                roles: dict[str, str] = {}
                for arg in cols[1].split():
                    role, _, ref = arg.partition(":")
                    roles[re.sub(r"\d+$", "", role)] = ref
                events.append(roles)
    found = []
    for roles in events:
        parts = {r: spans[ref][1] for r, ref in roles.items() if ref in spans}
        if not parts.get("Content") and not parts.get("Source"):
            continue
        found.append(Attribution(parts.get("Source", ()), parts.get("Cue", ()), parts.get("Content", ())))
    return tuple(found)


def _dates(folder: Path) -> dict[str, str]:
    meta = folder.parent / "metadata.tsv"
    if not meta.exists():
        return {}
    with open(meta, encoding="utf-8", newline="") as f:
        return {r["filename"]: r["publication_date"] for r in csv.DictReader(f, delimiter="\t")}


def read_split(data_dir: Path, split: str = "dev") -> list[PolnearArticle]:
    """Every article of ``DATA_DIR/polnear/data/<split>`` with its first annotator's attributions."""
    folder = data_dir / "polnear" / "data" / split
    if not (folder / "text").is_dir():
        raise SystemExit(f"no PolNeAR split at {folder} (expected text/ and attributions/)")
    dates = _dates(folder)
    anns: dict[str, Path] = {}
    for ann in sorted((folder / "attributions").glob("*.ann")):
        anns.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    articles = []
    for path in sorted((folder / "text").glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        m = _DATE_IN_NAME.search(path.name)
        published = dates.get(path.stem) or (m.group(1) if m else None)
        attrs = read_ann(anns[path.stem]) if path.stem in anns else ()
        articles.append(PolnearArticle(path.stem, text, published, attrs))
    return articles
