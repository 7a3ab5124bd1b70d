"""Claims for a set of documents: the components chained in one order.

1. parse every document once with the shared spaCy pipeline;
2. resolve entities across all documents (one entity per person, organisation
   or place, whatever the spelling);
3. per document: attributions (source, cue, content), the speaker entity and
   role, the hedges whose scope covers the claim, its date and places;
4. sentences no attribution covers become unattributed claims (source and cue
   null), so a comparison can match plain statements of fact too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..models import Article, Claim, ClaimSet, Role, Skipped, Span
from ..normalize.text import has_lone_surrogate
from ..settings import Settings
from .attribution import Attribution, find_attributions
from .entities import entity_at, resolve_entities
from .hedges import Hedge, find_hedges, hedges_in, speaker_hedges
from .nlp import load_nlp
from .roles import document_role_spans, roles_for
from .when_where import dates_in, places_in

LOGGER = logging.getLogger(__name__)


def _bounds(att: Attribution) -> tuple[int, int]:
    parts = [p for p in (att.source, att.cue, att.content) if p is not None]
    return min(p.start for p in parts), max(p.end for p in parts)


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """[start, end) without surrounding white space; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def _sentence_span(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The sentences that [start, end) touches, as one span."""
    touched = [s for s in sentences if s[0] < end and start < s[1]] or [(start, end)]
    return touched[0][0], touched[-1][1]


def _unattributed(doc: Any, text: str, taken: list[tuple[int, int]]) -> list[Span]:
    """Sentences that no attribution overlaps."""
    out: list[Span] = []
    for sent in doc.sents:
        if any(s < sent.end_char and sent.start_char < e for s, e in taken):
            continue
        span = _trimmed(text, sent.start_char, sent.end_char)
        # A sentence needs a verb, or a headline-length run of words, to state anything.
        if span is not None and len(span.text.split()) >= 3:
            out.append(span)
    return out


@dataclass(frozen=True, slots=True)
class ClaimDetails:
    """The claims plus what was found on the way, for stages that need more than SPEC §2 shows.

    ``docs`` are the spaCy parses (in article order); ``mentions`` maps
    (doc id, start, end) to an entity id, descriptions and pronouns included;
    ``hedges`` are every hedge of a document (all kinds), and
    ``speaker_hedges`` those that qualify a speaker (doc id → entity id → hedges).
    """

    claims: ClaimSet
    docs: tuple[Any, ...]
    mentions: dict[tuple[str, int, int], str]
    hedges: dict[str, list[Hedge]] = field(default_factory=dict)
    speaker_hedges: dict[str, dict[str, list[Hedge]]] = field(default_factory=dict)


def extract_claims(articles: Sequence[Article], settings: Settings | None = None) -> ClaimSet:
    """Entities and claims of ``articles`` (SPEC §2 ``claims``)."""
    return extract_details(articles, settings).claims


def check_parsable(articles: Sequence[Article], settings: Settings) -> None:
    """Refuse, naming the document, a text the parser cannot take: invalid Unicode, or too long.

    spaCy hashes every token as UTF-8 (a lone surrogate raises deep inside it) and its parse grows
    with the text (``claims_max_chars``).
    """
    limit = int(settings["claims_max_chars"])
    for art in articles:
        where = art.origin or art.id
        if has_lone_surrogate(art.text):
            raise InputError(where, "text contains invalid Unicode (a lone surrogate such as \\ud800); "
                                    "fix the text or drop the document")
        if len(art.text) > limit:
            raise InputError(where, f"text of {len(art.text):,} characters is longer than claims_max_chars="
                                    f"{limit:,}; raise the setting (the parse takes about 1 s per 10,000 "
                                    "characters) or split the document")


def split_parsable(articles: Sequence[Article], settings: Settings) -> tuple[list[Article], list[Skipped]]:
    """The articles :func:`check_parsable` accepts, and the others as skipped records with the reason."""
    kept: list[Article] = []
    skipped: list[Skipped] = []
    for art in articles:
        try:
            check_parsable([art], settings)
        except InputError as e:
            skipped.append(Skipped(e.origin, e.problem))
        else:
            kept.append(art)
    return kept, skipped


def extract_details(articles: Sequence[Article], settings: Settings | None = None) -> ClaimDetails:
    """:func:`extract_claims` with the parses, mentions and hedges it used."""
    settings = settings or Settings()
    check_parsable(articles, settings)
    nlp = load_nlp(str(settings["spacy_pipeline"]) or None)
    docs = list(nlp.pipe([a.text for a in articles]))
    entities, mention_map = resolve_entities(
        [(a.id, d) for a, d in zip(articles, docs, strict=True)], {a.id: a.published for a in articles}
    )

    claims: list[Claim] = []
    roles: list[Role] = []
    all_hedges: dict[str, list[Hedge]] = {}
    all_on_speaker: dict[str, dict[str, list[Hedge]]] = {}
    for art, doc in zip(articles, docs, strict=True):
        sentences = [(s.start_char, s.end_char) for s in doc.sents]
        hedges = find_hedges(art.text, sentences)
        # "X, who requested anonymity" / "X, cited in unverified sources" qualify every claim X makes here.
        on_speaker = speaker_hedges(hedges, mention_map, art.id, art.text)
        all_hedges[art.id], all_on_speaker[art.id] = hedges, on_speaker
        for entity_id, spans in document_role_spans(doc, mention_map, art.id).items():
            roles.extend(Role(entity_id, art.id, t, s, e) for t, s, e in spans)

        found: list[tuple[int, int, Span, Span | None, Span | None]] = []
        for att in find_attributions(art.text, doc):
            start, end = _bounds(att)
            found.append((start, end, att.content, att.source, att.cue))
        taken = [(s, e) for s, e, *_ in found]
        found.extend((s.start, s.end, s, None, None) for s in _unattributed(doc, art.text, taken))
        found.sort(key=lambda f: (f[0], f[1]))

        doc_roles = {r.entity: r.text for r in roles if r.doc == art.id}
        for start, end, content, source, cue in found:
            speaker = entity_at(mention_map, art.id, source.start, source.end) if source else None
            role = None
            if source is not None:
                here = roles_for(doc, source.start, source.end)
                role = here[0] if here else doc_roles.get(speaker) if speaker else None
            # A date in the claim itself, else one its sentence gives ("On November 20th, X visited ...").
            governing = [*hedges_in(hedges, start, end), *on_speaker.get(speaker or "", [])]
            dates = dates_in(doc, start, end, art.published) or dates_in(
                doc, *_sentence_span(sentences, start, end), art.published
            )
            claims.append(
                Claim(
                    id=f"C{len(claims) + 1}",
                    doc=art.id,
                    start=start,
                    end=end,
                    text=art.text[start:end],
                    content=content,
                    source=source,
                    cue=cue,
                    speaker=speaker,
                    speaker_role=role,
                    hedges=tuple(dict.fromkeys(h.text for h in governing)),
                    time=dates[0][1] if dates else None,
                    places=tuple(places_in(entities, art.id, start, end)),
                )
            )
    return ClaimDetails(
        ClaimSet(tuple(articles), tuple(entities), tuple(claims), tuple(roles)),
        tuple(docs),
        mention_map,
        all_hedges,
        all_on_speaker,
    )
