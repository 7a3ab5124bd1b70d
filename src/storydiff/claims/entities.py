"""Entities across documents: one person, organisation or place, one id, one name.

1. Mentions are spaCy's PERSON/ORG/GPE/LOC/FAC/DATE entities (a leading
   "the" and a trailing possessive trimmed), plus proper-noun runs spaCy left
   untagged whose name key is already known (headlines, possessives) or whose
   context says they are a person ("Local Official X").
2. Each mention's type is a weighted vote: spaCy's label counts 1; rules on
   context count more, because the small model mislabels rare foreign names
   ("X" as ORG): a role noun before it or an appositive role after it ("local
   official X", "X, a local official"), "identified as X", "X, who ...", the
   subject of a speech verb ("X suggested"), "the X region", "in X", a GeoNames
   hit. Votes are summed over the whole entity, so one clear context fixes
   every mention of the name.
3. Within a document, mentions with one name key join; a surname alone joins
   the one full name ending in it; an acronym in brackets after a name ("Armed
   Forces of Ukraine (AFU)") joins that name.
4. Across documents, same-type clusters join when a GeoNames id is shared
   (Kharkiv / Kharkov / Харьков), when name keys are
   equal or near (rapidfuzz ≥ 0.92 on ``name_key``: -sky/-ski, y/i, -ov/-off),
   or when a surname-only cluster matches the surname of the one full name
   that has it (a person's full name is its identity: "John Smith" and "Jane
   Smith" never join through a shared "Smith").
5. Descriptions and pronouns: a description tied to a named person ("The
   adviser, identified as X") makes every description with that head noun in
   the document a mention of X ("a military adviser to ...", "this adviser"),
   and he/she/his/her points to the latest person mentioned in the last two
   sentences; "who" in "X, who ..." points to X. These go into the mention map (so an attribution source "he"
   finds its entity) but not into ``Entity.mentions``, which lists how the
   documents *name* the entity.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Entity, EntityType, Mention
from ..normalize.names import name_key, same_name
from . import roles
from .places import place_key
from .when_where import resolve_date


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LABELS: dict[str, EntityType] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "DATE": "DATE",
}
# Tie-break between equal votes: spaCy is most often right about these first.
_TYPE_ORDER: tuple[EntityType, ...] = ("PERSON", "PLACE", "ORG", "DATE", "OTHER")
_SPEECH_VERBS = _words(
    "say tell claim suggest argue emphasize emphasise add state insist warn note explain "
    "describe confirm deny allege assert report announce declare reveal write stress "
    "acknowledge admit believe think estimate predict"
)
_PLACE_NOUNS = _words(
    "region city town village settlement oblast province district area border territory "
    "county state republic municipality valley basin peninsula direction front sector axis"
)
# A name modifying one of these ("the Orange revolution") names an event, not a person or place.
_EVENT_NOUNS = _words(
    "revolution war crisis protest protests uprising massacre attack attacks agreement "
    "accords accord talks summit conference election elections referendum offensive "
    "operation campaign treaty deal scandal affair incident disaster"
)
# Vote weights: spaCy's label < a weak cue < a clear cue. A clear cue beats two
# wrong labels, so one "identified as X" outvotes the model calling X an ORG.
_MODEL, _WEAK, _MEDIUM, _STRONG = 3, 2, 5, 8
_LOCATIVE_PREPS = _words("in into across near throughout around outside inside toward towards from within")
_ORG_WORDS = _words(
    "ministry forces force party council government army agency committee company bank "
    "university parliament court office department commission union federation "
    "corporation group service services command navy police guard church"
)
_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
FUZZY_JOIN = 0.92


@dataclass(slots=True)
class _Mention:
    doc: str
    doc_index: int
    start: int
    end: int
    text: str
    key: str
    votes: Counter[str] = field(default_factory=Counter)
    place: str | None = None


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _trim(span: Any) -> Any:
    """Drop a leading determiner and a trailing possessive from an entity span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and doc[start].lower_ in ("the", "a", "an"):
        start += 1
    while end > start and (doc[end - 1].dep_ == "case" or doc[end - 1].is_punct):
        end -= 1
    return doc[start:end]


