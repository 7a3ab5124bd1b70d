"""Connected components of a graph held as an RDD of edges, never collected to the driver.

Alternating Large-Star and Small-Star (Kiveris et al., "Connected Components
in MapReduce and Beyond", SoCC 2014): each round points every node at a
smaller neighbour, so a component collapses to a star around its smallest
node in O(log n) rounds. Done when no node is both a parent and a child.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

LOGGER = logging.getLogger(__name__)

Edge = tuple[int, int]


def _large_star(item: tuple[int, Iterable[int]]) -> Iterator[Edge]:
    """Point each larger neighbour of ``u`` at the smallest node of ``u``'s neighbourhood."""
    u, neighbours = item
    nbrs = set(neighbours)
    m = min(nbrs | {u})
    for v in nbrs:
        if v > u:
            yield (v, m)


def _small_star(item: tuple[int, Iterable[int]]) -> Iterator[Edge]:
    """Point ``u`` and its smaller neighbours at the smallest of them."""
    u, neighbours = item
    nbrs = set(neighbours)
    m = min(nbrs | {u})
    for v in nbrs | {u}:
        if v != m:
            yield (v, m)


def _distinct(edges: Any, partitions: int) -> Any:
    """``edges.distinct(partitions)``: equal edges meet in one partition (by their first node), and a set
    there drops the repeats. ``distinct`` merges item by item in Python (``reduceByKey``), a seventh
    of a one-core run at 100k articles for the first round's edges alone."""
    return edges.partitionBy(partitions).mapPartitions(lambda part: iter(set(part)))


def components(edges: Any, partitions: int, max_rounds: int = 64) -> Any:
    """RDD of ``(node, smallest node of its component)`` for every node on an edge.

    ``edges`` is an RDD of ``(a, b)`` node pairs (ints; duplicates and either direction are fine).
    """
    current = _distinct(edges.filter(lambda e: e[0] != e[1]).map(lambda e: (max(e), min(e))), partitions)
    current.localCheckpoint()  # each round's lineage stays one round long
    for rounds in range(1, max_rounds + 1):
        both = current.flatMap(lambda e: (e, (e[1], e[0])))
        large = both.groupByKey(partitions).flatMap(_large_star)
        small = _distinct(large.groupByKey(partitions).flatMap(_small_star), partitions)
        small.localCheckpoint()
        # A star forest: every edge goes child -> root, and no root is anyone's child
        # (one shuffle: each node's roles, 1 child and 2 parent, or-ed).
        current = small
        roles = small.flatMap(lambda e: ((e[0], 1), (e[1], 2))).reduceByKey(lambda x, y: x | y, partitions)
        if roles.filter(lambda kv: kv[1] == 3).isEmpty():
            LOGGER.info("components converged after %d rounds", rounds)
            return current
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
