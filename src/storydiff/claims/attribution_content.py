"""Content boundaries from the parse and the quotation marks.

The tagger finds roughly where a content is, token by token; its exact edges
are often off by a clause. The annotation convention is syntactic: the content
of a reporting verb is its complement clause with the complementiser ("said
that X" -> "that X"), or its object, or the rest of its sentence, and a
quotation that goes on after its cue ("'A,' he said. 'B.'") is one content from
the first quoted word to the last. So each cue gets candidate contents (the
tagger's, the subtrees around the cue, the sentence or clause that holds a
parenthetical cue, each extended over its quotation, cut at its first sentence
end or before a trailing clause) and a linear ranker, trained listwise (a
softmax over each cue's candidates) on the tagger's output on training
articles it did not see, picks one.
"""

from __future__ import annotations

from typing import Any

from .attribution_assemble import TaggedSpan

# The tagger's per-token probabilities of being inside a content and of starting one.
Marginals = tuple[list[float], list[float]]


def _span(doc: Any, first: int, last: int) -> TaggedSpan | None:
    """Tokens first..last-1 without whitespace at the edges, or None when empty."""
    while first < last and doc[first].is_space:
        first += 1
    while last > first and doc[last - 1].is_space:
        last -= 1
    if first >= last:
        return None
    end = doc[last - 1]
    return TaggedSpan("CON", first, last, doc[first].idx, end.idx + len(end))


def quotations(doc: Any, quotes: list[int]) -> list[int]:
    """Per token: the index of the first token of the quotation it is in, or -1.

    A quotation is a run of tokens inside quote marks (state 1 of
    :func:`quote_states`), line breaks excluded.
    """
    owner = [-1] * len(doc)
    start = -1
    for i, state in enumerate(quotes):
        if state == 1 and "\n" not in doc[i].text:
            if start < 0:
                start = i
            owner[i] = start
        else:
            start = -1
    return owner


def _quotation_end(owner: list[int], start: int) -> int:
    """Token index after the last token of the quotation that begins at ``start``."""
    i = start
    while i < len(owner) and owner[i] == start:
        i += 1
    return i


def _next_token(doc: Any, i: int) -> int:
    """The first token at or after ``i`` that is not whitespace without a line break; -1 at a break."""
    while i < len(doc) and doc[i].is_space:
        if "\n" in doc[i].text:
            return -1
        i += 1
    return i if i < len(doc) else -1


def extend_quote(doc: Any, cue: TaggedSpan, content: TaggedSpan, owner: list[int], quotes: list[int]) -> TaggedSpan:
    """A quoted content becomes its whole quotation, and takes in the quotations that
    follow in its paragraph ("'A,' he said. 'B. C.'" -> A to C)."""
    words = [i for i in range(content.first, content.last) if not doc[i].is_space and quotes[i] != 2]
    if not words:
        return content
    starts = [owner[i] for i in words]
    major = max(set(starts), key=starts.count)
    if major < 0 or starts.count(major) * 2 <= len(words):
        return content
    first = min(content.first, major)
    last = max(content.last, _quotation_end(owner, major))
    # The sentence that holds the cue ends the first part; quotations after it in the
    # same paragraph continue the content when they end their sentence (no new cue).
    sent_end = doc[max(last, cue.last) - 1].sent.end
    while True:
        j = _next_token(doc, sent_end)
        if j < 0 or quotes[j] != 2 or j + 1 >= len(doc) or owner[j + 1] != j + 1:
            break
        end = _quotation_end(owner, j + 1)
        after = _next_token(doc, end + 1) if end < len(doc) and quotes[end] == 2 else -1
        if after >= 0 and quotes[after] != 2:
            break  # "'B,' she added": another attribution
        last = end
        sent_end = max(end + 1, doc[end - 1].sent.end)
    span = _span(doc, first, last)
    return content if span is None else span





def _length(n: int) -> str:
    for limit, name in ((1, "1"), (3, "3"), (7, "7"), (15, "15"), (31, "31")):
        if n <= limit:
            return name
    return "more"


def _share(part: int, whole: int) -> str:
    if whole <= 0 or part <= 0:
        return "0"
    ratio = part / whole
    return "1" if ratio >= 1 else ("h" if ratio >= 0.5 else "l")


CLAUSE_BREAKS = frozenset({",", "—", "–", "--", "-", ";", "("})
FIRST_WORDS = frozenset({"that", "whether", "how", "why", "what", "when", "if", "to", "about", "for", "as"})


def _decile(p: float) -> str:
    return str(min(9, int(p * 10)))


