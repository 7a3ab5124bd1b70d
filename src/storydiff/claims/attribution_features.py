"""Token features for the attribution tagger, shared by training and extraction.

Every token of a parsed document becomes a list of string features (binary
features for a linear-chain CRF). The syntactic ones carry most of the signal:
an attribution's source is usually the subject subtree of a reporting verb, its
content the complement clause or the quote next to it, so each token learns
which dependency relation links it to the nearest "cue-like" ancestor.

"Cue-like" comes from a lexicon learned on the training data: for each lemma,
how often its tokens are part of a cue. It is stored with the model, so
training and extraction see the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .attribution_doc import doc_view

# Characters that open and close quotations; straight quotes toggle.
OPEN_QUOTES = frozenset("“‘«")
CLOSE_QUOTES = frozenset("”’»")
# A straight double quote toggles, and so do two apostrophes ('' as some papers print quotes).
TOGGLE_QUOTES = frozenset(['"', "''"])

# How far up the tree to look for a cue-like ancestor, and how many to report.
MAX_ANCESTOR_DEPTH = 6
MAX_CUE_ANCESTORS = 2
# The relations whose presence among a word's children make its frame (a feature of every word).
CORE_DEPS = frozenset({"nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "prep", "agent", "attr", "oprd", "dative"})


def cue_bin(probability: float) -> int:
    """A coarse level of cue-likeness (0-3); coarse so that rare lemmas generalise."""
    if probability < 0.05:
        return 0
    if probability < 0.2:
        return 1
    if probability < 0.5:
        return 2
    return 3


def _shape(text: str) -> str:
    if text.isdigit():
        return "d"
    if text.isupper() and len(text) > 1:
        return "XX"
    if text[:1].isupper():
        return "Xx"
    if text.isalpha():
        return "x"
    return "o"


def quote_states(doc: Any) -> list[int]:
    """Per token: 1 inside a quotation, 2 for a quote mark, 0 outside.

    Curly quotes open and close explicitly; a straight double quote toggles.
    A line break closes any open quotation, because news text often opens
    a quote in each paragraph of a long quotation without closing the previous.
    """
    states: list[int] = []
    inside = False
    for token in doc:
        text = token.text
        if "\n" in text:
            inside = False
        if text in OPEN_QUOTES or (text in TOGGLE_QUOTES and not inside):
            states.append(2)
            inside = True
        elif text in CLOSE_QUOTES or text in TOGGLE_QUOTES:
            states.append(2)
            inside = False
        else:
            states.append(1 if inside else 0)
    return states


def _token_features(token: Any, lexicon: Mapping[str, float], bins: Sequence[int]) -> list[str]:
    lemma = token.lemma_.lower()
    head = token.head
    feats = [
        "b",
        "w=" + token.lower_,
        "l=" + lemma,
        "t=" + token.tag_,
        "d=" + token.dep_,
        "s=" + _shape(token.text),
        "suf=" + token.lower_[-3:],
        "c=" + str(bins[token.i]),
        "cd=" + str(bins[token.i]) + token.dep_,
        "ct=" + str(bins[token.i]) + token.tag_,
        "hl=" + head.lemma_.lower(),
        "hd=" + head.dep_,
        "ht=" + head.tag_,
        "hc=" + str(bins[head.i]) + token.dep_,
        "dd=" + token.dep_ + "|" + head.dep_,
    ]
    if token.is_space:
        feats.append("space")
    if token.is_sent_start:
        feats.append("bos")
    if token.i + 1 < len(token.doc) and token.doc[token.i + 1].is_sent_start:
        feats.append("eos")
    if token.ent_type_:
        feats.append("ent=" + token.ent_type_)
    # The token's frame: which core relations its children fill, and what its subject is.
    # A reporting verb with a clausal complement and a person for subject is a cue.
    core = sorted({c.dep_ for c in token.children if c.dep_ in CORE_DEPS})
    frame = "+".join(core) or "-"
    feats.append("fr=" + frame)
    feats.append(f"frc={bins[token.i]}|{frame}")
    feats.append(f"frl={lemma}|{frame}")
    for child in token.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            kind = child.ent_type_ or ("PRON" if child.tag_ == "PRP" else child.tag_)
            feats.append("sb=" + kind)
            feats.append(f"sbc={bins[token.i]}|{kind}")
    for child in token.children:
        if child.dep_ in ("ccomp", "xcomp"):
            marks = [g.lower_ for g in child.children if g.dep_ == "mark"]
            feats.append("cm=" + child.dep_ + "|" + (marks[0] if marks else "-"))
    # The path to the nearest cue-like ancestors: relation of the child on the
    # path, the ancestor's level and distance; this is where a token learns it
    # sits in the subject or the complement of a reporting verb.
    child, node, found, depth = token, head, 0, 0
    while node.i != child.i and depth < MAX_ANCESTOR_DEPTH and found < MAX_CUE_ANCESTORS:
        depth += 1
        level = bins[node.i]
        if level >= 2:
            found += 1
            feats.append(f"a{found}={child.dep_}|{level}")
            feats.append(f"a{found}l={child.dep_}|{node.lemma_.lower()}")
            feats.append(f"a{found}dist={min(depth, 3)}")
            feats.append(f"a{found}side={'L' if token.i < node.i else 'R'}")
        child, node = node, node.head
    if found == 0:
        feats.append("a=none")
    return feats


def _bucket(distance: int) -> str:
    if distance < 0:
        return "none"
    if distance <= 3:
        return str(distance)
    return "near" if distance <= 8 else "far"


def _cue_distances(doc: Any, bins: Sequence[int]) -> tuple[list[int], list[int]]:
    """Tokens to the nearest cue-like token on the left and on the right, within
    the sentence (-1 when there is none): content starts right after its cue,
    a source sits just before it."""
    n = len(doc)
    left, right = [-1] * n, [-1] * n
    for sent in doc.sents:
        last = -1
        for i in range(sent.start, sent.end):
            left[i] = i - last if last >= 0 else -1
            if bins[i] >= 2:
                last = i
        last = -1
        for i in range(sent.end - 1, sent.start - 1, -1):
            right[i] = last - i if last >= 0 else -1
            if bins[i] >= 2:
                last = i
    return left, right


def doc_features(doc: Any, lexicon: Mapping[str, float]) -> list[list[str]]:
    """Feature strings for every token of a parsed spaCy ``Doc`` (or its :class:`DocView`)."""
    doc = doc_view(doc)
    bins = [cue_bin(lexicon.get(t.lemma_.lower(), 0.0)) for t in doc]
    quotes = quote_states(doc)
    base = [_token_features(t, lexicon, bins) for t in doc]
    # Subtree edges of the children of cue-like words: the exact boundaries of
    # a source or a content span are usually these.
    edges: list[list[str]] = [[] for _ in doc]
    for token in doc:
        if bins[token.head.i] >= 2 and token.head.i != token.i:
            edges[token.left_edge.i].append("le=" + token.dep_)
            edges[token.right_edge.i].append("re=" + token.dep_)
    left, right = _cue_distances(doc, bins)
    lemmas = [t.lemma_.lower() for t in doc]
    n = len(doc)
    out: list[list[str]] = []
    for i, token in enumerate(doc):
        feats = base[i] + edges[i]
        feats.append("q=" + str(quotes[i]))
        feats.append("lc=" + _bucket(left[i]))
        feats.append("rc=" + _bucket(right[i]))
        feats.append(f"lcq={_bucket(left[i])}|{quotes[i]}")
        feats.append(f"rcq={_bucket(right[i])}|{quotes[i]}")
        # Which cue-like word is nearest on each side in the sentence: "according"
        # before a clause makes it content, "said" after it too.
        if left[i] > 0:
            feats.append("lcl=" + lemmas[i - left[i]])
        if right[i] > 0:
            feats.append("rcl=" + lemmas[i + right[i]])
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < n:
                other = doc[j]
                feats.append(f"{off}w={other.lower_}")
                feats.append(f"{off}t={other.tag_}")
                feats.append(f"{off}c={bins[j]}")
                feats.append(f"{off}q={quotes[j]}")
                if abs(off) == 1:
                    feats.append(f"{off}d={other.dep_}")
                    feats.append(f"{off}wc={other.lower_}|{token.lower_}")
            else:
                feats.append(f"{off}pad")
        out.append(feats)
    return out
