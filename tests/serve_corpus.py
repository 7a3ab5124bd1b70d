"""The store the server tests read: the example corpus plus two hostile versions of one made-up story.

The hostile versions carry markup and script in every field a page shows (title, text, source, URL,
even the id), so the API and browser tests can check that none of it ever becomes markup or runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from storydiff.models import Story
from storydiff.pipeline import ingest, stories
from storydiff.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

HOSTILE_ID = 'hostile/<b>1</b>?x=1#frag'
HOSTILE_TITLE = ('<script>window.__pwned = "title"</script><img src=x onerror="window.__pwned=\'img-title\'">'
                 " Varnholt bridge closed")
SCRIPT_IN_TEXT = '<script>window.__pwned = "text"</script>'
IMG_IN_TEXT = '<img src=x onerror="window.__pwned=\'img-text\'">'
LINK_IN_TEXT = '<a href="javascript:window.__pwned=\'link\'">the inspection report</a>'


def _hostile_text(vehicles: str) -> str:
    return (
        "City engineers closed the Varnholt bridge on Monday after inspectors found cracks in two of its "
        f"supports, the transport office said. {SCRIPT_IN_TEXT}\n\n"
        f"About {vehicles} vehicles cross the bridge every day, according to the transport office. {IMG_IN_TEXT}\n\n"
        f"Read {LINK_IN_TEXT} for the details of the damage found by the inspectors on Friday.\n\n"
        "The office said repairs would take at least three weeks and that ferries would run in the meantime."
    )


HOSTILE = [
    {
        "id": HOSTILE_ID,
        "title": HOSTILE_TITLE,
        "text": _hostile_text("12,000"),
        "url": "javascript:window.__pwned='url'",
        "source": "<svg onload=\"window.__pwned='source'\">Evil Gazette",
        "published": "2025-11-24T08:00:00+01:00",
    },
    {
        "id": "hostile-2",
        "title": HOSTILE_TITLE,
        "text": _hostile_text("14,000"),
        "url": "java\tscript:window.__pwned='url2'",
        "source": "Other Gazette",
        "published": "2025-11-24T09:30:00+01:00",
    },
]


@dataclass(frozen=True)
class ServedStore:
    db: Path
    stories: tuple[Story, ...]

    def story_with(self, article_id: str) -> Story:
        return next(s for s in self.stories if article_id in s.articles)


def build_store(folder: Path) -> ServedStore:
    """Ingest the example corpus and the hostile versions, then group them into stories."""
    folder.mkdir(parents=True, exist_ok=True)
    hostile = folder / "hostile.jsonl"
    hostile.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
    db = folder / "served.duckdb"
    settings = Settings()
    report = ingest([ROOT / "examples", hostile], db, settings)
    assert not report.skipped, report.skipped
    found = stories(db, settings)
    return ServedStore(db, tuple(found))
