"""How likely two articles of one block are to report the same event.

A story's key profile (``StoryIndex``) compares an article with the sum of a
story's members, so once two similar events share a story its profile pulls
in reports of both. Grouping a block from scratch instead scores every pair
of its articles that share an event key, with a logistic model over a few
signals, and links them by weighted-average linkage (``linkage``):

- ``cosine``: the rarity-weighted event-key cosine (the index's own score);
- ``shared``: how many of the heaviest keys both hold (names, not one number);
- ``rare``: how many of their rarest keys (the blocking keys) both hold, log-scaled;
- ``jaccard``: overlap of all their keys;
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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ..errors import ConfigError
from .features import Features, event_keys

MODEL_FILE = Path(__file__).resolve().parent / "models" / "pair_model.json"
FEATURES = ("cosine", "shared", "rare", "jaccard", "lead", "year_same", "year_differs", "embedding")
_YEAR = re.compile(r"(?:19[5-9]|20[0-4])\d")

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


def main_year(keys: Mapping[str, int]) -> int:
    """The year an article's keys mention most (ties: the latest), 0 when none."""
    years = [(c, int(k)) for k, c in keys.items() if len(k) == 4 and _YEAR.fullmatch(k)]
    return max(years)[1] if years else 0


def _binary(rows: Sequence[Sequence[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    indptr, indices = [0], []
    for keys in rows:
        cols = sorted({vocab.setdefault(k, len(vocab)) for k in keys})
        indices += cols
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), max(len(vocab), 1)))


def _weighted(vecs: Sequence[KeyVector], vocab: dict[str, int]) -> sparse.csr_matrix:
    indptr, indices, data = [0], [], []
    for vec in vecs:
        for k, w in sorted(vec.items()):
            indices.append(vocab.setdefault(k, len(vocab)))
            data.append(w)
        indptr.append(len(indices))
    return sparse.csr_matrix((np.array(data, dtype=np.float64), indices, indptr),
                             shape=(len(vecs), max(len(vocab), 1)))


def _at(m: sparse.csr_matrix, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]) -> Matrix:
    return np.asarray(m[i, j], dtype=np.float64).ravel()


def _jaccard(m: sparse.csr_matrix, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]) -> Matrix:
    sizes = np.asarray(m.sum(axis=1), dtype=np.float64).ravel()
    inter = _at((m @ m.T).tocsr(), i, j)
    union = sizes[i] + sizes[j] - inter
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
    vocab: dict[str, int] = {}
    weighted = _weighted(vecs, vocab)
    cos = sparse.triu(weighted @ weighted.T, k=1).tocoo()
    i, j = cos.row.astype(np.int64), cos.col.astype(np.int64)
    keep = cos.data > 1e-12
    days = np.array([_days(f.published) for f in feats])
    if len(i):
        apart = np.abs(days[i] - days[j])
        keep &= ~(apart > window_days)  # NaN (undated) compares False: kept
    i, j, cosine = i[keep], j[keep], cos.data[keep]
    if not len(i):
        return i, j, np.zeros((0, len(FEATURES)))
    heavy = weighted.copy()
    heavy.data[:] = 1.0
    shared = _at((heavy @ heavy.T).tocsr(), i, j)
    rarest = _binary(rare, {})
    shared_rare = np.log1p(_at((rarest @ rarest.T).tocsr(), i, j))
    jaccard = _jaccard(_binary([list(f.keys) for f in feats], {}), i, j)
    lead = _jaccard(_binary([list(event_keys(f.lead)) for f in feats], {}), i, j)
    years = np.array([main_year(f.keys) for f in feats])
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
