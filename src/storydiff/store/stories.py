"""Stories in the store: read and write the story index (tables of migration 2).

Only what a run changed is written: the stories it touched, its new
members and the key counts it moved. Loading rebuilds the in-memory index
(inverted key lists, the MinHash LSH) from these tables, so the next run
adds articles without regrouping the corpus.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..group.features import MINHASH_SCHEME, minhash_values, shingle_hashes
from ..group.index import GroupParams, StoryIndex, StoryState
from .corpus import Store

LOGGER = logging.getLogger(__name__)


def sketch_scheme(params: GroupParams) -> str:
    """How the stored MinHash values were made: members saved another way are re-hashed on load."""
    return f"{MINHASH_SCHEME} shingles={params.shingle_size} perm={params.num_perm}"


def clear_stories(store: Store) -> None:
    """Forget every story (``stories --rebuild``)."""
    with store.transaction() as con:
        for table in ("stories", "story_members", "story_keys", "story_state"):
            con.execute(f"DELETE FROM {table}")


def ungrouped_ids(store: Store) -> list[str]:
    rows = store.con.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM story_members) ORDER BY id"
    ).fetchall()
    return [r[0] for r in rows]


def load_index(store: Store, params: GroupParams, embedder: Any = None) -> StoryIndex:
    """The story index as the store last saved it (empty for a store never grouped)."""
    index = StoryIndex(params, embedder)
    con = store.con
    state = dict(con.execute("SELECT key, value FROM story_state").fetchall())
    index.n_docs = int(state.get("n_docs", 0))
    index.next_seq = int(state.get("next_seq", 1))
    index.df = Counter(dict(con.execute("SELECT key, df FROM story_keys").fetchall()))
    for sid, seq, title, first, last, size, norm2, profile, centroid in con.execute(
        "SELECT id, seq, title, first_seen, last_seen, size, norm2, profile, centroid FROM stories ORDER BY seq"
    ).fetchall():
        story = StoryState(
            sid, seq, title, profile=json.loads(profile), norm2=norm2, size=size, first_seen=first, last_seen=last
        )
        if centroid is not None:
            story.centroid = np.frombuffer(centroid, dtype=np.float32).copy()
            story.centroid_norm = float(np.linalg.norm(story.centroid))
        index.stories[sid] = story
        for key in story.profile:
            index.postings.setdefault(key, set()).add(sid)
    # Saved by an older storydiff or with other sketch settings: every member is re-hashed below.
    stale = state.get("minhash_scheme") != sketch_scheme(params)
    cur = con.cursor()
    cur.execute("SELECT article_id, story_id, minhash FROM story_members ORDER BY story_id, pos")
    try:
        while rows := cur.fetchmany(10_000):
            for article_id, sid, blob in rows:
                index.stories[sid].members.append(article_id)
                index.member_story[article_id] = sid
                if not stale:
                    index.lsh.insert(article_id, np.frombuffer(blob, dtype=np.uint32))
    finally:
        cur.close()
    if stale and index.member_story:
        _rehash_members(store, index, params)
    return index


def _rehash_members(store: Store, index: StoryIndex, params: GroupParams) -> None:
    """Make every member's MinHash again from its stored text, index it, and store it (one transaction).

    Sketches made another way are not comparable with new ones, and a
    near-duplicate of an old article must still be found.
    """
    import pyarrow as pa

    LOGGER.info("re-hashing the MinHash of %d grouped articles (saved with other sketch settings)",
                len(index.member_story))
    ids: list[str] = []
    blobs: list[bytes] = []
    for article in store.articles(list(index.member_story)):
        values = minhash_values(shingle_hashes(article.text, params.shingle_size), params.num_perm)
        index.lsh.insert(article.id, values)
        ids.append(article.id)
        blobs.append(values.tobytes())
    table = pa.table({"article_id": ids, "minhash": pa.array(blobs, pa.binary())})
    con = store.con
    try:
        with store.transaction():
            con.register("_rehashed", table)
            con.execute("UPDATE story_members SET minhash = r.minhash FROM _rehashed AS r "
                        "WHERE story_members.article_id = r.article_id")
            con.execute("INSERT OR REPLACE INTO story_state VALUES ('minhash_scheme', ?)", [sketch_scheme(params)])
    finally:
        con.unregister("_rehashed")


def save_index(store: Store, index: StoryIndex, touched: Iterable[str], new_ids: Iterable[str]) -> None:
    """Write what one run changed, in one transaction."""
    import pyarrow as pa

    touched = list(touched)
    new_ids = list(new_ids)
    con = store.con
    stories = [index.stories[s] for s in touched]
    pos = {a: i for s in stories for i, a in enumerate(s.members)}
    members = pa.table({
        "article_id": new_ids,
        "story_id": [index.member_story[a] for a in new_ids],
        "pos": pa.array([pos[a] for a in new_ids], pa.int32()),
        "minhash": [index.minhashes[a] for a in new_ids],
    })
    rows = pa.table({
        "id": [s.id for s in stories],
        "seq": pa.array([s.seq for s in stories], pa.int32()),
        "title": pa.array([s.title for s in stories], pa.string()),
        "first_seen": pa.array([s.first_seen for s in stories], pa.string()),
        "last_seen": pa.array([s.last_seen for s in stories], pa.string()),
        "size": pa.array([s.size for s in stories], pa.int32()),
        "norm2": pa.array([s.norm2 for s in stories], pa.float64()),
        "profile": [json.dumps(s.profile, ensure_ascii=False) for s in stories],
        "centroid": pa.array(
            [None if s.centroid is None else s.centroid.astype(np.float32).tobytes() for s in stories], pa.binary()
        ),
    })
    keys = sorted(index.changed_keys)
    df = pa.table({"key": keys, "df": pa.array([index.df.get(k, 0) for k in keys], pa.int32())})
    try:
        with store.transaction():
            con.register("_stories", rows)
            con.register("_members", members)
            con.register("_keys", df)
            con.execute("DELETE FROM stories WHERE id IN (SELECT id FROM _stories)")
            con.execute("INSERT INTO stories SELECT * FROM _stories")
            con.execute("INSERT INTO story_members SELECT * FROM _members")
            con.execute("INSERT OR REPLACE INTO story_keys SELECT * FROM _keys")
            con.execute(
                "INSERT OR REPLACE INTO story_state VALUES ('n_docs', ?), ('next_seq', ?), ('minhash_scheme', ?)",
                [str(index.n_docs), str(index.next_seq), sketch_scheme(index.params)],
            )
    finally:
        for name in ("_stories", "_members", "_keys"):
            con.unregister(name)
