"""The one place where stages are chained.

The story of a corpus, in order:

1. **ingest** — read files, folders, JSONL, feeds and WARC archives into
   ``Article`` records; a record that cannot be read becomes a ``Skipped``
   with its reason, and the batch goes on (``ingest.load_articles``).
2. **normalize** — language, dates and text clean-up that every later stage
   relies on (``normalize``).
3. **store** — write articles to the DuckDB file in transactional batches;
   identical re-sends are no-ops, a different article under a stored id is
   reported (``store.Store``).
4. **group** — assign the articles no story holds yet to stories
   (near-duplicates, same event, paraphrases), keeping earlier stories and
   their ids; a first run or ``rebuild`` groups from scratch in blocks, as
   ``spark-stories`` does (``group.StoryIndex``, ``group.block``,
   ``store.stories``).

Later stages (reuse, claims, compare, report) are chained here too as
they land; the CLI, the server and Spark call these functions, never the
stages' internals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .ingest import load_articles
from .models import Article, Skipped, Story
from .normalize import normalize_article
from .settings import Settings
from .store import AddResult, Store

LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: counts, and every record skipped with its reason."""

    added: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    stored_total: int = 0

    @property
    def read(self) -> int:
        return self.added + self.unchanged

    @property
    def exit_code(self) -> int:
        """SPEC §2: 0 all went in, 2 some records skipped, 1 nothing could be done."""
        if not self.skipped:
            return 0
        return 2 if self.read else 1


def ingest(
    paths: list[Path],
    db: Path,
    settings: Settings | None = None,
    *,
    on_file: Callable[[Path], None] | None = None,
    on_article: Callable[[Article | Skipped], None] | None = None,
) -> IngestReport:
    """Read ``paths`` into the store at ``db``: stages 1–3."""
    settings = settings or Settings()
    report = IngestReport()
    batch_size = int(settings["ingest_batch_size"])
    batch: list[Article] = []

    with Store(db, lock_timeout=float(settings["store_lock_timeout"])) as store:

        def flush() -> None:
            result: AddResult = store.add_articles(batch)
            report.added += result.added
            report.unchanged += result.unchanged
            report.skipped.extend(result.conflicts)
            LOGGER.info("committed a batch of %d articles (%d new so far)", len(batch), report.added)
            batch.clear()

        for item in load_articles(paths, settings, on_file=on_file):
            if on_article is not None:
                on_article(item)
            if isinstance(item, Skipped):
                LOGGER.debug("skipped %s", item)  # the caller reports skips
                report.skipped.append(item)
                continue
            batch.append(normalize_article(item, settings))
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        report.stored_total = store.count()
    return report


def stories(
    db: Path,
    settings: Settings | None = None,
    rebuild: bool = False,
    *,
    on_article: Callable[[], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> list[Story]:
    """Group the store's ungrouped articles into stories (stage 4) and return every story."""
    from .group import GroupParams, group_from_scratch, make_embedder
    from .store.stories import clear_stories, load_index, save_index, ungrouped_ids

    settings = settings or Settings()
    params = GroupParams.from_settings(settings)
    with Store(db, lock_timeout=float(settings["store_lock_timeout"])) as store:
        if rebuild:
            clear_stories(store)
        index = load_index(store, params, make_embedder(settings))
        new_ids = ungrouped_ids(store)
        if on_total is not None:
            on_total(len(new_ids))
        if new_ids and not index.stories:
            # Nothing grouped yet (a fresh store, or --rebuild): the from-scratch
            # grouping that spark-stories runs too, so both give the same stories.
            index = group_from_scratch(list(store.articles(new_ids)), params, index.embedder, on_article)
            save_index(store, index, list(index.stories), new_ids)
            LOGGER.info("grouped %d articles from scratch into %d stories", len(new_ids), len(index.stories))
        elif new_ids:
            touched = index.add(list(store.articles(new_ids)), on_article)
            save_index(store, index, touched, new_ids)
            LOGGER.info("grouped %d new articles; %d stories touched", len(new_ids), len(touched))
    return index.result()


def story_articles(db: Path, story_id: str, settings: Settings | None = None) -> list[Article]:
    """The articles of one stored story, in the order they joined it."""
    from .errors import NotFoundError

    settings = settings or Settings()
    if not Path(db).exists():
        raise NotFoundError(f"{db}: no such store; run `storydiff ingest` and `storydiff stories` first")
    with Store(db, read_only=True, lock_timeout=float(settings["store_lock_timeout"])) as store:
        rows = store.con.execute(
            "SELECT article_id FROM story_members WHERE story_id = ? ORDER BY pos, article_id", [story_id]
        ).fetchall()
        if not rows:
            known = store.con.execute("SELECT count(*) FROM stories").fetchone()
            hint = "run `storydiff stories` first" if not known or not known[0] else "see `storydiff stories`"
            raise NotFoundError(f"{db}: no story {story_id!r} ({hint})")
        order = {r[0]: i for i, r in enumerate(rows)}
        return sorted(store.articles(list(order)), key=lambda a: order[a.id])
