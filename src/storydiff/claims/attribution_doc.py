"""A parsed document read out of spaCy once, for the attribution stages.

Reading a token attribute through spaCy creates a ``Token`` object each time,
and the tagger features and the content ranker read tens of attributes per
token; this view copies the few they need into plain Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, overload


class _Sent:
    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end


class _Token:
    """The few token attributes the ranker reads, as plain Python values (reading them
    from spaCy creates a Token object on every access, which dominated the run time)."""

    __slots__ = ("children", "dep_", "doc", "ent_type_", "head", "i", "idx", "is_punct", "is_sent_start",
                 "is_space", "left_edge", "lemma_", "lower_", "right_edge", "sent", "tag_", "text")

    def __init__(self, token: Any, doc: DocView) -> None:
        self.doc = doc
        self.i: int = token.i
        self.text: str = token.text
        self.idx: int = token.idx
        self.is_space: bool = token.is_space
        self.is_punct: bool = token.is_punct
        self.lower_: str = token.lower_
        self.lemma_: str = token.lemma_
        self.tag_: str = token.tag_
        self.dep_: str = token.dep_
        self.ent_type_: str = token.ent_type_
        self.is_sent_start: bool = bool(token.is_sent_start)
        self.children: list[_Token] = []
        self.head: _Token = self
        self.left_edge: _Token = self
        self.right_edge: _Token = self
        self.sent: _Sent = _Sent(0, 0)

    def __len__(self) -> int:
        return len(self.text)

    @property
    def rights(self) -> list[_Token]:
        return [c for c in self.children if c.i > self.i]


class DocView:
    """A parsed document's tokens with their heads, children, subtree edges and sentences,
    read from spaCy once."""

    def __init__(self, doc: Any) -> None:
        self.text: str = doc.text
        self.tokens = [_Token(t, self) for t in doc]
        relative = doc.to_array(["HEAD"]).reshape(-1).astype("int64").tolist()
        heads = [t.i + h for t, h in zip(self.tokens, relative, strict=True)]
        for token, head in zip(self.tokens, heads, strict=True):
            token.head = self.tokens[head]
            if head != token.i:
                self.tokens[head].children.append(token)
        # Subtree edges as spaCy gives them (they can differ from the subtree's extent
        # on non-projective parses, and the tagger was trained on spaCy's).
        for token, edges in zip(self.tokens, ((t.left_edge.i, t.right_edge.i) for t in doc), strict=True):
            token.left_edge = self.tokens[edges[0]]
            token.right_edge = self.tokens[edges[1]]
        self.sents: list[_Sent] = []
        for sent in doc.sents:
            shared = _Sent(sent.start, sent.end)
            self.sents.append(shared)
            for k in range(sent.start, sent.end):
                self.tokens[k].sent = shared

    def __len__(self) -> int:
        return len(self.tokens)

    @overload
    def __getitem__(self, key: int) -> _Token: ...

    @overload
    def __getitem__(self, key: slice) -> list[_Token]: ...

    def __getitem__(self, key: int | slice) -> _Token | list[_Token]:
        return self.tokens[key]

    def __iter__(self) -> Iterator[_Token]:
        return iter(self.tokens)


def doc_view(doc: Any) -> DocView:
    """``doc`` as a :class:`DocView` (itself when it is one already)."""
    return doc if isinstance(doc, DocView) else DocView(doc)
