"""Attributed claims: who says what, in which role, with which hedges, when and where.

``extract_claims(articles, settings)`` returns a :class:`~storydiff.models.ClaimSet`.
The components (attribution, entities, roles, hedges, when_where) import
spaCy and models lazily, so importing one of them stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Article, ClaimSet
    from ..settings import Settings

__all__ = ["extract_claims"]


def extract_claims(articles: Sequence[Article], settings: Settings | None = None) -> ClaimSet:
    """Entities and claims of ``articles``; see :mod:`storydiff.claims.extract`."""
    from .extract import extract_claims as run

    return run(articles, settings)
