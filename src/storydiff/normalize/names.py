"""Name keys that survive transliteration and spelling variants.

Reports about the same event spell one foreign name several ways
("Zelenski" / "Zelensky", "Kharkiv" / "Kharkov",
"Smirnoff" / "Smirnov"). ``name_key`` folds a name to a key where those
variants coincide; ``same_name`` scores two names by rapidfuzz on their keys
so near-misses the folding does not catch still score high.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Letters only Ukrainian uses: transliterate those with the Ukrainian table.
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_NON_LETTER = re.compile(r"[^a-z ]+")
_DOUBLE = re.compile(r"([a-z])\1+")

# Ordered rewrites applied to each token of a folded (ASCII, lower-case) name.
# Each collapses one way romanisation systems disagree; the ending rules run
# after y→i so "-sky", "-skiy", "-skii" and "-ski" all end in "-ski".
_TOKEN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z])j(?=[aeiou])"), "y"),  # Mykolajiw → Mykolayiv (German/Polish j)
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"w"), "v"),  # Moskwa / Moskva, Kijow / Kiyov
    (re.compile(r"ts?ch"), "ch"),
    (re.compile(r"y"), "i"),
    (re.compile(r"j"), "i"),
    (re.compile(r"ii+"), "i"),  # -skii, "Kostiiantynivka"
    (re.compile(r"(?<=[a-z])ie(?=[a-z])"), "i"),  # Zaporizhzhia / Zaporizhzhya
    (re.compile(r"off$"), "ov"),
    (re.compile(r"eff$"), "ev"),
    (re.compile(r"(?<=sk)i?$"), "i"),  # Zelensk(y) → Zelenski
)


def transliterate(name: str) -> str:
    """Cyrillic → Latin (Ukrainian table when Ukrainian-only letters occur); other text unchanged."""
    if not _CYRILLIC.search(name):
        return name
    import cyrtranslit  # imported lazily: most names need no transliteration

    lang = "ua" if _UKRAINIAN.search(name) else "ru"
    return str(cyrtranslit.to_latin(name, lang))


def _fold_token(token: str) -> str:
    for pattern, repl in _TOKEN_RULES:
        token = pattern.sub(repl, token)
    return _DOUBLE.sub(r"\1", token)


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A key equal for spelling and transliteration variants of one name.

    "Zelenski", "Zelenskyy", "Зеленский" → "zelenski".
    """
    from unidecode import unidecode

    text = unidecode(transliterate(name.strip()))
    text = _POSSESSIVE.sub("", text.strip()).lower()
    text = _NON_LETTER.sub(" ", text.replace("-", " "))
    return " ".join(_fold_token(t) for t in text.split())


def same_name(a: str, b: str) -> float:
    """Similarity 0..1 of two names, insensitive to spelling and word order."""
    from rapidfuzz import fuzz

    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    return max(fuzz.ratio(ka, kb), fuzz.token_sort_ratio(ka, kb)) / 100.0
