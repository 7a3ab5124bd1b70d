"""How likely two articles of one block are to report the same event.

A story's key profile (``StoryIndex``) compares an article with the sum of a
story's members, so once two similar events share a story its profile pulls
in reports of both. Grouping a block from scratch instead scores every pair
of its articles that share an event key, with a logistic model over a few
signals, and links them by weighted-average linkage (``linkage``):

- ``cosine``: the rarity-weighted event-key cosine (the index's own score);
- ``shared``: how many of the heaviest keys both hold (names, not one number);
- ``rare``: how many of their rarest keys (the blocking keys) both hold, log-scaled;
- ``jaccard``: overlap of their heavy keys (shared over either's);
- ``lead``: overlap of the keys of their titles and leads, where a report
  names its event's actors;
- ``year_same`` / ``year_differs``: the year each mentions most, when both
  mention one (two elections of one country, years apart);
- ``embedding``: the static-embedding cosine of title and lead (rewrites).

The weights and the linkage threshold come from ``training/train_grouping.py``
(ECB+, cross-validated by topic) and ship in ``models/pair_model.json``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ..errors import ConfigError
from .features import Features

MODEL_FILE = Path(__file__).resolve().parent / "models" / "pair_model.json"
FEATURES = ("cosine", "shared", "rare", "jaccard", "lead", "year_same", "year_differs", "embedding")

KeyVector = dict[str, float]
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PairModel:
    features: tuple[str, ...]
    weights: npt.NDArray[np.float64]
    bias: float
    threshold: float  # linkage joins clusters whose weighted-average probability reaches this

    def probability(self, x: Matrix) -> npt.NDArray[np.float64]:
        z = x @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))), dtype=np.float64)


@lru_cache(maxsize=4)
def load_pair_model(path: str = "") -> PairModel:
    file = Path(path) if path else MODEL_FILE
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        features = tuple(str(f) for f in raw["features"])
        weights = np.array([float(raw["weights"][f]) for f in features])
        return PairModel(features, weights, float(raw["bias"]), float(raw["threshold"]))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"pair model {file}: {e}; run training/train_grouping.py to build it") from e


# Below this many articles a block's key matrices are dense numpy arrays: scipy.sparse costs
# about 9 ms of set-up per block, and most blocks hold a handful of articles.
DENSE_MAX = 256


class _Keys:
    """The (row, column, value) entries of one article x key matrix, built row by row."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []

    def add(self, row: int, keys: Collection[str], values: Iterable[float] | None = None) -> None:
        """One article's keys (distinct), with their values (1 when not given)."""
        vocab = self.vocab
        self.cols += [vocab.setdefault(k, len(vocab)) for k in keys]
        self.rows += [row] * len(keys)
        self.vals += [1.0] * len(keys) if values is None else values

    def gram(self, n: int, pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
             ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Matrix]:
        """The upper triangle of M Mᵀ: at ``pairs`` when given (0 where absent), else its nonzero entries."""
        n_keys = max(len(self.vocab), 1)
        if n <= DENSE_MAX:
            m = np.zeros((n, n_keys))
            m[self.rows, self.cols] = self.vals
            g = m @ m.T
            if pairs is not None:
                return pairs[0], pairs[1], g[pairs]
            i, j = np.triu_indices(n, 1)
            nonzero = g[i, j] > 1e-12
            return i[nonzero], j[nonzero], g[i, j][nonzero]
        sp = sparse.csr_matrix((self.vals, (self.rows, self.cols)), shape=(n, n_keys))
        t = sparse.triu(sp @ sp.T, k=1).tocoo()
        i, j, v = t.row.astype(np.int64), t.col.astype(np.int64), np.asarray(t.data, dtype=np.float64)
        if pairs is None:
            nonzero = v > 1e-12
            return i[nonzero], j[nonzero], v[nonzero]
        # Look the pairs up by code (i * n + j) in the sorted codes of the product's entries.
        codes = i * n + j
        order = np.argsort(codes)
        codes, v = codes[order], v[order]
        want = pairs[0] * n + pairs[1]
        pos = np.minimum(np.searchsorted(codes, want), max(len(codes) - 1, 0))
        found = codes[pos] == want if len(codes) else np.zeros(len(want), dtype=bool)
        return pairs[0], pairs[1], np.where(found, v[pos] if len(codes) else 0.0, 0.0)


