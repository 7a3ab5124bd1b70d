"""HTML pages through trafilatura: main text plus title, date, author, site and URL."""

from __future__ import annotations

from typing import Any

from ..models import Article
from ..normalize.dates import to_iso

_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True}


def extract_html(html: str | bytes, url: str | None = None, min_words: int = 0) -> dict[str, Any] | None:
    """trafilatura's text and metadata as a dict, or None when the page has no article text.

    trafilatura's fallbacks return navigation text ("Home Log in") for a page
    with no article; fewer than ``min_words`` words counts as no article.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=_DATE_PARAMS,
    )
    if doc is None:
        return None
    data: dict[str, Any] = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    if len((data.get("text") or "").split()) < max(min_words, 1):
        return None
    return data


# Meta tags that carry a full publication timestamp. htmldate (inside
# trafilatura) reduces every date to its day; these give back the time and
# offset when the page states them.
_TIMESTAMP_XPATH = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @property='og:published_time' or @itemprop='datePublished' or @name='pubdate'"
    " or @name='publishdate' or @name='dc.date.issued' or @name='DC.date.issued']/@content"
    " | //time[@itemprop='datePublished' or @pubdate]/@datetime"
)


def _precise_date(html: str | bytes, day: str | None) -> str | None:
    """``day`` made precise with a stated time and offset on that same day, when the page has one."""
    if day is None:
        return None
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return day
    for value in root.xpath(_TIMESTAMP_XPATH):
        stamp = to_iso(str(value))
        if stamp and len(stamp) > 10 and stamp.startswith(day):
            return stamp
    return day


def article_from_html(
    article_id: str,
    html: str | bytes,
    origin: str,
    url: str | None = None,
    extra: dict[str, Any] | None = None,
    min_words: int = 0,
) -> Article | None:
    data = extract_html(html, url, min_words)
    if data is None:
        return None
    return Article(
        id=article_id,
        text=data["text"],
        title=data.get("title") or None,
        source=data.get("sitename") or data.get("hostname") or None,
        url=data.get("url") or url,
        published=_precise_date(html, to_iso(data.get("date"))),
        author=data.get("author") or None,
        origin=origin,
        extra={k: v for k, v in (extra or {}).items() if v is not None},
    )
