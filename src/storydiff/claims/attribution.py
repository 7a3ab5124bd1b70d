"""Attribution extraction: who (source) says (cue) what (content).

A linear-chain CRF tags every token as part of a source, a cue or a content
(BIO), using syntactic features from the shared spaCy parse
(:mod:`.attribution_features`); :mod:`.attribution_assemble` then groups the
tagged spans into attributions around their cues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import Span
from .attribution_assemble import TaggedSpan, assemble, tagged_spans
from .attribution_features import doc_features
from .attribution_model import load_model
from .nlp import load_nlp

if TYPE_CHECKING:
    import spacy.tokens


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution relation; ``source`` is None when no source is stated."""

    source: Span | None
    cue: Span | None
    content: Span


def find_attributions(text: str, doc: spacy.tokens.Doc | None = None) -> list[Attribution]:
    """The attributions in ``text``, in order of their content.

    ``doc`` is ``load_nlp()(text)`` when the caller has already parsed the text.
    """
    if doc is None:
        doc = load_nlp()(text)
    if doc.text != text:
        raise ValueError("doc was parsed from a different text")
    model = load_model()
    tags = model.tag(doc_features(doc, model.lexicon))
    spans = tagged_spans(doc, tags)
    return [
        Attribution(_span(text, source), _span(text, cue), content_span)
        for source, cue, content in assemble(doc, spans)
        if (content_span := _span(text, content)) is not None
    ]


def _span(text: str, span: TaggedSpan | None) -> Span | None:
    if span is None:
        return None
    return Span(span.start, span.end, text[span.start : span.end])
