"""The Spark job behind ``storydiff spark-stories``: ``group.block``'s steps as RDD stages.

1. read and check records (``read``); a bad record becomes a reject with its reason;
2. features, title and embedding per article, in ``mapPartitions`` (the
   model loads once per Python worker); a repeated id keeps its first record;
3. key counts (``reduceByKey``), joined onto each article's keys;
4. key vectors and buckets; each bucket links its members (``Linker``);
5. connected components of the links (``components``), on the executors;
6. each block clustered on its own (``cluster_block``), blocks of one article directly;
7. stories numbered by earliest article, written by ``output``.

Every decision is made by the functions ``group_from_scratch`` calls, on
the same values, so the stories equal those of ``storydiff stories --rebuild``.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..group.block import (
    BlockMember,
    KeyVector,
    Linker,
    Order,
    arrival_order,
    block_keys,
    buckets,
    cluster_block,
    embed_leads,
)
from ..group.embed import embed, load_model
from ..group.features import Features, features
from ..group.index import GroupParams, article_title, key_vector
from ..models import Article, Skipped, Story
from ..settings import Settings
from .components import components
from .output import write_output
from .read import read_records

LOGGER = logging.getLogger(__name__)

EMBED_BATCH = 1024


@dataclass(frozen=True, slots=True)
class Prepared:
    """What clustering needs of one article (its text is dropped after step 2)."""

    features: Features
    title: str | None
    embedding: Any  # float32 vector, or None when embeddings are off


@dataclass(slots=True)
class SparkReport:
    """What a run did: counts, the rejects file, and the size of the largest block."""

    articles: int = 0
    stories: int = 0
    rejected: int = 0
    blocks: int = 0
    largest_block: int = 0
    seconds: float = 0.0
    output: str = ""
    rejects: list[Skipped] = field(default_factory=list)  # the first few, for the CLI to show

    @property
    def exit_code(self) -> int:
        """SPEC §2: 0 all records grouped, 2 some skipped, 1 nothing could be read."""
        if not self.rejected:
            return 0
        return 2 if self.articles else 1

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "stories": self.stories, "rejected": self.rejected,
                "blocks": self.blocks, "largest_block": self.largest_block, "seconds": round(self.seconds, 1)}


def _prepare(part: Iterable[tuple[int, Article | Skipped]], params: GroupParams, model: str | None) -> Iterator[Any]:
    """Step 2 for one partition: ('a', id, (record no., text hash, origin, Prepared)) or ('r', no., origin, reason)."""
    batch: list[tuple[int, Article]] = []

    def flush() -> Iterator[Any]:
        feats = [features(a, params.shingle_size, params.lead_chars, params.num_perm, params.headline_words)
                 for _, a in batch]
        embs = embed_leads(lambda texts: embed(load_model(model), texts), [f.lead for f in feats]) \
            if model is not None and feats else None
        for j, (no, a) in enumerate(batch):
            f = replace(feats[j], lead="")  # the embedding is made; the lead is not needed further
            yield ("a", a.id, (no, a.content_hash, a.origin, Prepared(f, article_title(a),
                                                                       embs[j] if embs is not None else None)))
        batch.clear()

    for no, item in part:
        if isinstance(item, Skipped):
            yield ("r", no, item.origin, item.reason)
            continue
        batch.append((no, item))
        if len(batch) >= EMBED_BATCH:
            yield from flush()
    yield from flush()


def _duplicates(item: tuple[str, Iterable[tuple[int, str, str]]]) -> Iterator[tuple[int, str, str]]:
    """A repeated id keeps its first record, as the store does; a different text under it is a reject."""
    _, copies = item
    first, *rest = sorted(copies)
    for no, digest, origin in rest:
        if digest != first[1]:
            yield (no, origin, f"id already used by {first[2]} for a different text; that one is kept")


def _vectorise(item: tuple[int, tuple[Prepared, Iterable[tuple[str, int]] | None]], n_docs: int,
               params: GroupParams) -> tuple[int, tuple[Prepared, KeyVector, dict[str, int], list[str]]]:
    """Step 4 for one article: its key vector, the counts of its vector keys, its blocking keys."""
    node, (prep, counts) = item
    df = dict(counts or ())
    vec = key_vector(prep.features.keys, df, n_docs, params.max_keys)
    # The vector carries the keys from here on; the rest is persisted and shuffled lighter without them.
    prep = replace(prep, features=replace(prep.features, keys=Counter()))
    return node, (prep, vec, {k: df[k] for k in vec}, block_keys(vec, df, params))


def _bucket_shares(item: tuple[int, tuple[Prepared, KeyVector, dict[str, int], list[str]]], params: GroupParams,
                   parts: int) -> Iterator[tuple[int, tuple[BlockMember, list[str]]]]:
    """Step 4: an article goes once to each partition that holds one of its buckets, with their names.

    Sending it once per bucket instead would copy its key vector some 30 times.
    """
    node, (prep, vec, _, keys) = item
    f = prep.features
    member = (arrival_order(f.id, f.published), node, vec, frozenset(keys))
    shares: dict[int, list[str]] = {}
    for name in buckets(f, keys, params):
        shares.setdefault(zlib.crc32(name.encode("utf-8")) % parts, []).append(name)
    for part, names in shares.items():
        yield part, (member, names)


def _identity(part: int) -> int:
    return part


def _link(part: Iterable[tuple[int, tuple[BlockMember, list[str]]]], params: GroupParams) -> Iterator[tuple[int, int]]:
    """Step 4's links for the buckets of one partition (one Linker: see its docstring)."""
    members: dict[str, list[BlockMember]] = {}
    for _, (member, names) in part:
        for name in names:
            members.setdefault(name, []).append(member)
    linker = Linker()
    for name, group in members.items():
        if len(group) > 1:
            yield from linker.link(name, group, params)


