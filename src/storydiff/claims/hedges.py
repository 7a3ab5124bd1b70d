"""Hedges and verification status: a lexicon of phrases plus scope rules.

A hedge is a phrase that weakens or qualifies what a report asserts
("reportedly", "if confirmed", "could not be independently verified",
"who requested anonymity", "analysts suggest"). Each lexicon entry has a
*kind* so later stages can tell a dropped verification caveat from a mere
modal verb.

Scope. A hedge governs the sentence it stands in (so every claim of that
sentence, and the attribution that frames it, lists it). One rule reaches
back: a *verification* hedge ("if confirmed", "if true", "has not been
verified") in a sentence whose subject is an anaphoric noun phrase — "This
incident, if confirmed, could ..." — qualifies the event the previous sentence
reported, so its scope is extended over the previous sentence too. Without
that anaphor ("If confirmed, the deal would ...") it stays in its own
sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Kinds a claim lists by default: these change what a reader may take as
# established. "epistemic" (may, could, likely) and "vague_quantity" (many, some,
# often) are hedges too, but on every second news sentence; they are found and
# scored, and callers ask for them explicitly.
CLAIM_KINDS = frozenset({"reported", "alleged", "unverified", "conditional", "anonymous", "vague_source"})

_SOURCE_NOUNS = (
    r"(?:sources?|officials?|analysts?|experts?|observers?|critics?|people|residents?|"
    r"witnesses|reports?|accounts?|media|commentators?|scholars?|historians?|researchers?|"
    r"scientists?|authorities|insiders?|diplomats?|activists?|bloggers?|users?|fans|"
    r"supporters|opponents|proponents|believers|others)"
)
_SAY = (
    r"(?:say|says|said|saying|claim|claims|claimed|believe|believes|believed|argue|argues|argued|"
    r"suggest|suggests|suggested|think|thinks|thought|maintain|maintains|contend|contends|"
    r"allege|alleges|alleged|consider|considers|considered|speculate|speculated|"
    r"feel|feels|felt|note|notes|noted|report|reports|reported|told|insist|insists|warn|warned)"
)
_VAGUE_Q = r"(?:some|many|several|various|numerous|certain|other|most|few|a number of)"


def _alt(words: str) -> str:
    """A non-capturing alternation of space-separated words ("a b" → "(?:a|b)")."""
    return "(?:" + "|".join(words.split()) + ")"


_VERIFIED = _alt("verified confirmed corroborated")
_BELIEVED = _alt(
    "believed thought claimed rumoured rumored alleged said argued suggested speculated "
    "considered assumed held felt regarded reported known"
)
_REGARDED = _alt(
    "regarded considered believed thought seen viewed described cited acknowledged accepted "
    "recognised recognized known referred called credited"
)
_PRAISE = _alt(
    "popular famous notable important influential successful significant respected "
    "well-known acclaimed prominent controversial"
)

# (kind, pattern). Longer phrases come first within a kind so that
# "cited in unverified sources" wins over "unverified" (matches never overlap).
_LEXICON: tuple[tuple[str, str], ...] = (
    # verification status
    ("unverified", r"(?:cited|quoted|mentioned|named) in (?:unverified|unconfirmed) (?:sources|reports|accounts)"),
    ("unverified", r"according to (?:unverified|unconfirmed) (?:sources|reports|accounts)"),
    (
        "unverified",
        r"(?:could|can|cannot|can't|could not|couldn't) (?:not )?(?:be )?independently "
        r"(?:verif(?:y|ied)|confirm(?:ed)?)",
    ),
    (
        "unverified",
        r"(?:has|have|had|was|were|is|are)(?: not|n't)(?: yet)?(?: been)? (?:independently )?" + _VERIFIED,
    ),
    ("unverified", r"(?:lack|absence) of (?:any )?(?:independent )?(?:verification|confirmation|evidence)"),
    ("unverified", r"(?:yet|impossible|difficult|not possible) to (?:independently )?(?:verify|confirm|corroborate)"),
    ("unverified", r"without (?:independent )?(?:verification|confirmation|evidence)"),
    ("unverified", r"(?:unverified|unconfirmed|uncorroborated|unsubstantiated)"),
    ("conditional", r"if (?:confirmed|true|accurate|verified|substantiated|correct)"),
    (
        "conditional",
        r"if (?:the |these |this |such )?(?:reports?|claims?|accounts?|allegations?) "
        r"(?:is|are|prove|proves) (?:true|accurate|correct|confirmed)",
    ),
    (
        "anonymous",
        r"(?:(?:spoke|speaking|talking|spoken) )?"
        r"(?:requested|asked for|demanded|on condition of|on the condition of|under condition of|granted) anonymity",
    ),
    ("anonymous", r"(?:declined|refused|asked not) to be (?:named|identified)"),
    ("anonymous", r"not authori[sz]ed to (?:speak|comment) (?:publicly|on the record)"),
    (
        "anonymous",
        r"(?:anonymous|unnamed|unidentified) "
        r"(?:sources?|officials?|insiders?|persons?|people|diplomats?|witness(?:es)?)",
    ),
    # reporting without a named source
    ("reported", r"reportedly|purportedly"),
    ("reported", r"according to (?:media |press |news |local |some |unconfirmed )?reports"),
    ("reported", r"(?:it|this) (?:is|was|has been|had been) reported"),
    (
        "reported",
        r"reports? " + _alt("emerged surfaced circulated indicate indicated suggest suggested say said claim claimed"),
    ),
    ("reported", r"(?:is|are|was|were) (?:said|reported|rumou?red|understood) to"),
    ("alleged", r"allegedly|supposedly|ostensibly"),
    # As adjectives only: "the alleged attack", "the claimed advances" — not the
    # speech verbs of "he claimed that" (an attribution cue, not a hedge).
    ("alleged", r"(?:alleged|purported|supposed|so-called)(?= (?!that\b)[a-z])"),
    ("alleged", r"(?:(?<=the )|(?<=its )|(?<=his )|(?<=her )|(?<=their )|(?<=these ))claimed(?= [a-z])"),
    # vague sources ("some say", "it is believed")
    ("vague_source", r"according to " + _VAGUE_Q + r"(?: \w+)?"),
    ("vague_source", r"according to (?:sources|some|many|others|critics|observers|analysts|experts)"),
    ("vague_source", r"(?:sources|insiders) (?:close to|familiar with)"),
    ("vague_source", _VAGUE_Q + r"(?: \w+)? " + _SOURCE_NOUNS + r" (?:have )?" + _SAY),
    ("vague_source", _VAGUE_Q + r" (?:have |had )?" + _SAY),
    ("vague_source", r"(?:some|many|others|critics|analysts|experts|observers|sources) " + _SAY),
    (
        "vague_source",
        r"(?:it|this) (?:is|was|has been|had been|has often been|is often|is widely|is generally|is commonly) "
        r"(?:widely |generally |commonly |often |sometimes |also )?" + _BELIEVED,
    ),
    (
        "vague_source",
        r"(?:widely|generally|commonly|often|sometimes|frequently|popularly|largely) " + _REGARDED,
    ),
    (
        "vague_source",
        r"(?:is|are|was|were|been|being) (?:regarded|considered|believed|thought|seen|viewed|deemed) "
        r"(?:as|to be|to have|by)",
    ),
    ("vague_source", r"(?:by|to|among|for) (?:some|many|most|others|critics|several|various)"),
    (
        "vague_source",
        r"(?:there is|there are|there has been) (?:a |some |much |considerable |widespread )?"
        + _alt("speculation belief perception debate controversy suggestion concern"),
    ),
    ("vague_source", r"(?:critics|skeptics|sceptics|detractors|supporters|proponents|opponents)"),
    ("vague_source", r"(?:one of the|among the) (?:most|best|finest|greatest|largest|leading|worst|first)"),
    ("vague_source", r"(?:most|very|highly|extremely) " + _PRAISE),
    (
        "vague_source",
        r"(?:widespread|critical|international|universal|great|wide) "
        r"(?:acclaim|praise|recognition|popularity|criticism)",
    ),
    # epistemic and vague-quantity hedges
    ("epistemic", r"(?-i:may|might|could|May be|Might|Could)"),  # not the month "May"
    (
        "epistemic",
        _alt(
            "possibly probably perhaps presumably apparently seemingly likely unlikely arguably "
            "conceivably potentially plausibly supposedly maybe evidently"
        ),
    ),
    ("epistemic", r"(?:appears?|appeared|seems?|seemed) to"),
    (
        "epistemic",
        _alt(
            r"suggests? suggested suggesting indicates? indicating implies speculat\w+ believed possible "
            "uncertain unclear unknown questionable debated disputed controversial"
        ),
    ),
    (
        "vague_quantity",
        _alt(
            "some many several various numerous countless most often sometimes usually generally "
            "frequently commonly typically largely mostly widely notably particularly relatively "
            "fairly somewhat rather"
        ),
    ),
    (
        "vague_quantity",
        r"(?:a number of|a lot of|a variety of|a wide range of|in many cases|in some cases|to some extent|in general)",
    ),
)


@dataclass(frozen=True, slots=True)
class Hedge:
    """A hedge phrase at [start, end) of a document.

    ``scope_start``/``scope_end`` give the text it governs (its sentence, or
    that and the sentence before for a back-referring verification hedge).
    """

    text: str
    start: int
    end: int
    kind: str
    scope_start: int = -1
    scope_end: int = -1


@lru_cache(maxsize=16)
def _compiled(kinds: frozenset[str] | None) -> re.Pattern[str]:
    entries = [(k, p) for k, p in _LEXICON if kinds is None or k in kinds]
    alternation = "|".join(f"(?P<{k}{i}>{p})" for i, (k, p) in enumerate(entries))
    # Word boundaries on both sides; case-insensitive so sentence-initial
    # "Reportedly" counts, but sentence-initial caps never change a kind.
    return re.compile(r"(?<![\w-])(?:" + alternation + r")(?![\w-])", re.IGNORECASE)


def _kind(match: re.Match[str]) -> str:
    name = match.lastgroup or ""
    return name.rstrip("0123456789")


# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed
# by space, or at a line break; cheap and good enough for scoping hedges.
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+|\n+")
# A sentence opening with a demonstrative or definite noun phrase that refers
# back ("This incident", "The report", "Such a move").
_ANAPHOR = re.compile(
    r"^\W*(?:this|that|these|those|such(?: an?)?|the)\s+(?:[a-z-]+\s+)?"
    r"(?:incident|event|report|reports|claim|claims|account|accounts|information|news|"
    r"allegation|allegations|development|move|attack|strike|retreat|withdrawal|episode|"
    r"case|statement|assertion|story|footage|video|information|advance|loss|losses)\b",
    re.IGNORECASE,
)
_BACKWARD_KINDS = frozenset({"conditional", "unverified"})


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence [start, end) offsets of a text, split on end punctuation and line breaks."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.start() + (1 if text[m.start()] in ".!?" else 0)
        if text[start:end].strip():
            bounds.append((start, end))
        start = m.end()
    if text[start:].strip():
        bounds.append((start, len(text.rstrip())))
    return bounds


def find_hedges(
    text: str,
    sentences: Sequence[tuple[int, int]] | None = None,
    kinds: Iterable[str] | None = None,
) -> list[Hedge]:
    """Every hedge in a document, with its scope.

    ``sentences`` are sentence offsets (e.g. from a spaCy Doc); without them a
    cheap splitter is used. ``kinds`` restricts the lexicon (all kinds by default).
    """
    pattern = _compiled(frozenset(kinds) if kinds is not None else None)
    bounds = list(sentences) if sentences is not None else sentence_bounds(text)
    hedges: list[Hedge] = []
    si = 0
    for m in pattern.finditer(text):
        if not m.group().strip():
            continue
        while si < len(bounds) - 1 and bounds[si][1] <= m.start():
            si += 1
        s_start, s_end = bounds[si] if bounds else (0, len(text))
        kind = _kind(m)
        if (
            kind in _BACKWARD_KINDS
            and si > 0
            and _ANAPHOR.match(text[s_start : m.start()] + " ")
            and m.start() - s_start < 60
        ):
            s_start = bounds[si - 1][0]
        hedges.append(Hedge(m.group().strip(), m.start(), m.start() + len(m.group().rstrip()), kind, s_start, s_end))
    return hedges


def hedges_in(hedges: Sequence[Hedge], start: int, end: int, kinds: Iterable[str] | None = CLAIM_KINDS) -> list[Hedge]:
    """The hedges that govern text [start, end): those whose scope overlaps it.

    A hedge without a scope governs only what it overlaps. ``kinds`` filters
    (default: the kinds a claim lists; None for all).
    """
    wanted = None if kinds is None else frozenset(kinds)
    out = []
    for h in hedges:
        lo, hi = (h.scope_start, h.scope_end) if h.scope_start >= 0 else (h.start, h.end)
        if lo < end and start < hi and (wanted is None or h.kind in wanted):
            out.append(h)
    return out


# Sentence-level uncertainty ("is this sentence hedged?") uses every kind but
# not the phrases below: on the training split of a sentence-labelled
# uncertainty corpus (Wikipedia sentences) each of these fires mostly on
# certain sentences ("may", "often", "most" are as common in plain encyclopedic
# statements), and dropping each raised training F1. Chosen greedily among
# phrases with >= 15 training hits by `bench/hedges.py --tune`; never tuned on test.
SENTENCE_EXCLUDE = frozenset(
    {
        "a number of",
        "apparently",
        "claimed",
        "commonly",
        "controversial",
        "could",
        "for most",
        "for some",
        "frequently",
        "may",
        "most",
        "mostly",
        "notably",
        "numerous",
        "often",
        "particularly",
        "possible",
        "rather",
        "sometimes",
        "somewhat",
        "to some",
        "usually",
        "various",
    }
)


def sentence_is_hedged(sentence: str) -> bool:
    """True when a sentence carries a hedge (any kind, less SENTENCE_EXCLUDE)."""
    hits = _compiled(None).finditer(sentence)
    return any(m.group().strip().lower() not in SENTENCE_EXCLUDE for m in hits)


# Hedges that qualify a *source* rather than one statement: "X, who requested
# anonymity", "X, a local official cited in unverified sources".
_SOURCE_KINDS = frozenset({"anonymous", "unverified"})


def speaker_hedges(
    hedges: Sequence[Hedge], mention_map: Mapping[tuple[str, int, int], str], doc_id: str, text: str
) -> dict[str, list[Hedge]]:
    """Entity id → hedges on the speaker themself, to carry to all their claims in the document.

    A source hedge counts when it stands in an appositive or relative clause
    right after a mention: the gap from the mention opens with a comma and
    holds no other comma or full stop, within 50 characters.
    """
    mentions = sorted((s, e, eid) for (d, s, e), eid in mention_map.items() if d == doc_id)
    out: dict[str, list[Hedge]] = {}
    for h in hedges:
        if h.kind not in _SOURCE_KINDS:
            continue
        before = [m for m in mentions if m[1] <= h.start and h.start - m[1] <= 50]
        for start, end, eid in reversed(before):
            gap = text[end : h.start]
            if any(c in gap for c in ".;!?"):
                break
            relative = text[start:end].lower() == "who" and not gap.strip()  # "who requested anonymity"
            # One comma only: "X, a clerk, said it was unverified" closes the
            # appositive before the hedge, which then qualifies the statement.
            if relative or (gap.lstrip().startswith(",") and gap.count(",") == 1):
                out.setdefault(eid, []).append(h)
                break
    return out
