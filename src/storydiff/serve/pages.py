"""What the templates show beyond the comparison itself: links, dates, the timeline, entities, passages.

Everything here returns plain data; the templates escape it (Jinja2 autoescaping). Article URLs are
untrusted: only http and https URLs ever become links.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from ..models import Article, Comparison

_CONTROL = re.compile(r"[\x00-\x20\x7f]")  # what browsers drop or trim in a URL before reading its scheme


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL with a host, else None (shown as text, never as a link).

    Browsers ignore tabs and newlines inside a scheme and trim control characters around a URL, so
    ``java\\tscript:`` is ``javascript:`` to them: the scheme is read after removing those.
    """
    if not url:
        return None
    cleaned = _CONTROL.sub("", url)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return cleaned


def article_path(article_id: str) -> str:
    """The page of one article. Every character that could end the path segment is escaped, and so
    are "." and "..", which a browser would otherwise resolve as a relative path."""
    quoted = quote(article_id, safe="")
    if quoted in (".", ".."):
        quoted = quoted.replace(".", "%2E")
    return "/article/" + quoted


def story_path(story_id: str) -> str:
    return "/story/" + quote(story_id, safe="")


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware datetime (a date or a naive time is taken as UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def when(value: str | None) -> str:
    """A stored date for people: ``2025-11-18 15:05 +02:00``; a date stays a date."""
    if not value:
        return "—"
    parsed = parse_when(value)
    if parsed is None or len(value) <= 10:
        return value
    offset = parsed.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return parsed.strftime("%Y-%m-%d %H:%M ") + zone


# -- timeline -----------------------------------------------------------------------------------
TIMELINE_WIDTH = 760
_LABEL_W = 210  # left margin for the version labels
_ROW_H = 24
_TOP = 30  # room for the axis labels


@dataclass(frozen=True, slots=True)
class TimelineRow:
    y: int
    x: float | None  # None: undated
    label: str
    title: str
    href: str


def timeline(docs: list[Article]) -> dict[str, Any]:
    """Positions for an SVG timeline of when each version was published (undated ones listed last)."""
    dated = [(d, parse_when(d.published)) for d in docs]
    times = [t for _, t in dated if t is not None]
    plot_w = TIMELINE_WIDTH - _LABEL_W - 55
    if times:
        lo, hi = min(times), max(times)
        if hi - lo < timedelta(hours=1):
            lo, hi = lo - timedelta(hours=12), hi + timedelta(hours=12)
        span = (hi - lo).total_seconds()
    rows: list[TimelineRow] = []
    ordered = sorted(dated, key=lambda p: (p[1] is None, p[1] or datetime.min.replace(tzinfo=UTC)))
    for n, (doc, t) in enumerate(ordered):
        x = None if t is None or not times else _LABEL_W + 10 + plot_w * (t - lo).total_seconds() / span
        label = doc.source or doc.id
        label = label if len(label) <= 30 else label[:29] + "…"
        title = f"{doc.id} · {doc.source or 'no source'} · {when(doc.published) if t else 'undated'}"
        rows.append(TimelineRow(_TOP + n * _ROW_H, x, label, title, article_path(doc.id)))
    ticks: list[dict[str, Any]] = []
    if times:
        days = span / 86400
        for i in range(5):
            at = lo + timedelta(seconds=span * i / 4)
            text = at.strftime("%Y-%m-%d") if days >= 4 else at.strftime("%m-%d %H:%M")
            ticks.append({"x": _LABEL_W + 10 + plot_w * i / 4, "text": text})
    return {
        "width": TIMELINE_WIDTH,
        "height": _TOP + len(rows) * _ROW_H + 6,
        "rows": rows,
        "ticks": ticks,
        "x0": _LABEL_W + 10,
        "x1": _LABEL_W + 10 + plot_w,
        "utc": bool(times),
    }


# -- entities and passages ---------------------------------------------------------------------
def entities(comparison: Comparison) -> list[dict[str, Any]]:
    """Each entity with its spellings per document; ``group`` is its id in the page's marks (e0, e1, ...)."""
    order = {d.id: n for n, d in enumerate(comparison.documents)}
    out: list[dict[str, Any]] = []
    for i, entity in enumerate(comparison.entities):
        per_doc: dict[str, Counter[str]] = {}
        for m in entity.mentions:
            per_doc.setdefault(m.doc, Counter())[m.text] += 1
        out.append({
            "group": f"e{i}",
            "id": entity.id,
            "type": entity.type,
            "name": entity.name,
            "n_mentions": len(entity.mentions),
            "docs": [{"doc": doc, "forms": forms.most_common()}
                     for doc, forms in sorted(per_doc.items(), key=lambda p: order.get(p[0], len(order)))],
            "variants": len({m.text for m in entity.mentions}),
        })
    # Entities named in most versions first, then the most mentioned.
    out.sort(key=lambda e: (-len(e["docs"]), -int(e["n_mentions"]), str(e["name"]).lower()))
    return out


_EXCERPT = 280


def passages(comparison: Comparison) -> list[dict[str, Any]]:
    """Shared passages with their text in each document (long ones cut in the middle)."""
    by_id = {d.id: d for d in comparison.documents}
    out = []
    for i, p in enumerate(comparison.passages):
        sides = []
        for doc_id, (start, end) in zip(p.docs, (p.a, p.b), strict=True):
            doc = by_id.get(doc_id)
            text = doc.text[start:end] if doc is not None else ""
            if len(text) > _EXCERPT:
                text = text[: _EXCERPT // 2].rstrip() + " … " + text[-_EXCERPT // 2 :].lstrip()
            sides.append({"doc": doc_id, "start": start, "end": end, "text": text})
        out.append({"group": f"p{i}", "similarity": p.similarity, "sides": sides, "chars": p.a[1] - p.a[0]})
    return out
