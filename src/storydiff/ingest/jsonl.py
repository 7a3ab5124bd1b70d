"""JSON Lines: one article per line.

Schema (SPEC §2 and the README): ``text`` is required; ``id``, ``title``,
``url``, ``published``, ``source``, ``author`` and ``lang`` are read when
present; every other field is kept in ``Article.extra``. A record without an
``id`` takes its ``url``, else ``sha256:`` and the first 16 hex digits of its
text's hash, so re-ingesting the file gives the same ids.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import Article, Skipped, content_hash
from ..normalize.dates import to_iso
from ..normalize.text import has_lone_surrogate
from .files import open_stream

LOGGER = logging.getLogger(__name__)

KNOWN_FIELDS = ("id", "title", "text", "url", "published", "source", "author", "lang")


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def article_from_record(record: Any, origin: str) -> Article | Skipped:
    """One JSON value to an Article, or the reason it cannot be one."""
    if not isinstance(record, dict):
        return Skipped(origin, f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        return Skipped(origin, "no 'text' field" if text is None else "'text' is not a string")
    if has_lone_surrogate(json.dumps(record, ensure_ascii=False)):
        return Skipped(origin, "record contains invalid Unicode (a lone surrogate escape such as \\ud800)")
    extra = {k: v for k, v in record.items() if k not in KNOWN_FIELDS}
    published_raw = record.get("published")
    published = to_iso(published_raw)
    if published_raw not in (None, "") and published is None:
        shown = repr(published_raw)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."  # a crawler's 100 KB value stays off the screen
        LOGGER.warning("%s: 'published' value %s is not a date; stored as unknown", origin, shown)
        extra["published_raw"] = published_raw
    article_id = _optional_str(record, "id") or _optional_str(record, "url") or f"sha256:{content_hash(text)[:16]}"
    return Article(
        id=article_id,
        text=text,
        title=_optional_str(record, "title"),
        source=_optional_str(record, "source"),
        url=_optional_str(record, "url"),
        published=published,
        lang=_optional_str(record, "lang"),
        author=_optional_str(record, "author"),
        origin=origin,
        extra=extra,
    )


def parse_line(line: bytes, origin: str) -> Any:
    """One line's JSON value, or a Skipped saying why it has none (also for Spark's reader)."""
    try:
        return json.loads(line)
    except UnicodeDecodeError:
        return Skipped(origin, "line is not valid UTF-8")
    except json.JSONDecodeError as e:
        msg = e.msg.removesuffix(" at")  # json's "Unterminated string starting at" reads badly before ours
        return Skipped(origin, f"not valid JSON ({msg} at column {e.colno})")
    except RecursionError:  # json recurses once per level: '[' * 100_000 raised out of the ingest
        return Skipped(origin, "JSON nested too deeply to read")


def read_jsonl(path: Path, max_file_bytes: int, max_line_bytes: int) -> Iterator[Article | Skipped]:
    stream = open_stream(path, max_file_bytes)
    lineno = 0
    try:
        while True:
            line = stream.readline(max_line_bytes + 1)
            if not line:
                break
            lineno += 1
            origin = f"{path}:{lineno}"
            if len(line) > max_line_bytes and not line.endswith(b"\n"):
                while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield Skipped(origin, f"line longer than max_article_bytes={max_line_bytes:,}; skipped")
                continue
            if not line.strip():
                continue
            record = parse_line(line, origin)
            yield record if isinstance(record, Skipped) else article_from_record(record, origin)
    except (OSError, EOFError, zlib.error) as e:
        yield Skipped(f"{path}:{lineno + 1}", f"file is corrupt or truncated here ({e}); earlier lines were read")
    except InputError as e:
        yield Skipped(e.origin, e.problem)
    finally:
        stream.close()