def _context_votes(span: Any, label: str | None = None) -> Counter[str]:
    """Type evidence from a mention's context (see module docstring, step 2)."""
    votes: Counter[str] = Counter()
    doc = span.doc
    head = span.root
    if roles._premodifier_role(doc, head, span.start):
        votes["PERSON"] += _STRONG
    if roles._appositive_roles(doc, head, span.end) or roles._named_roles(doc, head):
        votes["PERSON"] += _STRONG
    # "the" before a name marks an organisation, team or place ("the Mets, who ...").
    has_det = span.start > 0 and doc[span.start - 1].lower_ == "the"
    who = any(c.dep_ == "relcl" and any(w.lower_ == "who" for w in c.children) for c in head.children)
    if who and not has_det:
        votes["PERSON"] += _MEDIUM
    if (
        head.dep_ in ("nsubj", "nsubjpass")
        and head.head.lemma_ in _SPEECH_VERBS
        and not has_det
        and not span.text.isupper()
    ):
        votes["PERSON"] += _WEAK
    if any(t.lower_ in _ORG_WORDS for t in span):
        votes["ORG"] += _MEDIUM
    if head.dep_ == "compound" and head.head.lemma_.lower() in _PLACE_NOUNS:
        votes["PLACE"] += _STRONG
    if head.dep_ == "compound" and head.head.lemma_.lower() in _EVENT_NOUNS:
        votes["OTHER"] += _STRONG
    if head.dep_ == "pobj" and head.head.lower_ in _LOCATIVE_PREPS and not has_det:
        votes["PLACE"] += _WEAK
    # Only for what the model did not call a person or organisation: many
    # surnames are also a town somewhere. Acronyms collide with GeoNames codes.
    if label in (None, "PLACE") and not span.text.isupper() and place_key(span.text) is not None:
        votes["PLACE"] += _WEAK
    return votes


def _type(votes: Counter[str]) -> EntityType:
    if not votes:
        return "OTHER"
    best = max(votes.values())
    for t in _TYPE_ORDER:
        if votes.get(t, 0) == best:
            return t
    return "OTHER"


def _collect(doc_id: str, index: int, doc: Any, published: str | None) -> list[_Mention]:
    out: list[_Mention] = []
    for ent in doc.ents:
        label = _LABELS.get(ent.label_)
        if label is None:
            continue
        span = _trim(ent)
        if len(span) == 0:
            continue
        if label == "DATE":
            iso = resolve_date(span.text, published)
            if iso is None:
                continue
            m = _Mention(doc_id, index, span.start_char, span.end_char, span.text, "date:" + iso)
            m.votes["DATE"] += 10
        else:
            key = name_key(span.text)
            if len(key.replace(" ", "")) < 2:
                continue
            m = _Mention(doc_id, index, span.start_char, span.end_char, span.text, key)
            m.votes[label] += _MODEL
            m.votes.update(_context_votes(span, label))
        out.append(m)
    return out


def _proper_runs(doc: Any, taken: set[int]) -> list[Any]:
    """Runs of untagged proper nouns (candidate names spaCy missed)."""
    runs: list[Any] = []
    i = 0
    while i < len(doc):
        if doc[i].pos_ == "PROPN" and doc[i].i not in taken and doc[i].is_alpha:
            j = i
            while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].i not in taken:
                j += 1
            runs.append(doc[i:j])
            i = j
        else:
            i += 1
    return runs


def _extra_mentions(doc_id: str, index: int, doc: Any, known: set[str], existing: list[_Mention]) -> list[_Mention]:
    """Untagged proper nouns that are known names, or people by their context."""
    taken = {t.i for m in existing for t in doc.char_span(m.start, m.end, alignment_mode="expand") or ()}
    out: list[_Mention] = []
    for run in _proper_runs(doc, taken):
        # Longest sub-run ending anywhere whose key is known: "Forces Abandoned
        # X" in a headline still finds X.
        best = None
        for a in range(len(run)):
            for b in range(len(run), a, -1):
                sub = run[a:b]
                if any(roles.is_person_noun(t) for t in sub):
                    continue
                key = name_key(sub.text)
                if len(key) >= 4 and key in known:
                    best = sub
                    break
            if best is not None:
                break
        votes: Counter[str] = Counter()
        if best is None:
            # A person by context alone: "Local Official X" with X unknown.
            # Not in a headline, whose verbs the model tags as proper nouns
            # ("Minister Resigns"); a headline name is found through the body.
            tail = run[-1:]
            if roles.is_person_noun(tail[0]) or roles.in_headline(tail[0]):
                continue
            votes = _context_votes(tail)
            if votes.get("PERSON", 0) < _STRONG:
                continue
            best = tail
        else:
            votes = _context_votes(best)
        m = _Mention(doc_id, index, best.start_char, best.end_char, best.text, name_key(best.text))
        m.votes.update(votes)
        out.append(m)
    return out


