"""``internal_contradiction``: a document that contradicts itself.

1. A source the text says asked for anonymity ("who requested anonymity",
   "spoke on condition of anonymity") and then names.
2. A headline that states as fact what the body only reports or hedges:
   the body claims that say the headline's statement all carry a report,
   allegation or verification hedge, and the headline carries none.
"""

from __future__ import annotations

import re

from ...models import Discrepancy
from ..align import containment
from ..context import Context
from ..views import HEDGE_FAMILY, ClaimView, content_words

_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)]*\s*$")


def _anonymous_named(ctx: Context) -> list[Discrepancy]:
    out: list[Discrepancy] = []
    for doc_id in ctx.doc_ids:
        for eid, hedges in ctx.details.speaker_hedges.get(doc_id, {}).items():
            entity = ctx.entities.get(eid)
            if entity is None or entity.type != "PERSON":
                continue
            names = [m for m in entity.mentions if m.doc == doc_id]
            anonymous = [h for h in hedges if h.kind == "anonymous"]
            if not names or not anonymous:
                continue
            h = anonymous[0]
            m = min(names, key=lambda m: abs(m.start - h.start))
            out.append(
                Discrepancy(
                    "internal_contradiction",
                    (doc_id,),
                    (ctx.span(doc_id, h.start, h.end), ctx.span(doc_id, m.start, m.end)),
                    f"{doc_id} says this source “{h.text}” and yet names him or her: “{m.text}”.",
                    eid,
                )
            )
    return out


def headline_end(text: str, title: str | None) -> int | None:
    """End offset of a headline line opening the text, or None when the text opens with a sentence."""
    first = text.split("\n", 1)[0]
    if "\n" not in text.strip() or not first.strip():
        return None
    if title and " ".join(title.split()) == " ".join(first.split()):
        return len(first)
    if len(first.split()) <= 40 and not _SENTENCE_END.search(first):
        return len(first)
    return None


def _hedged(v: ClaimView) -> list[str]:
    return [h.text for h in v.hedges if HEDGE_FAMILY.get(h.kind) in ("report", "allegation", "verification")]


def _content_words(v: ClaimView) -> frozenset[str]:
    span = v.doc.char_span(v.claim.content.start, v.claim.content.end, alignment_mode="expand")
    return content_words(list(span)) if span is not None else v.words


def _headline_as_fact(ctx: Context) -> list[Discrepancy]:
    least = float(ctx.settings["compare_headline_containment"])
    out: list[Discrepancy] = []
    for doc_id, article in ctx.articles.items():
        end = headline_end(article.text, article.title)
        if end is None:
            continue
        views = [v for v in ctx.views if v.doc_id == doc_id]
        head = [v for v in views if v.claim.end <= end]
        body = [v for v in views if v.claim.start >= end]
        if not head or not body or any(_hedged(v) for v in head):
            continue
        for h in head:
            # The body claims that say what the headline's statement says: they
            # hold (nearly) all its content words.
            words = _content_words(h)
            if len(words) < 3:
                continue
            saying = [b for b in body if containment(words, b.words) >= least]
            if not saying or not all(_hedged(b) for b in saying):
                continue
            b = saying[0]
            hedge = next(x for x in b.hedges if x.text in _hedged(b))
            out.append(
                Discrepancy(
                    "internal_contradiction",
                    (doc_id,),
                    (
                        ctx.span(doc_id, h.claim.content.start, h.claim.content.end),
                        ctx.span(doc_id, b.claim.start, b.claim.end),
                        ctx.span(doc_id, hedge.start, hedge.end),
                    ),
                    f"{doc_id}'s headline states “{h.claim.content.text.strip()}” as fact; its body only "
                    f"reports it (“{hedge.text}”).",
                )
            )
            break
    return out


def find(ctx: Context) -> list[Discrepancy]:
    return _anonymous_named(ctx) + _headline_as_fact(ctx)
