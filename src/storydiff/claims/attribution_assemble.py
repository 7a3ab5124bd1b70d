"""Turn per-token BIO tags into spans, and spans into (source, cue, content) triples.

The tagger labels roles, not relations, so relations are rebuilt around cues:
each content and each source joins the nearest cue (by tokens in between,
within a limit), and a cue's content pieces on both sides of it are one
content, as in a quote split by "he said" (the gold convention is the
envelope of the pieces).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# How many tokens may separate a span from the cue it joins.
MAX_CONTENT_GAP = 14
MAX_SOURCE_GAP = 25


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    role: str  # "SRC", "CUE" or "CON"
    first: int  # token index of the first token
    last: int  # token index after the last token
    start: int  # character offsets into the text
    end: int


def tagged_spans(doc: Any, tags: list[str]) -> list[TaggedSpan]:
    """Maximal runs of one role; a B- tag starts a new run. Whitespace-only edges are dropped."""
    spans: list[TaggedSpan] = []
    run_role, run_first = "", -1

    def close(last: int) -> None:
        first = run_first
        while first < last and doc[first].is_space:
            first += 1
        while last > first and doc[last - 1].is_space:
            last -= 1
        if first < last:
            end_token = doc[last - 1]
            spans.append(TaggedSpan(run_role, first, last, doc[first].idx, end_token.idx + len(end_token)))

    for i, tag in enumerate(tags):
        prefix, _, role = tag.partition("-")
        if run_role and (prefix != "I" or role != run_role):
            close(i)
            run_role = ""
        if role and not run_role:
            run_role, run_first = role, i
    if run_role:
        close(len(tags))
    return spans


def _gap(a: TaggedSpan, b: TaggedSpan) -> int:
    """Tokens strictly between two spans (0 when adjacent or overlapping)."""
    return max(0, max(a.first, b.first) - min(a.last, b.last))


def _nearest(span: TaggedSpan, cues: list[TaggedSpan], limit: int) -> int | None:
    """Index of the cue with the fewest tokens between it and ``span``, if within ``limit``."""
    best: tuple[int, int] | None = None
    for k, cue in enumerate(cues):
        gap = _gap(span, cue)
        if gap <= limit and (best is None or (gap, k) < best):
            best = (gap, k)
    return None if best is None else best[1]


SENTENCE_END = frozenset(".!?")
MAX_SPLIT_FILLER = 4
BREAK_AT_SENTENCE_END = False


def _one_sentence(doc: Any, first: int, last: int, spans: list[TaggedSpan]) -> bool:
    """True when tokens first..last are a cue's source, cue and a few connecting
    tokens, with no sentence end or line break: "X," he said, "Y" but not "X," he said. "Y"."""
    inside = {i for s in spans if s.role != "CON" for i in range(s.first, s.last)}
    filler = 0
    for i in range(first, last):
        token = doc[i]
        if BREAK_AT_SENTENCE_END and (token.text in SENTENCE_END or "\n" in token.text):
            return False
        if i not in inside:
            filler += 1
    return filler <= MAX_SPLIT_FILLER


def _envelope(pieces: list[TaggedSpan]) -> TaggedSpan:
    first = min(pieces, key=lambda s: s.first)
    last = max(pieces, key=lambda s: s.last)
    return TaggedSpan("CON", first.first, last.last, first.start, last.end)


KEEP_LONE_CUES = True


def _sentence_rest(doc: Any, cue: TaggedSpan) -> TaggedSpan | None:
    """The words of the cue's sentence after it, or before it when none follow."""
    sent = doc[cue.first].sent
    for lo, hi in ((cue.last, sent.end), (sent.start, cue.first)):
        while lo < hi and (doc[lo].is_space or doc[lo].is_punct):
            lo += 1
        while hi > lo and (doc[hi - 1].is_space or doc[hi - 1].is_punct):
            hi -= 1
        if hi - lo >= 2:
            return TaggedSpan("CON", lo, hi, doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))
    return None


def assemble(
    doc: Any, spans: list[TaggedSpan]
) -> list[tuple[TaggedSpan | None, TaggedSpan | None, TaggedSpan]]:
    """(source, cue, content) triples; every cue and source that can be placed is used."""
    cues = [s for s in spans if s.role == "CUE"]
    contents: dict[int, list[TaggedSpan]] = {k: [] for k in range(len(cues))}
    sources: dict[int, list[TaggedSpan]] = {k: [] for k in range(len(cues))}
    orphans: list[TaggedSpan] = []
    for span in spans:
        if span.role == "CUE":
            continue
        k = _nearest(span, cues, MAX_CONTENT_GAP if span.role == "CON" else MAX_SOURCE_GAP)
        if k is not None:
            (contents if span.role == "CON" else sources)[k].append(span)
        elif span.role == "SRC":
            orphans.append(span)
    all_contents = [s for s in spans if s.role == "CON"]
    triples: list[tuple[TaggedSpan | None, TaggedSpan | None, TaggedSpan]] = []
    # A source the tagger found without a cue still names who is speaking.
    for source in orphans:
        near = [c for c in all_contents if _gap(c, source) <= MAX_SOURCE_GAP]
        if near:
            triples.append((source, None, min(near, key=lambda c: _gap(c, source))))
    for k, cue in enumerate(cues):
        pieces = contents[k]
        before = [p for p in pieces if p.last <= cue.first]
        after = [p for p in pieces if p.first >= cue.last]
        left = max(before, key=lambda s: s.last) if before else None
        right = min(after, key=lambda s: s.first) if after else None
        if left and right and _one_sentence(doc, left.last, right.first, spans):
            # A quote split by its cue: the nearest pieces on both sides are one content.
            rest = [p for p in pieces if p is not left and p is not right]
            own = [_envelope([left, right]), *rest]
        elif pieces:
            own = pieces
        else:
            # A cue whose content joined another cue: borrow the nearest content
            # so the cue (and its source) are still reported.
            near = [c for c in all_contents if _gap(c, cue) <= MAX_CONTENT_GAP]
            own = [min(near, key=lambda c: _gap(c, cue))] if near else []
        if not own and KEEP_LONE_CUES:
            # No content anywhere near: the rest of the cue's sentence stands in for
            # one, for the content ranker to correct.
            stand_in = _sentence_rest(doc, cue)
            own = [stand_in] if stand_in is not None else []
        if not own:
            continue
        srcs: list[TaggedSpan | None] = [*sorted(sources[k], key=lambda s: _gap(s, cue))] or [None]
        for content in own:
            triples.append((srcs[0], cue, content))
        for extra in srcs[1:]:
            triples.append((extra, cue, own[0]))
    triples.sort(key=lambda t: t[2].start)
    return triples