def _acronym_of(text: str, acronym: str) -> bool:
    """ "MOI" for "Ministry of Infrastructure", "AFU" for "Armed Forces of Ukraine"."""
    initials = [w[0].upper() for w in text.replace("-", " ").split() if w[:1].isalpha()]
    it = iter(initials)
    return bool(initials) and initials[0] == acronym[0] and all(c in it for c in acronym)


def _within_doc(mentions: list[_Mention], idx: list[int], uf: _UnionFind, text: str) -> None:
    by_key: dict[str, int] = {}
    for i in idx:
        k = mentions[i].key
        if k in by_key:
            uf.union(by_key[k], i)
        else:
            by_key[k] = i
    # Surname alone → the one full name ending in it. The model often types a
    # bare surname ORG or GPE; once joined it votes as the person's name.
    full: dict[str, set[str]] = {}
    for i in idx:
        toks = mentions[i].key.split()
        if len(toks) > 1 and _type(mentions[i].votes) == "PERSON":
            full.setdefault(toks[-1], set()).add(mentions[i].key)
    for i in idx:
        m = mentions[i]
        toks = m.key.split()
        if len(toks) == 1 and len(full.get(toks[0], ())) == 1 and _may_be_surname(m.votes):
            m.votes = Counter({"PERSON": _MODEL + m.votes.get("PERSON", 0)})
            uf.union(i, by_key[next(iter(full[toks[0]]))])
    # "Long Name (LN)" → the acronym is the long name.
    for i in idx:
        m = mentions[i]
        after = text[m.end : m.end + 12].lstrip()
        if after.startswith("(") and ")" in after:
            acr = after[1 : after.index(")")].strip()
            if 2 <= len(acr) <= 8 and acr.isupper() and _acronym_of(m.text, acr):
                k = name_key(acr)
                if k in by_key:
                    uf.union(i, by_key[k])


def _may_be_surname(votes: Counter[str]) -> bool:
    """Not a date, and no clear cue that it is a place or an event."""
    return votes.get("DATE", 0) == 0 and votes.get("PLACE", 0) < _STRONG and votes.get("OTHER", 0) < _STRONG


def _similar_keys(a: set[str], b: set[str]) -> bool:
    if a & b:
        return True
    # Short keys are left to exact matches: "angels" / "angeles" are 0.92 apart.
    return any(min(len(x), len(y)) >= 7 and same_name(x, y) >= FUZZY_JOIN for x in a for y in b)


def _full_names(kind: EntityType, keys: set[str]) -> set[str]:
    return {k for k in keys if " " in k} if kind == "PERSON" else set()


def _candidate_pairs(summary: Sequence[tuple[int, int, EntityType, set[str], set[str]]]) -> set[tuple[int, int]]:
    """Cluster pairs worth comparing: they share a place id or the first letters of a word of a key.

    Blocking keeps a story of hundreds of reports from comparing every
    cluster with every other; variants the keys do not fold differ later in
    the word, not in its first three letters.
    """
    blocks: dict[str, list[int]] = {}
    for x, (_root, _doc, _kind, keys, places) in enumerate(summary):
        for b in {w[:3] for k in keys for w in k.split()} | places:
            blocks.setdefault(b, []).append(x)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                pairs.add((x, y))
    return pairs


def _joins(
    ta: EntityType,
    ka: set[str],
    pa: set[str],
    tb: EntityType,
    kb: set[str],
    pb: set[str],
    owners: Mapping[str, set[str]],
) -> bool:
    """Whether two clusters from different documents are one entity (module docstring, step 4)."""
    if "DATE" in (ta, tb):
        return ta == tb and bool(ka & kb)
    full_a, full_b = _full_names(ta, ka), _full_names(tb, kb)
    ident_a, ident_b = full_a or ka, full_b or kb
    if ident_a & ident_b and "OTHER" not in (ta, tb):
        # The same name in two reports is one entity even where the model
        # typed it differently; the summed votes decide the type.
        return True
    if bool(full_a) != bool(full_b):
        full, bare, bare_type = (full_a, kb, tb) if full_a else (full_b, ka, ta)
        if bare_type not in ("PERSON", "ORG") or any(" " in k for k in bare):
            return False
        surnames = {k.split()[-1] for k in full}
        unique = all(len(owners.get(sn, ())) <= 1 for sn in surnames)
        return unique and _similar_keys(surnames, bare)
    if ta != tb:
        return False
    if ta == "PLACE" and pa and pb:
        return bool(pa & pb)
    return _similar_keys(ident_a, ident_b)


