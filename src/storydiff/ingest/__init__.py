"""Ingest: read sources into Article records.

``load_articles(paths, settings)`` yields an :class:`~storydiff.models.Article`
for every article found and a :class:`~storydiff.models.Skipped` for every
record that could not be read, so one bad file or line never stops a batch.

Formats, by extension (``.gz`` allowed on each):
``.txt .md .text`` plain text · ``.html .htm .xhtml`` HTML (trafilatura) ·
``.jsonl .ndjson`` JSON Lines · ``.rss .atom .xml`` feeds (feedparser) ·
``.warc`` web archives (warcio).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import InputError
from ..models import Article, Skipped
from ..normalize.text import has_lone_surrogate
from ..settings import Settings
from .feeds import read_feed
from .files import decode, file_article_id, format_suffix, read_bytes, walk
from .html import article_from_html
from .jsonl import read_jsonl
from .text import read_text
from .warc import read_warc

LOGGER = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc"}

__all__ = ["load_articles", "supported_suffixes"]


def supported_suffixes(settings: Settings) -> set[str]:
    feeds = {s.strip().lower() for s in str(settings["feed_extensions"]).split(",") if s.strip()}
    return TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | WARC_SUFFIXES | feeds


def _read_file(path: Path, settings: Settings) -> Iterator[Article | Skipped]:
    suffix = format_suffix(path)
    max_file = int(settings["max_file_bytes"])
    max_article = int(settings["max_article_bytes"])
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, max_file, max_article)
        return
    if suffix in WARC_SUFFIXES:
        yield from read_warc(path, max_file, max_article, int(settings["min_html_words"]))
        return
    if suffix not in supported_suffixes(settings):
        known = " ".join(sorted(supported_suffixes(settings)))
        yield Skipped(str(path), f"unsupported format {suffix or '(no extension)'!r}; supported: {known}")
        return
    # One file, one article (text, HTML): no more than an article's worth is read. A feed is parsed whole.
    if suffix in HTML_SUFFIXES or suffix in TEXT_SUFFIXES:
        data = read_bytes(path, max_article, "max_article_bytes")
    else:
        data = read_bytes(path, min(max_file, int(settings["max_feed_bytes"])), "max_feed_bytes")
    if suffix in HTML_SUFFIXES:
        article = article_from_html(
            file_article_id(path), data, str(path), min_words=int(settings["min_html_words"])
        )
        yield article if article is not None else Skipped(str(path), "HTML page with no article text")
    elif suffix in TEXT_SUFFIXES:
        yield read_text(path, decode(data, str(path)))
    else:
        yield from read_feed(data, str(path))


def check_article(item: Article | Skipped, settings: Settings) -> Article | Skipped:
    """Reject what no stage can use: empty or oversized text (also for Spark's reader)."""
    if isinstance(item, Skipped):
        return item
    if len(item.text.strip()) < int(settings["min_text_chars"]):
        return Skipped(item.origin, "empty: no article text")
    if has_lone_surrogate(item.id):  # a file name that is not UTF-8 gives one
        return Skipped(item.origin, f"its id {item.id!r} is not valid Unicode (a file name that is not UTF-8?); "
                                    "rename the file or give the record another id")
    fields = (item.text, item.title, item.source, item.url, item.author, item.published, item.lang)
    if any(has_lone_surrogate(f) for f in fields if f):
        # A character reference such as &#xD800; decodes to a lone surrogate, which the store cannot hold.
        return Skipped(item.origin, "article contains invalid Unicode (a lone surrogate, such as &#xD800; gives)")
    limit = int(settings["max_article_bytes"])
    if len(item.text) > limit // 4 and len(item.text.encode("utf-8", "surrogatepass")) > limit:
        return Skipped(item.origin, f"article text larger than max_article_bytes={limit:,}; skipped")
    return item


def load_articles(
    paths: list[Path], settings: Settings, on_file: Callable[[Path], None] | None = None
) -> Iterator[Article | Skipped]:
    """Every article in ``paths`` (files and folders, recursively), or why a record was skipped."""
    for path in walk(paths, supported_suffixes(settings)):
        if on_file is not None:
            on_file(path)
        if not path.exists():
            yield Skipped(str(path), "no such file or folder")
            continue
        if not path.is_file():  # reading a named pipe or a device would block, or never end
            yield Skipped(str(path), "not a regular file (a pipe, socket or device); copy it to a file first")
            continue
        try:
            for item in _read_file(path, settings):
                yield check_article(item, settings)
        except InputError as e:
            yield Skipped(e.origin, e.problem)
