"""Finding input files and reading their bytes safely.

Every read is bounded (``max_file_bytes``, also after gzip decompression) so
that a decompression bomb is refused with a message instead of filling memory.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

LOGGER = logging.getLogger(__name__)

_CHUNK = 1 << 20
_COMMON_ENCODINGS = {name: rank for rank, name in enumerate(
    ("cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "shift_jis", "gb18030", "euc_kr", "cp1250")
)}


def compressed(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def format_suffix(path: Path) -> str:
    """The suffix that names the format: ``a.jsonl.gz`` → ``.jsonl``, ``a.warc.gz`` → ``.warc``."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def file_article_id(path: Path) -> str:
    """SPEC §2: a file's article id is its name without the last extension (and without .gz)."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def read_bytes(path: Path, limit: int, setting: str = "max_file_bytes") -> bytes:
    """The file's content, decompressed if it ends in .gz, refusing more than ``limit`` bytes.

    The read stops at the limit, so a decompression bomb costs at most ``limit`` bytes of memory.
    """
    with open_stream(path, limit, setting) as stream:
        try:
            return stream.read()
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise InputError(str(path), f"corrupt or truncated gzip data ({e})") from None
        except OSError as e:
            raise _open_error(path, e) from None


def decode(data: bytes, origin: str) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped) first, else the encoding charset-normalizer finds."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    utf16_32 = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    if b"\x00" in data[:65536] and not utf16_32:
        raise InputError(origin, "looks like a binary file, not text (it contains NUL bytes)")
    results = list(from_bytes(data))
    best = results[0] if results else None
    if best is not None:
        # Short texts often tie between code pages; a tie goes to the one most
        # web text is in, rather than to whichever the detector listed first.
        tied = [m for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
        best = min(tied, key=lambda m: _COMMON_ENCODINGS.get(m.encoding, len(_COMMON_ENCODINGS)))
    if best is None or best.encoding is None:
        raise InputError(origin, "is not UTF-8 and its encoding could not be detected; convert it to UTF-8")
    LOGGER.info("%s: decoded as %s", origin, best.encoding)
    return str(best)


def walk(paths: list[Path], supported: set[str]) -> Iterator[Path]:
    """Files named directly, and supported files under named folders (recursively, sorted, no hidden)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_file() and format_suffix(child) in supported:
                    yield child
                elif child.is_file():
                    LOGGER.debug("%s: not a supported format, ignored", child)
        else:
            yield path


def _open_error(path: Path, e: OSError) -> InputError:
    if isinstance(e, IsADirectoryError):
        return InputError(str(path), "is a directory, not a file")
    if isinstance(e, FileNotFoundError):
        return InputError(str(path), "no such file")
    if isinstance(e, PermissionError):
        return InputError(str(path), "permission denied")
    return InputError(str(path), f"cannot be read ({e.strerror or e})")


class _BoundedReader(io.RawIOBase):
    """A read-only stream that refuses to yield more than ``limit`` bytes in all."""

    def __init__(self, inner: BinaryIO | gzip.GzipFile, limit: int, origin: str, what: str, setting: str) -> None:
        self._inner = inner
        self._left = limit
        self._limit = limit
        self._origin = origin
        self._what = what
        self._setting = setting

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self._left -= len(data)
        if self._left < 0:
            raise InputError(
                self._origin,
                f"more than {self._setting}={self._limit:,} bytes{self._what}; "
                "raise the setting if the file is genuine",
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_stream(path: Path, limit: int, setting: str = "max_file_bytes") -> io.BufferedReader:
    """A buffered stream over the file (gunzipped for .gz) that refuses to yield more than ``limit`` bytes."""
    try:
        raw: BinaryIO | gzip.GzipFile = open(path, "rb")  # noqa: SIM115 - the caller closes the returned stream
    except OSError as e:
        raise _open_error(path, e) from None
    what = ""
    # A .warc.gz too is gunzipped here (GzipFile reads its record members in turn) rather than by
    # warcio, so that the limit counts decompressed bytes and a bomb stops at ``limit``.
    if compressed(path):
        raw = gzip.GzipFile(fileobj=raw)
        what = " once decompressed (refused as a possible decompression bomb)"
    return io.BufferedReader(_BoundedReader(raw, limit, str(path), what, setting), buffer_size=_CHUNK)
