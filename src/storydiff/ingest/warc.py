"""WARC and WARC.gz web archives through warcio: each HTML response → trafilatura.

A truncated or damaged archive keeps the records read before the damage and
reports where it stopped.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..models import Article, Skipped
from .files import open_stream
from .html import article_from_html

LOGGER = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(
    path: Path, max_file_bytes: int, max_record_bytes: int, min_words: int = 0
) -> Iterator[Article | Skipped]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    stream = open_stream(path, max_file_bytes)
    n = 0
    try:
        records = iter(ArchiveIterator(stream))
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except (InputError, ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError):
                raise
            except Exception as e:  # warcio's parser on a damaged archive: a response record with no
                # WARC-Target-URI raised AttributeError out of the ingest (found by fuzzing)
                raise ArchiveLoadFailed(f"{type(e).__name__}: {e}") from None
            n += 1
            if record.rec_type != "response":
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            where = f"{path}: record {n}" + (f" ({uri})" if uri else "")
            ctype = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
            if not any(t in ctype.lower() for t in _HTML_TYPES):
                LOGGER.debug("%s: %s is not HTML, ignored", where, ctype or "no content type")
                continue
            if record.http_headers and not record.http_headers.get_statuscode().startswith("2"):
                LOGGER.debug("%s: HTTP status %s, ignored", where, record.http_headers.get_statuscode())
                continue
            if not uri:
                yield Skipped(where, "response record has no WARC-Target-URI, so it has no id")
                continue
            body = record.content_stream().read(max_record_bytes + 1)
            if len(body) > max_record_bytes:
                yield Skipped(where, f"page larger than max_article_bytes={max_record_bytes:,}; skipped")
                continue
            extra = {"crawled": record.rec_headers.get_header("WARC-Date")}
            article = article_from_html(uri, body, where, url=uri, extra=extra, min_words=min_words)
            if article is None:
                yield Skipped(where, "HTML page with no article text")
                continue
            yield article
    except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as e:
        yield Skipped(
            f"{path}: record {n + 1}",
            f"archive is truncated or damaged here ({type(e).__name__}: {e}); {n} earlier records were read",
        )
    except InputError as e:
        yield Skipped(e.origin, e.problem)
    finally:
        stream.close()
