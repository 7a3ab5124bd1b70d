"""Connected components on Spark (`storydiff.scale.components`): seconds for a random forest's edges.

    .venv/bin/python bench/components_speed.py [--nodes 1000000] [--edges 800000] [--master local[1]]
        [--partitions 2] [--seed 7] [--pin]

The graph stands in for the links of a large corpus: a random forest over --nodes nodes (each
edge joins a node to one of the 50 nodes below it, so trees grow deep as well as wide), shuffled,
with a tenth of the edges repeated the other way round. It times `components()` from the RDD of
edges to the collected labels (JVM start apart), on as many partitions as the job uses at one or
two cores, checks every label against scipy's connected components, and prints edges/s and the
rounds taken. --pin holds the run to as many cores as `local[N]` asks for (CPU affinity).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import time

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from storydiff.scale.components import components
from storydiff.scale.session import spark_session


def forest(nodes: int, edges: int, seed: int) -> np.ndarray:
    """``edges`` edges (a, b), each joining a node to one of the 50 below it, repeats included."""
    rng = np.random.default_rng(seed)
    children = rng.choice(np.arange(1, nodes), size=min(edges, nodes - 1), replace=False)
    parents = np.maximum(children - rng.integers(1, 51, size=len(children)), 0)
    pairs = np.stack([children, parents], axis=1)
    flipped = pairs[rng.random(len(pairs)) < 0.1][:, ::-1]  # the same edge, the other way round
    pairs = np.concatenate([pairs, flipped])
    return pairs[rng.permutation(len(pairs))]


def expected(pairs: np.ndarray, nodes: int) -> dict[int, int]:
    """Each node on an edge -> the smallest node of its component (scipy's labels, renamed)."""
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(nodes, nodes))
    _, label = connected_components(graph, directed=False)
    smallest = np.full(label.max() + 1, nodes, dtype=np.int64)
    np.minimum.at(smallest, label, np.arange(nodes))
    on_edges = np.unique(pairs)
    return dict(zip(on_edges.tolist(), smallest[label[on_edges]].tolist(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=800_000)
    parser.add_argument("--master", default="local[1]")
    parser.add_argument("--partitions", type=int, default=2)  # the job: one per core, at least 2
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pin", action="store_true", help="run on as many cores as local[N] names")
    args = parser.parse_args()
    if args.pin:
        wanted = re.fullmatch(r"local\[(\d+)\]", args.master)
        if not wanted:
            parser.error("--pin needs a master local[N]")
        mine = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, mine[: int(wanted.group(1))])  # before the JVM starts: it inherits it

    pairs = forest(args.nodes, args.edges, args.seed)
    truth = expected(pairs, args.nodes)
    rounds: list[str] = []

    class Rounds(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            rounds.append(record.getMessage())

    logging.getLogger("storydiff.scale.components").addHandler(Rounds())
    logging.getLogger("storydiff.scale.components").setLevel(logging.INFO)

    spark = spark_session(args.master, app="components-speed")
    try:
        edges = spark.sparkContext.parallelize(pairs.tolist(), args.partitions).cache()
        edges.count()  # the edges in the JVM before the clock starts
        start = time.perf_counter()
        labels = dict(components(edges, args.partitions).collect())  # all but each component's smallest
        seconds = time.perf_counter() - start
    finally:
        spark.stop()
    same = labels.keys() <= truth.keys() and {node: labels.get(node, node) for node in truth} == truth
    print(f"components, {args.master}{' pinned' if args.pin else ''}: {len(pairs):,} edges over "
          f"{len(truth):,} nodes, {len(set(truth.values())):,} components; {seconds:.1f} s "
          f"({len(pairs) / seconds:,.0f} edges/s); {rounds[-1] if rounds else 'rounds not logged'}; "
          f"labels as scipy's: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
