"""``attribution_conflict``: the same content attributed to different speakers.

Either two different named speakers, or a named speaker in one version and
an unnamed or unverified source ("reports emerged", "sources said") in the
other. The contents must agree closely, so two people saying similar things
are not mistaken for one statement reassigned.
"""

from __future__ import annotations

from ...models import Discrepancy
from ...normalize.names import name_key
from ..align import dice
from ..context import Context
from ..sentences import sentence_pairs
from ..views import ClaimView, content_words
from .swaps import surnames

_PRONOUNS = frozenset(
    ["he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "who", "which", "this", "that", "one"]
)
_NAMED = ("PERSON", "ORG")


def _content(v: ClaimView) -> frozenset[str]:
    span = v.doc.char_span(v.claim.content.start, v.claim.content.end, alignment_mode="expand")
    return content_words(list(span)) if span is not None else v.words


def _named(ctx: Context, v: ClaimView) -> bool:
    e = ctx.entities.get(v.claim.speaker or "")
    return e is not None and e.type in _NAMED


def _source_names(v: ClaimView) -> set[str]:
    src = v.claim.source
    if src is None:
        return set()
    span = v.doc.char_span(src.start, src.end, alignment_mode="expand")
    return surnames(list(span)) if span is not None else set()


def _same_source(a: ClaimView, b: ClaimView) -> bool:
    """The two sources read the same or name the same person: whatever the entity
    stage made of them, this is not a change of speaker."""
    sa, sb = a.claim.source, b.claim.source
    if sa is not None and sb is not None and " ".join(sa.text.lower().split()) == " ".join(sb.text.lower().split()):
        return True
    return bool(_source_names(a) & _source_names(b))


def _same_surname(ctx: Context, a: ClaimView, b: ClaimView) -> bool:
    """Two speaker entities whose names end in the same surname are one person the
    entity stage kept apart ("Spokesperson Jane Roe" / "Port spokesperson Jane Roe")."""
    na, nb = name_key(ctx.name(a.claim.speaker)).split(), name_key(ctx.name(b.claim.speaker)).split()
    return bool(na and nb and na[-1] == nb[-1])


def _unnamed_source(v: ClaimView) -> str | None:
    """How a claim with no named speaker is sourced: its source phrase, or a report/verification hedge."""
    src = v.claim.source
    if src is not None:
        words = src.text.lower().split()
        if not words or all(w in _PRONOUNS for w in words):
            return None
        return src.text
    hedges = [h for h in v.hedges if h.kind in ("reported", "unverified", "vague_source")]
    return hedges[0].text if hedges else None


def find(ctx: Context) -> list[Discrepancy]:
    least = float(ctx.settings["compare_attribution_min_overlap"])
    out: list[Discrepancy] = []
    seen: set[tuple[str, ...]] = set()
    # Near copies are the diff's business (swaps.py): there a changed speaker shows
    # as a changed name, and the claims stage's readings of an unchanged one may
    # still differ from version to version.
    near = float(ctx.settings["compare_value_min_ratio"])
    close = {(sp.a.doc_id, sp.a.sentence, sp.b.doc_id, sp.b.sentence) for sp in sentence_pairs(ctx) if sp.ratio >= near}
    for p in ctx.pairs:
        a, b = p.a, p.b
        if (a.doc_id, a.sentence, b.doc_id, b.sentence) in close:
            continue
        if dice(_content(a), _content(b)) < least:
            continue
        if _same_source(a, b):
            continue
        na, nb = _named(ctx, a), _named(ctx, b)
        if na and nb:
            if a.claim.speaker == b.claim.speaker or _same_surname(ctx, a, b):
                continue
            why = (
                f"{a.doc_id} attributes this to {ctx.name(a.claim.speaker)}, {b.doc_id} to {ctx.name(b.claim.speaker)}."
            )
        elif na or nb:
            named, other = (a, b) if na else (b, a)
            if named.claim.speaker in other.entities:
                continue  # the other version names the same speaker inside the claim
            unnamed = _unnamed_source(other)
            surname = name_key(ctx.name(named.claim.speaker)).split()[-1:]
            if unnamed is None or (surname and surname[0] in name_key(unnamed).split()):
                continue
            why = f"{named.doc_id} attributes this to {ctx.name(named.claim.speaker)}; {other.doc_id} to “{unnamed}”."
        else:
            continue
        key = (a.doc_id, b.doc_id, a.claim.speaker or "", b.claim.speaker or "", str(a.claim.start))
        if key in seen:
            continue
        seen.add(key)
        evidence = tuple(
            ctx.span(v.doc_id, v.claim.source.start, v.claim.source.end)
            if v.claim.source is not None
            else ctx.span(v.doc_id, v.claim.start, v.claim.end)
            for v in (a, b)
        )
        out.append(
            Discrepancy("attribution_conflict", (a.doc_id, b.doc_id), evidence, why, a.claim.speaker or b.claim.speaker)
        )
    return out
