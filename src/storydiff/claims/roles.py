"""Speaker roles: what the text says a speaker *is*.

A role is a noun phrase headed by a person noun ("official", "adviser",
"secretary"), read off the parse around a mention:

- pre-modifiers: "local official X", "White House press secretary Sean Spicer";
- appositives: "X, a local official cited in ..." → "local official" (also by
  surface form "X, a/an/the NOUN...", because the parser often attaches such an
  appositive elsewhere);
- copular relative clauses: "X, who is the mayor of Y" → "mayor of Y";
- "identified as X" / "named X": the noun phrase the participle modifies
  ("The adviser, identified as X");
- a mention that is itself a role noun phrase ("a senior adviser to the head
  of the ministry").

A definite description ("the adviser", "this adviser") is replaced by the
fullest earlier or later description with the same head noun in the document,
so the role of "The adviser, identified as X" is "senior adviser to the head
of the ministry" when that is how the adviser was introduced. Every distinct role a
document gives survives; a role that is contained in a fuller one with the same
head is dropped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from typing import Any


# Nouns that name what a person is or does. A lexicon of roles (common nouns),
# not of names; words ending in -ist/-man/-woman/-person count too.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PERSON_NOUNS = _words(
    """
    official officials adviser advisor aide spokesman spokeswoman spokesperson minister president
    vice-president secretary commander general governor mayor head chief director leader deputy
    ambassador diplomat envoy analyst expert journalist reporter correspondent editor officer
    soldier fighter resident witness lawyer attorney judge prosecutor senator lawmaker legislator
    representative congressman congresswoman chairman chairwoman chair ceo founder professor
    researcher scientist doctor physician nurse priest bishop imam rabbi member negotiator
    activist blogger author historian economist manager executive candidate premier chancellor
    king queen prince princess emperor monarch sheikh emir pope cardinal colonel major captain
    lieutenant sergeant admiral marshal commissioner inspector investigator detective agent
    source insider observer militant rebel separatist volunteer mercenary commentator consultant
    counsel advocate official's owner worker employee student teacher father mother son daughter
    wife husband brother sister farmer driver pilot veteran survivor victim refugee citizen
    politician statesman strategist adviser's deputy-head press-secretary presenter host
    anchor producer writer poet artist singer actor actress coach player captain referee
    administrator superintendent sheriff marshal trustee partner associate colleague friend
    engineer operator technician staffer guard ranger mediator monitor inspector auditor
    """
)
_PERSON_SUFFIX = re.compile(r"(?:ist|man|woman|person|ador|ician)s?$")
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "such", "another"})
_ROLE_PREPS = frozenset({"of", "to", "for", "at", "with", "in", "from", "on"})
_NAMING_VERBS = frozenset({"identify", "name", "know", "describe", "call", "introduce", "list"})
_SERVE_VERBS = frozenset({"serve", "work", "act"})
_NOT_AGENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
_PRE_STOP = frozenset({"det", "poss", "case", "prep", "cc", "predet"})


def is_person_noun(token: Any) -> bool:
    """True for a common (or title) noun naming a kind of person."""
    if token.pos_ not in ("NOUN", "PROPN"):
        return False
    word = token.lower_
    lemma = token.lemma_.lower()
    return word in PERSON_NOUNS or lemma in PERSON_NOUNS or bool(_PERSON_SUFFIX.search(word))


def np_bounds(head: Any) -> tuple[int, int]:
    """Token bounds [i, j) of the noun phrase a head noun governs.

    The left edge of its subtree, up to the end of its prepositional
    attachments ("adviser to the head of the ministry"); relative clauses,
    participles and anything after a comma are left out: they say what the
    person did, not what they are.
    """
    left = head.left_edge.i
    right = head.i + 1
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ in _ROLE_PREPS and child.i == right:
            right = child.right_edge.i + 1
        elif child.dep_ in ("compound", "amod", "nummod") and child.i == right:
            right = child.i + 1
        else:
            break
    # A left edge reaching back over a comma belongs to another phrase.
    for t in head.doc[left : head.i]:
        if t.dep_ == "punct" or t.is_punct:
            left = t.i + 1
    return left, right


class RoleText(str):
    """A role's text that also remembers where the document says it ([start, end))."""

    start: int
    end: int

    def __new__(cls, text: str, start: int = -1, end: int = -1) -> RoleText:
        obj = super().__new__(cls, text)
        obj.start, obj.end = start, end
        return obj


_MAX_HEADLINE_CHARS = 300  # as ingest's longest title line


