"""Role and speaker changes read off the token diff of two matched sentences.

The claims stage may miss a role or resolve a speaker wrongly, but two
matched sentences that differ only in "Sen." / "Stein spokeswoman" before
the same name, or in the name before the same "said", show the change
directly. A stretch is a *name* swap when both sides hold person-name tokens
with different surnames inside a claim's source, and a *role* swap when both
sides hold role words (titles, person nouns, affiliations) right before or
after the same name.
"""

from __future__ import annotations

import re
from typing import Any

from ...claims.roles import is_person_noun
from ...models import Discrepancy
from ...normalize.names import name_key, same_name
from ..context import Context
from ..sentences import SentencePair, sentence_pairs
from ..values import DAY_NAMES, Stretch
from ..views import ClaimView
from .roles import agree

# Abbreviated and capitalised titles that spaCy tags as proper nouns.
_TITLES = frozenset(
    {
        "sen",
        "senator",
        "rep",
        "representative",
        "gov",
        "governor",
        "pres",
        "president",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "sgt",
        "capt",
        "adm",
        "secretary",
        "minister",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "mayor",
        "chief",
        "judge",
        "justice",
        "attorney",
        "ambassador",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "deputy",
        "vice",
        "former",
        "acting",
        "candidate",
        "nominee",
        "leader",
        "general",
        "prime",
        "premier",
        "commissioner",
        "superintendent",
        "speaker",
        "",
    }
)
_INITIALS = re.compile(r"(?:[A-Z]\.){1,3}[A-Z]?")
_AFFILIATION = frozenset({"ORG", "NORP", "GPE", "FAC", "LOC"})


def _is_title(t: Any) -> bool:
    return bool(t.lower_.strip(".") in _TITLES)


def _is_name(t: Any) -> bool:
    if _is_title(t):
        return False
    if _INITIALS.fullmatch(t.text):
        return True
    if not t.is_alpha and not t.text.rstrip(".").isalpha():
        return False
    if t.ent_type_ == "PERSON":
        return True
    return bool(t.pos_ == "PROPN" and t.ent_type_ not in _AFFILIATION and t.is_title)


def _is_role(t: Any) -> bool:
    return _is_title(t) or is_person_noun(t) or t.ent_type_ in _AFFILIATION or t.pos_ == "ADJ"


def surnames(tokens: Any) -> set[str]:
    """The last word of each run of name tokens, folded."""
    out: set[str] = set()
    run: list[Any] = []
    for t in [*tokens, None]:
        if t is not None and _is_name(t):
            run.append(t)
            continue
        if run:
            out.add(name_key(run[-1].text))
            run = []
    out.discard("")
    return out


def _in_source(views: list[ClaimView], span: tuple[int, int]) -> ClaimView | None:
    for v in views:
        src = v.claim.source
        if src is not None and src.start < span[1] and span[0] < src.end:
            return v
    return None


def _word_at(doc: Any, i: int, step: int) -> int:
    """The index of the first token from ``i`` on (in direction ``step``) that is no white space
    (a no-break space between a title and a name is a token of its own)."""
    while 0 <= i < len(doc) and doc[i].is_space:
        i += step
    return i


def _adjacent_name(tokens: tuple[Any, ...]) -> Any | None:
    """The name a role stretch stands next to: right after it ("Sen. [Graham]"), or
    before it across a comma ("[Graham], the senator")."""
    doc = tokens[0].doc
    after = _word_at(doc, tokens[-1].i + 1, 1)
    if after < len(doc) and _is_name(doc[after]):
        return doc[after]
    before = _word_at(doc, tokens[0].i - 1, -1)
    while before >= 0 and (doc[before].lower_ in (",", "the", "a", "an") or doc[before].is_space):
        before -= 1
    if before >= 0 and before < tokens[0].i - 1 and _is_name(doc[before]):
        return doc[before]
    return None


def _quote(tokens: tuple[Any, ...]) -> str:
    return str(tokens[0].doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)])


def _views(ctx: Context, doc_id: str) -> list[ClaimView]:
    return [v for v in ctx.views if v.doc_id == doc_id]


