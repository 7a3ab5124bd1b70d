"""Worker processes for a from-scratch run: a function over a stream of tasks, results in task order."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

LOGGER = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[str, Any] = {}


def worker_state() -> dict[str, Any]:
    """What ``ordered_map``'s ``state`` gave this process (the caller's values, inherited by fork)."""
    return _STATE


def _set_state(state: dict[str, Any]) -> None:
    _STATE.clear()
    _STATE.update(state)


def ordered_map(fn: Callable[[T], R], tasks: Iterable[T], workers: int, state: dict[str, Any],
                ahead: int = 4, ordered: bool = True) -> Iterator[R]:
    """``map(fn, tasks)`` in ``workers`` forked processes, at most ``workers + ahead`` tasks in flight.

    Results come in task order (``ordered``), or else as they are done, and
    tasks are drawn from the iterable only as results are taken, so a stream
    of articles is never all in memory (``ProcessPoolExecutor.map`` would
    submit every task at once). Unordered suits tasks of very different
    sizes: in order, one long task holds back the results behind it until
    the window is full and the other workers wait. ``fn`` reads ``state``
    (an embedder, parameters) through ``worker_state()``: fork, not spawn,
    hands it over without pickling and does not re-run the caller's main
    module. Without fork, with one worker, or when the workers die, the
    tasks run in this process.
    """
    it = iter(tasks)
    if workers <= 1 or "fork" not in get_all_start_methods():
        _set_state(state)
        yield from map(fn, it)
        return
    pending: deque[tuple[T, Future[R]]] = deque()
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_set_state,
                                 initargs=(state,)) as pool:
            for task in it:
                pending.append((task, pool.submit(fn, task)))
                while len(pending) >= workers + ahead:
                    yield _take(pending, ordered)
            while pending:
                yield _take(pending, ordered)
    except (BrokenProcessPool, OSError) as e:
        LOGGER.warning("worker processes failed (%s); going on in this process", e)
        _set_state(state)
        for task, _ in pending:
            yield fn(task)
        yield from map(fn, it)


def _take(pending: deque[tuple[T, Future[R]]], ordered: bool) -> R:
    """The result of the first pending task, or of any done one; removed only once taken
    (a task the pool lost is run again by the caller)."""
    if not ordered:
        wait([f for _, f in pending], return_when=FIRST_COMPLETED)
        for k, (_, future) in enumerate(pending):
            if future.done():
                result = future.result()
                del pending[k]
                return result
    result = pending[0][1].result()
    pending.popleft()
    return result
