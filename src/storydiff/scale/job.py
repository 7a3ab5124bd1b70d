"""The Spark job behind ``storydiff spark-stories``: ``group.block``'s steps as RDD stages.

1. read and check records (``read``); a bad record becomes a reject with its reason;
2. features, title and embedding per article, in ``mapPartitions`` (the
   model loads once per Python worker), sent to the article's *home*
   partition (by id), where a repeated id keeps its first record;
3. key counts: each home counts its keys and asks each key's partition for
   the corpus-wide counts of the keys it holds;
4. key vectors and buckets at home; each bucket's partition links its members (``Linker``);
5. connected components of the links (``components``), on the executors;
6. each block clustered on its own (``cluster_block``), blocks of one article directly;
7. stories numbered by earliest article, written by ``output``.

Articles travel as ``Frame``s (columns of a few thousand articles), not one
object each. Every decision is made by the functions ``group_from_scratch``
calls, on the same values, so the stories equal those of ``storydiff stories --rebuild``.
"""

from __future__ import annotations

import logging
import shutil
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InputError, writing
from ..group.block import (
    BlockMember,
    KeyVector,
    Linker,
    Order,
    band_bucket,
    block_keys,
    cluster_block,
    embed_leads,
    equal_rows,
    key_bucket,
)
from ..group.collection import young_collections_only
from ..group.embed import embed, load_model
from ..group.features import features_of
from ..group.index import GroupParams, article_title, key_vectors, lsh_bands
from ..group.pairs import headline_names
from ..models import Article, Skipped, Story
from ..settings import Settings
from .components import by_number, components
from .frames import Frame
from .output import partial_dir, write_output
from .read import read_records, unreadable

LOGGER = logging.getLogger(__name__)

EMBED_BATCH = 1024
# Articles per frame sent on: the JVM holds each RDD element as one byte array,
# and one frame per partition ran its heap out at 100k articles.
FRAME_ROWS = 4096
Reject = tuple[int, str, str]  # record number, origin, reason


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


def _young(items: Iterator[Any]) -> Iterator[Any]:
    """A partition's work with full collections off (``young_collections_only``, as a local run
    groups): a home at 1M articles holds millions of objects that live to the task's end,
    and each full collection walks them all."""
    with young_collections_only():
        yield from items


def _part(name: str, parts: int) -> int:
    return zlib.crc32(name.encode("utf-8")) % parts


def _prepare(part: Iterable[tuple[int, Article | Skipped]], params: GroupParams, model: str | None,
             parts: int) -> Iterator[tuple[int, Any]]:
    """Step 2 for one input partition: ``(home, ("a", frame, digests, origins))`` per home and
    batch, and ``(0, ("r", rejects))``."""
    batch: list[tuple[int, Article]] = []
    rejects: list[Reject] = []

    def flush() -> Iterator[tuple[int, Any]]:
        feats = features_of([a for _, a in batch], params.shingle_size, params.lead_chars, params.num_perm,
                            params.headline_words)
        embs = embed_leads(lambda texts: embed(load_model(model), texts), [f.lead for f in feats]) \
            if model is not None and feats else None
        homes: dict[int, list[int]] = defaultdict(list)
        for j, (_, a) in enumerate(batch):
            homes[_part(a.id, parts)].append(j)
        for home, rows in homes.items():
            frame = Frame.of([batch[j][0] for j in rows], [feats[j] for j in rows],
                             [article_title(batch[j][1]) for j in rows], embs[rows] if embs is not None else None)
            yield home, ("a", frame, [batch[j][1].content_hash for j in rows], [batch[j][1].origin for j in rows])
        batch.clear()

    for no, item in part:
        if isinstance(item, Skipped):
            rejects.append((no, item.origin, item.reason))
            continue
        batch.append((no, item))
        if len(batch) >= EMBED_BATCH:
            yield from flush()
    yield from flush()
    if rejects:
        yield 0, ("r", rejects)


def _home(home: int, part: Iterable[tuple[int, Any]], params: GroupParams, parts: int) -> Iterator[tuple[Any, ...]]:
    """Steps 2-3 at one home: the first record of each id (later ones with another text are
    rejects); ``("f", home, packed frame)``, ``("r", rejects)`` and, for each key partition,
    ``("c", key partition, home, keys, how many of this home's articles hold each, articles here,
    band rows)``."""
    frames: list[Frame] = []
    digests: list[str] = []
    origins: list[str] = []
    rejects: list[Reject] = []
    for _, item in part:
        if item[0] == "r":
            rejects += item[1]
        else:
            frames.append(item[1])
            digests += item[2]
            origins += item[3]
    frame = Frame.concat(frames)
    if frame is not None:
        first: dict[str, int] = {}
        for i in np.argsort(frame.nodes, kind="stable").tolist():  # record order: the store keeps the first
            j = first.setdefault(frame.id(i), i)
            if j != i and digests[i] != digests[j]:
                rejects.append((int(frame.nodes[i]), origins[i],
                                f"id already used by {origins[j]} for a different text; that one is kept"))
        frame = frame.take(sorted(first.values()))
        # Node numbers only name articles (arrival order breaks every tie); these say where home is.
        frame.nodes = np.arange(len(frame), dtype=np.int64) * parts + home
        for lo in range(0, len(frame), FRAME_ROWS):
            yield ("f", home, frame.take(range(lo, min(lo + FRAME_ROWS, len(frame)))).packed())
    if rejects:
        yield ("r", rejects)
    held = Counter(frame.keys if frame is not None else ())  # an article lists each of its keys once
    by_part: list[list[str]] = [[] for _ in range(parts)]
    for key in held:
        by_part[_part(key, parts)].append(key)
    bands = _band_rows(frame, params, parts)
    for q, keys in enumerate(by_part):
        yield ("c", q, home, keys, np.fromiter((held[k] for k in keys), np.int64, len(keys)),
               len(frame) if frame is not None else 0, bands[q])


# An article's LSH bands as rows: (nodes, band numbers, band values), one row per article and band.
BandRows = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint32]]
# A 64-bit multiplier per band value (odd, fixed): which partition a band's bucket is on.
_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
                     dtype=np.uint64)


def _band_rows(frame: Frame | None, params: GroupParams, parts: int) -> list[BandRows]:
    """Step 3's band rows of a home's articles, by the partition of their bucket.

    Nearly every band bucket holds one article (100k generated articles:
    26k of 1.27M buckets hold more), and a bucket of one links nothing. So
    bands are sent as rows of numbers, found shared where they meet
    (``_shared_bands``), and only the shared ones become bucket names that
    travel with an article's key vector: the buckets a local run links (``band_groups``),
    less those of one article.
    """
    bands, rows = lsh_bands(params.near_duplicate, params.num_perm)
    if frame is None:
        return [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, rows), np.uint32))] * parts
    shingled = np.flatnonzero(frame.shingled())
    values = frame.minhash[shingled, : bands * rows].reshape(len(shingled) * bands, rows)
    nodes = np.repeat(frame.nodes[shingled], bands)
    numbers = np.tile(np.arange(bands, dtype=np.int64), len(shingled))
    with np.errstate(over="ignore"):
        mixed = (values.astype(np.uint64) * _BAND_MIX[np.arange(rows) % len(_BAND_MIX)]).sum(axis=1, dtype=np.uint64)
        mixed += numbers.astype(np.uint64) * np.uint64(0xFF51AFD7ED558CCD)
    where = ((mixed >> np.uint64(33)) % np.uint64(parts)).astype(np.int64)
    out = []
    for q in range(parts):
        taken = np.flatnonzero(where == q)
        out.append((nodes[taken], numbers[taken], values[taken]))
    return out


def _shared_bands(asked: list[BandRows], parts: int) -> dict[int, list[tuple[int, str]]]:
    """The band buckets of one partition that hold two articles or more: ``(node, bucket name)`` of
    each member, by the member's home."""
    nodes = np.concatenate([a[0] for a in asked])
    if not len(nodes):
        return {}
    numbers = np.concatenate([a[1] for a in asked])
    values = np.concatenate([a[2] for a in asked])
    homes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for members in equal_rows(np.column_stack([numbers, values.astype(np.int64)])):  # as ``band_groups``
        first = int(members[0])
        name = band_bucket(int(numbers[first]), values[first])
        for node in nodes[members].tolist():
            homes[node % parts].append((node, name))
    return homes


def _key_counts(part: Iterable[tuple[int, tuple[Any, ...]]], parts: int) -> Iterator[tuple[int, Any]]:
    """Step 3 for one key partition: to each home, the corpus-wide counts of the keys it asked for,
    the corpus size (every home reports to every key partition), and its articles' shared band
    buckets (``_shared_bands``)."""
    asked = [item for _, item in part]
    total: Counter[str] = Counter()
    for _, keys, counts, _, _ in asked:
        total.update(dict(zip(keys, counts.tolist(), strict=True)))
    n_docs = sum(item[3] for item in asked)
    shared = _shared_bands([item[4] for item in asked], parts)
    for home, keys, _, _, _ in asked:
        yield home, ("d", keys, np.fromiter((total[k] for k in keys), np.int64, len(keys)), n_docs,
                     shared.get(home, []))


# What linking needs of an article: its ``BlockMember`` (arrival order, node, key vector,
# blocking keys, headline's names) and the names of its buckets in one partition. The
# vector goes as the dict and the keys as a frozenset: unpickling builds those in C,
# where building them from tuples in the link partition cost a fifth of linking.
Share = tuple[Order, int, KeyVector, frozenset[str], frozenset[str] | None, list[str]]


def _vectorise(home: int, part: Iterable[tuple[int, Any]], params: GroupParams,
               parts: int) -> Iterator[tuple[Any, ...]]:
    """Step 4 at one home: ``("v", home, packed frame, corpus size)`` with key vectors, and
    ``("s", bucket partition, [Share])``: an article goes once to each partition that holds
    one of its buckets (once per bucket would copy its key vector some 30 times)."""
    frames: list[Frame] = []
    df: dict[str, int] = {}
    bands: dict[int, list[str]] = defaultdict(list)
    n_docs = 0
    for _, item in part:
        if item[0] == "f":
            frames.append(Frame.unpacked(item[1]))
        else:
            df.update(zip(item[1], item[2].tolist(), strict=True))
            n_docs = item[3]
            for node, name in item[4]:
                bands[node].append(name)
    for frame in frames:
        keys: list[str] = []
        weights: list[float] = []
        sizes: list[int] = []
        shares: dict[int, list[Share]] = defaultdict(list)
        vecs = key_vectors((dict(frame.key_items(i)) for i in range(len(frame))), df, n_docs, params.max_keys)
        for i, vec in enumerate(vecs):
            keys += vec
            weights += vec.values()
            sizes.append(len(vec))
            rare = block_keys(vec, df, params)
            node = int(frame.nodes[i])
            names: dict[int, list[str]] = defaultdict(list)
            # Its key buckets, and its band buckets but those of this article alone (``_band_rows``).
            for name in [*map(key_bucket, rare), *bands.get(node, ())]:
                names[_part(name, parts)].append(name)
            member = (frame.order(i), node, vec, frozenset(rare), headline_names(frame.feature(i)))
            for q, named in names.items():
                shares[q].append((*member, named))
        counts = np.fromiter((df[k] for k in keys), np.int64, len(keys))
        vectors = Frame(frame.nodes, frame.rest, frame.titles, frame.minhash, frame.embs, keys,
                        np.asarray(weights, dtype=np.float64), np.zeros(len(sizes) + 1, np.int64), counts)
        np.cumsum(sizes, out=vectors.bounds[1:])
        yield ("v", home, vectors.packed(), n_docs)
        for q, members in shares.items():
            yield ("s", q, members)


def _link(part: Iterable[tuple[int, list[Share]]], params: GroupParams) -> Iterator[tuple[int, int]]:
    """Step 4's links for the buckets of one partition (one Linker: see its docstring), as
    ``(node, root)`` of the Linker's sets: the same components, in fewer and shorter edges."""
    members: dict[str, list[BlockMember]] = defaultdict(list)
    for _, shared in part:
        for share in shared:
            member = share[:5]
            for name in share[5]:
                members[name].append(member)
    linker = Linker()
    for name, group in members.items():
        if len(group) > 1:
            linker.link(name, group, params)
    for node in list(linker.parent):
        root = linker.find(node)
        if root != node:
            yield node, root


