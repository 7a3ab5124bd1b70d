"""The terminal report of a comparison: grouped by kind, quotes from every version, article text printed as written."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from report_example import example_comparison, texts
from storydiff.models import Claim, Comparison, Discrepancy, DocSpan, Match, Span
from storydiff.report import render_comparison


def render(comparison: Comparison, width: int = 100) -> str:
    console = Console(record=True, width=width, force_terminal=False, color_system=None)
    render_comparison(comparison, console)
    return console.export_text()


def test_kinds_are_grouped_conflicts_first_with_quotes_from_both_documents() -> None:
    out = render(example_comparison())
    headings = ["Role conflict (1)", "Attribution conflict (1)", "Hedge dropped (1)", "Internal contradiction (1)",
                "Framing (1)", "Name variant (1)", "Only in some versions (1)", "Agreements (2 matched claims)"]
    positions = [out.index(h) for h in headings]
    assert positions == sorted(positions)
    role = out[positions[0] : positions[1]]
    assert "Kimakovsky is a local official in report-a" in " ".join(role.split())
    assert "report-a: “local official”" in role
    assert "report-b: “military adviser to the head of the DPR”" in role
    names = out[positions[5] : positions[6]]
    assert "report-a: “Kimakovski”" in names and "report-b: “Kimakovsky”" in names


def test_header_names_the_documents_and_the_shared_passages() -> None:
    out = render(example_comparison())
    head = out[: out.index("Role conflict (1)")]
    assert "report-a" in head and "report-b" in head and "Outlet A · 2025-11-23" in head
    assert "2 passages" in head and "report-a ↔ report-b" in head


def test_agreements_are_pairs_of_quotes_and_stop_after_fifteen() -> None:
    base = example_comparison()
    out = render(base)
    agreements = out[out.index("Agreements") :]
    assert "report-a: “the Kremlin has not ruled out the possibility of Putin visiting new regions”" in agreements
    assert "report-b: “officials had not ruled out the possibility of Putin making further visits”" in agreements
    many = replace(base, matches=tuple(Match(("C3", "C4"), "same", 0.9) for _ in range(20)))
    assert "… and 5 more" in render(many)
    conflicts_only = replace(base, matches=(Match(("C1", "C2"), "conflict", 0.5),))
    assert "Agreements" not in render(conflicts_only)


def test_markup_in_article_text_is_printed_literally() -> None:
    a, _ = texts()
    hostile = "[bold]x[/bold] [link=https://evil.example]y[/link] :smile:"
    base = example_comparison(a_text=hostile + "\n" + a, a_title="[red]Title[/red]")
    disc = Discrepancy("only_in", ("report-a",), (DocSpan("report-a", 0, len(hostile), hostile),),
                       "Says [italic]z[/italic] only here.")
    claim_a = Claim("X1", "report-a", 0, len(hostile), hostile, content=Span(0, len(hostile), hostile))
    comparison = replace(base, discrepancies=(disc,), claims=(*base.claims, claim_a),
                         matches=(Match(("X1", "C2"), "paraphrase", 0.6),))
    out = render(comparison)
    assert f"report-a: “{hostile}”" in out
    assert "[red]Title[/red]" in out and "Says [italic]z[/italic] only here." in out


def test_long_quotes_are_trimmed_and_lines_fit_eighty_columns() -> None:
    base = example_comparison()
    a = base.documents[0].text
    long_ev = DocSpan("report-a", 0, 600, a[:600])
    comparison = replace(base, discrepancies=(Discrepancy("only_in", ("report-a",), (long_ev,), "Long."),))
    out = render(comparison, width=80)
    quote = out[out.index("report-a: “") :].split("”", 1)[0]
    assert "…" in quote and len(" ".join(quote.split())) < 230
    assert all(len(line) <= 80 for line in out.splitlines())


def test_no_discrepancies_says_so() -> None:
    base = example_comparison()
    out = render(replace(base, discrepancies=(), matches=()))
    assert "No discrepancies found." in out
