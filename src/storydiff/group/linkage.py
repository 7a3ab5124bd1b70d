"""Weighted-average (WPGMA) agglomerative clustering of a sparse similarity graph.

Written here rather than taken from scipy: ``scipy.cluster.hierarchy.linkage``
needs the dense n x n distance matrix, while a block's pairs are sparse (most
articles share no key), and a cut at a threshold is all grouping needs. The
result equals scipy's ``linkage(method="weighted")`` cut with ``fcluster`` at
distance ``1 - threshold`` when absent pairs count as similarity 0 (tested).

WPGMA: the two most similar clusters merge while their similarity reaches
``threshold``; the merged cluster's similarity to any other is the plain mean
of its two parts' similarities. The linkage is monotone, so stopping at the
threshold is the same as cutting the full tree there.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt


def weighted_clusters(
    n: int, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64], sim: npt.NDArray[np.float64], threshold: float,
) -> list[int]:
    """A cluster label per node 0..n-1 (the smallest node of its cluster)."""
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    heap: list[tuple[float, int, int]] = []
    for a, b, s in zip(i.tolist(), j.tolist(), sim.tolist(), strict=True):
        if a == b or s <= 0.0:
            continue
        a, b = min(a, b), max(a, b)
        adj[a][b] = adj[b][a] = s
        if s >= threshold:
            heap.append((-s, a, b))
    heapq.heapify(heap)
    alive = [True] * n
    label = list(range(n))
    members: dict[int, list[int]] = {}
    while heap:
        neg, a, b = heapq.heappop(heap)
        # Stale entries: a side merged away, or the pair's similarity changed since it was pushed.
        if not (alive[a] and alive[b]) or adj[a].get(b) != -neg:
            continue
        # b folds into a (a < b): the survivor keeps the smaller node number.
        alive[b] = False
        members.setdefault(a, [a]).extend(members.pop(b, [b]))
        na, nb = adj[a], adj[b]
        for k in set(na) | set(nb):
            if k in (a, b):
                continue
            s = (na.get(k, 0.0) + nb.get(k, 0.0)) / 2
            nk = adj[k]
            nk.pop(b, None)
            na[k] = nk[a] = s
            if s >= threshold:
                heapq.heappush(heap, (-s, min(a, k), max(a, k)))
        del na[b]
        nb.clear()
    for root, group in members.items():
        for node in group:
            label[node] = root
    return label
