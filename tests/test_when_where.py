"""Date resolution against the publication date; places inside a span."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydiff.claims.nlp import load_nlp
from storydiff.claims.when_where import dates_in, places_in, resolve_date
from storydiff.models import Entity, Mention

DATA = Path(__file__).parent / "data" / "claims"


@pytest.mark.parametrize(
    ("expression", "published", "iso"),
    [
        ("On November 20th", "2025-11-23", "2025-11-20"),
        ("December 5", "2025-11-23", "2024-12-05"),  # the publication year would be the future
        ("yesterday", "2025-11-23T08:30:00+02:00", "2025-11-22"),
        ("last Tuesday", "2025-11-23", "2025-11-18"),
        ("three days ago", "2025-11-23", "2025-11-20"),
        ("in 2014", "2025-11-23", "2014"),
        ("March 2020", "2025-11-23", "2020-03"),
        ("last week", "2025-11-23", "2025-W46"),
        ("20 November 2025", None, "2025-11-20"),
        ("November 20th", None, "--11-20"),
        ("yesterday", None, None),
        ("to", "2025-11-23", None),
        ("daily", "2025-11-23", None),
        ("The coming months", "2025-11-23", None),
        ("the 1990s", "2025-11-23", None),
        ("Saturday", "2025-11-23", "2025-11-22"),
        ("Sunday", "2025-11-23", "2025-11-23"),  # the publication day itself
        ("September", "2025-11-23", "2025-09"),
        ("December", "2025-11-23", "2024-12"),
        ("last month", "2025-11-23", "2025-10"),
        ("last month", "2025-01-10", "2024-12"),
        ("an eight-year deal", "2025-11-23", None),
        ("28", "2025-11-23", None),
    ],
)
def test_resolve_date(expression: str, published: str | None, iso: str | None) -> None:
    assert resolve_date(expression, published) == iso


def test_dates_in_example() -> None:
    text = (DATA / "report-b.txt").read_text(encoding="utf-8")
    doc = load_nlp()(text)
    start = text.index("On November 20th")
    end = text.index(".", start)
    found = dates_in(doc, start, end, "2025-11-23")
    assert [(s.text, iso) for s, iso in found] == [("November 20th", "2025-11-20")]
    assert dates_in(doc, 0, start, "2025-11-23") == []


def test_places_in() -> None:
    entities = [
        Entity("E1", "PLACE", "Lviv", (Mention("d", 10, 14, "Lviv"), Mention("e", 0, 4, "Lviv"))),
        Entity("E2", "PERSON", "Ann", (Mention("d", 20, 23, "Ann"),)),
        Entity("E3", "PLACE", "Kyiv", (Mention("d", 2, 6, "Kyiv"),)),
    ]
    assert places_in(entities, "d", 0, 30) == ["E3", "E1"]
    assert places_in(entities, "d", 12, 30) == []


@pytest.mark.parametrize(
    "expression", ["November 20th", "Nov. 20", "20 November 2025", "December 5", "March 2020", "2014", "Sept 11"]
)
def test_fast_path_agrees_with_dateparser(expression: str) -> None:
    from storydiff.claims import when_where

    fast = when_where._fast(expression, when_where._base("2025-11-23"))
    data = when_where._parser(when_where._base("2025-11-23")).get_date_data(expression)
    assert fast is not None
    assert fast == when_where._format(data.date_obj, data.period)
