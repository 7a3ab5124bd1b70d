"""Publication dates to ISO 8601.

A date alone stays a date (``2025-11-23``): inventing a midnight would make a
day-level fact look precise. A datetime keeps its UTC offset when the source
gave one.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

LOGGER = logging.getLogger(__name__)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIDNIGHT_NAIVE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?$")


def _format(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def _parse_string(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    midnight = _MIDNIGHT_NAIVE.match(text)
    if midnight:
        # htmldate and many CMSs write a bare date as naive midnight.
        return midnight.group(1)
    if _DATE_ONLY.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return _format(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _format(email.utils.parsedate_to_datetime(text))  # RSS: RFC 822
    except (TypeError, ValueError, IndexError):
        pass
    import dateparser  # slow to import; only free-form dates need it

    parsed: datetime | None = dateparser.parse(
        text,
        languages=["en", "de", "fr", "es", "it", "ru", "uk"],
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    if parsed is None:
        return None
    if parsed.tzinfo is None and (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0):
        return parsed.date().isoformat()
    return _format(parsed)


def to_iso(value: Any) -> str | None:
    """ISO 8601 text for a date given as text, datetime, date or struct_time; None if unknown."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _format(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time.struct_time):
        return _format(datetime(*value[:6], tzinfo=UTC))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Epoch seconds, or milliseconds as aggregators often give.
        seconds = value / 1000 if value > 1e11 else value
        try:
            return _format(datetime.fromtimestamp(seconds, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        return _parse_string(value)
    return None
