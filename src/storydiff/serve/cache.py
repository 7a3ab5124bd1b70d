"""Story comparisons computed once and kept in memory.

Comparing a story's versions parses every one of them (spaCy) and matches their claims: about 0.3-1 s
per pair of versions, more for big stories. A story page is therefore built once per (story id, member
ids) and kept, rendered, in a least-recently-used cache of ``serve_cache_size`` entries. Comparisons run
one at a time on a worker thread of their own, so a burst of requests for new stories queues there
instead of taking every request thread, and concurrent requests for the same story wait for the same
computation rather than starting their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class BuildCache(Generic[T]):
    """An LRU cache whose missing entries are built, one at a time, on a worker thread."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("cache size must be at least 1")
        self.size = size
        self._done: OrderedDict[Hashable, T] = OrderedDict()
        self._pending: dict[Hashable, Future[T]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storydiff-compare")
        self.hits = 0
        self.builds = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> Future[T]:
        """A future holding the entry for ``key``: done at once on a hit, else built (once) on the worker."""
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                self.hits += 1
                done: Future[T] = Future()
                done.set_result(self._done[key])
                return done
            pending = self._pending.get(key)
            if pending is not None:
                return pending
            future = self._pool.submit(self._build, key, build)
            self._pending[key] = future
            return future

    def _build(self, key: Hashable, build: Callable[[], T]) -> T:
        try:
            value = build()
        except BaseException:
            with self._lock:
                self._pending.pop(key, None)  # a failure is not cached: the next request tries again
            raise
        with self._lock:
            self.builds += 1
            self._done[key] = value
            self._done.move_to_end(key)
            while len(self._done) > self.size:
                self._done.popitem(last=False)
            self._pending.pop(key, None)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
