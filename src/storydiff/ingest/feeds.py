"""RSS and Atom feeds through feedparser: one article per item.

An item's id is its link, else its guid (SPEC §2). Its text is the full
content when the feed carries it, else the summary, as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..models import Article, Skipped
from ..normalize.dates import to_iso

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "figcaption",
}


def fragment_text(html: str) -> str:
    """Text of an HTML fragment with a line break per block element.

    Written here because trafilatura's extractors discard short fragments such
    as feed summaries, which are exactly what a feed holds.
    """
    import lxml.etree
    import lxml.html

    if "<" not in html:
        return html.strip()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return html.strip()
    lxml.etree.strip_elements(root, "script", "style", with_tail=False)
    parts: list[str] = []

    def visit(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.text and tag not in ("script", "style"):
            parts.append(el.text)
        for child in el:
            visit(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            parts.append("\n")

    visit(root)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value") or ""
        if value.strip():
            return fragment_text(value) if "html" in (content.get("type") or "html") else value.strip()
    return fragment_text(entry.get("summary") or entry.get("description") or "")


_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")


def _safe_charrefs(data: bytes) -> bytes:
    """Character references to no character (a surrogate, NUL, past U+10FFFF) as U+FFFD.

    feedparser's loose parser turns ``&#xD800;`` into a lone surrogate and then fails to encode it,
    losing the whole feed; replaced, the feed's items are read.
    """

    def fix(m: re.Match[bytes]) -> bytes:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        return b"&#xFFFD;" if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else m.group(0)

    return _CHARREF.sub(fix, data) if b"&#" in data else data


def read_feed(data: bytes, origin: str) -> Iterator[Article | Skipped]:
    import feedparser

    try:
        parsed = feedparser.parse(_safe_charrefs(data))
    except Exception as e:  # feedparser's loose parser fails in many ways on hostile input (&#xD800; raised
        # UnicodeEncodeError); whatever it raises, this file is unreadable and the batch goes on.
        yield Skipped(origin, f"feed could not be parsed ({type(e).__name__}: {e})")
        return
    if not parsed.entries:
        why = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        yield Skipped(origin, f"not an RSS/Atom feed, or a feed with no items{why}")
        return
    feed_title = parsed.feed.get("title") or None
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{origin}: item {n}"
        item_id = entry.get("link") or entry.get("id")
        if not item_id:
            yield Skipped(where, "item has neither a link nor a guid, so it has no id")
            continue
        text = _entry_text(entry)
        if not text.strip():
            yield Skipped(where, f"item {item_id} has no text (no content or summary)")
            continue
        published = to_iso(entry.get("published") or entry.get("updated") or entry.get("created"))
        extra: dict[str, Any] = {}
        if entry.get("tags"):
            extra["tags"] = [t.get("term") for t in entry.tags if t.get("term")]
        if entry.get("id") and entry.get("id") != item_id:
            extra["guid"] = entry.get("id")
        yield Article(
            id=str(item_id),
            text=text,
            title=entry.get("title") or None,
            source=feed_title,
            url=entry.get("link") or None,
            published=published,
            author=entry.get("author") or None,
            origin=where,
            extra=extra,
        )
