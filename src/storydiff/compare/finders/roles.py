"""``role_conflict``: the same speaker given different roles or affiliations.

Two roles agree when one's words contain the other's ("President" /
"Russian President") or they share a head noun with no contradicting
modifier; a conflict needs a role on each side that agrees with nothing the
other side says, so a version that only adds a title is not accused.
"""

from __future__ import annotations

import re
from itertools import combinations

from ...models import Discrepancy, Role
from ..context import Context

_DETERMINERS = frozenset(["a", "an", "the", "this", "that", "his", "her", "their", "its", "our", "who", "is", "was"])
# Spellings and abbreviations of one title; a role is compared on these forms.
_SAME = {
    "advisor": "adviser",
    "sen": "senator",
    "gov": "governor",
    "rep": "representative",
    "pres": "president",
    "spokeswoman": "spokesperson",
    "spokesman": "spokesperson",
    "secy": "secretary",
    "sec": "secretary",
    "gen": "general",
    "lt": "lieutenant",
    "col": "colonel",
    "dr": "doctor",
    "prof": "professor",
    "chairwoman": "chair",
    "chairman": "chair",
    "chairperson": "chair",
}
# Modifiers that change who someone is, not just describe them.
_EXCLUSIVE = frozenset(
    ["former", "ex", "acting", "deputy", "vice", "assistant", "interim", "retired", "outgoing", "incoming"]
)
_SPLIT = re.compile(r"[^\w]+")


def _words(role: str) -> list[str]:
    words = [w for w in _SPLIT.split(role.lower()) if w and w not in _DETERMINERS]
    return [_SAME.get(w, w) for w in words]


def _head(words: list[str]) -> str:
    for i, w in enumerate(words):
        if w in ("of", "to", "for", "at", "in", "with", "from", "on"):
            return words[i - 1] if i else w
    return words[-1] if words else ""


def agree(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    sa, sb = set(wa), set(wb)
    if not sa or not sb:
        return True
    if (sa & _EXCLUSIVE) != (sb & _EXCLUSIVE):
        return False
    return sa <= sb or sb <= sa or _head(wa) == _head(wb)


def find(ctx: Context) -> list[Discrepancy]:
    people = {e.id for e in ctx.entities.values() if e.type == "PERSON"}
    by_entity: dict[str, dict[str, list[Role]]] = {}
    for r in ctx.details.claims.roles:
        if r.entity in people and r.start >= 0:
            by_entity.setdefault(r.entity, {}).setdefault(r.doc, []).append(r)
    out: list[Discrepancy] = []
    for eid, docs in by_entity.items():
        for da, db in combinations([d for d in ctx.doc_ids if d in docs], 2):
            only_a = [r for r in docs[da] if not any(agree(r.text, s.text) for s in docs[db])]
            only_b = [r for r in docs[db] if not any(agree(r.text, s.text) for s in docs[da])]
            if not only_a or not only_b:
                continue
            ra, rb = only_a[0], only_b[0]
            name = ctx.name(eid)
            out.append(
                Discrepancy(
                    "role_conflict",
                    (da, db),
                    (ctx.span(da, ra.start, ra.end), ctx.span(db, rb.start, rb.end)),
                    f"{da} calls {name} “{ra.text}”; {db} calls {name} “{rb.text}”.",
                    eid,
                )
            )
    return out
