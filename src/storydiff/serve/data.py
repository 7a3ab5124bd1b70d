"""What the server reads from the store: stories (searched, sorted, paged), a story's members, articles.

One read-only DuckDB connection is opened when the app starts and kept until it stops; each request
reads through its own cursor (DuckDB connections are not shared between threads). A read-only
connection holds a shared lock on the file, so no other process can write the store while it is
served: the corpus cannot change under a page, and what is read once can be kept:

- the stories table (a few fields per story) and its order for every sort, read at start, so an
  overview page is a slice;
- each story's overview row (its members and their sources), once shown (up to LISTED_CACHE stories);
- the stories a search matches (a search scans every text), for the last SEARCH_CACHE searches.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..errors import NotFoundError
from ..models import Article
from ..settings import Settings
from ..store import Store
from ..store.schema import ARTICLE_COLUMNS

# Overview sort keys: name in the URL -> position in a story row (id, title, first_seen, last_seen, size, seq).
# Undated and untitled stories sort last either way; ties go by creation order.
SORTS: dict[str, int] = {"reports": 4, "last_seen": 3, "first_seen": 2, "title": 1, "id": 5}
DEFAULT_SORT = "reports"
MAX_TERMS = 8  # words of a search, each of which must appear in a member's title or text
SEARCH_CACHE = 256  # searches whose matching stories are kept
LISTED_CACHE = 20_000  # stories whose overview row (members, sources) is kept


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One story as the overview lists it."""

    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    size: int
    articles: tuple[str, ...]
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """SPEC §2's story shape, plus the distinct sources of its reports."""
        return {
            "id": self.id,
            "articles": list(self.articles),
            "title": self.title,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class StoryPage:
    """One page of the overview."""

    stories: tuple[StoryRow, ...]
    total: int
    page: int
    per_page: int
    q: str
    sort: str
    order: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """A story and its members, in the order they joined it."""

    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    members: tuple[str, ...]


def search_terms(q: str) -> list[str]:
    """The lowercased words of a search box entry (at most MAX_TERMS; quotes are not special)."""
    return [w for w in q.lower().split() if w][:MAX_TERMS]


class Corpus:
    """Read-only access to one store for the server."""

    def __init__(self, db: Path, settings: Settings) -> None:
        self.path = Path(db)
        self._store = Store(self.path, read_only=True, lock_timeout=float(settings["store_lock_timeout"]))
        self._lock = threading.Lock()
        self._searches: OrderedDict[tuple[str, ...], list[str]] = OrderedDict()
        self._listed: OrderedDict[str, StoryRow] = OrderedDict()
        with self.cursor() as cur:
            self.n_articles = _one(cur, "SELECT count(*) FROM articles")
            story_rows = cur.execute("SELECT id, title, first_seen, last_seen, size, seq FROM stories").fetchall()
        # The stories, and their order for every sort, are read once: a page is then a slice.
        self._rows: dict[str, tuple[Any, ...]] = {r[0]: tuple(r) for r in story_rows}
        self._orders: dict[tuple[str, str], list[str]] = {}
        for name, col in SORTS.items():
            for order in ("asc", "desc"):
                self._orders[(name, order)] = _ordered(story_rows, col, order == "desc")
        with self.cursor() as cur:
            self.n_stories = _one(cur, "SELECT count(*) FROM stories")
            self.n_ungrouped = _one(
                cur, "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM story_members)"
            )

    def close(self) -> None:
        self._store.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request (safe to use from any thread)."""
        with self._lock:
            cur = self._store.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    # -- overview ------------------------------------------------------------
    def stories(self, q: str = "", sort: str = DEFAULT_SORT, order: str = "desc", page: int = 1,
                per_page: int = 50) -> StoryPage:
        """One page of stories, those with a member whose title or text holds every search word."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        if order not in ("asc", "desc"):
            raise ValueError("order must be asc or desc")
        ids = self._orders[(sort, order)]
        terms = search_terms(q)
        if terms:
            matching = set(self._matching(tuple(terms)))
            ids = [i for i in ids if i in matching]
        start = (page - 1) * per_page
        shown = ids[start : start + per_page]
        return StoryPage(tuple(self._story_rows(shown)), len(ids), page, per_page, q, sort, order)

    def _story_rows(self, ids: list[str]) -> list[StoryRow]:
        """Overview rows with their members and sources, read once per story and then kept (LRU)."""
        with self._lock:
            kept = {i: self._listed[i] for i in ids if i in self._listed}
            for i in kept:
                self._listed.move_to_end(i)
        missing = [i for i in ids if i not in kept]
        if missing:
            members: dict[str, list[tuple[str, str | None]]] = {i: [] for i in missing}
            with self.cursor() as cur:
                for sid, aid, source in cur.execute(
                    "SELECT m.story_id, m.article_id, a.source FROM story_members m JOIN articles a "
                    "ON a.id = m.article_id WHERE m.story_id IN (SELECT unnest(?::VARCHAR[])) "
                    "ORDER BY m.story_id, m.pos, m.article_id",
                    [missing],
                ).fetchall():
                    members[sid].append((aid, source))
            for sid in missing:
                _, title, first, last, size, _seq = self._rows[sid]
                mine = members[sid]
                sources = tuple(dict.fromkeys(s for _, s in mine if s))
                kept[sid] = StoryRow(sid, title, first, last, int(size), tuple(a for a, _ in mine), sources)
            with self._lock:
                for sid in missing:
                    self._listed[sid] = kept[sid]
                while len(self._listed) > LISTED_CACHE:
                    self._listed.popitem(last=False)
        return [kept[i] for i in ids]

    def _matching(self, terms: tuple[str, ...]) -> list[str]:
        """Ids of the stories with a report whose title or text holds every term, case-insensitively.

        Each search scans every text, so the answer for each set of terms is kept (the store cannot
        change while it is served) in a small LRU cache.
        """
        with self._lock:
            if terms in self._searches:
                self._searches.move_to_end(terms)
                return self._searches[terms]
        # A case-insensitive RE2 match of the term escaped: every character is literal (no LIKE wildcards),
        # and it scans faster than lower() + contains().
        cond = " AND ".join("(regexp_matches(coalesce(a.title, ''), ?) OR regexp_matches(a.text, ?))" for _ in terms)
        params = [p for t in terms for p in ("(?i)" + re.escape(t),) * 2]
        with self.cursor() as cur:
            rows = cur.execute(f"SELECT DISTINCT m.story_id FROM story_members m JOIN articles a "
                               f"ON a.id = m.article_id WHERE {cond}", params).fetchall()
        found = [r[0] for r in rows]
        with self._lock:
            self._searches[terms] = found
            while len(self._searches) > SEARCH_CACHE:
                self._searches.popitem(last=False)
        return found

    # -- one story, one article ------------------------------------------------
    def story(self, story_id: str) -> StoryInfo:
        with self.cursor() as cur:
            row = cur.execute("SELECT id, title, first_seen, last_seen FROM stories WHERE id = ?",
                              [story_id]).fetchone()
            if row is None:
                raise NotFoundError(f"no story {story_id!r} in this store; the overview at / lists them")
            members = cur.execute(
                "SELECT article_id FROM story_members WHERE story_id = ? ORDER BY pos, article_id", [story_id]
            ).fetchall()
        return StoryInfo(row[0], row[1], row[2], row[3], tuple(m[0] for m in members))

    def articles(self, ids: list[str]) -> list[Article]:
        """The articles named, in the order given (ids the store lacks are left out)."""
        cols = ", ".join(ARTICLE_COLUMNS)
        with self.cursor() as cur:
            rows = cur.execute(f"SELECT {cols} FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                               [ids]).fetchall()
        found = {a.id: a for a in (Article.from_dict(dict(zip(ARTICLE_COLUMNS, r, strict=True))) for r in rows)}
        return [found[i] for i in ids if i in found]

    def article(self, article_id: str) -> Article:
        got = self.articles([article_id])
        if not got:
            raise NotFoundError(f"no article {article_id!r} in this store")
        return got[0]

    def has_article(self, article_id: str) -> bool:
        with self.cursor() as cur:
            return _one(cur, "SELECT count(*) FROM articles WHERE id = ?", [article_id]) > 0

    def story_of(self, article_id: str) -> str | None:
        with self.cursor() as cur:
            row = cur.execute("SELECT story_id FROM story_members WHERE article_id = ?", [article_id]).fetchone()
        return str(row[0]) if row else None


def _ordered(rows: list[tuple[Any, ...]], col: int, descending: bool) -> list[str]:
    """Story ids by one column (titles case-insensitively), missing values last, ties by creation order."""

    def key(row: tuple[Any, ...]) -> Any:
        value = row[col]
        return value.lower() if isinstance(value, str) and col == SORTS["title"] else value

    by_seq = sorted(rows, key=lambda r: r[5])
    present = sorted((r for r in by_seq if r[col] is not None), key=key, reverse=descending)  # stable
    return [r[0] for r in present] + [r[0] for r in by_seq if r[col] is None]


def _one(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    row = cur.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0
