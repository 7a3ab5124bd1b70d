"""The story index: assigns each article to a story, one article at a time.

Three tiers share one index, tried in order for each article:

1. **near-duplicates** — a MinHash LSH over word shingles finds stored
   articles whose wording the new one mostly repeats; it joins their story.
2. **same event** — the article's event keys (names, places, numbers; see
   ``features``) weighted by rarity, compared by cosine with each candidate
   story's key profile; candidates come from an inverted index over the
   article's rarest keys, so the cost does not grow with the corpus.
3. **paraphrases** — among the same candidates, a static-embedding cosine
   high enough joins a rewrite that shares little wording, and blends into
   the event score.

Near-duplicates and paraphrases must still share some keys with the story
(``min_key_score``): a template reused for another event (a quake bulletin
with other places and numbers) reads alike but names other things.

When both the article and a story have publication dates, stories outside
the time window are not candidates. An article that no story takes starts
a new one. Articles are taken in (date, id) order, so shuffled input gives
the same stories; after the pass, ``refine_rounds`` move each new article to
the story that fits it best now that all have arrived. Stories keep their
ids when more articles arrive; articles of earlier runs never move.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial
from multiprocessing import get_all_start_methods, get_context
from typing import Any

import numpy as np
import numpy.typing as npt

from ..models import Article, Story
from .features import Features, features_of
from .lsh import BandIndex

LOGGER = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]
Embedder = Callable[[list[str]], Vector]


@dataclass(frozen=True, slots=True)
class GroupParams:
    """The settings grouping reads (see ``settings.py`` for what each does and how it was chosen)."""

    shingle_size: int = 3
    num_perm: int = 64
    near_duplicate: float = 0.5
    min_key_score: float = 0.1
    event_threshold: float = 0.2
    embedding_weight: float = 0.0
    paraphrase_threshold: float = 0.85
    candidate_keys: int = 20
    max_postings: int = 2000
    max_candidates: int = 10
    max_keys: int = 32
    chunk_size: int = 50_000
    window_days: int = 7
    lead_chars: int = 600
    refine_rounds: int = 1
    headline_words: int = 25
    headline_threshold: float = 0.05
    workers: int = 2
    parallel_min: int = 5000
    block_keys: int = 16
    block_threshold: float = 0.25
    block_shared: int = 3
    block_max_df: int = 2000
    block_window: int = 200
    pair_max_block: int = 5000
    pair_threshold: float = 0.0
    pair_model: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> GroupParams:
        return cls(
            shingle_size=int(settings["group_shingle_size"]),
            num_perm=int(settings["group_num_perm"]),
            near_duplicate=float(settings["group_near_duplicate"]),
            min_key_score=float(settings["group_min_key_score"]),
            event_threshold=float(settings["group_event_threshold"]),
            embedding_weight=float(settings["group_embedding_weight"]),
            paraphrase_threshold=float(settings["group_paraphrase_threshold"]),
            candidate_keys=int(settings["group_candidate_keys"]),
            max_postings=int(settings["group_max_postings"]),
            max_candidates=int(settings["group_max_candidates"]),
            max_keys=int(settings["group_max_keys"]),
            chunk_size=int(settings["group_chunk_size"]),
            window_days=int(settings["group_window_days"]),
            lead_chars=int(settings["group_lead_chars"]),
            refine_rounds=int(settings["group_refine_rounds"]),
            headline_words=int(settings["group_headline_words"]),
            headline_threshold=float(settings["group_headline_threshold"]),
            workers=int(settings["group_workers"]),
            block_keys=int(settings["group_block_keys"]),
            block_threshold=float(settings["group_block_threshold"]),
            block_shared=int(settings["group_block_shared"]),
            block_max_df=int(settings["group_block_max_df"]),
            block_window=int(settings["group_block_window"]),
            pair_max_block=int(settings["group_pair_max_block"]),
            pair_threshold=float(settings["group_pair_threshold"]),
            pair_model=str(settings["group_pair_model"]),
        )


@dataclass(slots=True)
class StoryState:
    """What the index keeps of one story: enough to score a new article against it."""

    id: str
    seq: int
    title: str | None
    profile: dict[str, float] = field(default_factory=dict)  # sum of members' unit key vectors
    norm2: float = 0.0
    centroid: Vector | None = None  # sum of members' unit embeddings
    centroid_norm: float = 0.0
    size: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    members: list[str] = field(default_factory=list)

    def as_story(self) -> Story:
        return Story(self.id, tuple(self.members), self.title, self.first_seen, self.last_seen)


def _day(iso: str | None) -> date | None:
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def _instant(iso: str) -> datetime:
    """An ISO date or datetime as a comparable instant (a bare date or naive time counts as UTC)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _idf(count: int, n_docs: int) -> float:
    return math.log((n_docs + 1) / (count + 0.5))


