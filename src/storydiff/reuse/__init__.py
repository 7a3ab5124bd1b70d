"""Reuse: the passages two documents share, how much of each is shared, and which way copying likely went.

``shared_passages(articles, settings)`` aligns every pair of documents and
returns the SPEC §2 ``passages`` plus a :class:`PairReuse` summary per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from ..models import Article, Passage
from ..settings import Settings
from .passages import align, covered, normalise

__all__ = ["PairReuse", "compare_pair", "shared_passages"]


@dataclass(frozen=True, slots=True)
class PairReuse:
    """How much two documents share.

    ``containment[0]`` is the share of docs[0]'s text found in docs[1], and the
    other way round; ``similarity`` is the shared share of both together.
    """

    docs: tuple[str, str]
    passages: tuple[Passage, ...]
    similarity: float
    containment: tuple[float, float]
    direction: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "docs": list(self.docs),
            "similarity": round(self.similarity, 4),
            "containment": [round(c, 4) for c in self.containment],
            "passages": len(self.passages),
            "direction": self.direction,
        }


def _direction(a: Article, b: Article, containment: tuple[float, float], minimum: float) -> str | None:
    """A hint, from publication dates, of which version came from which; None when they don't tell."""
    if max(containment) < minimum or not a.published or not b.published:
        return None
    if a.published[:19] == b.published[:19]:
        return None
    first, second = (a, b) if a.published < b.published else (b, a)
    share = containment[0] if first is a else containment[1]
    return (
        f"{second.id} appears to derive from {first.id}: it was published later "
        f"({second.published} vs {first.published}) and repeats {share:.0%} of its text"
    )


def compare_pair(a: Article, b: Article, settings: Settings | None = None) -> PairReuse:
    settings = settings or Settings()
    raw = align(
        a.text,
        b.text,
        seed_chars=int(settings["reuse_seed_chars"]),
        max_gap=int(settings["reuse_max_gap"]),
        min_chars=int(settings["reuse_min_chars"]),
        min_similarity=float(settings["reuse_min_similarity"]),
    )
    passages = tuple(Passage((a.id, b.id), p.a, p.b, p.similarity) for p in raw)
    len_a, len_b = len(normalise(a.text).text), len(normalise(b.text).text)
    # Coverage is measured on the original spans; the normalised lengths only
    # scale it, so the two are close enough for a share.
    cov_a = min(covered([p.a for p in raw]), len_a)
    cov_b = min(covered([p.b for p in raw]), len_b)
    containment = (cov_a / len_a if len_a else 0.0, cov_b / len_b if len_b else 0.0)
    similarity = (cov_a + cov_b) / (len_a + len_b) if len_a + len_b else 0.0
    direction = _direction(a, b, containment, float(settings["reuse_direction_min_containment"]))
    return PairReuse((a.id, b.id), passages, similarity, containment, direction)


def shared_passages(
    articles: Sequence[Article], settings: Settings | None = None
) -> tuple[list[Passage], list[PairReuse]]:
    """Passages shared by every pair of ``articles`` (in input order), and a summary per pair."""
    pairs = [compare_pair(a, b, settings) for a, b in combinations(articles, 2)]
    return [p for pair in pairs for p in pair.passages], pairs
