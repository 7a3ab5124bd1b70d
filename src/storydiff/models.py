"""Typed records that cross every seam between stages.

Each stage takes and returns these, never raw dicts; ``as_dict`` gives the
JSON shapes of SPEC §2 and ``from_dict`` reads them back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal["PERSON", "ORG", "PLACE", "DATE", "OTHER"]
Relation = Literal["same", "paraphrase", "conflict"]
DiscrepancyKind = Literal[
    "role_conflict",
    "attribution_conflict",
    "date_conflict",
    "number_conflict",
    "place_conflict",
    "hedge_dropped",
    "only_in",
    "internal_contradiction",
    "name_variant",
    "framing",
]

# Conflicts first (what a reader must check), then the informational kinds, additions/omissions last.
KIND_ORDER: tuple[DiscrepancyKind, ...] = (
    "role_conflict",
    "attribution_conflict",
    "date_conflict",
    "number_conflict",
    "place_conflict",
    "hedge_dropped",
    "internal_contradiction",
    "framing",
    "name_variant",
    "only_in",
)


def content_hash(text: str) -> str:
    """The hash that decides whether two articles under one id are the same."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """One news report as ingested.

    ``published`` is an ISO 8601 string: a date (``2025-11-23``) when only the
    day is known, a datetime with its offset when the zone is known.
    ``extra`` keeps fields a source had that this record has no column for.
    """

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    lang: str | None = None
    origin: str = ""
    author: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def as_document(self) -> dict[str, Any]:
        """The ``documents`` entry of SPEC §2."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "text": self.text,
        }

    def as_dict(self) -> dict[str, Any]:
        """Every field, for round trips (``from_dict``)."""
        return {
            **self.as_document(),
            "lang": self.lang,
            "origin": self.origin,
            "author": self.author,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        extra = d.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra)
        return cls(
            id=str(d["id"]),
            text=str(d["text"]),
            title=d.get("title"),
            source=d.get("source"),
            url=d.get("url"),
            published=d.get("published"),
            lang=d.get("lang"),
            origin=d.get("origin") or "",
            author=d.get("author"),
            extra=dict(extra),
        )


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record a reader could not turn into an article, and why.

    ``origin`` names the file (and line or record where there is one), so the
    message a user sees points at the exact place to look.
    """

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets into a document's text, end exclusive."""

    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Span | None:
        if d is None:
            return None
        return cls(int(d["start"]), int(d["end"]), str(d["text"]))


@dataclass(frozen=True, slots=True)
class Sentence:
    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class DocSpan:
    """A stretch of one document: an entity's mention, or a discrepancy's evidence."""

    doc: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "text": self.text, "start": self.start, "end": self.end}


Mention = DocSpan
Evidence = DocSpan


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: EntityType
    name: str
    mentions: tuple[Mention, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "mentions": [m.as_dict() for m in self.mentions],
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """An attribution (source, cue, content) or an unattributed statement.

    ``source`` and ``cue`` are None for a statement nobody is said to make.
    """

    id: str
    doc: str
    start: int
    end: int
    text: str
    content: Span
    source: Span | None = None
    cue: Span | None = None
    speaker: str | None = None
    speaker_role: str | None = None
    hedges: tuple[str, ...] = ()
    time: str | None = None
    places: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc": self.doc,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "source": self.source.as_dict() if self.source else None,
            "cue": self.cue.as_dict() if self.cue else None,
            "content": self.content.as_dict(),
            "speaker": self.speaker,
            "speaker_role": self.speaker_role,
            "hedges": list(self.hedges),
            "time": self.time,
            "places": list(self.places),
        }


@dataclass(frozen=True, slots=True)
class ClaimSet:
    """What `claims` reports: documents, their entities, and their claims (SPEC §2)."""

    documents: tuple[Article, ...]
    entities: tuple[Entity, ...] = ()
    claims: tuple[Claim, ...] = ()
    roles: tuple[Role, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        roles: dict[str, list[dict[str, Any]]] = {}
        for r in self.roles:
            roles.setdefault(r.entity, []).append(r.as_dict())
        return {
            "documents": [d.as_document() for d in self.documents],
            "entities": [{**e.as_dict(), "roles": roles.get(e.id, [])} for e in self.entities],
            "claims": [c.as_dict() for c in self.claims],
        }


@dataclass(frozen=True, slots=True)
class Role:
    """What one document says an entity is ("a local official"), where it says it."""

    entity: str
    doc: str
    text: str
    start: int = -1
    end: int = -1

    def as_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "role": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    articles: tuple[str, ...]
    title: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "articles": list(self.articles),
            "title": self.title,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage two documents share: offsets ``a`` in docs[0], ``b`` in docs[1]."""

    docs: tuple[str, str]
    a: tuple[int, int]
    b: tuple[int, int]
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "docs": list(self.docs),
            "a": list(self.a),
            "b": list(self.b),
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True)
class Match:
    claims: tuple[str, ...]
    relation: Relation
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"claims": list(self.claims), "relation": self.relation, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: DiscrepancyKind
    docs: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    explanation: str
    entity: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "docs": list(self.docs),
            "entity": self.entity,
            "evidence": [e.as_dict() for e in self.evidence],
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything `compare` and `show` report (SPEC §2)."""

    documents: tuple[Article, ...]
    entities: tuple[Entity, ...] = ()
    claims: tuple[Claim, ...] = ()
    matches: tuple[Match, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    passages: tuple[Passage, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": [d.as_document() for d in self.documents],
            "entities": [e.as_dict() for e in self.entities],
            "claims": [c.as_dict() for c in self.claims],
            "matches": [m.as_dict() for m in self.matches],
            "discrepancies": [d.as_dict() for d in self.discrepancies],
            "passages": [p.as_dict() for p in self.passages],
        }
