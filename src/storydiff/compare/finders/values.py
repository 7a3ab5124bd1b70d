"""``number_conflict``, ``date_conflict``, ``place_conflict``: one statement, a different value.

Only claims worded mostly alike are compared (token-diff ratio at least
``compare_value_min_ratio``), and only where the diff replaces a value by
another value in the same position: a date in one claim and a different date
in an unrelated claim of the other version are different events, not a
conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...claims.when_where import resolve_date
from ...models import Discrepancy
from ..context import Context
from ..sentences import sentence_pairs
from ..values import Stretch, dates, day_of_month, diff, is_day_word, local_date, numbers
from ..views import ClaimView, entity_index


def _places(ctx: Context, index: dict[str, list[tuple[int, int, str]]], doc: str, span: tuple[int, int]) -> set[str]:
    return {
        eid for s, e, eid in index.get(doc, []) if s < span[1] and span[0] < e and ctx.entities[eid].type == "PLACE"
    }


_PLACE_TAGS = frozenset({"GPE", "LOC", "FAC"})
# Prepositions that put the name after them in a place ("in [China]", "at [the] ... jail");
# "to" is left out ("according to X").
_LOCATIVE = frozenset({"in", "at", "from", "near", "outside", "inside", "across", "throughout", "of"})


def _names(tokens: tuple[Any, ...]) -> list[Any]:
    return [t for t in tokens if not t.is_punct and t.lower_ != "the"]


def _tagged_place(tokens: tuple[Any, ...]) -> bool:
    words = _names(tokens)
    return bool(words) and all(t.ent_type_ in _PLACE_TAGS for t in words)


def _kept_before(doc: Any, i: int, other_doc: Any, j: int, words: int = 3) -> bool:
    """The words before position i and before j read the same: the preposition's phrase
    is kept, so only the name after it changed ("secretary of [State]" for "attorney
    general of [Oklahoma]" is a changed role)."""
    for k in range(words + 1):
        if i - k < 0 or j - k < 0:
            return i - k < 0 and j - k < 0
        if doc[i - k].lower_ != other_doc[j - k].lower_:
            return False
    return True


def _located_name(ctx: Context, index: dict[str, list[tuple[int, int, str]]], doc: str, tokens: tuple[Any, ...],
                  other: tuple[Any, ...]) -> bool:
    """A capitalised name right after a place preposition ("in [Roanoke]"), whatever the tagger
    called it, unless the document names it elsewhere as someone ("of [Trump]")."""
    words = _names(tokens)
    if not words or not all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in words):
        return False
    before = tokens[0].i - 1
    while before >= 0 and tokens[0].doc[before].lower_ == "the":
        before -= 1
    if before < 0 or tokens[0].doc[before].lower_ not in _LOCATIVE:
        return False
    if not _kept_before(tokens[0].doc, before, other[0].doc, other[0].i - 1 - (tokens[0].i - 1 - before)):
        return False
    span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
    for s, e, eid in index.get(doc, []):
        entity = ctx.entities[eid]
        if s < span[1] and span[0] < e and entity.type == "PERSON" and len({m.start for m in entity.mentions}) > 1:
            return False
    return True


def _place_change(ctx: Context, index: dict[str, list[tuple[int, int, str]]], a: ClaimView, b: ClaimView,
                  s: Stretch) -> bool:
    """One place for another in the same slot. Both sides read as places (a place entity or
    place tags); or one side is surely a place (both signals) and the other a name in a place's
    slot (the tagger calls an unfamiliar town a person or an organisation)."""
    pa, pb = _places(ctx, index, a.doc_id, s.x_span()), _places(ctx, index, b.doc_id, s.y_span())
    if pa & pb:
        return False
    ta, tb = _tagged_place(s.x), _tagged_place(s.y)
    if (pa or ta) and (pb or tb):
        return bool(pa and pb) or ta or tb
    if pa and ta:
        return _located_name(ctx, index, b.doc_id, s.y, s.x)
    if pb and tb:
        return _located_name(ctx, index, a.doc_id, s.x, s.y)
    return False


def _quote(ctx: Context, doc: str, span: tuple[int, int]) -> str:
    return ctx.articles[doc].text[span[0] : span[1]]