def _cluster(item: tuple[int, Iterable[tuple[Prepared, KeyVector, dict[str, int], list[str]]]], n_docs: int,
             params: GroupParams) -> Iterator[tuple[Order, dict[str, Any]]]:
    """Step 6 for one block: its stories, each keyed by its earliest article."""
    _, rows = item
    members = list(rows)
    feats = [m[0].features for m in members]
    embs = np.stack([m[0].embedding for m in members]) if members[0][0].embedding is not None else None
    df = {k: count for m in members for k, count in m[2].items()}  # corpus-wide counts, not summed here
    orders = {f.id: arrival_order(f.id, f.published) for f in feats}
    for story in cluster_block(feats, [m[0].title for m in members], [m[1] for m in members], embs, df, n_docs,
                               params):
        first = min(orders[a] for a in story.members)
        yield first, {"articles": list(story.members), "title": story.title, "first_seen": story.first_seen,
                      "last_seen": story.last_seen}


def _alone(prep: Prepared) -> tuple[Order, dict[str, Any]]:
    """A block of one article: a story of one, as ``group_from_scratch`` makes it."""
    f = prep.features
    return arrival_order(f.id, f.published), {"articles": [f.id], "title": prep.title, "first_seen": f.published,
                                              "last_seen": f.published}


def spark_stories(spark: Any, input_path: str, output: Path, settings: Settings | None = None,
                  partitions: int | None = None) -> SparkReport:
    """Group the articles at ``input_path`` (JSONL or Parquet) into stories; write them under ``output``."""
    started = time.perf_counter()
    settings = settings or Settings()
    params = GroupParams.from_settings(settings)
    embeds = params.embedding_weight > 0 or params.paraphrase_threshold < 1
    model = str(settings["group_embedding_model"]) if embeds else None
    sc = spark.sparkContext
    parts = partitions or max(2, sc.defaultParallelism * 2)

    # 1-2. records -> prepared articles and rejects. A record's number is
    # unique, so it names the article's node; every later join on nodes uses
    # one partitioning, so the articles themselves move only twice (here, and
    # to their blocks) while the small tables come to them.
    prepared = read_records(spark, input_path, settings, parts).mapPartitions(
        lambda part: _prepare(part, params, model)).persist(_storage())
    rejects = prepared.filter(lambda r: r[0] == "r").map(lambda r: (r[1], r[2], r[3]))
    arts = prepared.filter(lambda r: r[0] == "a").map(lambda r: (r[2][0], r[2][3]))
    copies = prepared.filter(lambda r: r[0] == "a").map(lambda r: (r[1], r[2][:3])).groupByKey(parts)
    rejects = rejects.union(copies.flatMap(_duplicates))
    firsts = copies.map(lambda kv: (min(kv[1])[0], None)).partitionBy(parts)
    nodes = arts.partitionBy(parts).join(firsts, parts).mapValues(lambda v: v[0]).persist(_storage())
    n_docs = nodes.count()
    LOGGER.info("read and featured %d articles: %.1f s", n_docs, time.perf_counter() - started)

    # 3. key counts, and each article's keys with their counts
    holders = nodes.flatMap(lambda r: ((k, r[0]) for k in r[1].features.keys))
    df = holders.map(lambda kv: (kv[0], 1)).reduceByKey(lambda x, y: x + y, parts)
    counts = holders.join(df, parts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey(parts)

    # 4. vectors, buckets, links. A left join: an article with no event key at all still lands in a story.
    vectors = nodes.leftOuterJoin(counts, parts).map(lambda item: _vectorise(item, n_docs, params),
                                                     preservesPartitioning=True).persist(_storage())
    links = vectors.flatMap(lambda item: _bucket_shares(item, params, parts)).partitionBy(
        parts, _identity).mapPartitions(lambda part: _link(part, params))

    # 5. blocks (labels: each linked node but a block's smallest -> that smallest node)
    labels = components(links, parts).persist(_storage())
    roots = labels.map(lambda r: (r[1], 1)).reduceByKey(lambda x, y: x + y, parts).persist(_storage())
    report = SparkReport(articles=n_docs)
    LOGGER.info("key counts, links and blocks: %.1f s", time.perf_counter() - started)
    # One job: how many roots, how many children they have (each child counts once), the most.
    n_roots, n_children, most = roots.values().aggregate(
        (0, 0, 0), lambda acc, c: (acc[0] + 1, acc[1] + c, max(acc[2], c)),
        lambda a, b: (a[0] + b[0], a[1] + b[1], max(a[2], b[2])))
    if n_roots:
        report.largest_block = most + 1
        report.blocks = n_docs - n_children  # each block has one root; the rest are children
    else:
        report.largest_block, report.blocks = min(1, n_docs), n_docs

    # 6. stories per block; articles no link reaches are stories of one
    blocks = labels.union(roots.map(lambda r: (r[0], r[0]))).partitionBy(parts)
    placed = vectors.leftOuterJoin(blocks, parts)
    alone = placed.filter(lambda r: r[1][1] is None).map(lambda r: _alone(r[1][0][0]))
    blocked = placed.filter(lambda r: r[1][1] is not None).map(lambda r: (r[1][1], r[1][0])).groupByKey(parts)
    clustered = blocked.flatMap(lambda item: _cluster(item, n_docs, params))

    # 7. ids by earliest article
    # Kept: sortByKey samples its input and zipWithIndex counts it, and each
    # would otherwise cluster every block again.
    keyed = clustered.union(alone).persist(_storage())
    ordered = keyed.sortByKey(numPartitions=parts).values().zipWithIndex()
    stories = ordered.map(lambda r: Story(f"S{r[1] + 1}", tuple(r[0]["articles"]), r[0]["title"],
                                          r[0]["first_seen"], r[0]["last_seen"]))
    report.seconds = time.perf_counter() - started  # summary.json: the time before writing
    write_output(spark, stories, rejects, output, report)
    report.seconds = time.perf_counter() - started
    for rdd in (prepared, nodes, vectors, labels, roots, keyed):
        rdd.unpersist()
    LOGGER.info("spark-stories: %s", report.as_dict())
    return report


def _storage() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK
