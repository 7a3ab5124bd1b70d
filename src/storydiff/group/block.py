"""From-scratch grouping as *block, then cluster*: the rules a local run and Spark share.

Online assignment (``StoryIndex.add``) depends on everything seen before, so
a cluster cannot split it up. Grouping a corpus from scratch is therefore
defined in steps that each depend only on data a cluster can bring together:

1. **features** of each article (``features.features``): alone, per article.
2. **key counts** over the whole corpus (how many articles hold each key).
3. **blocks**: two articles are linked when they share a *bucket* and pass
   ``linked``. A bucket is one of an article's ``block_keys`` rarest keys
   (held by at most ``block_max_df`` articles), or one MinHash LSH band (the
   near-duplicate tier's own banding). A pair passes with an event-key
   cosine of ``block_threshold``, or of ``min_key_score`` when it also
   shares ``block_shared`` rare keys or an LSH band. In a bucket, articles
   come in arrival order and each is compared with the ``block_window``
   before it, so a huge bucket costs a bounded amount (and a large one is
   checked by sparse matrix products, with the same decisions: ``Linker``).
4. **components** of the links: the blocks.
5. **clustering**: each block on its own: its pairs scored by the pair
   model (headlines told alike about different names kept apart:
   ``pairs.named_apart``) and linked by weighted-average linkage (``pairs``, ``linkage``), or,
   in a block larger than ``pair_max_block``, ``StoryIndex.assign`` (all three
   tiers and the refinement); both read the corpus-wide key counts.
6. **ids**: stories numbered by their earliest article in arrival order
   (undated last, then by date, then id).

A block never looks outside itself, so a local run (``group_from_scratch``)
and Spark (``storydiff.scale``) call the same functions of this module and
get the same stories. Step 3 only decides which articles *may* share a
story; a link below a story's bar still leaves them in two stories.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice, pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from ..models import Article
from .collection import young_collections_only
from .features import FeatureChunk, Features, chunk_features
from .index import (
    Embedder,
    GroupParams,
    StoryIndex,
    StoryState,
    Vector,
    article_title,
    key_vectors,
    lsh_bands,
)
from .linkage import weighted_clusters
from .pairs import headline_names, load_pair_model, named_apart, pair_features
from .workers import ordered_map, worker_state

LOGGER = logging.getLogger(__name__)

Order = tuple[bool, str, str]
KeyVector = dict[str, float]
# arrival order, node number, key vector, blocking keys, the names of a headline (``headline_names``)
BlockMember = tuple[Order, int, KeyVector, frozenset[str], frozenset[str] | None]


def arrival_order(article_id: str, published: str | None) -> Order:
    """The order ``StoryIndex.add`` takes articles in: dated first, by date, then by id."""
    return (published is None, published or "", article_id)


def block_keys(vec: KeyVector, df: Mapping[str, int], params: GroupParams) -> list[str]:
    """The article's rarest keys that some other article holds too, and not too many others.

    A key only this article holds links nothing; a key held by more than
    ``block_max_df`` articles (a weekday, a big country) would put half the
    corpus in one block, as ``max_postings`` keeps it out of candidate lookup.
    """
    get, most = df.get, params.block_max_df
    usable = sorted([(c, k) for k in vec if 2 <= (c := get(k, 1)) <= most])
    return [k for _, k in usable[: params.block_keys]]


def band_bucket(band: int, values: npt.NDArray[np.uint32]) -> str:
    """The name of the bucket of an article's MinHash LSH band ``band`` (its ``values``), as linking names it."""
    return f"b{band}:{values.tobytes().hex()}"


def key_bucket(key: str) -> str:
    """The name of the bucket of a blocking key (``block_keys``)."""
    return f"k:{key}"


def band_groups(minhashes: npt.NDArray[np.uint32], params: GroupParams) -> Iterator[npt.NDArray[np.intp]]:
    """The rows of ``minhashes`` (one article each) that share a ``band_bucket``, bucket by bucket.

    Buckets of one article link nothing and are never listed: a sort per band
    finds the rest without a name for each article and band.
    """
    bands, rows = lsh_bands(params.near_duplicate, params.num_perm)
    for i in range(bands):
        yield from equal_rows(minhashes[:, i * rows : (i + 1) * rows])


def equal_rows(matrix: npt.NDArray[Any]) -> Iterator[npt.NDArray[np.intp]]:
    """The indices of each set of two or more equal rows of ``matrix``, in ascending order within a set."""
    # Rows sorted by their values (a stable sort on each column, the last first:
    # numpy's unique over rows sorts a structured view, several times slower).
    order = np.lexsort(matrix.T[::-1])
    ordered = matrix[order]
    ends = np.flatnonzero(np.any(ordered[1:] != ordered[:-1], axis=1)) + 1
    bounds = np.concatenate([[0], ends, [len(order)]])
    for g in np.flatnonzero(np.diff(bounds) > 1).tolist():
        yield order[bounds[g] : bounds[g + 1]]


def is_band(bucket: str) -> bool:
    return bucket.startswith("b")


def pair_score(later: KeyVector, earlier: KeyVector) -> float:
    """Cosine of two unit key vectors.

    Only the shared keys are multiplied, found by a C-level set intersection:
    most pairs a bucket compares share few keys (at 1M generated articles, likely
    LSH bands holding copies of one wording from other events, with no names in
    common), and walking every key of one vector was more than half of linking. ``fsum``
    is exactly rounded, so the score does not depend on the order the set
    yields the keys in (string hashes differ between processes): a local run
    and Spark's executors get the same float.
    """
    shared = later.keys() & earlier.keys()
    return math.fsum([later[k] * earlier[k] for k in shared]) if shared else 0.0


def linked(later: BlockMember, earlier: BlockMember, band: bool, params: GroupParams) -> bool:
    """Whether two articles of one bucket go in one block.

    One pair cosine is a weaker signal than a story's profile, which sums
    its members: a pair of one story may score well under the join bar. So
    a pair needs ``block_threshold`` with two shared rare keys (or an LSH
    band), or ``min_key_score`` (the floor for near-duplicates) with
    ``block_shared`` shared rare keys or an LSH band. One shared key is not
    enough even with a high cosine: at scale a short article shares a common
    name or number with articles of other events, and those links chain
    blocks together (generated 100k: largest block 13,465 articles with one
    key, 4,212 with two). On ECB+ this keeps blocks to a topic or two
    (largest 69 of 772 articles) and pairwise F1 at 0.855 (0.852 with no blocks).
    """
    if later[4] is not None and earlier[4] is not None and not later[4] & earlier[4]:
        return False  # headlines told alike about different names
    shared = len(later[3] & earlier[3])
    if not band and shared < 2 and shared < params.block_shared:
        return False  # whatever the cosine (most pairs of a key bucket: it is cheaper)
    score = pair_score(later[2], earlier[2])
    if score < params.min_key_score:
        return False
    if band or shared >= params.block_shared:
        return True
    return score >= params.block_threshold and shared >= 2


class Linker:
    """Union-find over node numbers; ``link`` returns only the links that joined two sets.

    Skipping a pair whose nodes are already joined never changes the
    components, so each process may keep its own Linker over any subset of
    the buckets and the union of what they return has the same components.
    """

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while (up := parent.get(x, x)) != root:  # path compression
            parent[x] = root
            x = up
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True

    def link(self, bucket: str, members: Iterable[BlockMember], params: GroupParams) -> list[tuple[int, int]]:
        """Link each member to the ``block_window`` members before it (arrival order) it is ``linked`` with."""
        return self.link_members(members, is_band(bucket), params)

    def link_members(self, members: Iterable[BlockMember], band: bool, params: GroupParams) -> list[tuple[int, int]]:
        """``link`` for the members of a bucket of that kind."""
        ordered = sorted(members, key=lambda m: (m[0], m[1]))
        if len(ordered) >= MATRIX_MIN:
            return self._link_matrix(ordered, band, params)
        find = self.find
        roots = [find(m[1]) for m in ordered]
        links = []
        for i in range(1, len(ordered)):
            later = ordered[i]
            root = find(later[1])
            for j in range(max(0, i - params.block_window), i):
                earlier = ordered[j]
                # A root read before this row's unions may be stale; only a differing one is checked again.
                if roots[j] != root and (other := find(earlier[1])) != root:
                    roots[j] = other
                    if linked(later, earlier, band, params):
                        self.union(later[1], earlier[1])
                        links.append((later[1], earlier[1]))
                        root = find(later[1])
            roots[i] = root
        return links

    def _link_matrix(self, ordered: Sequence[BlockMember], band: bool, params: GroupParams) -> list[tuple[int, int]]:
        """``link_members`` for a large bucket: every pair's ``linked`` by sparse matrix products.

        At 1M generated articles the pair-by-pair loop checked some 180M pairs
        of large buckets (copies of one wording from many events, which share
        no names and never link) for about a million links: most of the
        blocks step. Here a chunk of rows meets its window in a few products.
        A cosine this close to a bar is taken again by ``pair_score`` (exactly
        rounded), so a pair passes here exactly when it passes ``linked``; the
        links differ from the loop's, their components do not (see the class).
        """
        n, window = len(ordered), params.block_window
        vectors = _incidence([m[2] for m in ordered], weighted=True)
        named = np.fromiter((m[4] is not None for m in ordered), bool, n)
        names = _incidence([m[4] or () for m in ordered])
        rare = None if band else _incidence([m[3] for m in ordered])
        bars = [params.min_key_score] + ([] if band else [params.block_threshold])
        later_rows: list[npt.NDArray[np.intp]] = []
        earlier_rows: list[npt.NDArray[np.intp]] = []
        for start in range(0, n, MATRIX_CHUNK):
            stop, low = min(n, start + MATRIX_CHUNK), max(0, start - window)
            gap = np.arange(start, stop)[:, None] - np.arange(low, stop)[None, :]
            ok = (gap >= 1) & (gap <= window)
            both = named[start:stop, None] & named[None, low:stop]
            ok &= ~both | ((names[start:stop] @ names[low:stop].T).toarray() > 0)
            if rare is not None:
                shared = (rare[start:stop] @ rare[low:stop].T).toarray()
                ok &= (shared >= 2) | (shared >= params.block_shared)
            score = (vectors[start:stop] @ vectors[low:stop].T).toarray()
            close = ok & np.any([np.abs(score - bar) < EXACT_MARGIN for bar in bars], axis=0)
            for r, c in zip(*np.nonzero(close), strict=True):
                score[r, c] = pair_score(ordered[start + r][2], ordered[low + c][2])
            ok &= score >= params.min_key_score
            if rare is not None:
                ok &= (shared >= params.block_shared) | ((score >= params.block_threshold) & (shared >= 2))
            r, c = np.nonzero(ok)
            later_rows.append(r + start)
            earlier_rows.append(c + low)
        later, earlier = np.concatenate(later_rows), np.concatenate(earlier_rows)
        if not len(later):
            return []
        graph = coo_matrix((np.ones(len(later), dtype=np.int8), (later, earlier)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        links = []
        first: dict[int, int] = {}
        for k, label in enumerate(labels.tolist()):
            head = first.setdefault(label, k)
            if head != k and self.union(ordered[k][1], ordered[head][1]):
                links.append((ordered[k][1], ordered[head][1]))
        return links


# A bucket of this many members is linked by matrix products (``Linker._link_matrix``), in
# chunks of rows this tall; a cosine within the margin of a bar is computed again exactly.
MATRIX_MIN = 64
MATRIX_CHUNK = 256
EXACT_MARGIN = 1e-9


def _incidence(rows: Sequence[Collection[str]], weighted: bool = False) -> csr_matrix:
    """One sparse row per member: its keys' weights (``weighted``: ``rows`` are key vectors) or ones."""
    flat = list(chain.from_iterable(rows))
    vocab = dict(zip(dict.fromkeys(flat), range(len(flat)), strict=False))
    cols = np.fromiter(map(vocab.__getitem__, flat), np.int64, len(flat))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), np.int64, len(rows)), out=indptr[1:])
    if weighted:
        data = np.fromiter(chain.from_iterable(r.values() for r in rows), np.float64, len(flat))  # type: ignore[attr-defined]
    else:
        data = np.ones(len(flat), dtype=np.int32)
    return csr_matrix((data, cols, indptr), shape=(len(rows), max(len(vocab), 1)))


def cluster_block(
    feats: Sequence[Features], titles: Sequence[str | None], vecs: Sequence[KeyVector], embs: Vector | None,
    df: Mapping[str, int], n_docs: int, params: GroupParams,
) -> list[StoryState]:
    """The stories of one block: its pairs linked (``pair_stories``), or for a block larger than
    ``pair_max_block``, ``StoryIndex.assign`` in arrival order with corpus-wide key counts.

    ``df`` needs only the counts of the block's vector keys (all that candidate lookup reads).
    """
    if len(feats) <= params.pair_max_block:
        return pair_stories(feats, titles, vecs, embs, df, params)
    index = StoryIndex(params, _no_embedder if embs is not None else None)
    index.df = Counter({k: df.get(k, 1) for v in vecs for k in v})
    index.n_docs = n_docs
    order = sorted(range(len(feats)), key=lambda i: arrival_order(feats[i].id, feats[i].published))
    index.assign([feats[i] for i in order], [titles[i] for i in order], vecs=[vecs[i] for i in order],
                 embs=embs[order] if embs is not None else None)
    return list(index.stories.values())


def pair_stories(
    feats: Sequence[Features], titles: Sequence[str | None], vecs: Sequence[KeyVector], embs: Vector | None,
    df: Mapping[str, int], params: GroupParams,
) -> list[StoryState]:
    """Pairs scored by the pair model, clusters by weighted-average linkage at its threshold; each
    cluster becomes a story state (members in arrival order, titled by the first) so later
    incremental runs can join it."""
    # Arrival order first: node numbers break linkage ties, so any caller's order gives the same stories.
    order = sorted(range(len(feats)), key=lambda k: arrival_order(feats[k].id, feats[k].published))
    feats, titles, vecs = [feats[k] for k in order], [titles[k] for k in order], [vecs[k] for k in order]
    embs = embs[order] if embs is not None else None
    model = load_pair_model(params.pair_model)
    rare = [block_keys(v, df, params) for v in vecs]
    i, j, x = pair_features(feats, vecs, embs, rare, params.window_days)
    threshold = params.pair_threshold if params.pair_threshold > 0 else model.threshold
    probability = model.probability(x)
    probability[named_apart(feats, i, j, x)] = 0.0
    labels = weighted_clusters(len(feats), i, j, probability, threshold)
    index = StoryIndex(params)
    stories: dict[int, StoryState] = {}
    for k, f in enumerate(feats):
        story = stories.get(labels[k])
        if story is None:
            story = stories[labels[k]] = index._new_story(titles[k])
        index._join(story, f, vecs[k], embs[k] if embs is not None else None, None, index_minhash=False,
                    index_keys=False)
    return list(stories.values())


def _no_embedder(texts: list[str]) -> Vector:
    """Stands for the embedder when embeddings come precomputed (it is never called)."""
    raise AssertionError("embeddings are passed to cluster_block")


def embed_leads(embedder: Embedder, leads: Sequence[str]) -> Vector:
    """Embeddings of article leads in one call: the pooling gives each text the same
    bits in any batch (``embed._pooled``), so a local run and Spark's partitions agree."""
    if not leads:
        return np.zeros((0, 1), dtype=np.float32)
    return embedder(list(leads))


# Articles per worker task: features and embeddings of a chunk (step 1), key
# vectors (step 2), and blocks to cluster (step 5; a larger block is a task of its own).
PREPARE_CHUNK = 500
VECTOR_TASK = 20_000
CLUSTER_TASK = 2000


def _prepare(chunk: list[Article]) -> tuple[FeatureChunk, list[str | None], Vector | None]:
    """Step 1 for a chunk of articles (in a worker): features, titles and lead embeddings; the texts stay here."""
    state = worker_state()
    params: GroupParams = state["params"]
    embedder: Embedder | None = state["embedder"]
    feats, leads = chunk_features(chunk, params.shingle_size, params.lead_chars, params.num_perm,
                                  params.headline_words)
    # The lead is only embedded; an embedding does not depend on its batch (``embed._pooled``).
    embs = embed_leads(embedder, leads) if embedder is not None and leads else None
    return feats, [article_title(a) for a in chunk], embs


Numbered = tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int32],
                 npt.NDArray[np.int64]]


def _vector_share(bounds: tuple[int, int]) -> Numbered:
    """Step 2 for the articles in ``bounds`` (in a worker): their key vectors and blocking keys as key
    numbers (``numbers``) and weights, one article after another, and where each article's end."""
    state = worker_state()
    feats, df, numbers, params = state["feats"], state["df"], state["numbers"], state["params"]
    vecs = key_vectors((f.keys for f in feats[bounds[0] : bounds[1]]), df, len(feats), params.max_keys)
    blocking = [block_keys(v, df, params) for v in vecs]
    return (np.fromiter((numbers[k] for v in vecs for k in v), dtype=np.int32),
            np.fromiter((w for v in vecs for w in v.values()), dtype=np.float64),
            np.cumsum([len(v) for v in vecs], dtype=np.int64),
            np.fromiter((numbers[k] for keys in blocking for k in keys), dtype=np.int32),
            np.cumsum([len(keys) for keys in blocking], dtype=np.int64))


class KeyNumbers:
    """One number and one string for each distinct key of a run, filled chunk by chunk in step 1:
    keys cross between processes as numbers, and a string per article and key would be
    gigabytes at 1M articles."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.words: list[str] = []

    def spell(self, words: list[str]) -> list[str]:
        """The run's own string for each of ``words`` (numbering those it has not seen)."""
        numbers, known = self.numbers, self.words
        out = []
        for w in words:
            i = numbers.setdefault(w, len(known))
            if i == len(known):
                known.append(w)
            out.append(known[i])
        return out


def _vectors(feats: list[Features], df: Counter[str], keys: KeyNumbers, params: GroupParams, workers: int,
             ) -> tuple[list[KeyVector], list[list[str]]]:
    """Step 2: each article's key vector and blocking keys, worked out in the workers (which
    inherit the features and counts) a share at a time; keys cross as numbers, weights as
    arrays, so the main process only makes the dicts (the same floats: ``key_vectors``)."""
    words, numbers = keys.words, keys.numbers
    shares = [(a, min(a + VECTOR_TASK, len(feats))) for a in range(0, len(feats), VECTOR_TASK)]
    vecs: list[KeyVector] = []
    blocking: list[list[str]] = []
    for ids, weights, ends, block_ids, block_ends in ordered_map(
            _vector_share, shares, workers, {"feats": feats, "df": df, "numbers": numbers, "params": params}):
        spelled, values, bounds = [words[i] for i in ids.tolist()], weights.tolist(), [0, *ends.tolist()]
        vecs += [dict(zip(spelled[a:b], values[a:b], strict=True)) for a, b in pairwise(bounds)]
        spelled, bounds = [words[i] for i in block_ids.tolist()], [0, *block_ends.tolist()]
        blocking += [spelled[a:b] for a, b in pairwise(bounds)]
    return vecs, blocking


def _link_share(share: int) -> list[tuple[int, int]]:
    """Step 3's links of every ``shares``-th bucket from ``share`` on (in a worker)."""
    state = worker_state()
    own = Linker()
    links: list[tuple[int, int]] = []
    for n, (group, band) in enumerate(state["groups"]):
        if n % state["shares"] == share:
            links += own.link_members(group, band, state["params"])
    return links


def _cluster_blocks(blocks: list[list[int]]) -> tuple[int, list[StoryState]]:
    """Step 5 for some blocks of node numbers (in a worker): how many articles they hold, and their stories.

    The worker reads the articles from the state it inherited when forked, so
    only node numbers go to it (pickling each block's features, vectors and
    key counts cost the main process more than clustering them).
    """
    state = worker_state()
    feats, titles, vecs, raw, rows = state["feats"], state["titles"], state["vecs"], state["raw"], state["rows"]
    stories: list[StoryState] = []
    for block in blocks:
        stories += cluster_block([feats[i] for i in block], [titles[i] for i in block], [vecs[i] for i in block],
                                 raw[rows[block]] if raw is not None else None, state["df"], state["n_docs"],
                                 state["params"])
    return sum(map(len, blocks)), stories


def group_from_scratch(
    articles: Iterable[Article], params: GroupParams, embedder: Embedder | None = None,
    on_article: Callable[[], None] | None = None,
) -> StoryIndex:
    """Group ``articles`` from scratch in one process (steps 1-6), as Spark does across many.

    ``articles`` may be a stream: it is read a chunk at a time, and only
    features, titles and embeddings are kept (a repeated id keeps its last
    record). Steps 1 and 5 run in ``params.workers`` processes once there
    are ``params.parallel_min`` articles. Returns an index holding every
    story (numbered S1.. by earliest article), the corpus-wide key counts
    and each article's MinHash, ready to save and to take more articles
    incrementally.
    """
    with young_collections_only():
        return _from_scratch(articles, params, embedder, on_article)


def _from_scratch(articles: Iterable[Article], params: GroupParams, embedder: Embedder | None,
                  on_article: Callable[[], None] | None) -> StoryIndex:
    started = time.perf_counter()
    final = StoryIndex(params, embedder)
    stream = iter(articles)
    head = list(islice(stream, params.parallel_min))
    workers = params.workers if len(head) >= params.parallel_min else 1
    rest = chain(head, stream)
    del head
    if workers > 1:
        # Imported and loaded here once, the workers inherit them (each would load its own).
        lsh_bands(params.near_duplicate, params.num_perm)
        if final.embedder is not None:
            final.embedder([])
    featured = _featured(rest, params, final.embedder, workers)
    LOGGER.info("features and embeddings of %d articles: %.1f s", len(featured[0]), time.perf_counter() - started)
    return _grouped(final, *featured, params, workers, on_article, started)


Featured = tuple[list[Features], list[str | None], list[Order], Vector | None, npt.NDArray[np.int64], Counter[str],
                 KeyNumbers]


def _featured(articles: Iterator[Article], params: GroupParams, embedder: Embedder | None, workers: int) -> Featured:
    """Step 1 over a stream: features, titles and arrival orders in arrival order (a repeated id
    keeps its last record), the embeddings in reading order, each article's row in them, and
    step 2's key counts."""
    chunks = iter(lambda: list(islice(articles, PREPARE_CHUNK)), [])
    read: list[Features] = []
    read_titles: list[str | None] = []
    emb_chunks: list[Vector] = []
    df: Counter[str] = Counter()
    numbered, get = KeyNumbers(), df.get
    for chunk, chunk_titles, chunk_embs in ordered_map(
            _prepare, chunks, workers, {"params": params, "embedder": embedder}):
        # While the workers feature the next chunks: the key counts, and one string
        # per key across chunks (at 1M articles, a string per article and key is gigabytes).
        words = numbered.spell(chunk.words)
        for w, c in zip(words, np.bincount(chunk.keys, minlength=len(words)).tolist(), strict=True):
            if c:
                df[w] = get(w, 0) + c
        read += chunk.features(words)
        read_titles += chunk_titles
        if chunk_embs is not None:
            emb_chunks.append(chunk_embs)
    read_orders = [arrival_order(f.id, f.published) for f in read]
    keep = sorted({f.id: i for i, f in enumerate(read)}.values(), key=read_orders.__getitem__)
    if len(keep) < len(read):  # a repeated id: its earlier records do not count
        for i in set(range(len(read))).difference(keep):
            for k in read[i].keys:
                df[k] -= 1
                if not df[k]:
                    del df[k]
    orders = [read_orders[i] for i in keep]
    del read_orders
    feats = [read[i] for i in keep]
    titles = [read_titles[i] for i in keep]
    del read, read_titles
    # Embedding rows stay in reading order; ``rows`` maps an article to its row.
    raw = np.concatenate(emb_chunks) if emb_chunks else None
    del emb_chunks
    return feats, titles, orders, raw, np.asarray(keep, dtype=np.int64), df, numbered


def _grouped(final: StoryIndex, feats: list[Features], titles: list[str | None], orders: list[Order],
             raw: Vector | None, rows: npt.NDArray[np.int64], df: Counter[str], numbered: KeyNumbers,
             params: GroupParams, workers: int, on_article: Callable[[], None] | None, started: float) -> StoryIndex:
    """Steps 2-6 over featured articles (``_featured``): ``final`` filled with the stories."""
    n_docs = len(feats)
    vecs, blocking = _vectors(feats, df, numbered, params, workers)
    LOGGER.info("key vectors: %.1f s", time.perf_counter() - started)
    # Nothing reads the keys further (their vectors and counts carry them): at 1M
    # articles they are gigabytes. (Each article's Counter is its own.)
    for f in feats:
        f.keys.clear()

    # Step 3's buckets (``key_bucket``, ``band_bucket``) keyed by the key itself, and bands found by
    # sorting: no bucket name is made per article, and no singleton kept.
    by_key: dict[str, list[BlockMember]] = defaultdict(list)
    nodes: list[BlockMember] = []
    for i in range(n_docs):
        keys = blocking[i]
        member = (orders[i], i, vecs[i], frozenset(keys), headline_names(feats[i]))
        nodes.append(member)
        for k in keys:
            by_key[k].append(member)
    groups = [(group, False) for group in by_key.values() if len(group) > 1]
    del by_key
    shingled = np.flatnonzero([f.has_shingles for f in feats])
    if len(shingled):
        minhashes = np.stack([feats[i].minhash for i in shingled])
        groups += [([nodes[i] for i in shingled[rows_]], True) for rows_ in band_groups(minhashes, params)]
        del minhashes
    del nodes
    LOGGER.info("buckets: %.1f s", time.perf_counter() - started)
    # The buckets are shared out among the workers (which inherit them): each
    # links its share with a Linker of its own, and joining what they return
    # gives the same components (see Linker).
    linker = Linker()
    for links in ordered_map(_link_share, range(workers), workers,
                             {"groups": groups, "shares": workers, "params": params}):
        for a, b in links:
            linker.union(a, b)
    del groups
    LOGGER.info("links: %.1f s", time.perf_counter() - started)
    blocks: dict[int, list[int]] = defaultdict(list)
    for i in range(n_docs):
        blocks[linker.find(i)].append(i)

    def tasks() -> Iterator[list[list[int]]]:
        batch: list[list[int]] = []
        size = 0
        # Largest first: a block of thousands is a task of its own, and one left
        # to the end runs while the other workers have nothing to do.
        for block in sorted((b for b in blocks.values() if len(b) > 1), key=len, reverse=True):
            batch.append(block)
            size += len(block)
            if size >= CLUSTER_TASK:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    LOGGER.info("key vectors and blocks: %.1f s", time.perf_counter() - started)
    stories: list[StoryState] = []
    state = {"params": params, "n_docs": n_docs, "feats": feats, "titles": titles, "vecs": vecs, "raw": raw,
             "rows": rows, "df": df}
    # Any order: the stories are numbered by their earliest article after.
    for count, block_stories in ordered_map(_cluster_blocks, tasks(), workers, state, ordered=False):
        stories += block_stories
        if on_article is not None:
            for _ in range(count):
                on_article()
    # A block of one article is a story of one; its state (key profile,
    # embedding) is still kept so later incremental runs can join it.
    singles = [b[0] for b in blocks.values() if len(b) == 1]
    alone = StoryIndex(params)
    for i in singles:
        story = alone._new_story(titles[i])
        alone._join(story, feats[i], vecs[i], raw[rows[i]] if raw is not None else None, None, index_minhash=False,
                    index_keys=False)
        stories.append(story)
        if on_article is not None:
            on_article()
    LOGGER.info("%d articles in %d blocks (%d alone, largest %d), clustered: %.1f s", n_docs, len(blocks),
                len(singles), max((len(b) for b in blocks.values()), default=0), time.perf_counter() - started)
    index = _renumbered(final, stories, feats, df)
    LOGGER.info("stories numbered: %.1f s", time.perf_counter() - started)
    return index


def _renumbered(index: StoryIndex, stories: list[StoryState], feats: Sequence[Features], df: Counter[str],
                ) -> StoryIndex:
    """Fill ``index`` with ``stories`` numbered S1.. by their earliest article (``feats`` are in arrival order)."""
    rank = {f.id: i for i, f in enumerate(feats)}
    stories.sort(key=lambda s: min(map(rank.__getitem__, s.members)))
    index.df, index.n_docs, index.changed_keys = df, len(feats), set(df)
    member_story, minhashes = index.member_story, index.minhashes
    for seq, story in enumerate(stories, start=1):
        story.id, story.seq = f"S{seq}", seq  # the block's own states, renamed in place
        index.stories[story.id] = story
        for a in story.members:
            member_story[a] = story.id
            minhashes[a] = feats[rank[a]].minhash.tobytes()
    # Indexed only if more articles come in this process.
    index.lsh.defer(dict(minhashes))
    index.defer_postings()
    index.next_seq = len(stories) + 1
    return index
