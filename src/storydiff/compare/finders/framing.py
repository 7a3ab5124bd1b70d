"""``framing``: one entity or event named with loaded, differing labels.

Two sources of evidence: (1) a place's status designation — "the Donetsk
region" against "the Donetsk People's Republic" name the same territory as
an administrative region or as a state; (2) a matched pair of claims whose
diff swaps one term for another of the same contested concept ("regime" /
"government", "invasion" / "special military operation"). The concept table
is this project's own data: which words are loaded is an editorial judgment,
not something a library ships.
"""

from __future__ import annotations

import re
from itertools import combinations

from ...models import Discrepancy
from ...normalize.names import name_key
from ..context import Context
from ..values import diff

_DESIGNATIONS = {
    "people's republic": "a self-declared state",
    "republic": "a state",
    "region": "an administrative region",
    "oblast": "an administrative region",
    "province": "an administrative region",
    "krai": "an administrative region",
    "governorate": "an administrative region",
}
_QUALIFIERS = {
    "occupied": "occupied",
    "self-proclaimed": "self-proclaimed",
    "so-called": "so-called",
    "separatist": "separatist",
    "liberated": "liberated",
    "annexed": "annexed",
}
_NAME = r"((?:[A-Z][\w\u2019'-]+\s){1,3}?)"
_NAME_AFTER = r"((?:[A-Z][\w\u2019'-]+\s?){1,3})"
_DESIGNATION = r"((?i:people['\u2019]s republic|republic|region|oblast|province|krai|governorate))"
_QUALIFIER = r"(?:\b((?i:occupied|self-proclaimed|so-called|separatist|liberated|annexed))\s)?"
_BEFORE = re.compile(_QUALIFIER + _NAME + _DESIGNATION + r"\b")
_AFTER = re.compile(_QUALIFIER + _DESIGNATION + r" of (?:the )?" + _NAME_AFTER)

# Terms for one contested thing, each group one concept.
_CONCEPTS: tuple[frozenset[str], ...] = tuple(
    frozenset(g.split("|"))
    for g in (
        "regime|government|administration|authorities|leadership",
        "terrorists|militants|rebels|separatists|insurgents|fighters|freedom fighters|militia|militias|partisans",
        "terrorist|militant|rebel|separatist|insurgent",
        "invasion|special military operation|military operation|incursion",
        "annexation|reunification|accession|incorporation",
        "coup|revolution|uprising",
        "liberated|captured|occupied|seized",
        "liberation|occupation|capture|seizure",
        "illegal immigrants|illegal aliens|undocumented immigrants|migrants|asylum seekers|refugees",
        "pro-life|anti-abortion",
        "pro-choice|abortion rights|pro-abortion",
        "death tax|estate tax",
        "riot|riots|protest|protests|unrest",
        "massacre|killings|deaths",
    )
)


def _labels(text: str) -> dict[str, list[tuple[str, int, int, str]]]:
    """Name key → (status, start, end, label text) for each designated place in a text."""
    out: dict[str, list[tuple[str, int, int, str]]] = {}
    for pattern, name_group, des_group in ((_BEFORE, 2, 3), (_AFTER, 3, 2)):
        for m in pattern.finditer(text):
            name = m.group(name_group).strip()
            if not name or not name[0].isupper():
                continue
            designation = m.group(des_group).lower().replace("\u2019", "'")
            status = _DESIGNATIONS[designation]
            if m.group(1):
                status = f"{_QUALIFIERS[m.group(1).lower()]} {status.split(' ', 1)[1]}"
            key = name_key(name.split()[-1] if pattern is _BEFORE else name.split()[0])
            if key:
                out.setdefault(key, []).append((status, m.start(), m.end(), m.group().strip()))
    return out


def _designations(ctx: Context) -> list[Discrepancy]:
    labels = {d: _labels(a.text) for d, a in ctx.articles.items()}
    out: list[Discrepancy] = []
    for da, db in combinations(ctx.doc_ids, 2):
        for key in sorted(labels[da].keys() & labels[db].keys()):
            sa = {x[0] for x in labels[da][key]}
            sb = {x[0] for x in labels[db][key]}
            if sa & sb:
                continue
            la, lb = labels[da][key][0], labels[db][key][0]
            out.append(
                Discrepancy(
                    "framing",
                    (da, db),
                    (ctx.span(da, la[1], la[2]), ctx.span(db, lb[1], lb[2])),
                    f"{da} calls it “{la[3]}” ({la[0]}), {db} “{lb[3]}” ({lb[0]}).",
                )
            )
    return out


def _concept(text: str) -> tuple[int, str] | None:
    t = " ".join(text.lower().replace("\u2019", "'").split())
    for i, group in enumerate(_CONCEPTS):
        for term in group:
            if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", t):
                return i, term
    return None


def _swapped_terms(ctx: Context) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    seen: set[tuple[str, int, str, int]] = set()
    for p in ctx.pairs:
        replaced, _other, _ratio = diff(p.a.tokens, p.b.tokens)
        for s in replaced:
            (xa, ya), (xb, yb) = s.x_span(), s.y_span()
            ca = _concept(ctx.articles[p.a.doc_id].text[xa:ya])
            cb = _concept(ctx.articles[p.b.doc_id].text[xb:yb])
            if ca is None or cb is None or ca[0] != cb[0] or ca[1] == cb[1]:
                continue
            key = (p.a.doc_id, xa, p.b.doc_id, xb)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Discrepancy(
                    "framing",
                    (p.a.doc_id, p.b.doc_id),
                    (ctx.span(p.a.doc_id, xa, ya), ctx.span(p.b.doc_id, xb, yb)),
                    f"The same statement says “{ca[1]}” in {p.a.doc_id} and “{cb[1]}” in {p.b.doc_id}.",
                )
            )
    return out


def find(ctx: Context) -> list[Discrepancy]:
    return _designations(ctx) + _swapped_terms(ctx)
