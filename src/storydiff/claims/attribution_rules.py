"""Rules for attribution constructions whose shape is fixed, applied over the tagger's output.

"According to X, Y" (or "Y, according to X") always has the same parts: the
cue is "according to", the source is the object of "to", and the content is
the rest of the sentence. The tagger, which sees tokens, sometimes pairs that
cue with a content from a neighbouring sentence; this rule reads the parse.
"""

from __future__ import annotations

from typing import Any

from ..models import Span

_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "expl"}
_PUNCT_EDGE = " \t\n,;:.!?\"'“”‘’—–-"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _PUNCT_EDGE:
        start += 1
    while end > start and text[end - 1] in _PUNCT_EDGE:
        end -= 1
    return start, end


def according_to(doc: Any) -> list[tuple[Span, Span, Span]]:
    """(source, cue, content) for each "according to X" in ``doc``."""
    text: str = doc.text
    out: list[tuple[Span, Span, Span]] = []
    if "according" not in text.lower():
        return out  # walking the tokens costs more than this test
    for tok in doc[:-1]:
        nxt = doc[tok.i + 1]
        if tok.lower_ != "according" or nxt.lower_ != "to":
            continue
        objects = [c for c in nxt.children if c.dep_ == "pobj"]
        if not objects:
            continue
        obj = objects[0]
        src_start = min(t.idx for t in obj.subtree)
        src_end = max(t.idx + len(t) for t in obj.subtree)
        sent = tok.sent
        cue_start, cue_end = tok.idx, nxt.idx + len(nxt)
        if tok.idx - sent.start_char <= 2:  # "According to X, content."
            # The content opens with the main clause's subject; anything between
            # the object of "to" and that subject is an appositive of the source
            # ("According to X, a local official, units ...").
            subjects = [c for c in sent.root.children
                        if c.dep_ in _SUBJECTS and c.idx >= src_end]
            opening = min((t.idx for t in subjects[0].subtree), default=src_end) if subjects else src_end
            if opening > src_end:
                src_end = text.rfind(",", src_end, opening) if "," in text[src_end:opening] else src_end
            c_start, c_end = _trim(text, opening, sent.end_char)
        else:  # "content, according to X."
            c_start, c_end = _trim(text, sent.start_char, cue_start)
        s_start, s_end = _trim(text, src_start, src_end)
        if c_end - c_start < 3 or s_end <= s_start:
            continue
        out.append((
            Span(s_start, s_end, text[s_start:s_end]),
            Span(cue_start, cue_end, text[cue_start:cue_end]),
            Span(c_start, c_end, text[c_start:c_end]),
        ))
    return out