def resolve_entities(
    docs: Sequence[tuple[str, Any]], published: Mapping[str, str | None] | None = None
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Cross-document entities and a map (doc_id, start, end) → entity id.

    ``published`` (doc id → ISO publication date) lets relative DATE mentions
    resolve; without it only absolute dates become DATE entities.
    """
    published = published or {}
    mentions: list[_Mention] = []
    per_doc: list[list[int]] = []
    for index, (doc_id, doc) in enumerate(docs):
        found = _collect(doc_id, index, doc, published.get(doc_id))
        lo = len(mentions)
        mentions.extend(found)
        per_doc.append(list(range(lo, len(mentions))))
    known = {m.key for m in mentions if not m.key.startswith("date:")}
    for index, (doc_id, doc) in enumerate(docs):
        extra = _extra_mentions(doc_id, index, doc, known, [mentions[i] for i in per_doc[index]])
        lo = len(mentions)
        mentions.extend(extra)
        per_doc[index] = sorted(per_doc[index] + list(range(lo, len(mentions))), key=lambda i: mentions[i].start)

    uf = _UnionFind(len(mentions))
    for index, (_doc_id, doc) in enumerate(docs):
        _within_doc(mentions, per_doc[index], uf, doc.text)

    # Document-level clusters, typed by their summed votes, then joined across documents.
    clusters: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        clusters.setdefault(uf.find(i), []).append(i)
    summary: list[tuple[int, int, EntityType, set[str], set[str]]] = []
    for root, members in clusters.items():
        votes: Counter[str] = Counter()
        for i in members:
            votes.update(mentions[i].votes)
        kind = _type(votes)
        keys = {mentions[i].key for i in members}
        places = set()
        if kind == "PLACE":
            places = {p for i in members if (p := place_key(mentions[i].text)) is not None}
        summary.append((root, mentions[members[0]].doc_index, kind, keys, places))
    # A surname alone may join a full name only when one full name has it:
    # "Smith" beside both "John Smith" and "Jane Smith" stays apart.
    owners: dict[str, set[str]] = {}
    for _root, _d, kind, keys, _p in summary:
        for k in _full_names(kind, keys):
            owners.setdefault(k.split()[-1], set()).add(k)
    for x, y in _candidate_pairs(summary):
        ra, da, ta, ka, pa = summary[x]
        rb, db, tb, kb, pb = summary[y]
        if da != db and _joins(ta, ka, pa, tb, kb, pb, owners):
            uf.union(ra, rb)
            for root, kind, keys, other in ((ra, ta, ka, tb), (rb, tb, kb, ta)):
                if other == "PERSON" and kind != "PERSON" and all(" " not in k for k in keys):
                    # A bare surname the model typed ORG joins a person: it
                    # now votes as that person's name.
                    for i in clusters[root]:
                        if _may_be_surname(mentions[i].votes):
                            mentions[i].votes = Counter({"PERSON": _MODEL})

    groups: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        groups.setdefault(uf.find(i), []).append(i)
    ordered = sorted(groups.values(), key=lambda g: min((mentions[i].doc_index, mentions[i].start) for i in g))
    entities: list[Entity] = []
    mention_map: dict[tuple[str, int, int], str] = {}
    for n, group in enumerate(ordered, start=1):
        eid = f"E{n}"
        votes = Counter[str]()
        for i in group:
            votes.update(mentions[i].votes)
        kind = _type(votes)
        ms = sorted(group, key=lambda i: (mentions[i].doc_index, mentions[i].start))
        entities.append(
            Entity(
                eid,
                kind,
                _canonical(kind, [mentions[i] for i in ms]),
                tuple(Mention(mentions[i].doc, mentions[i].start, mentions[i].end, mentions[i].text) for i in ms),
            )
        )
        for i in ms:
            mention_map[(mentions[i].doc, mentions[i].start, mentions[i].end)] = eid
    for doc_id, doc in docs:
        _link_descriptions(doc_id, doc, entities, mention_map)
    return entities, mention_map


def _canonical(kind: EntityType, ms: list[_Mention]) -> str:
    """The fullest form (most words), then the most frequent, then the first."""
    if kind == "DATE":
        return ms[0].key.removeprefix("date:")
    counts = Counter(m.text for m in ms)
    order = {m.text: -i for i, m in reversed(list(enumerate(ms)))}
    return max(counts, key=lambda t: (len(name_key(t).split()), counts[t], order[t]))


def _link_descriptions(
    doc_id: str, doc: Any, entities: list[Entity], mention_map: dict[tuple[str, int, int], str]
) -> None:
    """Add descriptions and pronouns of people to the mention map (module docstring, step 5)."""
    people = {e.id for e in entities if e.type == "PERSON"}
    named = [(s, e, eid) for (d, s, e), eid in mention_map.items() if d == doc_id and eid in people]
    lemma_owner: dict[str, set[str]] = {}
    for start, end, eid in named:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        head = span.root
        nouns = [c for c in head.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
        if head.dep_ == "pobj" and head.head.lower_ == "as" and head.head.head.lemma_ in roles._NAMING_VERBS:
            nouns.append(head.head.head.head)
        for noun in nouns:
            if noun.pos_ == "NOUN" and roles.is_person_noun(noun):
                lemma_owner.setdefault(noun.lemma_, set()).add(eid)
    links = {lemma: next(iter(owners)) for lemma, owners in lemma_owner.items() if len(owners) == 1}
    spans: list[tuple[int, int, str]] = [(s, e, eid) for s, e, eid in named]
    for token in doc:
        if token.pos_ == "NOUN" and token.lemma_ in links and token.tag_ in ("NN", "NNP"):
            lo, hi = roles.np_bounds(token)
            key = (doc_id, doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))
            mention_map.setdefault(key, links[token.lemma_])
            spans.append((key[1], key[2], links[token.lemma_]))
    spans.sort()
    sent_starts = [s.start_char for s in doc.sents]
    for token in doc:
        if token.lower_ == "who" and token.head.dep_ == "relcl":
            # "X, who requested anonymity": the relative pronoun is X.
            antecedent = token.head.head.idx
            owner = [x for x in spans if x[0] <= antecedent < x[1]]
            if owner:
                mention_map.setdefault((doc_id, token.idx, token.idx + 3), owner[0][2])
            continue
        if token.lower_ not in _PRONOUNS:
            continue
        si = max(0, bisect_right(sent_starts, token.idx) - 1)
        window_start = sent_starts[max(0, si - 2)]
        before = [x for x in spans if window_start <= x[0] and x[1] <= token.idx]
        if before:
            key = (doc_id, token.idx, token.idx + len(token))
            mention_map.setdefault(key, before[-1][2])


def entity_at(
    mention_map: Mapping[tuple[str, int, int], str],
    doc_id: str,
    start: int,
    end: int,
    text: str | None = None,
) -> str | None:
    """The entity of the mention that best matches span [start, end) of a document.

    Best = largest overlap relative to the union (Jaccard). A mention nested
    deep inside a longer span ("NATO" in "an adviser to the head of NATO")
    is not the span's entity: it counts only when it covers most of the span,
    when the span opens with it ("X, a local official ..."), or — given the
    document ``text`` — when no preposition precedes it inside the span
    ("French President Jean Dupont" → Dupont).
    """
    best: tuple[float, str] | None = None
    for (d, s, e), eid in mention_map.items():
        if d != doc_id or e <= start or s >= end:
            continue
        overlap = min(e, end) - max(s, start)
        jaccard = overlap / (max(e, end) - min(s, start))
        contains = s <= start and end <= e
        if jaccard >= 0.5 or contains:
            score = 1.0 + jaccard
        elif s == start:
            # The span opens with the name: "X, a local official cited in ...".
            score = 0.5 + jaccard
        elif text is not None and start <= s and e <= end:
            words = set(text[start:s].lower().split())
            if words & {"of", "to", "for", "by", "with", "from", "at", "in", "on", "about"}:
                continue
            score = jaccard
        elif overlap / (end - start) >= 0.34:
            score = jaccard
        else:
            continue
        if best is None or score > best[0]:
            best = (score, eid)
    return best[1] if best else None
