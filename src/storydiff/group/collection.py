"""Garbage collection during a bulk run: young objects only.

A from-scratch run builds millions of objects that live to its end
(features, key counts, story states). CPython's full collections walk every
live object, and they come about once for each quarter of the heap that is
new since the last, so over a run that only grows the heap they cost time
that grows faster than the corpus: 10% of a 100k run in the main process,
more at 1M. Young collections stay on, with a larger first threshold, so
short-lived reference cycles are still freed as they are made.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# gen0 after this many net allocations (CPython's default is 700); gen1 after
# 20 of those; a full collection in practice never (the count it waits for
# is not reached in a run).
BULK_THRESHOLDS = (50_000, 20, 1_000_000_000)


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Within the block (and in processes forked in it), no full collections; the old thresholds after."""
    before = gc.get_threshold()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
