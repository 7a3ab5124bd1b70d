"""Everything a discrepancy finder reads, in one record."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..claims.extract import ClaimDetails
from ..models import Article, DocSpan, Entity
from ..settings import Settings
from .align import Pair, Scorer
from .views import ClaimView


@dataclass
class Context:
    details: ClaimDetails
    views: list[ClaimView]
    pairs: list[Pair]
    scorer: Scorer
    settings: Settings
    articles: dict[str, Article] = field(init=False)
    cache: dict[str, object] = field(default_factory=dict)  # what several finders compute once

    def __post_init__(self) -> None:
        self.articles = {a.id: a for a in self.details.claims.documents}

    @property
    def doc_ids(self) -> list[str]:
        return list(self.articles)

    @cached_property
    def entities(self) -> dict[str, Entity]:
        return {e.id: e for e in self.details.claims.entities}

    @cached_property
    def parses(self) -> dict[str, object]:
        return {a.id: d for a, d in zip(self.details.claims.documents, self.details.docs, strict=True)}

    def span(self, doc: str, start: int, end: int) -> DocSpan:
        text = self.articles[doc].text
        return DocSpan(doc, start, end, text[start:end])

    def name(self, entity_id: str | None) -> str:
        return self.entities[entity_id].name if entity_id in self.entities else "the speaker"
