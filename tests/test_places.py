"""The gazetteer lookup: an SQLite index built once in the user's cache, or the table in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storydiff.claims import places

SPELLINGS = ["Konstantinovka", "Kostiantynivka", "Константиновка", "Paris", "the city of Kyiv", "Kiev"]


@pytest.fixture
def fresh() -> Iterator[None]:
    places._index.cache_clear()
    places.place_key.cache_clear()
    yield
    places._index.cache_clear()
    places.place_key.cache_clear()


def test_index_answers_as_the_table_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    found = [places.place_key(s) for s in SPELLINGS]
    assert list((tmp_path / "storydiff").glob("place_aliases-*.sqlite"))  # built once, in the cache
    table = places._table()
    assert found == [table.get(places.name_key(places._AFFIXES.sub("", s).strip())) for s in SPELLINGS]
    assert found[0] == found[1] == found[2] is not None  # one place in three spellings
    assert found[4] == found[5] is not None
    assert places.place_key("Xqzvbrt") is None


def test_unwritable_cache_falls_back_to_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert places._index() is None
    assert places.place_key("Kostiantynivka") == places.place_key("Konstantinovka") is not None
