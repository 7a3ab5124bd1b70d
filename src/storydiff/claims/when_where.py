"""When and where a claim happened: dates resolved against the publication date, places.

Dates. A date expression is resolved with dateparser relative to the
article's publication date (RELATIVE_BASE), preferring the past: news reports
what happened, so "November 20th" in an article of 2025-11-23 is 2025-11-20
and "December 5" in it is 2024-12-05 (the publication year would put it in
the future). The ISO string is as precise as the expression: "2014" → "2014",
"March 2020" → "2020-03", "last week" → "2025-W47", a day → "2025-11-20".
Without a publication date only absolute expressions resolve; a month-day
without a year becomes the ISO 8601 yearless form "--11-20".

Places. A claim's places are the PLACE entities mentioned inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ..models import Entity, Span

# Words that open a date phrase without being part of the date.
_LEADING = re.compile(
    r"^(?:(?:on|in|at|by|since|until|till|from|during|as of|before|after|around|about|"
    r"early|late|mid|the|of|between|through)\b[\s-]*)+",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_RELATIVE = re.compile(
    r"\b(?:ago|last|next|this|yesterday|today|tomorrow|tonight|earlier|later|previous|"
    r"past|coming|recent|recently|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
# Expressions that name a recurrence or vague span, not a date.
_NOT_A_DATE = re.compile(
    r"\b(?:daily|weekly|monthly|annual|annually|yearly|decades?|centuries|century|now|currently|"
    r"once|ages|era|seasons?|winter|summer|spring|autumn|fall|each|every|\d*0s|\d*0's)\b"
    r"|\b(?:years|months|weeks|days)\b(?!\s+ago)"
    r"|-\s*(?:year|month|week|day)s?\b"  # "eight-year deal", "28-year-old": durations and ages
    r"|^\d{1,3}$",  # a bare number is a count, not a date
    re.IGNORECASE,
)


def _base(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        parsed = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(published[:10]), datetime.min.time())
        except ValueError:
            return None
    # dateparser compares against naive datetimes; the local day is what the
    # article's words ("yesterday") are relative to.
    return parsed.replace(tzinfo=None)


@lru_cache(maxsize=64)
def _parser(base: datetime) -> Any:
    from dateparser.date import DateDataParser  # slow import: only when a date is resolved

    # languages=[...] matters: without it "to" and other short words parse as dates.
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "past",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )


def _format(value: datetime, period: str) -> str | None:
    if period == "year":
        return f"{value.year:04d}"
    if period == "month":
        return f"{value.year:04d}-{value.month:02d}"
    if period == "week":
        year, week, _ = value.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if period in ("day", "time"):
        return value.date().isoformat()
    return None


_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_FAST_MONTH_DAY = re.compile(rf"^{_MONTH}\s+{_ORD}(?:,?\s+(\d{{4}}))?$", re.IGNORECASE)
_FAST_DAY_MONTH = re.compile(rf"^{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?$", re.IGNORECASE)
_FAST_MONTH_YEAR = re.compile(rf"^{_MONTH},?\s+(\d{{4}})$", re.IGNORECASE)
_FAST_YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})$")


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_THIS_LAST_NEXT = re.compile(r"^(this|last|next|past)\s+(week|month|year)$", re.IGNORECASE)


def _relative_fast(text: str, base: datetime) -> str | None:
    """Weekdays, today/yesterday, a bare month, this/last/next week|month|year."""
    low = text.lower()
    today = base.date()
    if low in _DAY_WORDS:
        return (today + timedelta(days=_DAY_WORDS[low])).isoformat()
    if low in _WEEKDAYS:
        # The latest such day on or before publication: "on Tuesday" in news is past.
        back = (today.weekday() - _WEEKDAYS.index(low)) % 7
        return (today - timedelta(days=back)).isoformat()
    if low.rstrip(".") in _MONTHS:
        month = _MONTHS[low.rstrip(".")]
        year = today.year if month <= today.month else today.year - 1
        return f"{year:04d}-{month:02d}"
    m = _THIS_LAST_NEXT.match(low)
    if m:
        step = {"this": 0, "last": -1, "past": -1, "next": 1}[m.group(1)]
        unit = m.group(2)
        if unit == "year":
            return f"{today.year + step:04d}"
        if unit == "month":
            index = today.year * 12 + today.month - 1 + step
            return f"{index // 12:04d}-{index % 12 + 1:02d}"
        year, week, _ = (today + timedelta(weeks=step)).isocalendar()
        return f"{year:04d}-W{week:02d}"
    return None


def _fast(text: str, base: datetime | None) -> str | None:
    """The common explicit forms without dateparser (~1000x faster); None to fall back."""
    if m := _FAST_YEAR.match(text):
        return m.group(1)
    if base is not None and (rel := _relative_fast(text, base)) is not None:
        return rel
    if m := _FAST_MONTH_YEAR.match(text):
        return f"{int(m.group(2)):04d}-{_MONTHS[m.group(1).lower()]:02d}"
    m = _FAST_MONTH_DAY.match(text)
    if m:
        month, day, year = _MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3)
    elif m := _FAST_DAY_MONTH.match(text):
        day, month, year = int(m.group(1)), _MONTHS[m.group(2).lower()], m.group(3)
    else:
        return None
    try:
        if year is not None:
            return date(int(year), month, day).isoformat()
        if base is None:
            date(2000, month, day)  # validates day and month (2000 is a leap year)
            return f"--{month:02d}-{day:02d}"
        # No year: the publication year, or the year before if that would be
        # after the publication date (news reports the past).
        resolved = date(base.year, month, day)
        if resolved > base.date():
            resolved = date(base.year - 1, month, day)
        return resolved.isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def resolve_date(expression: str, published: str | None) -> str | None:
    """An ISO 8601 date (or year, month, week) for a date expression; None if it names none."""
    text = _LEADING.sub("", expression.strip().strip(",.;:()")).strip()
    if not text or _NOT_A_DATE.search(text) or not re.search(r"\w", text):
        return None
    base = _base(published)
    fast = _fast(text, base)
    if fast is not None:
        return fast
    relative = bool(_RELATIVE.search(text))
    if base is None:
        if relative:
            return None
        # Any fixed base: only absolute parts are read, and the year is
        # checked below.
        base_used = datetime(2000, 1, 1)
    else:
        base_used = base
    data = _parser(base_used).get_date_data(text)
    value, period = data.date_obj, data.period
    if value is None:
        return None
    if period == "time" and not re.search(r"\d|noon|midnight|morning|evening|night", text, re.I):
        return None  # dateparser's "now" fallback for phrases it half-reads ("the 1990s")
    if base is None and not _YEAR.search(text):
        if period == "day":
            return f"--{value.month:02d}-{value.day:02d}"
        return None
    return _format(value, period or "day")


def dates_in(doc: Any, start: int, end: int, published: str | None) -> list[tuple[Span, str]]:
    """Date expressions (spaCy DATE/TIME entities) overlapping [start, end), resolved."""
    out: list[tuple[Span, str]] = []
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME") or ent.end_char <= start or ent.start_char >= end:
            continue
        iso = resolve_date(ent.text, published)
        if iso is not None:
            out.append((Span(ent.start_char, ent.end_char, ent.text), iso))
    return out


def places_in(entities: Iterable[Entity], doc_id: str, start: int, end: int) -> list[str]:
    """Ids of PLACE entities with a mention inside [start, end) of a document, in text order."""
    found: list[tuple[int, str]] = []
    for entity in entities:
        if entity.type != "PLACE":
            continue
        starts = [m.start for m in entity.mentions if m.doc == doc_id and start <= m.start and m.end <= end]
        if starts:
            found.append((min(starts), entity.id))
    return [eid for _, eid in sorted(found)]
