"""What grouping looks at in one article: words, shingles, event keys.

Event keys are the cheap stand-in for named entities, places and dates: a
word counts when the article capitalises it somewhere other than at the
start of a sentence (so "Sukanya", "Aden", "Thursday", but not "The"), plus
every number ("26", "2011"). Two reports of one event share rare keys; two
similar events (two arrests the same week) share the common vocabulary but
differ in exactly these.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import numpy as np
import numpy.typing as npt

from ..models import Article

# Each sentence's first token, found in one pass: a sentence ends at whitespace
# after . ! ? " ” or at a line break, and its first token starts at the first
# letter or digit after that (a stretch with none, such as "--", ends no earlier
# than the next sentence, whose first token this is too). The match starts with
# a character class, so the scan skips ahead: a third of the cost of splitting
# the text and searching each sentence. Run over "\n" + text (its start ends a
# "sentence" too).
_SENTENCE_FIRST = re.compile(r"(?:[.!?\"”]\s|\n)[\W_]*([^\W_][\w'’\-]*)")
# The tokens that do not start with a-z (the only ones event_keys counts),
# found without listing the rest: a token is a run of [\w'’-] from its first
# [^\W_] character, so the lookbehind anchors each match at a run's
# start and the prefix skips the run's leading _'’- characters.
_CANDIDATE = re.compile(r"(?<![\w'’\-])[_'’\-]*((?=[^\W_])[^a-z][\w'’\-]*)")
_WORD = re.compile(r"\w+")

# Capitalised function words that start quoted speech or title-case headlines;
# they carry no event and would otherwise look like names.
_STOP = frozenset({
    "a", "an", "and", "or", "but", "if", "of", "in", "on", "at", "to", "for", "from", "by", "with",
    "as", "is", "was", "were", "are", "be", "been", "has", "have", "had", "do", "does", "did", "it",
    "its", "this", "that", "these", "those", "he", "she", "they", "we", "you", "i", "his", "her",
    "their", "our", "not", "no", "so", "than", "then", "there", "here", "who", "what", "when", "where",
    "why", "how", "after", "before", "over", "under", "into", "out", "up", "down", "about", "says",
    "said", "new", "more", "most", "all", "any", "some", "one"
})


@dataclass(frozen=True, slots=True)
class Features:
    """One article as grouping sees it."""

    id: str
    keys: Counter[str]
    minhash: npt.NDArray[np.uint32]  # datasketch MinHash values of the word shingles
    has_shingles: bool
    headline: bool  # so short that its content words are keys too
    lead: str  # embedded, then dropped by from-scratch runs (``lead_keys`` stays)
    published: str | None
    lead_keys: tuple[str, ...] = ()  # the event keys of the title and lead (``pairs``)
    year: int = 0  # the year the article mentions most (``main_year``)


def lead_text(article: Article, max_chars: int) -> str:
    """The title and the start of the text: where a news report says what happened."""
    head = article.text[:max_chars]
    if article.title and not article.text.startswith(article.title):
        head = f"{article.title}\n{head}"
    return head


def event_keys(text: str) -> Counter[str]:
    """Capitalised-somewhere-mid-sentence words and numbers, lower-cased, with counts.

    Only tokens that may count are listed (``_CANDIDATE``: those not starting
    with a-z), in text order, so the keys come in the order of their first
    occurrence as when every token was read.
    """
    # Each distinct candidate with its count, in order of first occurrence.
    total = Counter(_CANDIDATE.findall(text))
    if not total:
        return Counter()
    # A capital at the start of a sentence says nothing: a word is a name when it
    # comes capitalised at least once elsewhere, i.e. more often than as a first token.
    firsts = Counter(_SENTENCE_FIRST.findall("\n" + text))
    keys: dict[str, int] = {}
    for tok, count in total.items():
        if tok[0].isdigit():
            key = tok.rstrip("-'’")
        elif tok[0].isupper() and count > firsts.get(tok, 0):
            key = tok.lower()
            if key in _STOP:
                continue
        else:
            continue
        keys[key] = keys.get(key, 0) + count
    return Counter(keys)


_CONTENT_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d+")


def headline_keys(text: str, keys: Counter[str], max_words: int) -> Counter[str]:
    """A headline-length text names too few things; its content words count as keys too.

    (Headlines are often in title case, so capitals say little there.)
    """
    if next(islice(_CONTENT_WORD.finditer(text), max_words - 1, None), None) is not None:
        return keys  # max_words words or more (found without listing every word)
    words = _CONTENT_WORD.findall(text)
    out = Counter(keys)
    for word in words:
        low = word.lower().removesuffix("'s").removesuffix("’s")
        if len(low) > 2 and low not in _STOP and low not in keys:
            out[low] += 1
    return out


def word_shingles(text: str, size: int) -> frozenset[str]:
    """Overlapping runs of ``size`` lower-cased words (near-duplicate detection)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=1).permutations
    return np.asarray(a, dtype=np.uint32)[:, None], np.asarray(b, dtype=np.uint32)[:, None]