_PLACES = frozenset({"GPE", "LOC", "FAC", "NORP"})


def _capitalised(t: Any) -> bool:
    # "DuVernay" and "McCain" are no str.istitle(); all-capitals words are more often acronyms.
    return bool(t.is_alpha and t.text[:1].isupper() and not t.is_upper)


def _namey(t: Any, loose: bool = False) -> bool:
    """A token that may be part of a person's name: tagged PERSON, an initial, or a capitalised
    proper noun that is no title or date (the tagger calls rare surnames ORG or even GPE).
    ``loose`` also takes a capitalised common noun: the tagger reads a rare surname opening a
    sentence ("Rhodes, speaking to ...") as one; it is asked for only opposite a person's name."""
    if t.ent_type_ in ("DATE", "TIME") or t.lower_ in DAY_NAMES:
        return False
    if t.ent_type_ == "PERSON" or _INITIALS.fullmatch(t.text):
        return True
    if not _capitalised(t) or _is_title(t) or t.is_stop:
        return False
    return bool(t.pos_ == "PROPN" or (loose and t.pos_ == "NOUN" and not is_person_noun(t)))


def _person_like(run: tuple[Any, ...], other: tuple[Any, ...], seat: bool) -> bool:
    """Whether a run of name tokens is a person here. Tagged PERSON, yes; all place or all
    organisation, only in the speaker's seat and opposite a person ("Trump" / "Rhodes");
    untagged, in the speaker's seat or opposite a person."""
    if any(t.ent_type_ == "PERSON" for t in run):
        return True
    opposite = any(t.ent_type_ == "PERSON" for t in other)
    if all(t.ent_type_ in _PLACES or t.ent_type_ == "ORG" for t in run):
        return opposite and seat
    return seat or opposite


def _name_run(tokens: tuple[Any, ...], loose: bool = False) -> tuple[Any, ...]:
    """The person's name a stretch ends in ("Fire chief [David Brennan]"); empty when it ends otherwise."""
    words = [t for t in tokens if not t.is_punct]
    i = len(words)
    while i > 0 and _namey(words[i - 1], loose):
        i -= 1
    return tuple(words[i:])


_AGENT_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "agent"})


def _last_word(tokens: tuple[Any, ...]) -> set[str]:
    words = [t for t in tokens if not t.is_punct]
    return {name_key(words[-1].text)} - {""} if words else set()


# Links that keep a word inside the noun phrase it belongs to: "an attorney for [X]",
# "[X], the director", "Y and [X]", "senator [X]".
_IN_PHRASE = frozenset({"compound", "flat", "appos", "conj", "pobj", "prep", "amod", "nmod", "cc"})


def _speaks(tokens: tuple[Any, ...]) -> bool:
    """The name is who says or does what the sentence reports: inside its subject ("an
    attorney for X"), a possessor ("Mr. Obama's bet"), or a transcript's speaker label ("WALLACE:")."""
    doc = tokens[0].doc
    after = tokens[-1].i + 1
    if after < len(doc) and doc[after].text == ":":
        return True
    for t in tokens:
        head, steps = t, 0
        while head.dep_ in _IN_PHRASE and head.head is not head and head.pos_ != "VERB" and steps < 6:
            head, steps = head.head, steps + 1
        if head.dep_ in _AGENT_DEPS:
            return True
    return False


def _before_unnamed_cue(views: list[ClaimView], span: tuple[int, int]) -> bool:
    """The name stands before the cue of a claim whose source the claims stage missed, outside
    its content ("[Aaron Kall], the director of ..., compared Trump to ..."): the parse went
    wrong around the speaker, but the name is in the speaker's seat all the same."""
    for v in views:
        c = v.claim
        if c.source is not None or c.cue is None or not v.sentence[0] <= span[0] < c.cue.start:
            continue
        if c.content is not None and c.content.start <= span[0] < c.content.end:
            continue
        return True
    return False


