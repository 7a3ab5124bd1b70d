"""Claim matching across versions.

A pair's score mixes three signals, each catching what the others miss: the
sentence-embedding cosine (paraphrase), content-lemma overlap (shared facts
worded alike) and shared entities (the same people and places). Each pair of
documents is matched one-to-one, best-scoring pair first; a claim
left over may still join a partner whose text contains it, which is how a
version that splits one sentence into two matches many-to-one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from ..settings import Settings
from .embed import embed_texts
from .views import ClaimView


@dataclass(frozen=True, slots=True)
class Pair:
    """Two matched claims of different documents; ``a`` comes first in input order."""

    a: ClaimView
    b: ClaimView
    score: float
    lexical: float


def dice(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def containment(x: frozenset[str], y: frozenset[str]) -> float:
    """Share of x's words that y has."""
    return len(x & y) / len(x) if x else 0.0


def jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    return len(x & y) / len(x | y) if x | y else 0.0


class Scorer:
    """Similarity of any two claims, from embeddings computed once."""

    def __init__(self, views: Sequence[ClaimView], settings: Settings) -> None:
        self.views = list(views)
        self.position = {v.id: i for i, v in enumerate(self.views)}
        self.vectors: npt.NDArray[np.float32] = embed_texts([v.claim.text for v in self.views], settings)
        self.w_emb = float(settings["compare_embedding_weight"])
        self.w_lex = float(settings["compare_lexical_weight"])
        self.w_ent = 1.0 - self.w_emb - self.w_lex
        # Word weights from the compared documents themselves: a word every
        # claim uses ("conflict" in a war story) says little about which claims
        # match; a word two claims alone share ("Maidan") says much.
        df: dict[str, int] = {}
        for v in self.views:
            for w in v.words:
                df[w] = df.get(w, 0) + 1
        n = max(len(self.views), 1)
        self.weight = {w: math.log(1 + n / c) for w, c in df.items()}
        self.norm = {v.id: " ".join(v.claim.text.lower().split()) for v in self.views}

    def overlap(self, x: frozenset[str], y: frozenset[str]) -> float:
        """Weighted Dice of two word sets."""
        if not x or not y:
            return 0.0
        w = self.weight
        shared = sum(w.get(t, 1.0) for t in x & y)
        return 2 * shared / (sum(w.get(t, 1.0) for t in x) + sum(w.get(t, 1.0) for t in y))

    def matrix(self, xs: Sequence[ClaimView], ys: Sequence[ClaimView]) -> tuple[npt.NDArray[np.float64], ...]:
        """(score, lexical) matrices for every x against every y."""
        vx = self.vectors[[self.position[v.id] for v in xs]]
        vy = self.vectors[[self.position[v.id] for v in ys]]
        cos = np.clip(vx @ vy.T, 0.0, 1.0).astype(np.float64)
        lex = np.array([[self.overlap(x.words, y.words) for y in ys] for x in xs], dtype=np.float64).reshape(
            len(xs), len(ys)
        )
        ent = np.array(
            [
                [jaccard(x.entities, y.entities) if x.entities or y.entities else lex[i, j] for j, y in enumerate(ys)]
                for i, x in enumerate(xs)
            ],
            dtype=np.float64,
        ).reshape(len(xs), len(ys))
        score = self.w_emb * cos + self.w_lex * lex + self.w_ent * ent
        # The same words are the same claim, whatever the signals say about
        # stop-word-only text ("forty-four, no.").
        same = np.array([[self.norm[x.id] == self.norm[y.id] for y in ys] for x in xs], dtype=bool).reshape(
            len(xs), len(ys)
        )
        return np.where(same, 1.0, score), np.where(same, 1.0, lex)


def match_documents(xs: Sequence[ClaimView], ys: Sequence[ClaimView], scorer: Scorer, settings: Settings) -> list[Pair]:
    """One-to-one matches above the threshold, then many-to-one joins of contained claims."""
    if not xs or not ys:
        return []
    threshold = float(settings["compare_match_threshold"])
    split = float(settings["compare_split_containment"])
    score, lex = scorer.matrix(xs, ys)
    # Claims that share (almost) no content word are not the same claim, however
    # close their embeddings: in one story every sentence is about the same topic.
    score = np.where(lex >= float(settings["compare_min_lexical"]), score, 0.0)
    # Greedy one-to-one, best pair first: a claim takes its closest partner
    # even when a global optimum (Hungarian) would trade it for two weaker
    # pairs, which is what a reader expects of "the same claim".
    pairs: list[Pair] = []
    used_i: set[int] = set()
    used_j: set[int] = set()
    for flat in np.argsort(-score, axis=None, kind="stable"):
        i, j = divmod(int(flat), len(ys))
        if score[i, j] < threshold:
            break
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        pairs.append(Pair(xs[i], ys[j], float(score[i, j]), float(lex[i, j])))
    taken_x = {p.a.id for p in pairs}
    taken_y = {p.b.id for p in pairs}
    # A leftover claim whose words sit almost all inside an already matched
    # claim of the other version is part of that claim (a split sentence).
    for i, x in enumerate(xs):
        if x.id in taken_x:
            continue
        j = int(np.argmax(score[i]))
        if ys[j].id in taken_y and score[i, j] >= threshold * 0.8 and containment(x.words, ys[j].words) >= split:
            pairs.append(Pair(x, ys[j], float(score[i, j]), float(lex[i, j])))
    for j, y in enumerate(ys):
        if y.id in taken_y:
            continue
        i = int(np.argmax(score[:, j]))
        if xs[i].id in taken_x and score[i, j] >= threshold * 0.8 and containment(y.words, xs[i].words) >= split:
            pairs.append(Pair(xs[i], y, float(score[i, j]), float(lex[i, j])))
    return pairs


def match_all(views: Sequence[ClaimView], doc_ids: Sequence[str], settings: Settings) -> tuple[Scorer, list[Pair]]:
    """Matched claim pairs for every pair of documents."""
    scorer = Scorer(views, settings)
    by_doc = {d: [v for v in views if v.doc_id == d] for d in doc_ids}
    pairs: list[Pair] = []
    for da, db in combinations(doc_ids, 2):
        pairs.extend(match_documents(by_doc[da], by_doc[db], scorer, settings))
    return scorer, pairs
