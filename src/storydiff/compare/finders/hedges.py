"""``hedge_dropped``: a claim qualified in one version is stated as fact in another.

Two readings, so both rewrites and near-copies are covered:
1. in two matched sentences, a hedge ("reportedly", "apparently", "sources
   said", "if confirmed") that the diff shows only one version has;
2. for two matched claims worded differently, a *verification* caveat
   ("unverified sources", "if confirmed", "could not be verified") that
   governs one claim and nothing near the other (the hedge may sit in
   another sentence, or qualify the speaker).
Swapping "reportedly" for "allegedly" keeps the claim qualified: a hedge
counts as dropped only when the other side has no hedge of its family there.
"""

from __future__ import annotations

import re

from ...claims.hedges import Hedge
from ...models import Discrepancy
from ..context import Context
from ..sentences import sentence_pairs
from ..values import Stretch
from ..views import HEDGE_FAMILY, ClaimView

# Kinds that qualify what a sentence asserts. "vague_source" counts only when
# it names a source ("sources said", "officials say"), not for peacock words.
_DIFF_KINDS = frozenset({"reported", "alleged", "unverified", "conditional", "epistemic"})
_SOURCE_WORDS = re.compile(
    r"\b(sources?|reports?|officials?|analysts?|experts?|observers?|witnesses|insiders?|people familiar)\b", re.I
)


def _qualifies(h: Hedge) -> bool:
    return h.kind in _DIFF_KINDS or (h.kind == "vague_source" and bool(_SOURCE_WORDS.search(h.text)))


def _explain(x_doc: str, y_doc: str, words: list[str]) -> str:
    quoted = ", ".join(f"“{w}”" for w in dict.fromkeys(words))
    return f"{x_doc} qualifies this with {quoted}; {y_doc} states it without that caveat."


def _diff_drops(ctx: Context) -> list[Discrepancy]:
    least = float(ctx.settings["compare_value_min_ratio"])
    out: list[Discrepancy] = []
    for sp in sentence_pairs(ctx):
        if sp.ratio < least:
            continue
        for s in (*sp.replaced, *sp.inserted):
            for x, y, x_tokens, y_side in ((sp.a, sp.b, s.x, s.y), (sp.b, sp.a, s.y, s.x)):
                if not x_tokens:
                    continue
                lo, hi = Stretch(x_tokens, ()).x_span()
                # Around the other sentence too: versions may break sentences differently.
                text_y = ctx.articles[y.doc_id].text
                sentence_y = text_y[max(0, y.sentence[0] - 300) : y.sentence[1] + 300].lower()
                lost = [
                    h
                    for h in ctx.details.hedges.get(x.doc_id, [])
                    if lo <= h.start and h.end <= hi and _qualifies(h) and h.text.lower() not in sentence_y
                ]
                if not lost:
                    continue
                h = lost[0]
                ys = Stretch(y_side, ()).x_span() if y_side else (y.sentence[0], y.sentence[1])
                out.append(
                    Discrepancy(
                        "hedge_dropped",
                        (x.doc_id, y.doc_id),
                        (ctx.span(x.doc_id, h.start, h.end), ctx.span(y.doc_id, *ys)),
                        _explain(x.doc_id, y.doc_id, [h.text for h in lost]),
                        x.claim.speaker or y.claim.speaker,
                    )
                )
    return out


def _verification_lost(x: ClaimView, y: ClaimView, ctx: Context) -> list[Hedge]:
    if "verification" not in x.families() or "verification" in y.families():
        return []
    lo, hi = y.sentence
    near = ctx.details.hedges.get(y.doc_id, [])
    if any(HEDGE_FAMILY.get(h.kind) == "verification" and lo <= h.start < hi for h in near):
        return []
    return [h for h in x.hedges if HEDGE_FAMILY.get(h.kind) == "verification"]


def _claim_drops(ctx: Context) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    seen: set[tuple[str, int, str]] = set()
    for p in ctx.pairs:
        for x, y in ((p.a, p.b), (p.b, p.a)):
            lost = _verification_lost(x, y, ctx)
            if not lost:
                continue
            h = lost[0]
            key = (x.doc_id, h.start, y.doc_id)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Discrepancy(
                    "hedge_dropped",
                    (x.doc_id, y.doc_id),
                    (ctx.span(x.doc_id, h.start, h.end), ctx.span(y.doc_id, y.claim.start, y.claim.end)),
                    _explain(x.doc_id, y.doc_id, [h.text for h in lost]),
                    y.claim.speaker or x.claim.speaker,
                )
            )
    return out


def find(ctx: Context) -> list[Discrepancy]:
    return _diff_drops(ctx) + _claim_drops(ctx)