def _seat(ctx: Context, sp: SentencePair, s: Stretch) -> tuple[ClaimView | None, bool]:
    """The claim whose source holds the swapped name, and whether the name is in a speaker's
    seat. The rest of the two sentences is the same, so the better parse of the two decides."""
    va = _in_source(_views(ctx, sp.a.doc_id), s.x_span())
    vb = _in_source(_views(ctx, sp.b.doc_id), s.y_span())
    view = va or vb
    seat = (
        view is not None
        or _speaks(s.x)
        or _speaks(s.y)
        or _before_unnamed_cue(_views(ctx, sp.a.doc_id), s.x_span())
        or _before_unnamed_cue(_views(ctx, sp.b.doc_id), s.y_span())
    )
    return view, seat


def _in_clause(stretch: tuple[Any, ...], run: tuple[Any, ...]) -> bool:
    """Whether the changed words before a name put it inside a phrase or clause of their own
    (a preposition or a verb among them), so the change is to what the speaker is, not who."""
    start = run[0].i
    return any(t.pos_ in ("ADP", "VERB", "AUX") for t in stretch if t.i < start)


def _name_swap(ctx: Context, sp: SentencePair, s: Stretch) -> Discrepancy | None:
    run_x, run_y = _name_run(s.x), _name_run(s.y)
    # A rare surname the tagger missed stands opposite a tagged one: look again, loosely.
    if run_x and not run_y and any(t.ent_type_ == "PERSON" for t in run_x):
        run_y = _name_run(s.y, loose=True)
    elif run_y and not run_x and any(t.ent_type_ == "PERSON" for t in run_y):
        run_x = _name_run(s.x, loose=True)
    if not run_x or not run_y:
        return None
    if _in_clause(s.x, run_x) or _in_clause(s.y, run_y):
        return None  # "the director of debate at [Michigan]" for "who runs [Crosscut]": a changed role
    s = Stretch(run_x, run_y)
    na, nb = _last_word(s.x), _last_word(s.y)
    if not na or not nb or na & nb or same_name(_quote(s.x), _quote(s.y)) >= 0.85:
        return None
    view, seat = _seat(ctx, sp, s)
    if not (_person_like(run_x, run_y, seat) and _person_like(run_y, run_x, seat)):
        return None  # a place or organisation for another: a place_conflict or a changed affiliation
    if not seat:
        return None
    qa, qb = _quote(s.x), _quote(s.y)
    (xa, ya), (xb, yb) = s.x_span(), s.y_span()
    return Discrepancy(
        "attribution_conflict",
        (sp.a.doc_id, sp.b.doc_id),
        (ctx.span(sp.a.doc_id, xa, ya), ctx.span(sp.b.doc_id, xb, yb)),
        f"The same statement is attributed to {qa} in {sp.a.doc_id} and to {qb} in {sp.b.doc_id}.",
        view.claim.speaker if view is not None else None,
    )


def _person_at(ctx: Context, doc_id: str, t: Any) -> bool:
    """The token is a person's name: tagged so, or inside a mention the claims stage
    resolved to a person (it mends "Elijah Cummings" tagged ORG by context)."""
    if t.ent_type_ == "PERSON":
        return True
    for (d, start, end), eid in ctx.details.mentions.items():
        if d == doc_id and start <= t.idx < end and eid in ctx.entities:
            return ctx.entities[eid].type == "PERSON"
    return False


def _same_name_beside(ctx: Context, sp: SentencePair, s: Stretch) -> tuple[Any, Any] | None:
    """The name both sides of a role stretch stand next to; the tagger may have missed it on
    one side or both, so the same capitalised word that is a person in either doc will do."""
    name_a, name_b = _adjacent_name(s.x), _adjacent_name(s.y)
    if name_a is not None and name_b is not None:
        return (name_a, name_b) if name_key(name_a.text) == name_key(name_b.text) else None
    for after in (True, False):
        da, db = s.x[0].doc, s.y[0].doc
        step = 1 if after else -1
        ia = _word_at(da, s.x[-1].i + 1 if after else s.x[0].i - 1, step)
        ib = _word_at(db, s.y[-1].i + 1 if after else s.y[0].i - 1, step)
        if not (0 <= ia < len(da) and 0 <= ib < len(db)):
            continue
        ta, tb = da[ia], db[ib]
        if not (_capitalised(ta) and ta.text == tb.text and not _is_title(ta)):
            continue
        if _person_at(ctx, sp.a.doc_id, ta) or _person_at(ctx, sp.b.doc_id, tb):
            return ta, tb
    return None