def _binary(rows: Sequence[Collection[str]]) -> _Keys:
    keys = _Keys()
    for r, row in enumerate(rows):
        keys.add(r, row)
    return keys


def _jaccard(keys: _Keys, n: int, pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]) -> Matrix:
    sizes = np.bincount(np.asarray(keys.rows, dtype=np.int64), minlength=n).astype(np.float64)
    inter = keys.gram(n, pairs)[2]
    union = sizes[pairs[0]] + sizes[pairs[1]] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _days(published: str | None) -> float:
    if not published:
        return np.nan
    try:
        return float(date.fromisoformat(published[:10]).toordinal())
    except ValueError:
        return np.nan


def pair_features(
    feats: Sequence[Features], vecs: Sequence[KeyVector], embs: npt.NDArray[np.floating[Any]] | None,
    rare: Sequence[Sequence[str]], window_days: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Matrix]:
    """Every pair (i < j) of articles sharing a heavy event key, within the date window when both
    are dated, and its features in ``FEATURES`` order (one row per pair); ``rare`` holds each
    article's rarest keys (``block.block_keys``)."""
    n = len(feats)
    weighted, heavy = _Keys(), _Keys()
    for r, vec in enumerate(vecs):
        weighted.add(r, vec, vec.values())
        heavy.add(r, vec)
    i, j, cosine = weighted.gram(n)
    days = np.array([_days(f.published) for f in feats])
    if len(i):
        keep = ~(np.abs(days[i] - days[j]) > window_days)  # NaN (undated) compares False: kept
        i, j, cosine = i[keep], j[keep], cosine[keep]
    if not len(i):
        return i, j, np.zeros((0, len(FEATURES)))
    pairs = (i, j)
    shared = heavy.gram(n, pairs)[2]
    shared_rare = np.log1p(_binary(rare).gram(n, pairs)[2])
    sizes = np.array([len(v) for v in vecs], dtype=np.float64)
    union = sizes[i] + sizes[j] - shared
    jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    lead = _jaccard(_binary([f.lead_keys for f in feats]), n, pairs)
    years = np.array([f.year for f in feats])
    both = (years[i] > 0) & (years[j] > 0)
    same = (both & (years[i] == years[j])).astype(np.float64)
    differs = (both & (years[i] != years[j])).astype(np.float64)
    if embs is not None and n:
        unit = embs / np.maximum(np.linalg.norm(embs, axis=1, keepdims=True), 1e-12)
        embedding = np.einsum("ij,ij->i", unit[i], unit[j]).astype(np.float64)
    else:
        embedding = np.zeros(len(i))
    x = np.column_stack([cosine, shared, shared_rare, jaccard, lead, same, differs, embedding])
    return i, j, x


def headline_names(f: Features) -> frozenset[str] | None:
    """The keys of a headline's lead (its names and numbers) when it has any, else None (not a headline).

    Two headlines that each name something and share none of it are two events
    told alike (a bulletin's wording reused for another climber, another town);
    the model, which learned from full reports, reads their shared wording and
    embedding as one event. Their shared words say how an event is told, the
    names say which one: such pairs are neither linked into one block
    (``block.linked``) nor joined in one (``named_apart``).
    """
    return frozenset(f.lead_keys) if f.headline and f.lead_keys else None


def named_apart(feats: Sequence[Features], i: npt.NDArray[np.int64], j: npt.NDArray[np.int64],
                x: Matrix) -> npt.NDArray[np.bool_]:
    """The pairs of headlines that each name something and share none of it (``headline_names``)."""
    named = np.array([headline_names(f) is not None for f in feats], dtype=bool)
    if not len(i):
        return np.zeros(0, dtype=bool)
    return np.asarray(named[i] & named[j] & (x[:, FEATURES.index("lead")] == 0), dtype=bool)