def candidates(
    doc: Any,
    cue: TaggedSpan,
    tagged: TaggedSpan,
    source: TaggedSpan | None,
    owner: list[int],
    quotes: list[int],
    marginals: Marginals,
) -> list[tuple[TaggedSpan, list[str]]]:
    """Content candidates for ``cue`` with their features for the ranker.

    The candidates are the tagger's content and the subtrees around the cue
    (its children, what its head governs on either side, the rest of its
    sentence), each also extended over its quotation; the features say where a
    candidate sits, what opens and ends it, and how far it agrees with the tagger.
    """
    kinds: dict[tuple[int, int], list[str]] = {}

    def add(kind: str, span: TaggedSpan | None) -> None:
        if span is None:
            return
        kinds.setdefault((span.first, span.last), []).append(kind)
        ext = extend_quote(doc, cue, span, owner, quotes)
        if (ext.first, ext.last) != (span.first, span.last):
            kinds.setdefault((ext.first, ext.last), []).append(kind + "+q")
        # The same span cut at its first sentence end or line break ...
        end = doc[span.first].sent.end
        for i in range(span.first, span.last):
            if "\n" in doc[i].text:
                end = min(end, i)
                break
        if end < span.last and (cut := _span(doc, span.first, end)) is not None:
            kinds.setdefault((cut.first, cut.last), []).append(kind + "+s")
        # ... and before a trailing clause its head takes after a comma or a dash.
        heads = [t for t in doc[span.first : span.last] if not span.first <= t.head.i < span.last or t.head.i == t.i]
        if len(heads) == 1:
            for child in heads[0].rights:
                j = child.left_edge.i
                breaks = span.first < j - 1 < span.last and doc[j - 1].text in CLAUSE_BREAKS
                if breaks and child.right_edge.i < span.last and (cut := _span(doc, span.first, j - 1)) is not None:
                    kinds.setdefault((cut.first, cut.last), []).append(f"{kind}+c:{child.dep_}")

    add("crf", tagged)
    inside = range(cue.first, cue.last)
    for i in inside:
        token = doc[i]
        for child in token.children:
            if child.i in inside or child.dep_ in ("punct", "cc", "aux", "auxpass", "neg", "det"):
                continue
            first, last = child.left_edge.i, child.right_edge.i + 1
            if first < cue.last and last > cue.first:
                continue
            add("c:" + child.dep_, _span(doc, first, last))
        head = token.head
        if head.i != token.i and head.i not in inside:
            lo, hi = head.left_edge.i, token.left_edge.i
            if lo < hi:
                add("hl:" + token.dep_, _span(doc, lo, hi))
            lo, hi = token.right_edge.i + 1, head.right_edge.i + 1
            if lo < hi:
                add("hr:" + token.dep_, _span(doc, lo, hi))
    sent = doc[cue.first].sent
    add("sa", _span(doc, cue.last, sent.end))
    add("sb", _span(doc, sent.start, cue.first))
    cue_heads = [t for t in doc[cue.first : cue.last] if not cue.first <= t.head.i < cue.last or t.head.i == t.i]
    # Contents that hold their own cue: a parenthetical cue ("The test, North Korea said,
    # was its biggest"), a relative clause ("which RT pointed to as ..."), the whole sentence.
    add("ws", _span(doc, sent.start, sent.end))
    if len(cue_heads) == 1:
        top = cue_heads[0]
        add("st", _span(doc, top.left_edge.i, top.right_edge.i + 1))
        if top.head.i != top.i:
            add("hs:" + top.dep_, _span(doc, top.head.left_edge.i, top.head.right_edge.i + 1))
    cue_lemma = (cue_heads[0] if cue_heads else doc[cue.last - 1]).lemma_.lower()
    out: list[tuple[TaggedSpan, list[str]]] = []
    for (first, last), names in kinds.items():
        span = _span(doc, first, last)
        if span is None:
            continue
        n = last - first
        shared = max(0, min(last, tagged.last) - max(first, tagged.first))
        start_word, end_word = doc[first], doc[last - 1]
        after = _next_token(doc, last)
        side = "L" if last <= cue.first else ("R" if first >= cue.last else "X")
        feats = ["bias", "side=" + side, "len=" + _length(n), "ss=" + str(first == tagged.first),
                 "se=" + str(last == tagged.last),
                 "sh=" + _share(shared, n) + _share(shared, tagged.last - tagged.first)]
        cue_sent = doc[cue.first].sent.start
        sent_first = doc[first].sent.start
        where = "same" if sent_first == cue_sent else ("before" if sent_first < cue_sent else "after")
        feats.append(f"sd={where}|{side}")
        gap = max(0, first - cue.last, cue.first - last)
        feats.append("gap=" + _length(gap) if gap else "gap=0")
        if first <= tagged.first and last >= tagged.last:
            feats.append("covers")
        if first >= tagged.first and last <= tagged.last:
            feats.append("within")
        feats += ["k=" + k for k in names]
        p_in, p_begin = marginals
        words = [i for i in range(first, last) if not doc[i].is_space] or [first]
        feats.append("pm=" + _decile(sum(p_in[i] for i in words) / len(words)))
        feats.append("pmin=" + _decile(min(p_in[i] for i in words)))
        feats.append("pf=" + _decile(p_in[first]) + "|" + _decile(p_begin[first]))
        feats.append("pl=" + _decile(p_in[last - 1]))
        feats.append("pb=" + (_decile(p_in[first - 1] - p_begin[first]) if first > 0 else "start"))
        feats.append("pa=" + (_decile(p_in[last] - p_begin[last]) if last < len(doc) else "end"))
        feats += [f"k={k}|{side}" for k in names]
        feats += [f"kc={k}|{cue_lemma}" for k in names]
        first_word = start_word.lower_ if start_word.lower_ in FIRST_WORDS else start_word.tag_
        feats.append("fw=" + first_word)
        eos = after < 0 or doc[after].is_sent_start or doc[last - 1].sent.end <= last
        feats += [f"kf={k}|{first_word}" for k in names]
        feats += [f"ke={k}|{eos}" for k in names]
        tops = [t for t in doc[first:last] if not first <= t.head.i < last or t.head.i == t.i]
        if len(tops) == 1:
            feats.append("top=" + tops[0].dep_ + "|" + ("cue" if cue.first <= tops[0].head.i < cue.last else "out"))
        else:
            feats.append("tops=" + _length(len(tops)))
        feats.append("fd=" + start_word.dep_)
        feats.append("lw=" + end_word.tag_)
        feats.append("q=" + str(quotes[first]) + str(quotes[last - 1]))
        nxt = doc[last] if last < len(doc) else None
        feats.append("nx=" + ("end" if nxt is None else (nxt.text if nxt.is_punct else nxt.tag_)))
        prev = doc[first - 1] if first > 0 else None
        feats.append("pv=" + ("start" if prev is None else (prev.text if prev.is_punct else prev.tag_)))
        feats.append("eos=" + str(eos))
        feats.append("multi=" + str(doc[first].sent.start != doc[last - 1].sent.start))
        feats += _context(doc, first, last, names, cue_lemma, side)
        if source is not None and first < source.last and source.first < last:
            feats.append("hassrc")
        if first < cue.last and cue.first < last:
            feats.append("hascue")
        out.append((span, feats))
    return out


