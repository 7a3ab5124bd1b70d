"""Compare: align versions claim by claim and find every discrepancy.

``compare_articles(articles, settings)`` returns a :class:`~storydiff.models.Comparison`.
Imports spaCy and the models lazily, so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Article, Comparison
    from ..settings import Settings

__all__ = ["compare_articles"]


def compare_articles(articles: Sequence[Article], settings: Settings | None = None) -> Comparison:
    """The comparison of two or more versions; see :mod:`storydiff.compare.engine`."""
    from .engine import compare_articles as run

    return run(articles, settings)