def in_headline(token: Any) -> bool:
    """True when the token's line is title case (a headline), where the parse is unreliable.

    The line, not the parser's sentence: a headline without a full stop is
    often glued to the paragraph after it.
    """
    doc = token.doc
    lines: tuple[list[int], int] | None = doc.user_data.get("storydiff_lines")
    if lines is None:  # the doc's line breaks and length, once per doc (Doc.text joins every token anew)
        text = doc.text
        lines = ([m.start() for m in re.finditer("\n", text)], len(text))
        doc.user_data["storydiff_lines"] = lines
    breaks, length = lines
    at = bisect.bisect_left(breaks, token.idx)
    line_start = breaks[at - 1] + 1 if at else 0
    line_end = breaks[at] if at < len(breaks) else length
    # A headline is short; a long line (a paragraph) is not one. Without this bound every role of a
    # long one-line text looked at the whole line: 1,200 words on one line took 29 s to read.
    if line_end - line_start > _MAX_HEADLINE_CHARS:
        return False
    line = doc.char_span(line_start, line_end, alignment_mode="contract")
    words = [t for t in (line if line is not None else token.sent) if t.is_alpha and len(t) > 3]
    return len(words) >= 3 and sum(t.is_title for t in words) / len(words) > 0.8


def _clean(tokens: Any) -> str:
    """Role text: determiners and possessives dropped; title-case lines lowered."""
    toks = [t for t in tokens if not t.is_punct or t.text in "-'’"]
    while toks and (toks[0].lower_ in _DETERMINERS or toks[0].dep_ in ("poss", "case") or toks[0].tag_ == "POS"):
        toks = toks[1:]
    while toks and toks[-1].dep_ == "case":
        toks = toks[:-1]
    if not toks:
        return RoleText("")
    headline = in_headline(toks[0])
    out = []
    for t in toks:
        text = t.text
        # In a title-case headline "Local Official" is just "local official";
        # names (entity tokens) keep their case.
        if headline and t.is_title and not t.ent_type_:
            text = text.lower()
        elif t is toks[0] and t.is_sent_start and is_person_noun(t):
            text = text.lower()  # "Engineer Ivan X said" → "engineer"
        out.append(text + t.whitespace_)
    return RoleText("".join(out).strip(), toks[0].idx, toks[-1].idx + len(toks[-1]))


def _span_of(doc: Any, start: int, end: int) -> Any | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span


def _nouns_by_lemma(doc: Any) -> dict[str, list[int]]:
    """The doc's nouns by lemma, built once per doc (each description looked through every token)."""
    index: dict[str, list[int]] | None = doc.user_data.get("storydiff_nouns")
    if index is None:
        index = {}
        for t in doc:
            if t.pos_ == "NOUN":
                index.setdefault(t.lemma_, []).append(t.i)
        doc.user_data["storydiff_nouns"] = index
    return index


def _fullest_description(doc: Any, head: Any) -> str:
    """The role text of a nominal head, replaced by the fullest same-head description in the doc."""
    own = _clean(doc[slice(*np_bounds(head))])
    first = head.doc[np_bounds(head)[0]]
    if first.lower_ not in ("the", "this", "that", "these", "those"):
        return own
    longest = _longest_by_lemma(doc, head.lemma_)
    return longest if len(longest) > len(own) else own


def _longest_by_lemma(doc: Any, lemma: str) -> str:
    """The first of the longest descriptions in the doc whose head noun has this lemma (and says it).

    Kept per doc and lemma: a text that names one "official" 500 times looked through all 500 for each.
    """
    cache: dict[str, str] = doc.user_data.setdefault("storydiff_longest", {})
    if lemma not in cache:
        best: str = RoleText("")
        for i in _nouns_by_lemma(doc).get(lemma, ()):
            text = _clean(doc[slice(*np_bounds(doc[i]))])
            if len(text) > len(best) and text.lower().find(lemma.lower()) >= 0:
                best = text
        cache[lemma] = best
    return cache[lemma]


def _infix(token: Any) -> bool:
    """A hyphen inside a word ("pro-Russian"), which spaCy splits off."""
    return token.text == "-" and not token.whitespace_ and token.i > 0 and not token.doc[token.i - 1].whitespace_


def _premodifier_role(doc: Any, head: Any, first: int) -> str | None:
    """'local official X', 'White House press secretary Sean Spicer', 'Russian President X'.

    The run of the name head's left dependents right before the mention's
    first token ``first``, stopping at a determiner, possessive or punctuation.
    """
    inside = {t.i for t in head.subtree}
    i = first - 1
    while i >= 0 and i in inside and doc[i].dep_ not in _PRE_STOP and (not doc[i].is_punct or _infix(doc[i])):
        i -= 1
    run = doc[i + 1 : first]
    # The word right before the name must be the role noun ("press secretary
    # X", "President X"); in "Officials Deny Port Closure" it is not.
    if len(run) == 0 or not is_person_noun(run[-1]):
        return None
    return _clean(run) or None