FUNCTION_TAGS = frozenset({"IN", "CC", "TO", "WDT", "WP", "WRB", "DT", "RB", "MD"})


def _word(token: Any) -> str:
    """A token as a ranker sees it: function words and punctuation by their text, others by their tag."""
    if token.is_punct or token.tag_ in FUNCTION_TAGS:
        return str(token.lower_)
    return str(token.tag_)


def _context(doc: Any, first: int, last: int, names: list[str], cue_lemma: str, side: str) -> list[str]:
    """What lies just outside a candidate and how it ends: the two words after it (", with",
    "and VBD"), the two before it, the relation of the word after it, and the cue's lemma
    with the candidate's side."""
    n = len(doc)
    after = [doc[j] for j in range(last, min(n, last + 4)) if not doc[j].is_space][:2]
    before = [doc[j] for j in range(first - 1, max(-1, first - 5), -1) if not doc[j].is_space][:2]
    nx2 = "|".join(_word(t) for t in after) or "end"
    pv2 = "|".join(_word(t) for t in before) or "start"
    feats = ["nx2=" + nx2, "pv2=" + pv2, "cs=" + cue_lemma + "|" + side]
    if after:
        feats.append("nxd=" + after[0].dep_ + "|" + ("in" if first <= after[0].head.i < last else "out"))
    feats += [f"kn={k}|{nx2}" for k in names]
    return feats


def score(features: list[str], weights: dict[str, float]) -> float:
    return sum(weights.get(f, 0.0) for f in features)


def rank(
    doc: Any,
    cue: TaggedSpan,
    tagged: TaggedSpan,
    source: TaggedSpan | None,
    owner: list[int],
    quotes: list[int],
    marginals: Marginals,
    weights: dict[str, float],
) -> tuple[TaggedSpan, list[str], float]:
    """The best-scoring content candidate for ``cue``, its features, and by how much it beat
    the runner-up (the tagger's content, no features and 0 without a trained ranker)."""
    cands = candidates(doc, cue, tagged, source, owner, quotes, marginals)
    if not cands or not weights:
        return tagged, [], 0.0
    # Ties go to the earlier candidate (the tagger's own comes first).
    scored = sorted((-score(feats, weights), k) for k, (_, feats) in enumerate(cands))
    best, k = scored[0]
    margin = scored[1][0] - best if len(scored) > 1 else 5.0
    return cands[k][0], cands[k][1], margin

