"""What a running Spark job is doing, for a progress display: its active stages' tasks.

Spark's own console bar is off (``spark.ui.showConsoleProgress``): it writes over
the CLI's output. Instead a thread asks the status tracker, a few times a second,
which stages are running and how many of their tasks are done.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class StageProgress:
    """The running stages together: tasks done of their tasks, and stages started so far."""

    started: int  # stages seen running in this watch, these included
    name: str  # the running stages' names, e.g. "partitionBy at job.py:401"
    done: int
    total: int


def _short(name: str) -> str:
    """``mapPartitions at /path/to/job.py:406`` -> ``mapPartitions at job.py:406``."""
    return re.sub(r"(?<= at )\S*/", "", name)


@contextmanager
def watched(sc: Any, report: Callable[[StageProgress], None], every: float = 0.5) -> Iterator[None]:
    """Call ``report`` with the job's progress every ``every`` seconds while the block runs, and once
    more when it has run to its end (the last stage seen, all done), if any stage was seen."""
    stop = threading.Event()
    seen: set[int] = set()
    last: list[StageProgress] = []

    def poll() -> None:
        tracker = sc.statusTracker()
        while not stop.wait(every):
            try:
                infos = [info for sid in tracker.getActiveStageIds()
                         if (info := tracker.getStageInfo(sid)) is not None]
            except Exception:  # the bar is for show: a JVM going down must not add a traceback
                return
            if not infos:
                continue
            seen.update(info.stageId for info in infos)
            now = StageProgress(len(seen), ", ".join(_short(info.name) for info in infos),
                                sum(info.numCompletedTasks for info in infos), sum(info.numTasks for info in infos))
            last[:] = [now]
            report(now)

    thread = threading.Thread(target=poll, name="spark-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
    if last:  # the block finished: its last stage did too, whether or not a poll saw it
        report(replace(last[0], done=last[0].total))
