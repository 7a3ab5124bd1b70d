"""The HTML report: what a reader sees and clicks, and that article text can never become markup or script."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from report_example import example_comparison, span, texts
from storydiff.models import Comparison, Discrepancy
from storydiff.report import render_html
from storydiff.report.html import _DISC, _Mark, segment_text

PAYLOAD = '<script>alert(1)</script> "><img src=x onerror=alert(1)> </script> line\u2028sep\u2029end '


@dataclass
class Piece:
    col: int
    text: str
    attrs: dict[str, str] = field(default_factory=dict)


class Page(HTMLParser):
    """Collects each document column's text, its marked pieces, the inputs and the script blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.col = -1
        self.in_text = False
        self.doc_text: list[str] = []
        self.pieces: list[Piece] = []
        self.open_piece: Piece | None = None
        self.inputs: list[dict[str, str]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.script: dict[str, str] | None = None
        self.items: list[dict[str, str]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "article" and "col" in a.get("class", "").split():
            self.col = int(a["data-col"])
            self.doc_text.append("")
        elif tag == "div" and a.get("class") == "doc-text":
            self.in_text = True
        elif tag == "span" and self.in_text:
            self.open_piece = Piece(self.col, "", a)
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "script":
            self.script = a
            self.scripts.append((a, ""))
        elif tag == "li" and "disc" in a.get("class", "").split():
            self.items.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.open_piece is not None:
            self.pieces.append(self.open_piece)
            self.open_piece = None
        elif tag == "div" and self.in_text:
            self.in_text = False
        elif tag == "script":
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.in_text:
            self.doc_text[-1] += data
            if self.open_piece is not None:
                self.open_piece.text += data
        if self.script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def spans_text(page: Page, sid: str) -> tuple[set[int], str, list[Piece]]:
    found = [p for p in page.pieces if sid in p.attrs.get("data-s", "").split()]
    return {p.col for p in found}, "".join(p.text for p in found), found


def test_every_document_appears_whole_in_its_column_despite_nested_marks() -> None:
    comparison = example_comparison()
    page = parse(render_html(comparison))
    assert page.doc_text == [d.text for d in comparison.documents]
    # The example nests and overlaps on purpose; make sure that actually happened.
    assert any(len(p.attrs.get("data-d", "").split()) > 1 for p in page.pieces)
    assert any(p.attrs.get("data-d") and p.attrs.get("data-m") for p in page.pieces)


def test_each_evidence_span_is_highlighted_with_its_kind_and_linked_to_its_counterpart() -> None:
    comparison = example_comparison()
    page = parse(render_html(comparison))
    cols = {d.id: n for n, d in enumerate(comparison.documents)}
    for i, disc in enumerate(comparison.discrepancies):
        for j, ev in enumerate(disc.evidence):
            where, text, pieces = spans_text(page, f"d{i}e{j}")
            assert where == {cols[ev.doc]}
            assert text == ev.text
            for p in pieces:
                classes = p.attrs["class"].split()
                assert "hl" in classes and f"k-{disc.kind}" in classes
                assert f"d{i}" in p.attrs["data-d"].split()
        # The counterpart is every other piece carrying the same data-d.
        linked = {p.col for p in page.pieces if f"d{i}" in p.attrs.get("data-d", "").split()}
        assert linked == {cols[ev.doc] for ev in disc.evidence}
    name_a = next(p for p in page.pieces if p.text == "Kimakovski" and "k-name_variant" in p.attrs["class"])
    name_b = next(p for p in page.pieces if p.text == "Kimakovsky" and "k-name_variant" in p.attrs["class"])
    assert (name_a.col, name_b.col) == (0, 1)
    assert set(name_a.attrs["data-d"].split()) & set(name_b.attrs["data-d"].split())


def test_matched_claims_and_shared_passages_are_marked_in_both_columns() -> None:
    page = parse(render_html(example_comparison()))
    for group in ("m0", "m1"):
        cols = {p.col for p in page.pieces if group in p.attrs.get("data-m", "").split()}
        assert cols == {0, 1}
    for sid in ("p0a", "p0b"):
        _, text, pieces = spans_text(page, sid)
        assert text == "has reached a critical juncture"
        assert all("sh" in p.attrs["class"].split() for p in pieces)


def test_discrepancy_list_filters_and_legend() -> None:
    comparison = example_comparison()
    html = render_html(comparison)
    page = parse(html)
    present = {d.kind for d in comparison.discrepancies}
    boxes = [i for i in page.inputs if "kind-filter" in i.get("class", "")]
    assert {i["data-kind"] for i in boxes} == present
    assert all(i.get("type") == "checkbox" and "checked" in i for i in boxes)
    assert any(i.get("type") == "search" for i in page.inputs)
    # One list item per discrepancy, conflicts first and additions last.
    kinds = [i["data-kind"] for i in page.items]
    assert sorted(kinds) == sorted(d.kind for d in comparison.discrepancies)
    assert kinds[0] == "role_conflict" and kinds[-1] == "only_in"
    for disc in comparison.discrepancies:
        assert disc.explanation.replace("“", "").split()[0] in html
    assert "Date conflict" in html  # the legend lists every kind, present or not


def test_nothing_is_loaded_from_outside_the_file() -> None:
    html = render_html(example_comparison())
    for tag, attrs in parse(html).tags:
        for name in ("src", "href", "action", "poster", "data"):
            assert not re.match(r"\s*(https?:|//)", attrs.get(name, "")), (tag, attrs)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:|//)", html)
    assert "<link" not in html
    assert "https://a.example/konstantinovka" in html  # the article's URL, shown as text


def test_only_the_reports_own_script_may_run() -> None:
    html = render_html(example_comparison())
    page = parse(html)
    code = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 1 and all("src" not in attrs for attrs, _ in page.scripts)
    digest = base64.b64encode(hashlib.sha256(code[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_hostile_article_text_and_title_stay_text() -> None:
    a_text, _ = texts()
    comparison = example_comparison(a_text=PAYLOAD + a_text, a_title="Title " + PAYLOAD)
    comparison = replace(
        comparison,
        discrepancies=(
            *comparison.discrepancies,
            Discrepancy("only_in", ("report-a",), (span("report-a", PAYLOAD + a_text, PAYLOAD.strip()),),
                        "Explained " + PAYLOAD),
        ),
    )
    html = render_html(comparison)
    for raw in ("<script>alert(1)", "<img", "onerror=alert(1)>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # Two script elements, so exactly two closing tags: the payload's </script> cannot end one early.
    assert html.count("<script") == 2 and html.lower().count("</script") == 2
    page = parse(html)
    assert page.doc_text[0] == PAYLOAD + a_text
    block = next(text for attrs, text in page.scripts if attrs.get("type") == "application/json")
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(block)["docs"][0]["title"] == "Title " + PAYLOAD
    _, text, _ = spans_text(page, f"d{len(comparison.discrepancies) - 1}e0")
    assert text == PAYLOAD.strip()


def test_more_than_two_versions_get_a_scrolling_row_of_columns() -> None:
    base = example_comparison()
    third = replace(base.documents[1], id="report-c", title=None, source=None, published=None)
    html = render_html(Comparison(documents=(*base.documents, third)), title="Three versions")
    page = parse(html)
    assert page.doc_text == [d.text for d in (*base.documents, third)]
    cols = next(a for t, a in page.tags if a.get("id") == "cols")
    assert "many" in cols["class"].split() and "<title>Three versions</title>" in html
    assert "scroll sideways" in html
    assert "The versions show no discrepancies." in html


def test_spans_that_do_not_fit_the_text_are_listed_but_not_drawn() -> None:
    base = example_comparison()
    bad = Discrepancy("number_conflict", ("report-a",), (replace(base.discrepancies[0].evidence[0], start=10**6,
                      end=10**6 + 5, text="not in the text"),), "An out-of-range span.")
    page = parse(render_html(replace(base, discrepancies=(bad,))))
    assert page.doc_text == [d.text for d in base.documents]
    assert not any(p.attrs.get("data-d") for p in page.pieces)
    assert [i["data-kind"] for i in page.items] == ["number_conflict"]


@settings(deadline=None)  # a shared, loaded machine can exceed the 200 ms default; time is not checked here
@given(
    st.text(min_size=0, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
)
def test_segments_concatenate_to_the_text_and_carry_exactly_the_covering_marks(
    text: str, bounds: list[tuple[int, int]]
) -> None:
    marks = [
        _Mark(f"d{n}e0", f"d{n}", _DISC, ("hl",), "", min(a, b, len(text)), min(max(a, b), len(text)))
        for n, (a, b) in enumerate(bounds)
    ]
    marks = [m for m in marks if m.start < m.end]
    segments = segment_text(text, marks)
    assert "".join(s.text for s in segments) == text
    at = 0
    for seg in segments:
        covering = {m.sid for m in marks if m.start <= at and at + len(seg.text) <= m.end}
        assert set(seg.spans.split()) == covering
        at += len(seg.text)
