"""Matched sentences and their token diff, computed once for every finder that reads them.

A finder that looks for a changed value, name, role or hedge compares the
sentences two matched claims stand in: the claims themselves may leave out a
sentence's opening ("On Sunday, [the Times published ...]") or its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .context import Context
from .values import Stretch, diff
from .views import ClaimView, sentence_tokens


@dataclass(frozen=True, slots=True)
class SentencePair:
    a: ClaimView  # a claim in the first sentence (its doc, speaker and article)
    b: ClaimView
    replaced: tuple[Stretch, ...]
    inserted: tuple[Stretch, ...]  # insertions (empty x) and deletions (empty y)
    ratio: float


def sentence_pairs(ctx: Context) -> list[SentencePair]:
    cached = ctx.cache.get("sentence_pairs")
    if isinstance(cached, list):
        return cached
    done: set[tuple[str, tuple[int, int], str, tuple[int, int]]] = set()
    out: list[SentencePair] = []
    for p in ctx.pairs:
        key = (p.a.doc_id, p.a.sentence, p.b.doc_id, p.b.sentence)
        if key in done:
            continue
        done.add(key)
        replaced, other, ratio = _aligned_diff(sentence_tokens(p.a), sentence_tokens(p.b))
        out.append(SentencePair(p.a, p.b, tuple(replaced), tuple(other), ratio))
    ctx.cache["sentence_pairs"] = out
    return out


_SPLIT_MIN_RATIO = 0.9


def _following(tokens: tuple[Any, ...], n: int) -> tuple[Any, ...]:
    """``tokens`` and the next ``n`` words of their document, to the end of the sentence the last one is in."""
    doc = tokens[-1].doc
    extra: list[Any] = []
    i = tokens[-1].i + 1
    while i < len(doc) and (len(extra) < n or doc[i].sent.start == doc[i - 1].sent.start):
        if not doc[i].is_space:
            extra.append(doc[i])
        i += 1
    return tokens + tuple(extra)


def _aligned_diff(x: tuple[Any, ...], y: tuple[Any, ...]) -> tuple[list[Stretch], list[Stretch], float]:
    """The diff of two matched sentences, with the shorter side run on where the parser cut one
    version's sentence earlier than the other's (a changed word moves the parser's boundary):
    "... “appropriate assistance.” Trump has ..." against the same text split in two."""
    replaced, other, ratio = diff(x, y)
    # Only where one sentence is the other's opening word for word: two sentences that
    # differ inside are no split, and running one on would pair it with its neighbour.
    if not x or not y or replaced or len(other) != 1:
        return replaced, other, ratio
    tail = other[-1]
    if tail.x and not tail.y and tail.x[-1] is x[-1] and len(tail.x) >= 3:
        longer = diff(x, _following(y, len(tail.x)))
    elif tail.y and not tail.x and tail.y[-1] is y[-1] and len(tail.y) >= 3:
        longer = diff(_following(x, len(tail.y)), y)
    else:
        return replaced, other, ratio
    # The run-on must make the two nearly one text: a sentence the other version dropped
    # would otherwise be read against its neighbour, and its words as changed ones.
    return longer if longer[2] >= max(ratio, _SPLIT_MIN_RATIO) else (replaced, other, ratio)
