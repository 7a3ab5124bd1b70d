"""compare_articles: claims → matches → discrepancies → passages, for two or more versions."""

from __future__ import annotations

from collections.abc import Sequence

from ..claims.extract import extract_details
from ..errors import InputError
from ..models import KIND_ORDER, Article, Comparison, Discrepancy, Match, Relation
from ..reuse import shared_passages
from ..settings import Settings
from .align import Pair, match_all
from .context import Context
from .finders import FINDERS
from .values import diff
from .views import build_views

_CONFLICTS = frozenset({"attribution_conflict", "date_conflict", "number_conflict", "place_conflict"})


def _inside(d: Discrepancy, p: Pair) -> bool:
    """Whether a discrepancy's evidence lies in both claims of a pair."""

    def hit(v_doc: str, start: int, end: int) -> bool:
        return any(e.doc == v_doc and e.start < end and start < e.end for e in d.evidence)

    return hit(p.a.doc_id, p.a.claim.start, p.a.claim.end) and hit(p.b.doc_id, p.b.claim.start, p.b.claim.end)


def _same_finding(d: Discrepancy, e: Discrepancy) -> bool:
    """One change found twice (by the diff and by the claims): same kind, same documents,
    evidence overlapping in each."""
    if d.kind != e.kind or set(d.docs) != set(e.docs):
        return False
    for doc in d.docs:
        mine = [x for x in d.evidence if x.doc == doc]
        theirs = [x for x in e.evidence if x.doc == doc]
        if mine and theirs and not any(x.start < y.end and y.start < x.end for x in mine for y in theirs):
            return False
    return True


def _matches(pairs: list[Pair], found: list[Discrepancy], same_ratio: float) -> list[Match]:
    out = []
    conflicts = [d for d in found if d.kind in _CONFLICTS]
    for p in pairs:
        relation: Relation
        if any(_inside(d, p) for d in conflicts):
            relation = "conflict"
        else:
            relation = "same" if diff(p.a.tokens, p.b.tokens)[2] >= same_ratio else "paraphrase"
        out.append(Match((p.a.id, p.b.id), relation, p.score))
    return out


def compare_articles(articles: Sequence[Article], settings: Settings | None = None) -> Comparison:
    """The comparison (SPEC §2) of two or more versions of a story."""
    settings = settings or Settings()
    if len(articles) < 2:
        raise InputError("compare", f"needs at least two documents, got {len(articles)}")
    most = int(settings["compare_max_documents"])
    if len(articles) > most:
        raise InputError("compare", f"{len(articles)} documents are more than compare_max_documents={most} "
                                    "(every pair is matched); compare fewer, or raise the setting")
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise InputError("compare", f"two documents share the id {dup[0]!r}; give them different file names")
    details = extract_details(articles, settings)
    views = build_views(details)
    scorer, pairs = match_all(views, ids, settings)
    ctx = Context(details, views, pairs, scorer, settings)
    found: list[Discrepancy] = []
    for finder in FINDERS:
        for d in finder(ctx):
            if not any(_same_finding(d, e) for e in found):
                found.append(d)
    found.sort(key=lambda d: (KIND_ORDER.index(d.kind), ids.index(d.docs[0]), d.evidence[0].start if d.evidence else 0))
    passages, _summary = shared_passages(articles, settings)
    return Comparison(
        documents=tuple(articles),
        entities=details.claims.entities,
        claims=details.claims.claims,
        matches=tuple(_matches(pairs, found, float(settings["compare_same_ratio"]))),
        discrepancies=tuple(found),
        passages=tuple(passages),
    )