def key_vector(keys: Mapping[str, int], df: Mapping[str, int], n_docs: int, max_keys: int) -> dict[str, float]:
    """An article's event keys as a unit vector: (1 + log count) x idf, the ``max_keys`` heaviest kept.

    Only the df of the article's own keys is read, so a caller may pass the
    counts of just those keys (Spark asks them of the key partitions).
    """
    vec = {k: _log_count(c) * _idf(df.get(k, 0), n_docs) for k, c in keys.items()}
    return _unit_top(vec, max_keys)


def key_vectors(keys: Iterable[Mapping[str, int]], df: Mapping[str, int], n_docs: int, max_keys: int,
                ) -> list[dict[str, float]]:
    """``key_vector`` of each of many articles against one corpus's counts, the same floats: an
    idf depends only on a key's count, so it is looked up by count (at 1M articles a dict of
    every key's idf took seconds and gigabytes), as is 1 + log of an article's small counts
    (inlined: ``_log_count`` called per key costs seconds at 1M articles)."""
    idf = [_idf(c, n_docs) for c in range(max(df.values(), default=0) + 1)]
    logs, log, get = _LOG_COUNTS, math.log, df.get
    return [_unit_top({k: (logs[c] if 0 < c < 64 else 1.0 + log(c)) * idf[get(k, 0)] for k, c in counts.items()},
                      max_keys) for counts in keys]


# 1 + log(count) for the small counts nearly every key has (the same floats as computing it).
_LOG_COUNTS = [math.nan] + [1.0 + math.log(c) for c in range(1, 64)]


def _log_count(c: int) -> float:
    return _LOG_COUNTS[c] if 0 < c < 64 else 1.0 + math.log(c)


def _unit_top(vec: dict[str, float], max_keys: int) -> dict[str, float]:
    """``vec`` cut to its ``max_keys`` heaviest keys (ties: by key), divided by its norm."""
    if len(vec) > max_keys:
        # The heaviest keys carry the event; the tail costs time in every comparison.
        top = sorted([(-w, k) for k, w in vec.items()])[:max_keys]
        vec = {k: -neg for neg, k in top}
    norm = math.sqrt(sum([w * w for w in vec.values()])) or 1.0
    return {k: w / norm for k, w in vec.items()}


@lru_cache(maxsize=8)
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (bands, rows) for a Jaccard threshold, computed once (it integrates numerically)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def article_title(article: Article) -> str | None:
    if article.title:
        return article.title
    first = next((line.strip() for line in article.text.splitlines() if line.strip()), "")
    return first[:120] or None


