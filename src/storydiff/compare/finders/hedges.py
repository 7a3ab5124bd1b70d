"""``hedge_dropped``: a claim qualified in one version is stated as fact in another.

Hedges are compared by family (views.HEDGE_FAMILY): swapping "reportedly"
for "allegedly" keeps the claim qualified and is not a drop, but losing the
only caveat, or losing a verification caveat ("unverified", "if confirmed")
while keeping a weaker one, is.
"""

from __future__ import annotations

from ...claims.hedges import Hedge
from ...models import Discrepancy
from ..context import Context
from ..views import HEDGE_FAMILY, ClaimView


def _dropped(x: ClaimView, y: ClaimView, ctx: Context) -> list[Hedge]:
    fx, fy = x.families(), y.families()
    # Anything of that family near the other claim (its sentence) still counts as kept.
    lo, hi = y.sentence
    fy |= {
        HEDGE_FAMILY[h.kind]
        for h in ctx.details.hedges.get(y.doc_id, [])
        if h.kind in HEDGE_FAMILY and lo <= h.start < hi
    }
    lost = fx - fy if not fy else (fx & {"verification"}) - fy
    return [h for h in x.hedges if HEDGE_FAMILY.get(h.kind) in lost]


def find(ctx: Context) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    seen: set[tuple[str, int, str]] = set()
    for p in ctx.pairs:
        for x, y in ((p.a, p.b), (p.b, p.a)):
            lost = _dropped(x, y, ctx)
            if not lost:
                continue
            h = lost[0]
            key = (x.doc_id, h.start, y.doc_id)
            if key in seen:
                continue
            seen.add(key)
            words = ", ".join(f"“{t}”" for t in dict.fromkeys(h.text for h in lost))
            out.append(
                Discrepancy(
                    "hedge_dropped",
                    (x.doc_id, y.doc_id),
                    (ctx.span(x.doc_id, h.start, h.end), ctx.span(y.doc_id, y.claim.start, y.claim.end)),
                    f"{x.doc_id} qualifies this with {words}; {y.doc_id} states it without that caveat.",
                    y.claim.speaker or x.claim.speaker,
                )
            )
    return out