def _fmix32(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The MurmurHash3 finalizer (as datasketch's affine32 scheme pre-mixes its input)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hashes(text: str, size: int) -> npt.NDArray[np.uint32]:
    """crc32 of each word shingle (as datasketch's ``hashfunc``); crc32, not sha1: a shingle needs a
    well spread 32-bit value, not a cryptographic one, and crc32 is C-fast.

    The hashes of ``word_shingles`` (a repeated shingle may come twice, which
    no MinHash value notices), each computed on a slice of the words joined
    once, so no shingle string is built.
    """
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        shingles = word_shingles(text, size)
        return np.fromiter(map(zlib.crc32, map(str.encode, shingles)), dtype=np.uint32, count=len(shingles))
    joined = " ".join(words).encode("utf-8")
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    if len(joined) != int(lengths.sum()) + len(words) - 1:  # not ASCII: lengths in bytes
        lengths = np.fromiter(map(len, map(str.encode, words)), dtype=np.int64, count=len(words))
    ends = np.cumsum(lengths + 1) - 1  # each word's end in ``joined``
    starts = (ends - lengths)[: len(words) - size + 1]
    spans = map(slice, starts.tolist(), ends[size - 1 :].tolist())
    return np.fromiter(map(zlib.crc32, map(joined.__getitem__, spans)), dtype=np.uint32, count=len(starts))


def minhash_values(hashes: npt.NDArray[np.uint32], num_perm: int) -> npt.NDArray[np.uint32]:
    """MinHash values of a set of 32-bit shingle hashes (datasketch's affine32 scheme, seed 1).

    The same values as ``datasketch.MinHash(num_perm, seed=1, hashfunc=zlib.crc32)`` updated with the
    shingles, computed as one (num_perm x shingles) numpy operation instead of datasketch's per-shingle
    Python calls.
    """
    if len(hashes) == 0:
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = _permutations(num_perm)
    with np.errstate(over="ignore"):
        values = (a * _fmix32(hashes)[None, :] + b).min(axis=1)
    return np.asarray(values, dtype=np.uint32)


_YEAR = re.compile(r"(?:19[5-9]|20[0-4])\d")


def main_year(keys: Mapping[str, int]) -> int:
    """The year an article's keys mention most (ties: the latest), 0 when none."""
    years = [(c, int(k)) for k, c in keys.items() if len(k) == 4 and _YEAR.fullmatch(k)]
    return max(years)[1] if years else 0


def features(
    article: Article, shingle_size: int, lead_chars: int, num_perm: int, headline_words: int
) -> Features:
    text = article.text if not article.title or article.text.startswith(article.title) else (
        f"{article.title}\n{article.text}"
    )
    hashes = shingle_hashes(article.text, shingle_size)
    keys = event_keys(text)
    with_words = headline_keys(text, keys, headline_words)
    lead = lead_text(article, lead_chars)
    return Features(
        id=article.id,
        keys=with_words,
        minhash=minhash_values(hashes, num_perm),
        has_shingles=len(hashes) > 0,
        headline=with_words is not keys,
        lead=lead,
        published=article.published,
        lead_keys=tuple(event_keys(lead)),
        year=main_year(with_words),
    )
