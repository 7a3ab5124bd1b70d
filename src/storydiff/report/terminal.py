"""Terminal rendering with rich. Article text is printed with markup off: it is untrusted."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..models import ClaimSet


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
