"""Rules for attribution constructions whose shape is fixed, applied over the tagger's output.

"According to X, Y" (or "Y, according to X") always has the same parts: the
cue is "according to", the source is the object of "to", and the content is
the rest of the sentence. The tagger, which sees tokens, sometimes pairs that
cue with a content from a neighbouring sentence; this rule reads the parse.
"""

from __future__ import annotations

import re
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


# -- speaker labels and quote signatures ------------------------------------------------------------
# Two layouts that carry an attribution with no verb, so the tagger, which
# learned cues from verbs, mostly misses them:
#   "Pence: Flowers won't be at debate"   (headlines, transcripts; the cue is the colon)
#   "“We are ashamed.” ― Carla Sanchez"  (a quote signed below or after it; the cue is the dash)

# A label at a line's start: up to six words before ": " and text after it on the same line.
_LABEL = re.compile(r"^[\"“]?(?P<label>[^\W\d_][^\n:]{0,60}?)[^\S\n]*(?P<cue>:)[^\S\n]+(?P<content>\S[^\n]*)",
                    re.M)
# Editorial labels that introduce a part of the page, not a speaker.
_NOT_SPEAKERS = frozenset({
    "update", "updated", "updates", "editor's note", "editor’s note", "note", "notes", "photo", "photos",
    "image", "images", "video", "videos", "watch", "listen", "read", "read more", "related", "source",
    "sources", "credit", "credits", "via", "tags", "tag", "breaking", "breaking news", "exclusive",
    "opinion", "analysis", "warning", "correction", "clarification", "disclaimer", "advertisement",
    "see also", "more", "also", "caption", "file", "live", "subscribe", "follow", "share", "email",
    "contact", "posted", "published", "filed under", "categories", "category", "topics", "keywords",
    "summary", "background", "context", "transcript", "audio", "graphic", "map", "chart", "table",
})
# A headline kicker before the label: "EXCLUSIVE – Roger Stone: ...".
_KICKER = re.compile(r"^.*\s[-–—]+\s+")
# A label that holds one of these is a phrase ("One conclusion", "Fast-forward to 2016"), not a name.
_NOT_IN_NAMES = {"VERB", "AUX", "PRON", "SCONJ", "DET", "ADP", "NUM", "ADV"}


def speaker_labels(doc: Any) -> list[tuple[Span, Span, Span]]:
    """(source, cue, content) for each line that opens with a speaker's name and a colon.

    The label must read as a name (no verb, pronoun or subordinate clause:
    "Wait, it gets better:" is no speaker) of at most six words, and not as
    a page label ("Update:", "Photo:"); the content is the rest of its line.
    """
    text: str = doc.text
    out: list[tuple[Span, Span, Span]] = []
    for m in _LABEL.finditer(text):
        label_start, label_end = m.start("label"), m.end("label")
        kicker = _KICKER.match(text, label_start, label_end)
        if kicker is not None:
            label_start = kicker.end()
        label = text[label_start:label_end].strip()
        words = label.split()
        # One letter is an interview's "Q:" / "A:", which annotators mostly leave unattributed.
        if (len(label) < 2 or len(words) > 6 or " ".join(words).lower() in _NOT_SPEAKERS
                or not label[0].isupper()):
            continue
        span = doc.char_span(label_start, label_start + len(label), alignment_mode="expand")
        if span is None or any(t.pos_ in _NOT_IN_NAMES for t in span):
            continue
        c_start, c_end = _trim(text, m.start("content"), m.end("content"))
        said = doc.char_span(c_start, c_end, alignment_mode="expand")
        # What a speaker says is a clause; a list of names or a title after a colon is not.
        if said is None or len(said) < 2 or not any(t.pos_ in {"VERB", "AUX"} for t in said):
            continue
        if any(t.pos_ in {"PROPN", "NOUN"} for t in span):
            out.append((Span(label_start, label_start + len(label), label), Span(m.start("cue"), m.end("cue"), ":"),
                        Span(c_start, c_end, text[c_start:c_end])))
    return out


# A closing quote, a dash, then a capitalised name of up to five words ending the line or
# followed by the next quotation.
_SIGNATURE = re.compile(
    r"(?P<close>[”\"])[^\S\n]*(?P<cue>―|—|–|--)[^\S\n]*"
    r"(?P<name>[A-Z][\w'’\-]*(?:[^\S\n]+[A-Z][\w'’\-]*\.?){0,4})\.?[^\S\n]*(?=$|\n|[“\"])", re.M)
_OPENING = "“\"”"


def quote_signatures(doc: Any) -> list[tuple[Span, Span, Span]]:
    """(source, cue, content) for each quotation signed with a dash and a name after it.

    The content is the quotation back to its opening mark, not further than
    the line or the previous signature.
    """
    text: str = doc.text
    out: list[tuple[Span, Span, Span]] = []
    floor = 0
    for m in _SIGNATURE.finditer(text):
        close = m.start("close")
        line_start = text.rfind("\n", 0, close) + 1
        start = max(floor, line_start)
        opening = max(text.rfind(q, start, close) for q in _OPENING)
        floor = m.end()
        if opening < 0:
            continue
        c_start, c_end = _trim(text, opening, close)
        if len(text[c_start:c_end].split()) < 3:
            continue
        name = m.group("name")
        if name.endswith(".") and len(name.rsplit(None, 1)[-1]) > 2:
            name = name[:-1]  # the sentence's full stop, not an initial's
        out.append((
            Span(m.start("name"), m.start("name") + len(name), name),
            Span(m.start("cue"), m.end("cue"), m.group("cue")),
            Span(c_start, c_end, text[c_start:c_end]),
        ))
    return out
