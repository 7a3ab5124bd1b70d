"""Shared passages, containment and the direction hint, on real article text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from storydiff.ingest import load_articles
from storydiff.models import Article
from storydiff.reuse import compare_pair, shared_passages
from storydiff.settings import Settings


def _articles(path: Path) -> dict[str, Article]:
    return {a.id: a for a in load_articles([path], Settings()) if isinstance(a, Article)}


def test_a_copied_lead_is_one_passage_and_the_later_copy_derives_from_the_earlier(examples: Path) -> None:
    arts = _articles(examples / "formats")
    wire = arts["https://wire.example/world/turkey-earthquake-1120"]
    agency = arts["agency-2025-11-20-quake"]
    pair = compare_pair(wire, agency)
    [first] = [p for p in pair.passages if p.a[0] == 0]
    assert wire.text[first.a[0]:first.a[1]].startswith("A magnitude 6.1 earthquake struck Balikesir province")
    # offsets line up in both documents (the two differ only in paragraph breaks here)
    assert agency.text[first.b[0]:first.b[1]].split() == wire.text[first.a[0]:first.a[1]].split()
    assert pair.containment[0] > 0.7  # most of the short wire item is in the agency text
    assert pair.direction is not None and pair.direction.startswith("agency-2025-11-20-quake appears to derive from")


def test_no_direction_without_dates_and_none_for_unrelated_text(examples: Path) -> None:
    arts = _articles(examples / "formats")
    wire = replace(arts["https://wire.example/world/turkey-earthquake-1120"], published=None)
    agency = arts["agency-2025-11-20-quake"]
    assert compare_pair(wire, agency).direction is None
    football = arts["agency-2025-11-21-final"]
    unrelated = compare_pair(agency, football)
    assert unrelated.passages == () and unrelated.similarity == 0.0


def test_rewrites_share_only_short_stock_phrases(examples: Path) -> None:
    arts = _articles(examples / "konstantinovka")
    pair = compare_pair(arts["report-a"], arts["report-b"])
    texts = [arts["report-a"].text[p.a[0]:p.a[1]] for p in pair.passages]
    assert "the international community remains divided" in texts
    assert pair.similarity < 0.1  # rewritten, not copied


def test_small_edits_inside_a_copied_paragraph_do_not_split_it() -> None:
    base = ("Port authority spokesperson Lien Verbeke said 32 ships were waiting at anchor in the Scheldt, "
            "a number that was expected to grow through the day as the strike went on into the night.")
    edited = base.replace("32 ships", "35 vessels").replace("through the day", "during the day")
    a = Article(id="a", text="Intro sentence here. " + base)
    b = Article(id="b", text=edited + " A closing line that is new.")
    pair = compare_pair(a, b)
    assert len(pair.passages) == 1
    p = pair.passages[0]
    assert p.similarity < 1.0 and p.similarity > 0.85
    assert b.text[p.b[0]:p.b[1]].startswith("Port authority spokesperson")


def test_shared_passages_covers_every_pair(examples: Path) -> None:
    arts = list(_articles(examples / "formats").values())[:4]
    passages, pairs = shared_passages(arts)
    assert len(pairs) == 6
    assert sum(len(p.passages) for p in pairs) == len(passages)