def _place(part: Iterable[tuple[int, Any]], parts: int,
           blocks: int) -> Iterator[tuple[int, tuple[Frame, list[int], int]]]:
    """Step 6's routing at one home: each article to its block's partition (of ``blocks``) with
    its block (an article no link reaches is a block of its own)."""
    frames: list[Frame] = []
    label: dict[int, int] = {}
    n_docs = 0
    for _, item in part:
        if item[0] == "v":
            frames.append(Frame.unpacked(item[1]))
            n_docs = item[2]
        else:
            label[item[1]] = item[2]
    for frame in frames:
        roots = [label.get(node, node) for node in frame.nodes.tolist()]
        rows: dict[int, list[int]] = defaultdict(list)
        for i, root in enumerate(roots):
            rows[(root // parts) % blocks].append(i)  # a root's node // parts counts its home's articles
        for q, taken in rows.items():
            yield q, (frame.take(taken), [roots[i] for i in taken], n_docs)


def _cluster(part: Iterable[tuple[int, tuple[Frame, list[int], int]]], params: GroupParams) -> Iterator[Any]:
    """Step 6 for the blocks of one partition: ``("s", earliest article, story)`` each, and
    ``("m", articles, blocks, largest block)`` once."""
    frames: list[Frame] = []
    roots: list[int] = []
    n_docs = 0
    for _, (got, block_roots, n) in part:
        frames.append(got)
        roots += block_roots
        n_docs = n
    frame = Frame.concat(frames)
    if frame is None:
        yield ("m", 0, 0, 0)
        return
    blocks: dict[int, list[int]] = defaultdict(list)
    for i, root in enumerate(roots):
        blocks[root].append(i)
    assert frame.counts is not None
    for block in blocks.values():
        if len(block) == 1:
            # A block of one article: a story of one, as ``group_from_scratch`` makes it.
            i = block[0]
            yield ("s", frame.order(i), {"articles": [frame.id(i)], "title": frame.titles[i],
                                         "first_seen": frame.published(i), "last_seen": frame.published(i)})
            continue
        orders = {frame.id(i): frame.order(i) for i in block}
        vecs: list[dict[str, float]] = []
        df: dict[str, int] = {}  # corpus-wide counts, not summed here
        for i in block:
            lo, hi = int(frame.bounds[i]), int(frame.bounds[i + 1])
            vecs.append(dict(zip(frame.keys[lo:hi], frame.values[lo:hi].tolist(), strict=True)))
            df.update(zip(frame.keys[lo:hi], frame.counts[lo:hi].tolist(), strict=True))
        embs = frame.embs[block] if frame.embs is not None else None
        for story in cluster_block([frame.feature(i) for i in block], [frame.titles[i] for i in block], vecs, embs,
                                   df, n_docs, params):
            yield ("s", min(orders[a] for a in story.members),
                   {"articles": list(story.members), "title": story.title, "first_seen": story.first_seen,
                    "last_seen": story.last_seen})
    yield ("m", len(frame), len(blocks), max(len(b) for b in blocks.values()))


def spark_stories(spark: Any, input_path: str, output: Path, settings: Settings | None = None,
                  partitions: int | None = None) -> SparkReport:
    """Group the articles at ``input_path`` (JSONL or Parquet) into stories; write them under ``output``.

    An input that cannot be read is an ``InputError`` naming it. A run that fails or is interrupted
    removes its hidden partial folder; DIR is left as it was.
    """
    try:
        return _grouped(spark, input_path, output, settings, partitions)
    except BaseException as e:
        shutil.rmtree(partial_dir(output.resolve()), ignore_errors=True)
        if _java_cause(e, "org.apache.hadoop.mapred.InvalidInputException") is not None:
            # A remote path that is not there: Hadoop finds out when the first job lists it.
            raise InputError(input_path, unreadable(e)) from None
        raise


def _grouped(spark: Any, input_path: str, output: Path, settings: Settings | None,
             partitions: int | None) -> SparkReport:
    started = time.perf_counter()
    settings = settings or Settings()
    params = GroupParams.from_settings(settings)
    embeds = params.embedding_weight > 0 or params.paraphrase_threshold < 1
    model = str(settings["group_embedding_model"]) if embeds else None
    sc = spark.sparkContext
    # One partition per core: an article's key vector goes to each link partition holding one of
    # its buckets, so more partitions than cores is more work, not more cores at work.
    parts = partitions or max(2, sc.defaultParallelism)
    with writing(output):
        partial_dir(output.resolve()).mkdir(parents=True, exist_ok=True)  # the run has begun (see ``output``)

    # 1-3. records -> features at each article's home -> key counts. Every
    # exchange keys its items by partition number (``by_number``), so an item
    # lands where its key says.
    # Reading splits finer than the rest: featuring is most of the work, and a last
    # wave with fewer tasks than cores leaves cores idle.
    prepared = read_records(spark, input_path, settings, parts * 4).mapPartitions(
        lambda part: _young(_prepare(part, params, model, parts)))
    homes = prepared.partitionBy(parts, by_number).mapPartitionsWithIndex(
        lambda home, part: _young(_home(home, part, params, parts)), preservesPartitioning=True).persist(_storage())
    replies = homes.filter(lambda r: r[0] == "c").map(lambda r: (r[1], r[2:])).partitionBy(
        parts, by_number).mapPartitions(lambda part: _young(_key_counts(part, parts)))

    # 4. vectors and buckets at home, links per bucket partition
    vectors = _at_home(homes, "f", replies, parts).mapPartitionsWithIndex(
        lambda home, part: _young(_vectorise(home, part, params, parts)),
        preservesPartitioning=True).persist(_storage())
    links = vectors.filter(lambda r: r[0] == "s").map(lambda r: (r[1], r[2])).partitionBy(
        parts, by_number).mapPartitions(lambda part: _young(_link(part, params)))

    # 5. blocks (labels: each linked node but a block's smallest -> that smallest node)
    labels = components(links, parts)
    LOGGER.info("read, featured, vectors, links and blocks: %.1f s", time.perf_counter() - started)

    # 6. articles to their blocks' partitions, stories per block
    placed = _at_home(vectors, "v", labels.map(lambda r: (r[0] % parts, ("l", r[0], r[1]))), parts).mapPartitions(
        lambda part: _young(_place(part, parts, parts * 4)))
    # More block partitions than elsewhere: the one with the largest block then holds little else
    # (100k articles on two cores in four: that task ran alone for 31 s of the stage's 49).
    clustered = placed.partitionBy(parts * 4, by_number).mapPartitions(
        lambda part: _young(_cluster(part, params))).persist(_storage())
    report = SparkReport()
    report.articles, report.blocks, report.largest_block = clustered.filter(lambda r: r[0] == "m").map(
        lambda r: r[1:]).fold((0, 0, 0), lambda a, b: (a[0] + b[0], a[1] + b[1], max(a[2], b[2])))
    LOGGER.info("clustered: %.1f s", time.perf_counter() - started)

    # 7. ids by earliest article
    ordered = clustered.filter(lambda r: r[0] == "s").map(lambda r: (r[1], r[2])).sortByKey(
        numPartitions=parts).values().zipWithIndex()
    stories = ordered.map(lambda r: Story(f"S{r[1] + 1}", tuple(r[0]["articles"]), r[0]["title"],
                                          r[0]["first_seen"], r[0]["last_seen"]))
    rejects = homes.filter(lambda r: r[0] == "r").flatMap(lambda r: r[1])
    report.seconds = time.perf_counter() - started  # summary.json: the time before writing
    with writing(output):
        try:
            write_output(spark, stories, rejects, output, report)
        except Exception as e:  # Spark's Parquet writer fails in the JVM: its IOException is an OSError's kin
            if (cause := _java_cause(e, "java.io.IOException")) is None:
                raise
            raise OSError(str(cause.getMessage())) from None
    report.seconds = time.perf_counter() - started
    for rdd in (homes, vectors, clustered):
        rdd.unpersist()
    LOGGER.info("spark-stories: %s", report.as_dict())
    return report


def _java_cause(e: BaseException, name: str) -> Any | None:
    """The Java exception behind ``e`` (it or one of its causes) of class ``name`` or a subclass
    (a full disk's ``java.io.IOException``), or None (``e`` is no Java error, or not that one)."""
    java = getattr(e, "java_exception", None)
    while java is not None:
        cls = java.getClass()
        while cls is not None:
            if str(cls.getName()) == name:
                return java
            cls = cls.getSuperclass()
        java = java.getCause()
    return None


def _at_home(rdd: Any, tag: str, others: Any, parts: int) -> Any:
    """The items tagged ``tag`` of an RDD made at home (``(tag, home, ...)`` in partition ``home``),
    as ``(home, (tag, ...))``, with ``others`` (``(home, item)`` pairs) sent to their homes.

    Only ``others`` are shuffled. Both sides partitioned by home (``by_number``),
    Spark's union puts partition ``p`` of each together (a ``PartitionerAwareUnionRDD``):
    the article frames, most of the bytes, stay in the partition they are in.
    """
    from pyspark.rdd import Partitioner

    kept = rdd.mapPartitions(lambda part: ((r[1], (r[0], *r[2:])) for r in part if r[0] == tag),
                             preservesPartitioning=True)
    joined = kept.union(others.partitionBy(parts, by_number))
    # Checked, not assumed: a union that lost the partitioning has each side's partitions apart.
    if joined.partitioner != Partitioner(parts, by_number) or joined.getNumPartitions() != parts:
        raise RuntimeError("spark-stories: the articles' home partitioning was lost in a union")
    return joined


def _storage() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK
