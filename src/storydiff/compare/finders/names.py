"""``name_variant``: one entity spelled differently across versions (informational)."""

from __future__ import annotations

import re
from itertools import combinations

from ...models import Discrepancy, Mention
from ...normalize.names import same_name
from ..context import Context

_POSSESSIVE = re.compile(r"['\u2019]s?$")
_NOUN = {"PERSON": "person", "ORG": "organisation", "PLACE": "place"}


def _form(text: str) -> str:
    return _POSSESSIVE.sub("", text.strip())


def _is_acronym(a: str, b: str) -> bool:
    return (a.isupper() and " " not in a) != (b.isupper() and " " not in b)


def find(ctx: Context) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    for entity in ctx.entities.values():
        if entity.type not in _NOUN:
            continue
        forms: dict[str, dict[str, Mention]] = {}
        for m in entity.mentions:
            forms.setdefault(m.doc, {}).setdefault(_form(m.text).casefold(), m)
        for da, db in combinations([d for d in ctx.doc_ids if d in forms], 2):
            fa, fb = forms[da], forms[db]
            # Same number of words, spelled differently, and neither version
            # also uses the other's spelling: "Putin" beside "Vladimir Putin"
            # or "DPR" beside its full name is not a variant.
            candidates = [
                (same_name(x, y), x, y)
                for x in fa
                for y in fb
                if x not in fb
                and y not in fa
                and len(x.split()) == len(y.split())
                and not _is_acronym(fa[x].text, fb[y].text)
            ]
            if not candidates:
                continue
            _score, x, y = max(candidates)
            ma, mb = fa[x], fb[y]
            out.append(
                Discrepancy(
                    "name_variant",
                    (da, db),
                    (ctx.span(da, ma.start, ma.end), ctx.span(db, mb.start, mb.end)),
                    f"{da} writes “{_form(ma.text)}” and {db} “{_form(mb.text)}”: the same "
                    f"{_NOUN[entity.type]}, {entity.name}.",
                    entity.id,
                )
            )
    return out
