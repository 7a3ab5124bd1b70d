"""Terminal rendering with rich. Article text is printed with markup off: it is untrusted."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..models import ClaimSet, Comparison, Discrepancy, Passage
from .kinds import kind_label, kind_rank


def render_claims(result: ClaimSet, console: Console) -> None:
    """Per document: who says what (role, hedges, date, places), then the entities across documents."""
    names = {e.id: e.name for e in result.entities}
    for doc in result.documents:
        console.rule(Text(f"{doc.id}" + (f" · {doc.published}" if doc.published else "")))
        for claim in (c for c in result.claims if c.doc == doc.id):
            line = Text()
            if claim.source is None and claim.cue is None:
                line.append("· ", style="dim")
            else:
                who = names.get(claim.speaker or "", claim.source.text if claim.source else "(unnamed source)")
                line.append(who, style="bold cyan")
                if claim.speaker_role:
                    line.append(f" ({claim.speaker_role})", style="cyan")
                if claim.cue:
                    line.append(f" {claim.cue.text}", style="magenta")
                line.append(": ")
            line.append(claim.content.text)
            extras = []
            if claim.hedges:
                extras.append("hedged: " + ", ".join(claim.hedges))
            if claim.time:
                extras.append(f"when: {claim.time}")
            if claim.places:
                extras.append("where: " + ", ".join(names.get(p, p) for p in claim.places))
            if extras:
                line.append("  [" + "; ".join(extras) + "]", style="yellow")
            console.print(line)
    console.rule(Text("entities"))
    roles: dict[str, list[str]] = {}
    for r in result.roles:
        roles.setdefault(r.entity, []).append(f"{r.text} ({r.doc})")
    for entity in result.entities:
        spellings = sorted({m.text for m in entity.mentions})
        line = Text()
        line.append(f"{entity.id} {entity.type} ", style="dim")
        line.append(entity.name, style="bold")
        if len(spellings) > 1:
            line.append(" · written " + " / ".join(spellings))
        if entity.id in roles:
            line.append(" · " + "; ".join(roles[entity.id]), style="cyan")
        console.print(line)


# Colours per kind: conflicts warm, informational kinds muted.
_KIND_STYLE = {
    "role_conflict": "bold red",
    "attribution_conflict": "bold red",
    "date_conflict": "bold red",
    "number_conflict": "bold red",
    "place_conflict": "bold red",
    "hedge_dropped": "bold magenta",
    "internal_contradiction": "bold magenta",
    "framing": "bold yellow",
    "name_variant": "bold",
    "only_in": "bold blue",
}


def _quote(text: str, limit: int = 200) -> str:
    """One line, at most ``limit`` characters, cut at a word where one is near, in curly quotes."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        cut = flat[: limit - 1]
        space = cut.rfind(" ")
        flat = (cut[:space] if space > limit * 0.7 else cut).rstrip(" ,;:") + "…"
    return f"“{flat}”"


def _covered(intervals: list[tuple[int, int]]) -> int:
    """Characters covered by a union of half-open intervals (passages may overlap)."""
    total, end = 0, -1
    for a, b in sorted(intervals):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def _passage_lines(comparison: Comparison) -> list[Text]:
    lengths = {d.id: len(d.text) for d in comparison.documents}
    pairs: dict[tuple[str, str], list[Passage]] = {}
    for p in comparison.passages:
        pairs.setdefault(p.docs, []).append(p)
    lines = []
    for (x, y), ps in pairs.items():
        weight = sum(p.a[1] - p.a[0] for p in ps) or 1
        similarity = sum(p.similarity * (p.a[1] - p.a[0]) for p in ps) / weight
        cover_x = _covered([p.a for p in ps]) / max(lengths.get(x, 0), 1)
        cover_y = _covered([p.b for p in ps]) / max(lengths.get(y, 0), 1)
        line = Text("shared: ", style="dim")
        line.append(f"{x} ↔ {y}", style="bold")
        line.append(f"  {len(ps)} passage{'s' if len(ps) != 1 else ''}, {similarity:.0%} similar; "
                    f"covers {cover_x:.0%} of {x}, {cover_y:.0%} of {y}")
        lines.append(line)
    return lines


