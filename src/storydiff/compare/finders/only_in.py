"""``only_in``: what some versions carry and others don't (additions and omissions).

A claim is carried by a version when it is matched to one of its claims,
when it sits mostly inside a claim that is (nested attributions), or when
nearly all its content words stand in one sentence of that version (a claim
the other version words as part of a longer one). Consecutive claims missing
from the same versions are one item, so a long addition is one entry.
A detail added to a shared sentence by coordination ("wounded comrades and
critical equipment") is an item too, when the other version never mentions it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ...models import Discrepancy, DocSpan
from ..align import containment
from ..context import Context
from ..sentences import sentence_pairs
from ..views import ClaimView, content_words

_COORDINATORS = frozenset({"and", "as well as", "plus", "including"})


def _sentence_words(ctx: Context, doc_id: str) -> list[frozenset[str]]:
    doc: Any = ctx.parses[doc_id]
    return [content_words(list(s)) for s in doc.sents]


def _flat(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def carriers(ctx: Context) -> dict[str, set[str]]:
    """Claim id → the documents that carry it (its own included)."""
    least = float(ctx.settings["compare_covered_containment"])
    carry: dict[str, set[str]] = {v.id: {v.doc_id} for v in ctx.views}
    for p in ctx.pairs:
        carry[p.a.id].add(p.b.doc_id)
        carry[p.b.id].add(p.a.doc_id)
    # Sentences the diff pairs up closely are carried, all their claims with them:
    # what differs inside them (a role, a name, an inserted clause) is another
    # finder's business, not an addition.
    least_ratio = float(ctx.settings["compare_value_min_ratio"])
    paired: dict[tuple[str, tuple[int, int]], set[str]] = defaultdict(set)
    for sp in sentence_pairs(ctx):
        if sp.ratio >= least_ratio:
            paired[(sp.a.doc_id, sp.a.sentence)].add(sp.b.doc_id)
            paired[(sp.b.doc_id, sp.b.sentence)].add(sp.a.doc_id)
    for v in ctx.views:
        carry[v.id] |= paired.get((v.doc_id, v.sentence), set())
    # Text a version holds word for word is carried, however the claims were cut.
    flat = {d: _flat(ctx.articles[d].text) for d in ctx.doc_ids}
    for v in ctx.views:
        words = _flat(v.claim.text)
        carry[v.id] |= {d for d in ctx.doc_ids if words and words in flat[d]}
    # A sentence the other version has nearly verbatim (an inserted clause,
    # a changed word) is carried.
    from rapidfuzz import fuzz, process

    flat_sentences = {d: [_flat(s.text) for s in ctx.parses[d].sents] for d in ctx.doc_ids}  # type: ignore[attr-defined]
    for v in ctx.views:
        mine = _flat(ctx.articles[v.doc_id].text[v.sentence[0] : v.sentence[1]])
        for d in ctx.doc_ids:
            if d in carry[v.id] or not mine:
                continue
            best = process.extractOne(mine, flat_sentences[d], scorer=fuzz.ratio, score_cutoff=85)
            if best is not None:
                carry[v.id].add(d)
    sentences = {d: _sentence_words(ctx, d) for d in ctx.doc_ids}
    by_doc: dict[str, list[ClaimView]] = defaultdict(list)
    for v in ctx.views:
        by_doc[v.doc_id].append(v)
    for v in ctx.views:
        for other in ctx.doc_ids:
            if other in carry[v.id]:
                continue
            # Inside a claim of its own document that the other version carries.
            outer = [
                u
                for u in by_doc[v.doc_id]
                if u.id != v.id
                and other in carry[u.id]
                and min(u.claim.end, v.claim.end) - max(u.claim.start, v.claim.start)
                >= 0.5 * (v.claim.end - v.claim.start)
            ]
            if outer or (
                len(v.words) >= 3 and max((containment(v.words, s) for s in sentences[other]), default=0.0) >= least
            ):
                carry[v.id].add(other)
    return carry


def _group_evidence(ctx: Context, group: list[ClaimView], carried: list[ClaimView] | None = None) -> DocSpan:
    """The span of a group of claims, widened to whole sentences where no carried claim shares them.

    Claims need not cover every word of a sentence ("On November 20th, X
    visited ..." may yield a claim for only its second half), but an addition
    is read as the sentences it adds.
    """
    start, end = min(v.claim.start for v in group), max(v.claim.end for v in group)
    s_start, s_end = min(v.sentence[0] for v in group), max(v.sentence[1] for v in group)
    others = carried or []
    if not any(u.claim.start < start and u.claim.end > s_start for u in others):
        start = min(start, s_start)
    if not any(u.claim.end > end and u.claim.start < s_end for u in others):
        end = max(end, s_end)
    return ctx.span(group[0].doc_id, start, end)


def _explain(span: DocSpan, n: int, have: list[str], lack: list[str]) -> str:
    text = " ".join(span.text.split())
    quote = text if len(text) <= 160 else text[:157].rstrip() + "…"
    claims = f" ({n} claims)" if n > 1 else ""
    return f"Only {', '.join(have)} {'says' if len(have) == 1 else 'say'}: “{quote}”{claims}; not in {', '.join(lack)}."


def _claim_items(ctx: Context, carry: dict[str, set[str]]) -> list[Discrepancy]:
    all_docs = set(ctx.doc_ids)
    partners: dict[str, set[str]] = defaultdict(set)
    for p in ctx.pairs:
        partners[p.a.id].add(p.b.id)
        partners[p.b.id].add(p.a.id)
    reported: set[str] = set()
    out: list[Discrepancy] = []
    for doc_id in ctx.doc_ids:
        views = sorted((v for v in ctx.views if v.doc_id == doc_id), key=lambda v: (v.claim.start, v.claim.end))
        groups: list[tuple[frozenset[str], list[ClaimView]]] = []
        for v in views:
            lack = frozenset(all_docs - carry[v.id])
            if not lack or v.id in reported:
                groups.append((frozenset(), [v]))
                continue
            if groups and groups[-1][0] == lack:
                groups[-1][1].append(v)
            else:
                groups.append((lack, [v]))
        for lack, group in groups:
            if not lack:
                continue
            have = [d for d in ctx.doc_ids if d not in lack]
            carried = [v for v in views if not (all_docs - carry[v.id])]
            evidence = [_group_evidence(ctx, group, carried)]
            others = [
                ctx.views[i]
                for i in range(len(ctx.views))
                if ctx.views[i].id in {q for v in group for q in partners[v.id]}
            ]
            for d in have:
                mine = [u for u in others if u.doc_id == d and u.doc_id != doc_id]
                if mine:
                    evidence.append(_group_evidence(ctx, mine))
            for v in group:
                reported.add(v.id)
                reported.update(partners[v.id])
            out.append(
                Discrepancy(
                    "only_in",
                    tuple(have),
                    tuple(evidence),
                    _explain(evidence[0], len(group), have, sorted(lack, key=ctx.doc_ids.index)),
                )
            )
    return out


def _added_details(ctx: Context) -> list[Discrepancy]:
    """Coordinated nouns one version adds to a sentence the other version also carries."""
    lemmas = {d: {t.lemma_.lower() for t in ctx.parses[d]} for d in ctx.doc_ids}  # type: ignore[attr-defined]
    carried_sentences: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for p in ctx.pairs:
        carried_sentences[p.a.doc_id].add((p.b.doc_id, p.a.sentence[0]))
        carried_sentences[p.b.doc_id].add((p.a.doc_id, p.b.sentence[0]))
    out: list[Discrepancy] = []
    for doc_id in ctx.doc_ids:
        doc: Any = ctx.parses[doc_id]
        for sent in doc.sents:
            for other in ctx.doc_ids:
                if other == doc_id or (other, sent.start_char) not in carried_sentences[doc_id]:
                    continue
                for tok in sent:
                    if not (tok.dep_ == "conj" and tok.pos_ == "NOUN" and tok.head.pos_ == "NOUN"):
                        continue
                    cc = [c for c in tok.head.children if c.dep_ == "cc" and c.i < tok.i]
                    if not cc or cc[-1].lower_ not in _COORDINATORS:
                        continue
                    if tok.lemma_.lower() in lemmas[other] or tok.head.lemma_.lower() not in lemmas[other]:
                        continue
                    phrase = [t for t in tok.subtree if t.i >= cc[-1].i]
                    words = {t.lemma_.lower() for t in phrase if not (t.is_stop or t.is_punct)}
                    if words & lemmas[other] and len(words) <= 1:
                        continue
                    start, end = cc[-1].idx, phrase[-1].idx + len(phrase[-1].text)
                    text = ctx.articles[doc_id].text[start:end]
                    out.append(
                        Discrepancy(
                            "only_in",
                            (doc_id,),
                            (ctx.span(doc_id, start, end),),
                            f"Only {doc_id} adds “{text}” to “{tok.head.text}”; {other} never mentions it.",
                        )
                    )
    return out


def find(ctx: Context) -> list[Discrepancy]:
    return _claim_items(ctx, carriers(ctx)) + _added_details(ctx)
