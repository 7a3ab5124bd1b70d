"""A Comparison built by hand over the real Konstantinovka reports, for the report renderers' tests.

Offsets are found with str.find in the real texts, so every span is a real stretch of a document;
several spans overlap or nest on purpose (a role and an attribution on the same words, a name inside
a longer evidence span, claims and passages around discrepancies).
"""

from __future__ import annotations

from pathlib import Path

from storydiff.models import Article, Claim, Comparison, Discrepancy, DocSpan, Entity, Match, Passage, Span

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "konstantinovka"


def texts() -> tuple[str, str]:
    a, b = (EXAMPLE / "report-a.txt", EXAMPLE / "report-b.txt")
    return a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")


def span(doc: str, text: str, quote: str, after: int = 0) -> DocSpan:
    at = text.find(quote, after)
    assert at >= 0, quote
    return DocSpan(doc, at, at + len(quote), quote)


def articles(a_text: str, b_text: str, a_title: str | None = None) -> tuple[Article, Article]:
    a = Article("report-a", a_text, title=a_title or a_text.split("\n", 1)[0], source="Outlet A",
                url="https://a.example/konstantinovka", published="2025-11-23")
    b = Article("report-b", b_text, title="Konstantinovka: adviser describes AFU retreat", source="Outlet B",
                published="2025-11-21")
    return a, b


def claim(cid: str, sp: DocSpan, content: str, source: str | None = None) -> Claim:
    c_at = sp.text.find(content)
    csp = Span(sp.start + c_at, sp.start + c_at + len(content), content)
    ssp = None
    if source is not None:
        s_at = sp.text.find(source)
        ssp = Span(sp.start + s_at, sp.start + s_at + len(source), source)
    return Claim(cid, sp.doc, sp.start, sp.end, sp.text, content=csp, source=ssp)


def example_comparison(a_text: str | None = None, a_title: str | None = None) -> Comparison:
    """The example; ``a_text`` replaces report A's text (its spans are then looked up in it again)."""
    a_real, b = texts()
    a = a_real if a_text is None else a_text
    doc_a, doc_b = articles(a, b, a_title)
    according = a.find("According to Kimakovski")
    name_a = span("report-a", a, "Kimakovski", according)
    name_b = span("report-b", b, "Kimakovsky")
    discrepancies = (
        Discrepancy("role_conflict", ("report-a", "report-b"),
                    (span("report-a", a, "local official"),
                     span("report-b", b, "military adviser to the head of the DPR")),
                    "Kimakovsky is a local official in report-a but a military adviser to the head of the DPR "
                    "in report-b.", entity="E1"),
        Discrepancy("attribution_conflict", ("report-a", "report-b"),
                    (span("report-a", a, "unverified sources"),
                     span("report-b", b, "a military adviser to the head of the DPR")),
                    "The retreat is sourced to unverified sources in report-a and to a named adviser in report-b."),
        Discrepancy("hedge_dropped", ("report-a", "report-b"),
                    (span("report-a", a, "reportedly left wounded comrades behind"),
                     span("report-b", b, "some troops leaving behind wounded comrades")),
                    "report-a hedges the abandoned wounded with “reportedly”; report-b states it as fact."),
        Discrepancy("internal_contradiction", ("report-b",),
                    (span("report-b", b, "requested anonymity"), span("report-b", b, "identified as Kimakovsky")),
                    "report-b says the adviser requested anonymity, then names him.", entity="E1"),
        Discrepancy("framing", ("report-a", "report-b"),
                    (span("report-a", a, "Donetsk region"), span("report-b", b, "Donetsk People’s Republic")),
                    "Konstantinovka is in the “Donetsk region” in report-a and the “Donetsk People’s Republic” "
                    "in report-b.", entity="E2"),
        Discrepancy("name_variant", ("report-a", "report-b"), (name_a, name_b),
                    "The adviser is spelled Kimakovski in report-a and Kimakovsky in report-b.", entity="E1"),
        Discrepancy("only_in", ("report-b",),
                    (span("report-b", b, "clearing an observation post in the eastern part of Konstantinovka"),),
                    "Only report-b says Russian forces cleared an observation post in eastern Konstantinovka."),
    )
    c1 = claim("C1", span("report-a", a, "According to Kimakovski, a local official cited in unverified sources, "
                          "some units reportedly left wounded comrades behind"),
               "some units reportedly left wounded comrades behind", source="Kimakovski")
    c2 = claim("C2", span("report-b", b, "According to a military adviser to the head of the DPR, the Armed Forces "
                          "of Ukraine (AFU) are facing mounting pressure"),
               "the Armed Forces of Ukraine (AFU) are facing mounting pressure",
               source="a military adviser to the head of the DPR")
    c3 = claim("C3", span("report-a", a, "the Kremlin has not ruled out the possibility of Putin visiting new regions"),
               "the possibility of Putin visiting new regions", source="the Kremlin")
    c4 = claim("C4", span("report-b", b, "officials had not ruled out the possibility of Putin making further visits"),
               "the possibility of Putin making further visits", source="officials")
    shared_a = span("report-a", a, "has reached a critical juncture")
    shared_b = span("report-b", b, "has reached a critical juncture")
    visit_a = span("report-a", a, "has not ruled out the possibility of Putin")
    visit_b = span("report-b", b, "had not ruled out the possibility of Putin")
    return Comparison(
        documents=(doc_a, doc_b),
        entities=(
            Entity("E1", "PERSON", "Kimakovsky", (name_a, name_b)),
            Entity("E2", "PLACE", "Donetsk", (span("report-a", a, "Donetsk"), span("report-b", b, "Donetsk"))),
        ),
        claims=(c1, c2, c3, c4),
        matches=(Match(("C1", "C2"), "paraphrase", 0.71), Match(("C3", "C4"), "same", 0.88)),
        discrepancies=discrepancies,
        passages=(
            Passage(("report-a", "report-b"), (shared_a.start, shared_a.end), (shared_b.start, shared_b.end), 1.0),
            Passage(("report-a", "report-b"), (visit_a.start, visit_a.end), (visit_b.start, visit_b.end), 0.93),
        ),
    )
