"""Matched sentences and their token diff, computed once for every finder that reads them.

A finder that looks for a changed value, name, role or hedge compares the
sentences two matched claims stand in: the claims themselves may leave out a
sentence's opening ("On Sunday, [the Times published ...]") or its source.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        replaced, other, ratio = diff(sentence_tokens(p.a), sentence_tokens(p.b))
        out.append(SentencePair(p.a, p.b, tuple(replaced), tuple(other), ratio))
    ctx.cache["sentence_pairs"] = out
    return out
