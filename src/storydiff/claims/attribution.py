"""Attribution extraction: who (source) says (cue) what (content).

A linear-chain CRF tags every token as part of a source, a cue or a content
(BIO), using syntactic features from the shared spaCy parse
(:mod:`.attribution_features`); :mod:`.attribution_assemble` then groups the
tagged spans into attributions around their cues; a ranker picks each cue's
content among parse-based candidates (:mod:`.attribution_content`), and a
filter drops the attributions least likely to be ones
(:mod:`.attribution_filter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import Span
from .attribution_assemble import TaggedSpan, assemble, tagged_spans
from .attribution_content import Marginals, quotations, rank
from .attribution_doc import DocView
from .attribution_features import doc_features, quote_states
from .attribution_filter import features as filter_features
from .attribution_filter import keep
from .attribution_model import AttributionModel, load_model
from .attribution_rules import according_to, quote_signatures, speaker_labels
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
    found = []
    for source, cue, content, feats in scored_triples(DocView(doc), model):
        content_span = _span(text, content)
        if content_span is not None and keep(feats, model.filter):
            found.append(Attribution(_span(text, source), _span(text, cue), content_span))
    for source_span, cue_span, content_span in [*according_to(doc), *speaker_labels(doc), *quote_signatures(doc)]:
        # The rule's reading replaces what the tagger made of the same cue or source.
        found = [a for a in found if not (_overlaps(a.cue, cue_span) or _overlaps(a.content, source_span))]
        found.append(Attribution(source_span, cue_span, content_span))
    return sorted(found, key=lambda a: (a.content.start, a.content.end))


Triple = tuple[TaggedSpan | None, TaggedSpan | None, TaggedSpan]


def tagged_triples(doc: spacy.tokens.Doc | DocView, model: AttributionModel) -> tuple[list[Triple], Marginals]:
    """(source, cue, content) as the tagger and the assembly find them, before the content
    ranker, and the tagger's per-token content probabilities (in a content, starting one)."""
    tags, inside, begin = model.tag_with_marginals(doc_features(doc, model.lexicon))
    triples = assemble(doc, tagged_spans(doc, tags))
    return triples, (inside, begin)


def scored_triples(
    view: DocView, model: AttributionModel
) -> list[tuple[TaggedSpan | None, TaggedSpan | None, TaggedSpan, list[str]]]:
    """(source, cue, content, filter features): each content as the ranker picks it."""
    quotes = quote_states(view)
    owner = quotations(view, quotes)
    tags, inside, begin = model.tag_with_marginals(doc_features(view, model.lexicon))
    p_cue, p_source = model.role_marginals(tags)
    marginals = (inside, begin)
    out = []
    for source, cue, content in assemble(view, tagged_spans(view, tags)):
        chosen, margin = content, 0.0
        picked: list[str] = []
        if cue is not None:
            chosen, picked, margin = rank(view, cue, content, source, owner, quotes, marginals, model.ranker)
        feats = filter_features(view, source, cue, chosen, picked, margin, p_cue, p_source, model.lexicon, quotes)
        out.append((source, cue, chosen, feats))
    return out


def _overlaps(a: Span | None, b: Span) -> bool:
    return a is not None and a.start < b.end and b.start < a.end


def _span(text: str, span: TaggedSpan | None) -> Span | None:
    if span is None:
        return None
    return Span(span.start, span.end, text[span.start : span.end])