def _conflicts(
    ctx: Context, a: ClaimView, b: ClaimView, s: Stretch, index: dict[str, list[tuple[int, int, str]]]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    qa, qb = _quote(ctx, a.doc_id, s.x_span()), _quote(ctx, b.doc_id, s.y_span())
    if len(s.x) == 1 and len(s.y) == 1 and day_of_month(s.x[0]) and day_of_month(s.y[0]):
        day_a = resolve_date(local_date(s.x[0]), a.article.published)
        day_b = resolve_date(local_date(s.y[0]), b.article.published)
        if day_a != day_b:
            when = f" ({day_a} vs {day_b})" if day_a and day_b else ""
            found.append(("date_conflict", f"{a.doc_id} dates this “{qa}”, {b.doc_id} “{qb}”{when}."))
        return found
    na, nb = numbers(s.x), numbers(s.y)
    # The tagger may read one side's number as a date ("1074"): a count replaced by a
    # count-shaped token is still a changed count.
    if na and not nb and not dates(s.x):
        nb = numbers(s.y, with_dates=True)
    elif nb and not na and not dates(s.y):
        na = numbers(s.x, with_dates=True)
    if na and nb and set(na) != set(nb):
        found.append(("number_conflict", f"{a.doc_id} gives “{qa}” where {b.doc_id} gives “{qb}”."))
    da, db = dates(s.x), dates(s.y)
    if da and db:
        ra = [resolve_date(d, a.article.published) for d in da]
        rb = [resolve_date(d, b.article.published) for d in db]
        if not (all(ra) and all(rb)):
            # A range or a phrase dateparser cannot read: resolve the words
            # around the changed token instead.
            ra = [resolve_date(local_date(t), a.article.published) for t in s.x if is_day_word(t)]
            rb = [resolve_date(local_date(t), b.article.published) for t in s.y if is_day_word(t)]
        if ra and rb and all(ra) and all(rb) and set(ra) != set(rb):
            when = f" ({', '.join(str(r) for r in ra)} vs {', '.join(str(r) for r in rb)})"
            found.append(("date_conflict", f"{a.doc_id} dates this “{qa}”, {b.doc_id} “{qb}”{when}."))
        elif (not ra or not all(ra)) and _same_shape_days(s):
            found.append(("date_conflict", f"{a.doc_id} dates this “{qa}”, {b.doc_id} “{qb}”."))
    if not found:
        # Numbers the tagger calls dates but no reading makes a day of ("Schiff, 56,").
        wa, wb = numbers(s.x, with_dates=True), numbers(s.y, with_dates=True)
        if wa and wb and set(wa) != set(wb):
            found.append(("number_conflict", f"{a.doc_id} gives “{qa}” where {b.doc_id} gives “{qb}”."))
    if _place_change(ctx, index, a, b, s):
        found.append(("place_conflict", f"{a.doc_id} places this in “{qa}”, {b.doc_id} in “{qb}”."))
    return found


def _same_shape_days(s: Stretch) -> bool:
    """Both sides of a small stretch are day words of one kind (weekday for weekday, day number for day number)."""
    if not (0 < len(s.x) <= 2 and 0 < len(s.y) <= 2):
        return False
    if not all(is_day_word(t) for t in (*s.x, *s.y)):
        return False
    # A bare number is a day only after a month ("June 16th"); otherwise it may be any count.
    for t in (*s.x, *s.y):
        if not t.is_alpha and not (t.i > 0 and t.doc[t.i - 1].is_alpha and is_day_word(t.doc[t.i - 1])):
            return False
    return [t.is_alpha for t in s.x] == [t.is_alpha for t in s.y] and (
        [t.lower_ for t in s.x] != [t.lower_ for t in s.y]
    )


@dataclass(frozen=True, slots=True)
class _Unit:
    a: ClaimView
    b: ClaimView


def find(ctx: Context) -> list[Discrepancy]:
    least = float(ctx.settings["compare_value_min_ratio"])
    index = entity_index(ctx.details.claims.entities)
    out: list[Discrepancy] = []
    seen: set[tuple[str, str, int, str, int]] = set()
    # Whole sentences first (a claim may leave out "On Sunday,"), then the claims
    # themselves (two rewrites may share a claim inside sentences that differ).
    units = [(sp.a, sp.b, sp.replaced, sp.ratio) for sp in sentence_pairs(ctx)]
    for q in ctx.pairs:
        replaced_q, _other, ratio_q = diff(q.a.tokens, q.b.tokens)
        units.append((q.a, q.b, tuple(replaced_q), ratio_q))
    for ua, ub, replaced, ratio in units:
        if ratio < least:
            continue
        p = _Unit(ua, ub)
        for s in replaced:
            for kind, why in _conflicts(ctx, p.a, p.b, s, index):
                (xa, ya), (xb, yb) = s.x_span(), s.y_span()
                key = (kind, p.a.doc_id, xa, p.b.doc_id, xb)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Discrepancy(
                        kind,  # type: ignore[arg-type]
                        (p.a.doc_id, p.b.doc_id),
                        (ctx.span(p.a.doc_id, xa, ya), ctx.span(p.b.doc_id, xb, yb)),
                        why,
                        p.a.claim.speaker or p.b.claim.speaker,
                    )
                )
    return out
