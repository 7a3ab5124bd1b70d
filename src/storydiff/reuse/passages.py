"""Shared passages between two documents, in the spirit of passim.

1. Normalise each text to a lowercase letters-and-digits stream that keeps a
   map back to the original character offsets (quotes, dashes and spacing
   differ between outlets and must not break a match).
2. Seeds: character n-grams of that stream starting at word boundaries, found
   in both texts (a hash join, linear in text length).
3. Chains: seeds on nearly the same diagonal (offset in A minus offset in B)
   and close together are merged into candidate passages, so a rewrite that
   changes a word here and there still yields one passage.
4. Each candidate is scored with rapidfuzz's Indel similarity over the
   original spans; weak or short ones are dropped.

Written here because no maintained library aligns passages between two
documents with offsets (passim is a Spark/Scala tool); the similarity itself
is rapidfuzz's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class _Stream:
    """Normalised text with, for each of its characters, the offset it came from."""

    text: str
    offsets: tuple[int, ...]
    word_starts: tuple[int, ...]


def normalise(text: str) -> _Stream:
    chars: list[str] = []
    offsets: list[int] = []
    starts: list[int] = []
    for m in _WORD.finditer(text):
        if chars:
            chars.append(" ")
            offsets.append(m.start())
        starts.append(len(chars))
        for i, ch in enumerate(m.group().lower()):
            chars.append(ch)
            offsets.append(m.start() + i)
    return _Stream("".join(chars), tuple(offsets), tuple(starts))


@dataclass(frozen=True, slots=True)
class RawPassage:
    a: tuple[int, int]
    b: tuple[int, int]
    similarity: float


def _seeds(a: _Stream, b: _Stream, n: int) -> list[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for pos in b.word_starts:
        gram = b.text[pos : pos + n]
        if len(gram) == n:
            index[gram].append(pos)
    pairs: list[tuple[int, int]] = []
    for pos in a.word_starts:
        gram = a.text[pos : pos + n]
        # A seed that occurs many times in B ("the government said that") says
        # nothing about where a passage is; skip it.
        hits = index.get(gram)
        if hits and len(hits) <= 3:
            pairs.extend((pos, q) for q in hits)
    return pairs


def _chains(pairs: list[tuple[int, int]], n: int, max_gap: int, max_shift: int) -> list[tuple[int, int, int, int]]:
    """Merge seeds into (a_start, a_end, b_start, b_end) regions of the normalised streams."""
    chains: list[list[int]] = []  # [a_start, a_end, b_start, b_end]
    for pa, pb in sorted(pairs):
        for chain in reversed(chains[-20:]):
            a_gap = pa - chain[1]
            b_gap = pb - chain[3]
            same_diagonal = abs((pa - chain[0]) - (pb - chain[2])) <= max_shift
            if -n <= a_gap <= max_gap and -n <= b_gap <= max_gap and same_diagonal:
                chain[1] = max(chain[1], pa + n)
                chain[3] = max(chain[3], pb + n)
                break
        else:
            chains.append([pa, pa + n, pb, pb + n])
    return [(c[0], c[1], c[2], c[3]) for c in chains]


def align(
    text_a: str,
    text_b: str,
    *,
    seed_chars: int = 24,
    max_gap: int = 60,
    max_shift: int = 40,
    min_chars: int = 40,
    min_similarity: float = 0.6,
) -> list[RawPassage]:
    """Passages of ``text_a`` and ``text_b`` that are the same or nearly so, in A's order."""
    from rapidfuzz.distance import Indel

    a, b = normalise(text_a), normalise(text_b)
    if not a.text or not b.text:
        return []
    out: list[RawPassage] = []
    for a0, a1, b0, b1 in _chains(_seeds(a, b, seed_chars), seed_chars, max_gap, max_shift):
        a1, b1 = _trim_tail(a.text, b.text, _word_end(a.text, a1), _word_end(b.text, b1))
        if a1 - a0 < min_chars:
            continue
        sim = Indel.normalized_similarity(a.text[a0:a1], b.text[b0:b1])
        if sim < min_similarity:
            continue
        span_a = (a.offsets[a0], a.offsets[a1 - 1] + 1)
        span_b = (b.offsets[b0], b.offsets[b1 - 1] + 1)
        out.append(RawPassage(span_a, span_b, sim))
    return _drop_overlaps(out)


def _word_end(text: str, pos: int) -> int:
    """``pos`` moved forward to the end of the word it falls in (seeds end mid-word)."""
    pos = min(pos, len(text))
    while pos < len(text) and text[pos] != " ":
        pos += 1
    return pos


def _trim_tail(ta: str, tb: str, a1: int, b1: int) -> tuple[int, int]:
    """Drop trailing words that differ, so a passage ends on words both texts share."""
    while a1 > 0 and b1 > 0:
        wa = ta.rfind(" ", 0, a1) + 1
        wb = tb.rfind(" ", 0, b1) + 1
        if ta[wa:a1] == tb[wb:b1]:
            break
        a1, b1 = max(wa - 1, 0), max(wb - 1, 0)
    return a1, b1


def _drop_overlaps(passages: list[RawPassage]) -> list[RawPassage]:
    """Keep the longer of two passages that cover the same stretch of either text."""
    kept: list[RawPassage] = []
    for p in sorted(passages, key=lambda p: -(p.a[1] - p.a[0])):
        if all(p.a[1] <= k.a[0] or p.a[0] >= k.a[1] for k in kept) and all(
            p.b[1] <= k.b[0] or p.b[0] >= k.b[1] for k in kept
        ):
            kept.append(p)
    return sorted(kept, key=lambda p: p.a)


def covered(spans: list[tuple[int, int]]) -> int:
    """Characters covered by the union of ``spans``."""
    total = 0
    end = -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total
