"""Name keys: spelling and transliteration variants fold together; places resolve via GeoNames."""

from __future__ import annotations

import pytest

from storydiff.claims.places import place_key
from storydiff.normalize.names import name_key, same_name, transliterate


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kimakovski", "Kimakovsky"),
        ("Zelenskyy", "Zelenskiy"),
        ("Smirnoff", "Smirnov"),
        ("Kostiantynivka", "Kostyantynivka"),
        ("Kostjantynivka", "Kostyantynivka"),
        ("Кимаковский", "Kimakovsky"),
        ("Moskwa", "Moskva"),
        ("Gorbachev's", "Gorbachev"),
    ],
)
def test_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
    assert same_name(a, b) == 1.0


def test_different_names_stay_apart() -> None:
    assert same_name("Peter", "Putin") < 0.6
    assert name_key("Ivanov") != name_key("Ivanova")
    assert same_name("", "x") == 0.0


def test_word_order_and_near_misses() -> None:
    assert same_name("Putin Vladimir", "Vladimir Putin") == 1.0
    assert 0.85 < same_name("Jon Smith", "John Smith") < 1.0


def test_transliterate() -> None:
    assert transliterate("Константиновка") == "Konstantinovka"
    assert transliterate("Костянтинівка").startswith("Kost")  # Ukrainian table
    assert transliterate("Berlin") == "Berlin"


def test_place_aliases_join() -> None:
    key = place_key("Kostiantynivka")
    assert key is not None and key.startswith("geonames:")
    for alias in ("Konstantinovka", "Константиновка", "Костянтинівка", "Kostyantynivka"):
        assert place_key(alias) == key
    assert place_key("Kiev") == place_key("Kyiv") is not None
    assert place_key("Moskva") == place_key("Moscow") is not None
    assert place_key("the city of Lviv") == place_key("Lviv") is not None
    assert place_key("Ruritaniaville") is None