class StoryIndex:
    """Stories and the state needed to add articles to them incrementally."""

    def __init__(self, params: GroupParams, embedder: Embedder | None = None) -> None:
        self.params = params
        self.embedder = embedder if params.embedding_weight > 0 or params.paraphrase_threshold < 1 else None
        self.df: Counter[str] = Counter()
        self.n_docs = 0
        self.stories: dict[str, StoryState] = {}
        self._postings: dict[str, set[str]] = {}
        self._postings_due = False  # built from the stories' profiles when first read (``defer_postings``)
        self.member_story: dict[str, str] = {}
        self.minhashes: dict[str, bytes] = {}  # MinHash values of this run's articles (to save)
        self.lsh = BandIndex(*lsh_bands(params.near_duplicate, params.num_perm))
        self.next_seq = 1
        self.changed_keys: set[str] = set()  # keys whose counts moved since loading (to save)

    @property
    def postings(self) -> dict[str, set[str]]:
        """Each key's stories (the candidate lookup's inverted index)."""
        if self._postings_due:
            self._postings_due = False
            postings = self._postings
            for sid, story in self.stories.items():
                for key in story.profile:
                    if key in postings:
                        postings[key].add(sid)
                    else:
                        postings[key] = {sid}
        return self._postings

    def defer_postings(self) -> None:
        """Build the postings from the stories' profiles only if something reads them: a
        from-scratch run that only saves its stories never does (at 1M generated
        articles, a set for each of millions of keys, 10 s)."""
        self._postings.clear()
        self._postings_due = True

    # -- building blocks -----------------------------------------------------
    def _unit(self, keys: Counter[str]) -> dict[str, float]:
        return key_vector(keys, self.df, self.n_docs, self.params.max_keys)

    def _minhash(self, values: npt.NDArray[np.uint32]) -> Any:
        return values  # what BandIndex takes (the values of a datasketch MinHash)

    def _features(self, articles: list[Article]) -> list[Features]:
        """Features of every article; in worker processes when the batch is large."""
        p = self.params
        job = partial(features_of, shingle_size=p.shingle_size, lead_chars=p.lead_chars, num_perm=p.num_perm,
                      headline_words=p.headline_words)
        if p.workers <= 1 or len(articles) < p.parallel_min or "fork" not in get_all_start_methods():
            return job(articles)
        # fork, not spawn: spawn re-runs the caller's main module, which breaks
        # any script without an ``if __name__ == "__main__"`` guard. The
        # workers run pure Python on their own copies and touch no store.
        chunks = [articles[i : i + 256] for i in range(0, len(articles), 256)]
        try:
            with ProcessPoolExecutor(p.workers, mp_context=get_context("fork")) as pool:
                return [f for chunk in pool.map(job, chunks) for f in chunk]
        except (BrokenProcessPool, OSError) as e:
            LOGGER.warning("feature workers failed (%s); extracting in this process", e)
            return job(articles)

    def _candidates(self, vec: dict[str, float]) -> list[str]:
        """Stories that share the article's rarest keys, most shared rarity first.

        The rarest shared keys name the event (a key only this article has
        finds nothing); very common keys would list half the corpus, so
        their lists are skipped, and only the best ``max_candidates`` stories
        are scored in full.
        """
        p = self.params
        shared = [k for k in vec if self.df.get(k, 0) > 1]
        rare = sorted(shared, key=lambda k: (self.df.get(k, 0), k))[: p.candidate_keys]
        overlap: dict[str, float] = {}
        for k in rare:
            posting = self.postings.get(k)
            if posting and len(posting) <= p.max_postings:
                weight = vec[k]
                for sid in posting:
                    overlap[sid] = overlap.get(sid, 0.0) + weight
        ranked = sorted(overlap, key=lambda sid: (-overlap[sid], self.stories[sid].seq if sid in self.stories else 0))
        return [sid for sid in ranked if sid in self.stories][: p.max_candidates]

    def _in_window(self, story: StoryState, day: date | None) -> bool:
        first, last = _day(story.first_seen), _day(story.last_seen)
        if day is None or first is None or last is None:
            return True
        window = timedelta(days=self.params.window_days)
        return first - window <= day <= last + window

    # -- the three tiers -----------------------------------------------------
    def _near_duplicate(self, mh: Any) -> str | None:
        hits = Counter(self.member_story[a] for a in self.lsh.query(mh) if a in self.member_story)
        if not hits:
            return None
        return min(hits, key=lambda s: (-hits[s], self.stories[s].seq))

    def _score(self, story: StoryState, vec: dict[str, float], emb: Vector | None) -> float:
        p = self.params
        get = story.profile.get
        dot = sum([w * get(k, 0.0) for k, w in vec.items()])
        score = dot / math.sqrt(story.norm2) if story.norm2 > 1e-12 else 0.0
        if emb is not None and story.centroid is not None:
            dense = float(emb @ story.centroid) / (story.centroid_norm or 1.0)
            if dense >= p.paraphrase_threshold and score >= p.min_key_score:
                score = max(score, p.event_threshold + dense - p.paraphrase_threshold)
            score = (1 - p.embedding_weight) * score + p.embedding_weight * dense
        return score

    def _best_event(
        self, vec: dict[str, float], emb: Vector | None, day: date | None, floor: float | None = None
    ) -> tuple[str | None, float]:
        best, best_score = None, self.params.event_threshold if floor is None else floor
        for sid in self._candidates(vec):
            story = self.stories[sid]
            if not self._in_window(story, day):
                continue
            score = self._score(story, vec, emb)
            if score > best_score:
                best, best_score = sid, score
        return best, best_score

    # -- adding ----------------------------------------------------------------
    def _new_story(self, title: str | None) -> StoryState:
        sid = f"S{self.next_seq}"
        self.next_seq += 1
        story = StoryState(sid, int(sid[1:]), title)
        self.stories[sid] = story
        return story

    def _join(
        self, story: StoryState, f: Features, vec: dict[str, float], emb: Vector | None, mh: Any,
        index_minhash: bool = True, index_keys: bool = True,
    ) -> None:
        """Add an article to a story; ``index_keys=False`` when nothing will look stories up by key
        in this index (a block's stories, which the final index posts once)."""
        profile, postings = story.profile, self.postings
        dot = sum([w * profile.get(k, 0.0) for k, w in vec.items()])
        story.norm2 += 2 * dot + sum([w * w for w in vec.values()])
        for k, w in vec.items():
            profile[k] = profile.get(k, 0.0) + w
        if index_keys:
            for k in vec:
                if k in postings:
                    postings[k].add(story.id)
                else:
                    postings[k] = {story.id}
        if emb is not None:
            story.centroid = emb.copy() if story.centroid is None else story.centroid + emb
            story.centroid_norm = float(np.linalg.norm(story.centroid))
        story.size += 1
        story.members.append(f.id)
        if f.published:
            dated = [d for d in (story.first_seen, story.last_seen, f.published) if d]
            story.first_seen = min(dated, key=_instant)
            story.last_seen = max(dated, key=_instant)
        self.member_story[f.id] = story.id
        if index_minhash:
            self.minhashes[f.id] = f.minhash.tobytes()
            self.lsh.insert(f.id, mh)

    def _threshold(self, f: Features) -> float:
        # Cosines between headlines run lower: few words, and any one of them moves the score a lot.
        return self.params.headline_threshold if f.headline else self.params.event_threshold

    def _leave(self, story: StoryState, article_id: str, vec: dict[str, float], emb: Vector | None) -> None:
        """Take an article of this run back out of its story (refinement)."""
        for k, w in vec.items():
            story.profile[k] = story.profile.get(k, 0.0) - w
        dot = sum(w * story.profile.get(k, 0.0) for k, w in vec.items())
        story.norm2 = max(0.0, story.norm2 - 2 * dot - sum(w * w for w in vec.values()))
        if emb is not None and story.centroid is not None:
            story.centroid = story.centroid - emb
            story.centroid_norm = float(np.linalg.norm(story.centroid))
        story.size -= 1
        story.members.remove(article_id)
        if story.size == 0:
            del self.stories[story.id]

    def _refine(self, feats: list[Features], vecs: list[dict[str, float]], embs: Vector | None,
                fixed: set[str]) -> None:
        """Move articles of this run to the story that fits them best, now that all have arrived.

        One pass in arrival order depends on that order: an early article
        chose among the stories that existed then. Each round takes every new
        article out of its story and puts it where it scores highest (staying
        put unless another story beats both its own and the threshold).
        """
        for _ in range(self.params.refine_rounds):
            moved = 0
            for i, f in enumerate(feats):
                if f.id in fixed:
                    continue
                emb = embs[i] if embs is not None else None
                current = self.stories[self.member_story[f.id]]
                if current.size == 1:
                    own = -1.0
                else:
                    self._leave(current, f.id, vecs[i], emb)
                    own = self._score(current, vecs[i], emb)
                    self._rejoin(current, f, vecs[i], emb)
                best, _ = self._best_event(vecs[i], emb, _day(f.published), max(own, self._threshold(f)))
                if best is None or best == current.id:
                    continue
                self._leave(current, f.id, vecs[i], emb)
                self._rejoin(self.stories[best], f, vecs[i], emb)
                moved += 1
            if not moved:
                break

    def _rejoin(self, story: StoryState, f: Features, vec: dict[str, float], emb: Vector | None) -> None:
        self.stories[story.id] = story
        self._join(story, f, vec, emb, None, index_minhash=False)

    def add(self, articles: Sequence[Article], on_article: Callable[[], None] | None = None) -> list[str]:
        """Assign new articles (ids already in the index are left where they are); returns touched story ids."""
        fresh = [a for a in articles if a.id not in self.member_story]
        fresh = list({a.id: a for a in fresh}.values())
        fresh.sort(key=lambda a: (a.published is None, a.published or "", a.id))
        touched: set[str] = set()
        # Chunks bound the memory that features take (keys, leads, embeddings)
        # on large corpora; the index itself keeps only what scoring needs.
        size = max(1, self.params.chunk_size)
        for start in range(0, len(fresh), size):
            touched |= self._add_chunk(fresh[start : start + size], on_article)
        return sorted(touched, key=lambda s: self.stories[s].seq)

    def _add_chunk(self, fresh: list[Article], on_article: Callable[[], None] | None) -> set[str]:
        feats = self._features(fresh)
        # Rarity counts the whole chunk before any assignment, so the first
        # articles of a run are weighed like the last ones.
        for f in feats:
            self.df.update(f.keys.keys())
            self.changed_keys.update(f.keys)
        self.n_docs += len(feats)
        return self.assign(feats, [article_title(a) for a in fresh], on_article)

    def assign(self, feats: list[Features], titles: list[str | None],
               on_article: Callable[[], None] | None = None, *,
               vecs: list[dict[str, float]] | None = None, embs: Vector | None = None) -> set[str]:
        """Assign featured articles, in the order given, with the key counts the index holds now.

        ``add`` counts keys first; a from-scratch run (``block.group_from_scratch``)
        sets corpus-wide counts and calls this once per block, passing the key
        vectors and embeddings it computed for the whole corpus (an article's
        embedding does not depend on the batch it was computed in). Returns the
        touched story ids.
        """
        p = self.params
        if self.embedder is None:
            embs = None
        elif embs is None and feats:
            embs = self.embedder([f.lead for f in feats])
        if vecs is None:
            vecs = [self._unit(f.keys) for f in feats]
        near_duplicates: set[str] = set()
        for i, (title, f) in enumerate(zip(titles, feats, strict=True)):
            emb = embs[i] if embs is not None else None
            mh = self._minhash(f.minhash)
            sid = self._near_duplicate(mh) if f.has_shingles else None
            # A template (quake bulletins, match reports) repeats wording across
            # different events: a near-duplicate must share some names too.
            if sid is not None and self._score(self.stories[sid], vecs[i], emb) < p.min_key_score:
                sid = None
            if sid is not None:
                near_duplicates.add(f.id)
            else:
                sid, _ = self._best_event(vecs[i], emb, _day(f.published), self._threshold(f))
            story = self.stories[sid] if sid is not None else self._new_story(title)
            self._join(story, f, vecs[i], emb, mh)
            if on_article is not None:
                on_article()
        self._refine(feats, vecs, embs, near_duplicates)
        return {self.member_story[f.id] for f in feats}

    def result(self) -> list[Story]:
        return [s.as_story() for s in sorted(self.stories.values(), key=lambda s: s.seq)]
