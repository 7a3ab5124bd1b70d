"""Where two matched claims differ: the replaced stretches of a token diff, and the values in them.

difflib aligns the two claims' tokens; each replaced stretch is a candidate
conflict whose kind follows from what it holds on both sides: numbers
(numeric value differs), dates (resolved against each document's publication
date), or places (different place entities).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "dozens": 24,
}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMERIC = re.compile(r"^[+-]?[$€£]?\d[\d,]*(?:\.\d+)?%?$")  # "+12 points", "-3%"
# Weekday and month names; "may" is left out, being also a verb and a name ("Theresa May").
DAY_NAMES = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_DATE_WORDS = DAY_NAMES | frozenset(
    [
        "may",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "yesterday",
        "today",
        "tomorrow",
        "tonight",
    ]
)


@dataclass(frozen=True, slots=True)
class Stretch:
    """A replaced stretch: tokens [i1, i2) of claim x against [j1, j2) of claim y."""

    x: tuple[Any, ...]
    y: tuple[Any, ...]

    def x_span(self) -> tuple[int, int]:
        return _char_span(self.x)

    def y_span(self) -> tuple[int, int]:
        return _char_span(self.y)


def _char_span(tokens: Sequence[Any]) -> tuple[int, int]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _norm(token: Any) -> str:
    text: str = token.lower_
    return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def diff(x: Sequence[Any], y: Sequence[Any]) -> tuple[list[Stretch], list[Stretch], float]:
    """(replaced stretches, inserted/deleted stretches, similarity ratio) of two token runs.

    An insertion has an empty ``x`` (tokens only y has), a deletion an empty ``y``.
    """
    a = [_norm(t) for t in x]
    b = [_norm(t) for t in y]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    replaced, other = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            replaced.append(Stretch(tuple(x[i1:i2]), tuple(y[j1:j2])))
        elif op in ("insert", "delete"):
            other.append(Stretch(tuple(x[i1:i2]), tuple(y[j1:j2])))
    return replaced, other, matcher.ratio()


def number_value(text: str) -> float | None:
    """The value of one numeric token ("1,200", "3.5", "40%", "twelve"), else None."""
    t = text.lower().strip()
    if _NUMERIC.match(t):
        try:
            return float(t.lstrip("+").replace("$", "").replace("€", "").replace("£", "").strip("%").replace(",", ""))
        except ValueError:
            return None
    return float(_NUMBER_WORDS[t]) if t in _NUMBER_WORDS else None


def numbers(tokens: Sequence[Any], with_dates: bool = False) -> list[float]:
    """Values of the numbers in a run of tokens ("2.5 million" → 2500000), dates excluded unless asked for."""
    out: list[float] = []
    for i, t in enumerate(tokens):
        if not with_dates and is_date_token(t):
            continue
        value = number_value(t.text)
        if value is None:
            continue
        nxt = tokens[i + 1].lower_ if i + 1 < len(tokens) else ""
        out.append(value * _SCALE.get(nxt, 1.0))
    return out


_DURATION = re.compile(r"\b(?:years?|months?|weeks?|days?|decades?|centuries|hours?|minutes?|old)\b", re.I)


def is_date_token(token: Any) -> bool:
    if token.ent_type_ == "DATE":
        # A count inside a duration or an age ("11 months", "63 years old") is a number.
        return not (token.like_num and _DURATION.search(_entity_text(token)))
    return bool(token.lower_.strip(".") in _DATE_WORDS and token.is_title)


def _entity_text(token: Any) -> str:
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end:
            return str(ent.text)
    return str(token.text)


def date_expression(token: Any) -> str | None:
    """The whole DATE entity a token is part of (its text), or the token itself for a date word."""
    if not is_date_token(token):
        return None
    return _entity_text(token) if token.ent_type_ == "DATE" else str(token.text)


def dates(tokens: Sequence[Any]) -> list[str]:
    """Distinct date expressions among the tokens, in order."""
    return list(dict.fromkeys(e for t in tokens if (e := date_expression(t)) is not None))


def local_date(token: Any) -> str:
    """The few words around a date token that name a day: "September 26" out of
    "between January 1 and September 26", "June 16th" out of "June 16th of last year"."""
    doc = token.doc
    start = token.i
    if start > 0 and doc[start - 1].lower_.strip(".") in _DATE_WORDS:
        start -= 1
    end = token.i + 1
    if end < len(doc) and token.lower_.strip(".") in _DATE_WORDS and doc[end].like_num:
        end += 1
    return str(doc[start:end].text)


_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})


def day_of_month(token: Any) -> bool:
    """A day number right after a month's name ("November [24]"), which the tagger may
    read as a plain count when the phrase is unusual ("On the November 24, ...")."""
    if not re.fullmatch(r"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?", token.lower_):
        return False
    if token.i == 0:
        return False
    before = token.doc[token.i - 1].lower_.strip(".")
    return before in _DATE_WORDS and before not in _WEEKDAYS and before not in ("yesterday", "today", "tomorrow",
                                                                              "tonight")


def is_day_word(token: Any) -> bool:
    """A token that by itself names a day, month or year: a weekday, a month, a day number or a year."""
    t = token.lower_.strip(".")
    return t in _DATE_WORDS or bool(re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?|1[89]\d\d|20\d\d", t))
