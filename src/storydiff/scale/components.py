"""Connected components of a graph held as an RDD of edges, never collected to the driver.

Alternating Large-Star and Small-Star (Kiveris et al., "Connected Components
in MapReduce and Beyond", SoCC 2014): each round points every node at a
smaller neighbour, so a component collapses to a star around its smallest
node in O(log n) rounds. Done when no node is both a parent and a child (nor a child twice).

Each partition holds its edges as two numpy arrays, sent on in a few chunks
per partition, and each step is a sort: one Python tuple per edge, grouped
by ``groupByKey``, was a tenth of a 1M-article run's CPU (about 110 task s
for some 800k edges; DataFrame joins in the JVM took half that, and this a
fraction). GraphFrames has the algorithm but needs its JAR from Maven, not
to be had here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

LOGGER = logging.getLogger(__name__)

Edge = tuple[int, int]
Nodes = npt.NDArray[np.int64]
# Edges of a partition: ``(x, y)`` rows as two arrays; an edge of the graph is held as (larger,
# smaller), once at each end, so row ``(x, y)`` makes ``x`` a child when ``x > y`` and a parent when not.
Piece = tuple[Nodes, Nodes]
CHUNK = 1 << 20  # rows per piece sent on: the JVM holds each RDD element as one byte array


def by_number(part: int) -> int:
    """The partitioner of items keyed by their partition's number (an item lands where its key says)."""
    return part


def _send(x: Nodes, y: Nodes, parts: int) -> Iterator[tuple[int, Piece]]:
    """Rows ``(x, y)`` to the partition of ``x``, in pieces of at most ``CHUNK`` rows."""
    where = x % parts
    for q in range(parts):
        taken = np.flatnonzero(where == q)
        for lo in range(0, len(taken), CHUNK):
            rows = taken[lo : lo + CHUNK]
            yield q, (x[rows], y[rows])


def _both_ends(x: Nodes, y: Nodes, parts: int) -> Iterator[tuple[int, Piece]]:
    """Undirected edges to the partitions of both their ends."""
    yield from _send(np.concatenate([x, y]), np.concatenate([y, x]), parts)


def _gathered(part: Iterable[tuple[int, Piece]]) -> tuple[Nodes, Nodes, Nodes]:
    """A partition's rows, repeats dropped, sorted by ``x`` (then ``y``), and where each ``x``'s rows start."""
    pieces = [piece for _, piece in part]
    if not pieces:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    x = np.concatenate([p[0] for p in pieces])
    y = np.concatenate([p[1] for p in pieces])
    order = np.lexsort((y, x))
    x, y = x[order], y[order]
    new = np.ones(len(x), bool)
    new[1:] = (x[1:] != x[:-1]) | (y[1:] != y[:-1])
    x, y = x[new], y[new]
    starts = np.flatnonzero(np.concatenate([[True], x[1:] != x[:-1]])) if len(x) else np.zeros(0, np.int64)
    return x, y, starts


def _per_row(values: Nodes, starts: Nodes, n: int) -> Nodes:
    """A value per group of rows (``starts``), repeated for each of its rows."""
    return np.repeat(values, np.diff(np.append(starts, n)))


def _first_edges(part: Iterable[Edge], parts: int) -> Iterator[tuple[int, Piece]]:
    edges = np.array(list(part), dtype=np.int64).reshape(-1, 2)
    edges = edges[edges[:, 0] != edges[:, 1]]
    yield from _both_ends(edges.max(axis=1), edges.min(axis=1), parts)


def _large_star(part: Iterable[tuple[int, Piece]], parts: int) -> Iterator[tuple[int, Piece]]:
    """Point each larger neighbour of ``u`` at the smallest node of ``u``'s neighbourhood (``u`` too),
    as rows ``(neighbour, smallest)`` at the neighbour's partition."""
    x, y, starts = _gathered(part)
    if not len(x):
        return
    least = np.minimum(np.minimum.reduceat(y, starts), x[starts])
    larger = y > x
    yield from _send(y[larger], _per_row(least, starts, len(x))[larger], parts)


def _small_star(part: Iterable[tuple[int, Piece]], parts: int) -> Iterator[tuple[int, Piece]]:
    """Point ``u`` and its (smaller) neighbours at the smallest of them: the next round's edges, at both ends."""
    x, y, starts = _gathered(part)
    if not len(x):
        return
    least = np.minimum.reduceat(y, starts)  # every row has y < x
    m = _per_row(least, starts, len(x))
    moved = y != m
    children = np.concatenate([y[moved], x[starts]])
    roots = np.concatenate([m[moved], least])
    yield from _both_ends(children, roots, parts)


def _tangled(part: Iterable[tuple[int, Piece]]) -> Iterator[int]:
    """How many nodes of a partition are both a child and a parent, or a child of two parents (0
    everywhere: a star forest, each star around its smallest node, as every edge goes to the smaller)."""
    x, y, starts = _gathered(part)
    if not len(x):
        return
    parents = np.add.reduceat((y < x).astype(np.int64), starts)
    parent = np.logical_or.reduceat(y > x, starts)
    yield int(np.count_nonzero((parents > 1) | ((parents > 0) & parent)))


def _labels(part: Iterable[tuple[int, Piece]]) -> Iterator[Edge]:
    x, y, _ = _gathered(part)
    child = y < x
    yield from zip(x[child].tolist(), y[child].tolist(), strict=True)


def components(edges: Any, partitions: int, max_rounds: int = 64) -> Any:
    """RDD of ``(node, smallest node of its component)`` for every node on an edge but each
    component's smallest node (its own label, left out: a node without a label labels itself).

    ``edges`` is an RDD of ``(a, b)`` node pairs (ints; duplicates and either direction are fine).
    """
    def exchange(rdd: Any) -> Any:
        return rdd.partitionBy(partitions, by_number)

    current = exchange(edges.mapPartitions(lambda part: _first_edges(part, partitions)))
    for rounds in range(max_rounds + 1):
        current.localCheckpoint()  # each round's lineage stays one round long
        if not sum(current.mapPartitions(_tangled).collect()):
            LOGGER.info("components converged after %d rounds", rounds)
            return current.mapPartitions(_labels)
        large = exchange(current.mapPartitions(lambda part: _large_star(part, partitions)))
        current = exchange(large.mapPartitions(lambda part: _small_star(part, partitions)))
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
