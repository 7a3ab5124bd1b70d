"""One self-contained HTML file for a Comparison: the versions side by side with their differences marked.

Everything that comes from an article (text, title, source, claims, explanations, entity names) is
untrusted. It reaches the page only through Jinja2 autoescaping or through a JSON block whose
``<``, ``>`` and ``&`` are escaped, and the page's script reads it with JSON.parse and writes it
with textContent. No resource is loaded from anywhere: CSS and JS are inline, fonts are the system's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..models import KIND_ORDER, Article, Comparison, DocSpan
from .kinds import KIND_MEANINGS, kind_label, kind_rank

__all__ = ["ASSETS", "asset", "comparison_view", "render_html"]

# The files the report inlines, which a server can also serve as they are.
ASSETS = ("comparison.css", "comparison.js")

# Layers of marks; a lower number wins when a segment is clicked (the most specific reading).
# Entity mentions are drawn only where a page asks for them (the served story page).
_DISC, _CLAIM, _PASSAGE, _MENTION = 0, 1, 2, 3
_LONG = 120  # characters: evidence longer than this is a passage rather than a phrase


@dataclass(frozen=True, slots=True)
class _Mark:
    """One highlighted stretch of one document, before the text is split."""

    sid: str  # span id, unique in the page: d3e1 (discrepancy 3, evidence 1), m2c0, p1a, e4n2
    group: str  # what links it to its counterparts: d3, m2, p1, e4
    layer: int
    css: tuple[str, ...]
    title: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of text between two span boundaries, with every mark covering it (innermost first)."""

    text: str
    css: str = ""
    spans: str = ""
    disc: str = ""
    match: str = ""
    passage: str = ""
    entity: str = ""
    title: str = ""


def _token(s: str) -> str:
    """A CSS class token from a kind name (kinds are a closed set, but a loaded JSON could hold anything)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", s)


def _locate(text: str, span: DocSpan | tuple[int, int, str]) -> tuple[int, int] | None:
    """Offsets of a span in text, or None. Offsets are trusted when in range; otherwise the quoted text
    is looked up, so a slightly wrong span still shows rather than breaking the page."""
    start, end, quoted = (span.start, span.end, span.text) if isinstance(span, DocSpan) else span
    if 0 <= start < end <= len(text):
        return start, end
    if quoted:
        at = text.find(quoted)
        if at >= 0:
            return at, at + len(quoted)
    return None


def segment_text(text: str, marks: list[_Mark]) -> list[Segment]:
    """Split text at every mark boundary; each piece carries the set of marks covering it.

    Marks may overlap and nest; the pieces concatenate back to exactly ``text``.
    """
    bounds = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    out: list[Segment] = []
    for a, b in pairwise(bounds):
        if a >= b:
            continue
        cover = sorted((m for m in marks if m.start <= a and m.end >= b), key=lambda m: (m.layer, m.end - m.start))
        if not cover:
            out.append(Segment(text[a:b]))
            continue
        css: list[str] = []
        for m in cover:
            css.extend(c for c in m.css if c not in css)
        disc = [m for m in cover if m.layer == _DISC]
        if len(disc) > 1:
            css.append("multi")  # several discrepancies on the same words: only one colour can show
        if disc and all(m.end - m.start > _LONG for m in disc):
            css.append("long")  # whole sentences or paragraphs get a lighter fill, so the text stays readable
        titles = list(dict.fromkeys(m.title for m in cover))
        out.append(
            Segment(
                text=text[a:b],
                css=" ".join(["seg", *css]),
                spans=" ".join(m.sid for m in cover),
                disc=" ".join(dict.fromkeys(m.group for m in cover if m.layer == _DISC)),
                match=" ".join(dict.fromkeys(m.group for m in cover if m.layer == _CLAIM)),
                passage=" ".join(dict.fromkeys(m.group for m in cover if m.layer == _PASSAGE)),
                entity=" ".join(dict.fromkeys(m.group for m in cover if m.layer == _MENTION)),
                title=" · ".join(titles),
            )
        )
    return out


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element early nor be read as markup: <, >, & and the two
    JavaScript line terminators become \\u escapes, which JSON.parse turns back into the characters."""
    s = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s