def _role_words(side: tuple[Any, ...], name: Any) -> bool:
    """A title before a name ends in its head ("Stein spokeswoman", "Sen."); one after it
    holds a person noun ("the director of debate") or is set beside it ("a top surrogate")."""
    head = side[-1]
    if name.i > head.i:
        # A common noun right before a name is its title ("pollster Pat Caddell").
        return bool(_is_title(head) or is_person_noun(head) or head.pos_ == "NOUN")
    return any(_is_title(t) or is_person_noun(t) or (t.dep_ == "appos" and t.pos_ == "NOUN") for t in side)


def _role_swap(ctx: Context, sp: SentencePair, s: Stretch) -> Discrepancy | None:
    names = _same_name_beside(ctx, sp, s)
    if names is None:
        return None
    name_a, name_b = names
    if all(_namey(t, loose=True) for t in (*s.x, *s.y) if not t.is_punct):
        return None  # a name respelled or replaced beside a kept one ("Aaron [Sharockman]"), no role
    if not (_role_words(s.x, name_a) and _role_words(s.y, name_b)):
        return None
    qa, qb = _quote(s.x), _quote(s.y)
    if agree(qa, qb):
        return None
    eid = next(
        (e for (d, st, en), e in ctx.details.mentions.items() if d == sp.a.doc_id and st <= name_a.idx < en), None
    )
    person = ctx.name(eid) if eid else name_a.text
    (xa, ya), (xb, yb) = s.x_span(), s.y_span()
    return Discrepancy(
        "role_conflict",
        (sp.a.doc_id, sp.b.doc_id),
        (ctx.span(sp.a.doc_id, xa, ya), ctx.span(sp.b.doc_id, xb, yb)),
        f"{sp.a.doc_id} calls {person} “{qa}”; {sp.b.doc_id} calls {person} “{qb}”.",
        eid,
    )


def find(ctx: Context) -> list[Discrepancy]:
    least = float(ctx.settings["compare_value_min_ratio"])
    out: list[Discrepancy] = []
    for sp in sentence_pairs(ctx):
        if sp.ratio < least:
            continue
        for s in sp.replaced:
            found = _name_swap(ctx, sp, s) or _role_swap(ctx, sp, s)
            if found is not None:
                out.append(found)
        # A role rewritten around a kept word is two stretches ("the lawyer for [X]'s agency" /
        # "the [campaign]'s press secretary"): read them once more as one.
        for s in _joined(sp.replaced):
            found = _role_swap(ctx, sp, s)
            if found is not None and not any(_same_finding(found, d) for d in out):
                out.append(found)
    return out


def _joined(stretches: tuple[Stretch, ...], gap: int = 2) -> list[Stretch]:
    """Runs of replaced stretches at most ``gap`` kept tokens apart on both sides, joined."""
    out: list[Stretch] = []
    i = 0
    while i < len(stretches):
        j = i
        while (
            j + 1 < len(stretches)
            and stretches[j].x and stretches[j + 1].x and stretches[j].y and stretches[j + 1].y
            and stretches[j + 1].x[0].i - stretches[j].x[-1].i - 1 <= gap
            and stretches[j + 1].y[0].i - stretches[j].y[-1].i - 1 <= gap
        ):
            j += 1
        if j > i:
            first, last = stretches[i], stretches[j]
            dx, dy = first.x[0].doc, first.y[0].doc
            out.append(Stretch(tuple(dx[first.x[0].i : last.x[-1].i + 1]), tuple(dy[first.y[0].i : last.y[-1].i + 1])))
        i = j + 1
    return out


def _same_finding(a: Discrepancy, b: Discrepancy) -> bool:
    return a.kind == b.kind and a.docs == b.docs and any(
        x.doc == y.doc and x.start < y.end and y.start < x.end for x in a.evidence for y in b.evidence
    )