def _grid() -> Table:
    """Two columns, the second wrapping under itself: hanging indents that survive an 80-column terminal."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _indented(grid: Table, indent: int) -> Padding:
    return Padding(grid, (0, 0, 0, indent), expand=False)


def _evidence(pairs: list[tuple[str, str]], style: str = "cyan") -> Padding:
    """Rows of ``doc id: "quote"``, the quotes aligned."""
    grid = _grid()
    for doc_id, quoted in pairs:
        grid.add_row(Text(f"{doc_id}:", style=style), Text(_quote(quoted)))
    return _indented(grid, 3)


def render_comparison(comparison: Comparison, console: Console, agreements: int = 15) -> None:
    """The documents compared, then the discrepancies grouped by kind (conflicts first), each with its
    explanation and the quoted evidence per document, then the first ``agreements`` matched claims.

    All article text goes through Text objects, never markup, so "[bold]" in an article prints as written.
    """
    docs = {d.id: d for d in comparison.documents}
    names = {e.id: e.name for e in comparison.entities}
    console.rule(Text(f"comparison of {len(comparison.documents)} documents"))
    header = _grid()
    for d in comparison.documents:
        about = Text(" ".join((d.title or "(untitled)").split()), style="bold")
        meta = " · ".join(" ".join(p.split()) for p in (d.source, d.published) if p)
        if meta:
            about.append("\n" + meta, style="dim")
        header.add_row(Text(d.id, style="bold cyan"), about)
    console.print(_indented(header, 2))
    for line in _passage_lines(comparison):
        console.print(_indented(_one(line), 2))

    by_kind: dict[str, list[Discrepancy]] = {}
    for disc in sorted(comparison.discrepancies, key=lambda d: kind_rank(d.kind)):
        by_kind.setdefault(disc.kind, []).append(disc)
    if not by_kind:
        console.print(Text("\nNo discrepancies found.", style="green"))
    else:
        summary = Text("discrepancies: ", style="dim")
        for n, (kind, items) in enumerate(by_kind.items()):
            summary.append(", " if n else "")
            summary.append(f"{len(items)} {kind_label(kind).lower()}", style=_KIND_STYLE.get(kind, "bold"))
        console.print(_indented(_one(summary), 2))
    for kind, items in by_kind.items():
        style = _KIND_STYLE.get(kind, "bold")
        console.print()
        console.rule(Text(f"{kind_label(kind)} ({len(items)})", style=style), align="left")
        for disc in items:
            text = Text(" ".join(disc.explanation.split()))
            if disc.entity:
                text.append(f"  ({names.get(disc.entity, disc.entity)})", style="dim")
            grid = _grid()
            grid.add_row(Text("•", style=style), text)
            console.print(_indented(grid, 1))
            pairs = []
            for ev in disc.evidence:
                doc = docs.get(ev.doc)
                pairs.append((ev.doc, ev.text or (doc.text[ev.start : ev.end] if doc is not None else "")))
            console.print(_evidence(pairs))

    claims = {c.id: c for c in comparison.claims}
    agreed = [m for m in comparison.matches if m.relation in ("same", "paraphrase")]
    if agreed:
        console.print()
        console.rule(Text(f"Agreements ({len(agreed)} matched claims)", style="bold green"), align="left")
        for match in agreed[:agreements]:
            grid = _grid()
            grid.add_row(Text("•", style="green"), Text(f"{match.relation} ({match.score:.2f})", style="green"))
            console.print(_indented(grid, 1))
            console.print(_evidence([(c.doc, c.text) for c in (claims.get(i) for i in match.claims) if c]))
        if len(agreed) > agreements:
            console.print(Text(f"  … and {len(agreed) - agreements} more", style="dim"))


def _one(text: Text) -> Table:
    grid = Table.grid()
    grid.add_column(overflow="fold")
    grid.add_row(text)
    return grid