def comparison_view(comparison: Comparison, mentions: bool = False) -> dict[str, Any]:
    """Everything the comparison templates need, with the text already split into segments.

    ``mentions`` also marks every entity mention (groups ``e0``, ``e1``, ... in entity order), so a
    page can show where an entity is named; the standalone report leaves them out.
    """
    docs: list[Article] = list(comparison.documents)
    by_id = {d.id: d for d in docs}
    marks: dict[str, list[_Mark]] = {d.id: [] for d in docs}
    groups: dict[str, dict[str, Any]] = {}
    names = {e.id: e.name for e in comparison.entities}

    ordered = sorted(enumerate(comparison.discrepancies), key=lambda p: (kind_rank(p[1].kind), p[0]))
    items: list[dict[str, Any]] = []
    for i, disc in ordered:
        gid = f"d{i}"
        kind = _token(disc.kind)
        sids: list[str] = []
        evidence: list[dict[str, Any]] = []
        for j, ev in enumerate(disc.evidence):
            doc = by_id.get(ev.doc)
            where = _locate(doc.text, ev) if doc is not None else None
            quote = ev.text or (doc.text[where[0] : where[1]] if doc is not None and where else "")
            sid = f"{gid}e{j}"
            if doc is not None and where is not None:
                marks[doc.id].append(_Mark(sid, gid, _DISC, ("hl", f"k-{kind}"), kind_label(disc.kind), *where))
                sids.append(sid)
            evidence.append({"doc": ev.doc, "text": quote, "sid": sid if where else ""})
        groups[gid] = {"spans": sids, "kind": kind, "label": kind_label(disc.kind)}
        items.append(
            {
                "id": gid,
                "kind": kind,
                "label": kind_label(disc.kind),
                "docs": list(disc.docs),
                "entity": names.get(disc.entity or "", disc.entity),
                "explanation": disc.explanation,
                "evidence": evidence,
            }
        )

    claims = {c.id: c for c in comparison.claims}
    for i, match in enumerate(comparison.matches):
        gid = f"m{i}"
        sids = []
        for j, cid in enumerate(match.claims):
            claim = claims.get(cid)
            doc = by_id.get(claim.doc) if claim else None
            if claim is None or doc is None:
                continue
            where = _locate(doc.text, (claim.start, claim.end, claim.text))
            if where is None:
                continue
            sid = f"{gid}c{j}"
            title = f"matched claim ({match.relation})"
            marks[doc.id].append(_Mark(sid, gid, _CLAIM, ("cl", f"r-{_token(match.relation)}"), title, *where))
            sids.append(sid)
        groups[gid] = {"spans": sids, "kind": "", "label": f"matched claim ({match.relation})"}

    for i, passage in enumerate(comparison.passages):
        gid = f"p{i}"
        sids = []
        for side, doc_id, (start, end) in (("a", passage.docs[0], passage.a), ("b", passage.docs[1], passage.b)):
            doc = by_id.get(doc_id)
            where = _locate(doc.text, (start, end, "")) if doc else None
            if doc is None or where is None:
                continue
            sid = f"{gid}{side}"
            title = f"shared passage ({passage.similarity:.0%} similar)"
            marks[doc_id].append(_Mark(sid, gid, _PASSAGE, ("sh",), title, *where))
            sids.append(sid)
        groups[gid] = {"spans": sids, "kind": "", "label": "shared passage"}

    if mentions:
        for i, entity in enumerate(comparison.entities):
            gid = f"e{i}"
            sids = []
            for j, mention in enumerate(entity.mentions):
                doc = by_id.get(mention.doc)
                where = _locate(doc.text, mention) if doc else None
                if doc is None or where is None:
                    continue
                sid = f"{gid}n{j}"
                title = f"{entity.type.lower()}: {entity.name}"
                marks[doc.id].append(_Mark(sid, gid, _MENTION, ("mn",), title, *where))
                sids.append(sid)
            groups[gid] = {"spans": sids, "kind": "", "label": f"mentions of {entity.name}"}

    counts = Counter(_token(d.kind) for d in comparison.discrepancies)
    kinds_present = sorted(counts, key=kind_rank)
    columns = [
        {
            "index": n,
            "doc": d,
            "segments": segment_text(d.text, marks[d.id]),
            "n_marks": sum(1 for m in marks[d.id] if m.layer == _DISC),
        }
        for n, d in enumerate(docs)
    ]
    legend = [{"kind": k, "label": kind_label(k), "meaning": KIND_MEANINGS[k], "present": k in counts}
              for k in KIND_ORDER]
    data = {"docs": [{"id": d.id, "title": d.title} for d in docs], "groups": groups}
    return {
        "columns": columns,
        "titled": any(d.title for d in docs),
        "items": items,
        "counts": [{"kind": k, "label": kind_label(k), "n": counts[k]} for k in kinds_present],
        "legend": legend,
        "all_kinds": [_token(k) for k in KIND_ORDER],
        "n_matches": len(comparison.matches),
        "n_passages": len(comparison.passages),
        "data_json": _json_for_script(data),
    }


_ENV = Environment(
    loader=PackageLoader("storydiff.report", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def asset(name: str) -> str:
    """The text of one of :data:`ASSETS` (the report's stylesheet or script)."""
    if name not in ASSETS:
        raise KeyError(name)
    assert _ENV.loader is not None
    return _ENV.loader.get_source(_ENV, name)[0]


def _script() -> tuple[str, str]:
    """The page's script and its CSP hash, so the page runs that script and nothing else."""
    source = asset("comparison.js")
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return source, f"sha256-{digest}"


def render_html(comparison: Comparison, title: str | None = None) -> str:
    """The comparison as one HTML page that works offline (no external CSS, fonts or scripts)."""
    if title is None:
        ids = [d.id for d in comparison.documents]
        title = "storydiff: " + (" vs ".join(ids) if len(ids) <= 3 else f"{len(ids)} versions")
    script, script_hash = _script()
    template = _ENV.get_template("comparison.html.j2")
    return template.render(title=title, script=script, script_hash=script_hash, doc_href=None,
                           **comparison_view(comparison))
