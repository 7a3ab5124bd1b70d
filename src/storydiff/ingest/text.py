"""Plain text and Markdown files: one article per file.

The text is the file unchanged (UTF-8, ``\\r\\n`` → ``\\n``) so that character
offsets line up with the file. A first line that reads as a headline (no
sentence-final punctuation, followed by a blank line) becomes the title.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Article
from ..normalize.text import normalize_newlines
from .files import file_article_id

_SENTENCE_END = re.compile(r"[.!?:;…\"”’)»]\s*$")
_MAX_TITLE_CHARS = 300


def headline(text: str) -> str | None:
    """The first line if it reads as a headline, else None."""
    stripped = text.lstrip("\n")
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if not first or not sep or len(first) > _MAX_TITLE_CHARS:
        return None
    if _SENTENCE_END.search(first) or not rest.strip():
        return None
    if not rest.startswith("\n"):
        return None
    return first


def read_text(path: Path, content: str) -> Article:
    text = normalize_newlines(content)
    return Article(id=file_article_id(path), text=text, title=headline(text), origin=str(path))
