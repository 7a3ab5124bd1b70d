"""What the comparison knows about each claim: its words, entities, hedges and tokens.

Built once from the claims stage's parses so every finder reads the same
facts instead of re-parsing text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..claims.extract import ClaimDetails
from ..claims.hedges import CLAIM_KINDS, Hedge, hedges_in
from ..models import Article, Claim, Entity

# Hedge kinds grouped by what a reader loses when one goes missing.
HEDGE_FAMILY = {
    "reported": "report",
    "vague_source": "report",
    "alleged": "allegation",
    "unverified": "verification",
    "conditional": "verification",
}


@dataclass(frozen=True, slots=True)
class ClaimView:
    claim: Claim
    article: Article
    doc: Any  # the spaCy Doc of the claim's document
    tokens: tuple[Any, ...]  # the claim's tokens (spaCy Tokens), no trailing white space
    words: frozenset[str]  # content lemmas
    entities: frozenset[str]  # entity ids mentioned inside the claim
    hedges: tuple[Hedge, ...]  # the hedges governing it, with kinds
    sentence: tuple[int, int]  # the sentence(s) it stands in

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def doc_id(self) -> str:
        return self.claim.doc

    def families(self) -> set[str]:
        return {HEDGE_FAMILY[h.kind] for h in self.hedges if h.kind in HEDGE_FAMILY}


def stem(word: str) -> str:
    """A light suffix fold on top of spaCy's lemma, which leaves title-case words
    ("Forces Abandoned" in a headline) unlemmatised."""
    w = word.lower()
    for suffix, keep in (("ing", 5), ("ed", 5), ("es", 5), ("s", 4)):
        if w.endswith(suffix) and len(w) >= keep and not w.endswith("ss"):
            return w[: -len(suffix)]
    return w


def content_words(tokens: Sequence[Any]) -> frozenset[str]:
    return frozenset(
        stem(t.lemma_)
        for t in tokens
        if not (t.is_stop or t.is_punct or t.is_space) and any(c.isalnum() for c in t.text)
    )


def entity_index(entities: Sequence[Entity]) -> dict[str, list[tuple[int, int, str]]]:
    """Doc id → sorted (start, end, entity id) of every named mention."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for e in entities:
        for m in e.mentions:
            out.setdefault(m.doc, []).append((m.start, m.end, e.id))
    for spans in out.values():
        spans.sort()
    return out


def build_views(details: ClaimDetails) -> list[ClaimView]:
    cs = details.claims
    docs = {a.id: (a, d) for a, d in zip(cs.documents, details.docs, strict=True)}
    # Descriptions and pronouns count too ("the adviser" is the person it describes).
    index: dict[str, list[tuple[int, int, str]]] = {}
    for (doc_id, start, end), eid in details.mentions.items():
        index.setdefault(doc_id, []).append((start, end, eid))
    views = []
    for c in cs.claims:
        article, doc = docs[c.doc]
        span = doc.char_span(c.start, c.end, alignment_mode="expand")
        tokens = tuple(t for t in span if not t.is_space) if span is not None else ()
        ents = frozenset(eid for s, e, eid in index.get(c.doc, []) if s < c.end and c.start < e) | (
            {c.speaker} if c.speaker else set()
        )
        hedges = [*hedges_in(details.hedges.get(c.doc, []), c.start, c.end, CLAIM_KINDS)]
        if c.speaker:
            hedges.extend(details.speaker_hedges.get(c.doc, {}).get(c.speaker, []))
        sents = [s for s in doc.sents if s.start_char < c.end and c.start < s.end_char] or [span]
        sentence = (sents[0].start_char, sents[-1].end_char) if sents[0] is not None else (c.start, c.end)
        views.append(
            ClaimView(c, article, doc, tokens, content_words(tokens), ents, tuple(dict.fromkeys(hedges)), sentence)
        )
    return views


def sentence_tokens(v: ClaimView) -> tuple[Any, ...]:
    """The tokens of the sentence(s) a claim stands in, white space left out."""
    span = v.doc.char_span(v.sentence[0], v.sentence[1], alignment_mode="expand")
    return tuple(t for t in span if not t.is_space) if span is not None else v.tokens
