"""Articles as columns: how the Spark job moves them between stages.

PySpark pickles every RDD element. Pickling 100,000 feature objects (a
Counter and a small numpy array each) cost more than computing the features
did, once per shuffle; a ``Frame`` of a few thousand articles pickles as a
handful of arrays and flat lists, and the JVM shuffles it as one byte string.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from ..group.block import Order, arrival_order
from ..group.features import Features

# Every Features field but the keys and MinHash (columns of their own) and the
# lead (dropped once embedded), so a field added to Features travels too.
FEATURE_FIELDS = tuple(f.name for f in fields(Features) if f.name not in ("keys", "minhash", "lead"))
_ID, _PUBLISHED = FEATURE_FIELDS.index("id"), FEATURE_FIELDS.index("published")
_SHINGLED = FEATURE_FIELDS.index("has_shingles")
_NO_KEYS: Counter[str] = Counter()


@dataclass(slots=True)
class Frame:
    """Some articles, column by column; article ``i``'s keys are ``keys[bounds[i]:bounds[i + 1]]``.

    Read, ``values`` are the keys' counts in the article; vectorised, the keys
    are the article's key vector, ``values`` its weights and ``counts`` how
    many articles of the corpus hold each key.
    """

    nodes: npt.NDArray[np.int64]
    rest: list[tuple[Any, ...]]  # each article's FEATURE_FIELDS
    titles: list[str | None]
    minhash: npt.NDArray[np.uint32]  # one row per article
    embs: npt.NDArray[np.float32] | None
    keys: list[str]
    values: npt.NDArray[Any]
    bounds: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.nodes)

    @staticmethod
    def of(nodes: Sequence[int], feats: Sequence[Features], titles: Sequence[str | None],
           embs: npt.NDArray[np.float32] | None) -> Frame:
        keys = [k for f in feats for k in f.keys]
        values = np.fromiter((c for f in feats for c in f.keys.values()), np.int64, len(keys))
        return Frame(np.asarray(nodes, dtype=np.int64), [tuple(getattr(f, n) for n in FEATURE_FIELDS) for f in feats],
                     list(titles), np.stack([f.minhash for f in feats]), embs, keys, values,
                     _bounds([len(f.keys) for f in feats]))

    def id(self, i: int) -> str:
        return str(self.rest[i][_ID])

    def published(self, i: int) -> str | None:
        published: str | None = self.rest[i][_PUBLISHED]
        return published

    def order(self, i: int) -> Order:
        return arrival_order(self.rest[i][_ID], self.rest[i][_PUBLISHED])

    def shingled(self) -> npt.NDArray[np.bool_]:
        """Whether each article has word shingles (and so LSH bands)."""
        return np.fromiter((r[_SHINGLED] for r in self.rest), bool, len(self.rest))

    def key_items(self, i: int) -> Iterator[tuple[str, Any]]:
        lo, hi = int(self.bounds[i]), int(self.bounds[i + 1])
        return zip(self.keys[lo:hi], self.values[lo:hi].tolist(), strict=True)

    def feature(self, i: int, keys: Counter[str] = _NO_KEYS) -> Features:
        """Article ``i``'s features (keys left out unless given; the lead is always empty)."""
        return Features(keys=keys, minhash=self.minhash[i], lead="", **dict(zip(FEATURE_FIELDS, self.rest[i],
                                                                                 strict=True)))

    def take(self, rows: Sequence[int]) -> Frame:
        spans = [(int(self.bounds[i]), int(self.bounds[i + 1])) for i in rows]
        flat = np.concatenate([np.arange(lo, hi) for lo, hi in spans]) if spans else np.zeros(0, np.int64)
        index = np.asarray(rows, dtype=np.int64)
        return Frame(self.nodes[index], [self.rest[i] for i in rows], [self.titles[i] for i in rows],
                     self.minhash[index], self.embs[index] if self.embs is not None else None,
                     [self.keys[j] for j in flat.tolist()], self.values[flat], _bounds([hi - lo for lo, hi in spans]),
                     self.counts[flat] if self.counts is not None else None)

    def packed(self) -> bytes:
        """The frame pickled, for an RDD that is kept (``persist``) and read more than once: a
        stage that reads it for its other items then unpickles a byte string, not the frame (its
        keys are a string each: at 100k articles, 1.5M strings per reading)."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def unpacked(data: bytes) -> Frame:
        frame: Frame = pickle.loads(data)  # our own frames, from our own stage
        return frame

    @staticmethod
    def concat(frames: Iterable[Frame]) -> Frame | None:
        """One frame of them all (None for none)."""
        parts = [f for f in frames if len(f)]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        embs = [f.embs for f in parts]
        counts = [f.counts for f in parts]
        return Frame(
            np.concatenate([f.nodes for f in parts]), [r for f in parts for r in f.rest],
            [t for f in parts for t in f.titles], np.concatenate([f.minhash for f in parts]),
            None if any(e is None for e in embs) else np.concatenate(embs),  # type: ignore[arg-type]
            [k for f in parts for k in f.keys], np.concatenate([f.values for f in parts]),
            _bounds([n for f in parts for n in np.diff(f.bounds).tolist()]),
            None if any(c is None for c in counts) else np.concatenate(counts),  # type: ignore[arg-type]
        )


def _bounds(sizes: Sequence[int]) -> npt.NDArray[np.int64]:
    out = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out