def _appositive_roles(doc: Any, head: Any, after: int) -> list[str]:
    roles = []
    for child in head.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and is_person_noun(child):
            roles.append(_clean(doc[slice(*np_bounds(child))]))
    if roles:
        return roles
    # Surface fallback: "X, a local official ..." where the parser hung the
    # noun phrase elsewhere.
    if after >= len(doc) or doc[after].text != ",":
        return roles
    i = after + 1
    if i < len(doc) and doc[i].lower_ in ("a", "an", "the"):
        j = i + 1
        while j < len(doc) and doc[j].pos_ in ("ADJ", "NOUN", "PROPN", "ADV") and doc[j].dep_ != "appos":
            if doc[j].pos_ == "NOUN" and (j + 1 >= len(doc) or doc[j + 1].pos_ != "NOUN"):
                break
            j += 1
        if j < len(doc) and doc[j].pos_ == "NOUN" and is_person_noun(doc[j]):
            lo, hi = np_bounds(doc[j])
            roles.append(_clean(doc[max(lo, i) : hi]))
    return roles


def _relative_roles(doc: Any, head: Any) -> list[str]:
    """'X, who is the mayor of Y' / 'X, who serves as adviser to Y'."""
    roles = []
    for rel in head.children:
        if rel.dep_ != "relcl" or not any(c.lower_ in ("who", "that") for c in rel.children):
            continue
        if rel.lemma_ == "be":
            for c in rel.children:
                if c.dep_ in ("attr", "acomp") and c.pos_ == "NOUN":
                    roles.append(_fullest_description(doc, c))
        elif rel.lemma_ in _SERVE_VERBS:
            for prep in rel.children:
                if prep.lower_ == "as":
                    for c in prep.children:
                        if c.dep_ == "pobj" and c.pos_ == "NOUN":
                            roles.append(_fullest_description(doc, c))
    return roles


def _named_roles(doc: Any, head: Any) -> list[str]:
    """'The adviser, identified as X' / 'an official named X' → the adviser's description."""
    verb = None
    if head.dep_ == "pobj" and head.head.lower_ == "as" and head.head.head.lemma_ in _NAMING_VERBS:
        verb = head.head.head
    elif head.dep_ in ("oprd", "dobj", "attr") and head.head.lemma_ in _NAMING_VERBS:
        verb = head.head
    if verb is None or verb.dep_ not in ("acl", "relcl", "appos", "advcl"):
        return []
    noun = verb.head
    if noun.pos_ != "NOUN" or not is_person_noun(noun):
        return []
    return [_fullest_description(doc, noun)]


def roles_for(doc: Any, start: int, end: int) -> list[str]:
    """Every role the text gives the entity mentioned at [start, end), in text order."""
    span = _span_of(doc, start, end)
    if span is None:
        return []
    head = span.root
    if head.ent_type_ in _NOT_AGENTS:
        return []  # "On Tuesday, a spokeswoman ..." gives Tuesday no role
    roles: list[str] = []
    if head.pos_ == "NOUN" and is_person_noun(head):
        # The mention is itself a description ("a military adviser to ...").
        roles.append(_fullest_description(doc, head))
    else:
        pre = _premodifier_role(doc, head, span[0].i)
        if pre:
            roles.append(pre)
    roles += _appositive_roles(doc, head, span.end)
    roles += _relative_roles(doc, head)
    roles += _named_roles(doc, head)
    return merge_roles(r for r in roles if r)


def merge_roles(roles: Iterable[str]) -> list[str]:
    """Distinct roles in first-seen order; one contained in a fuller role is dropped."""
    seen: list[str] = []
    for role in roles:
        same = [k for k, r in enumerate(seen) if r.casefold() == role.casefold()]
        if not same:
            seen.append(role)
        elif sum(c.isupper() for c in role) < sum(c.isupper() for c in seen[same[0]]):
            seen[same[0]] = role  # prefer running-text case over headline case
    return [
        r
        for r in seen
        if not any(
            o is not r and len(o) > len(r) and re.search(rf"\b{re.escape(r.casefold())}\b", o.casefold()) for o in seen
        )
    ]


def document_role_spans(
    doc: Any, mention_map: Mapping[tuple[str, int, int], str], doc_id: str
) -> dict[str, list[tuple[str, int, int]]]:
    """Like ``document_roles``, with where each role stands: entity id → [(role, start, end)]."""
    return {
        eid: [(str(r), getattr(r, "start", -1), getattr(r, "end", -1)) for r in roles]
        for eid, roles in document_roles(doc, mention_map, doc_id).items()
    }


def document_roles(doc: Any, mention_map: Mapping[tuple[str, int, int], str], doc_id: str) -> dict[str, list[str]]:
    """Entity id → every role the document gives it (from all its mentions there)."""
    found: dict[str, list[str]] = {}
    for (d, start, end), eid in sorted(mention_map.items(), key=lambda kv: kv[0][1]):
        if d == doc_id:
            found.setdefault(eid, []).extend(roles_for(doc, start, end))
    return {eid: merged for eid, roles in found.items() if (merged := merge_roles(roles))}
