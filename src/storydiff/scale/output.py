"""Writing a run's results: into a hidden folder beside the output, renamed into place when complete.

``DIR/stories.parquet`` (Spark's Parquet: id, articles, title, first_seen,
last_seen, size), ``DIR/stories.json`` (SPEC §2, byte for byte what
``storydiff stories --format json`` prints for the same stories),
``DIR/rejects.jsonl`` (one ``{"origin", "reason"}`` per record skipped, in
input order) and ``DIR/summary.json`` (the counts). A run killed half way
leaves the hidden folder, which the next run deletes and writes again, so
DIR is either absent, the previous complete output, or the new one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Skipped

if TYPE_CHECKING:
    from .job import SparkReport

SHOWN_REJECTS = 20
SCHEMA = "id string, articles array<string>, title string, first_seen string, last_seen string, size int"


def partial_dir(output: Path) -> Path:
    return output.with_name(f".{output.name}.partial")


def write_output(spark: Any, stories: Any, rejects: Any, output: Path, report: SparkReport) -> None:
    """Write ``stories`` (RDD of ``Story``, in id order) and ``rejects`` (RDD of (no., origin, reason))."""
    output = output.resolve()
    tmp = partial_dir(output)
    if tmp.exists():
        shutil.rmtree(tmp)  # left by a run that was killed
    tmp.mkdir(parents=True)
    stories = stories.persist()
    rows = stories.map(lambda s: (s.id, list(s.articles), s.title, s.first_seen, s.last_seen, len(s.articles)))
    # "file://" + the plain path, not Path.as_uri(): Hadoop takes a URI's %3D or %20 literally
    # (an output folder named "n=1000" got a folder called "n%3D1000"); its Path quotes by itself.
    spark.createDataFrame(rows, SCHEMA).write.parquet("file://" + str(tmp / "stories.parquet"))
    with open(tmp / "stories.json", "w", encoding="utf-8") as fh:
        # Streamed a partition at a time: the driver never holds every story.
        fh.write('{"stories": [')
        for n, story in enumerate(stories.toLocalIterator()):
            fh.write((", " if n else "") + json.dumps(story.as_dict(), ensure_ascii=False))
            report.stories = n + 1
        fh.write("]}\n")
    stories.unpersist()
    with open(tmp / "rejects.jsonl", "w", encoding="utf-8") as fh:
        for n, (_, origin, reason) in enumerate(rejects.sortBy(lambda r: r[0]).toLocalIterator()):
            fh.write(json.dumps({"origin": origin, "reason": reason}, ensure_ascii=False) + "\n")
            if n < SHOWN_REJECTS:
                report.rejects.append(Skipped(origin, reason))
            report.rejected = n + 1
    report.output = str(output)
    (tmp / "summary.json").write_text(json.dumps(report.as_dict(), indent=1) + "\n", encoding="utf-8")
    _swap(tmp, output)


def _swap(tmp: Path, output: Path) -> None:
    """Put the complete ``tmp`` where ``output`` is (replacing an earlier run's output)."""
    old = output.with_name(f".{output.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    tmp.rename(output)
    if old.exists():
        shutil.rmtree(old)
