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
    minhash: npt.NDArray[np.uint32]  # MinHash values of the word shingles (``MINHASH_SCHEME``)
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


# Shingle hashes: a polynomial hash mod 2**64 of each shingle's UTF-8 bytes
# (mixed, the top 32 bits), written here because it is what lets every shingle of a
# text be hashed in a few numpy passes over the text's bytes (prefix sums),
# with no Python call per shingle as a library hash (crc32, sha1) needs; a
# shingle needs a well spread 32-bit value, not a cryptographic one. Each
# byte counts as byte + 1, so leading zero bytes are not lost. Stored sketches
# name the scheme (``MINHASH_SCHEME``); a store saved with another is re-hashed.
MINHASH_SCHEME = "poly64-affine32"
_MOD = 1 << 64
_BASE = 0x9E3779B97F4A7C15  # odd, so invertible mod 2**64
_BASE_INV = pow(_BASE, -1, _MOD)


_FMIX64 = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)


def shingle_hash(data: bytes) -> int:
    """The 32-bit hash of one shingle's bytes: what ``shingle_hashes`` computes for each, by definition."""
    h = 0
    for byte in data:
        h = (h * _BASE + byte + 1) % _MOD
    # MurmurHash3's 64-bit finalizer: the last bytes only touched the low bits.
    for mult in _FMIX64:
        h = ((h ^ (h >> 33)) * mult) % _MOD
    return (h ^ (h >> 33)) >> 32


def _fmix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    shift = np.uint64(33)
    for mult in _FMIX64:
        h = (h ^ (h >> shift)) * np.uint64(mult)
    return h ^ (h >> shift)


_powers: list[npt.NDArray[np.uint64]] = []


def _base_powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """_BASE**i and _BASE**-i mod 2**64 for i < n (at least), grown by doubling and kept."""
    if not _powers or len(_powers[0]) < n:
        size = max(4096, 1 << (n - 1).bit_length())
        # uint64 products wrap mod 2**64, which is the arithmetic wanted.
        up = np.cumprod(np.full(size, _BASE, dtype=np.uint64))
        down = np.cumprod(np.full(size, _BASE_INV, dtype=np.uint64))
        one = np.ones(1, dtype=np.uint64)
        _powers[:] = [np.concatenate([one, up[:-1]]), np.concatenate([one, down[:-1]])]
    return _powers[0], _powers[1]


def shingle_hashes(text: str, size: int) -> npt.NDArray[np.uint32]:
    """``shingle_hash`` of each word shingle of ``word_shingles`` (a repeated shingle may come twice,
    which no MinHash value notices).

    The words are joined once and each shingle is a span of those bytes; with
    prefix sums of byte * _BASE**-j, a span's hash is one subtraction and one
    product, so no shingle string is built and nothing is done per shingle in Python.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return np.empty(0, dtype=np.uint32)
    joined = " ".join(words).encode("utf-8")
    if len(words) <= size:  # the whole text is the one shingle
        starts, stops = np.zeros(1, dtype=np.int64), np.full(1, len(joined), dtype=np.int64)
    else:
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        if len(joined) != int(lengths.sum()) + len(words) - 1:  # not ASCII: lengths in bytes
            lengths = np.fromiter(map(len, map(str.encode, words)), dtype=np.int64, count=len(words))
        ends = np.cumsum(lengths + 1) - 1  # each word's end in ``joined``
        starts = (ends - lengths)[: len(words) - size + 1]
        stops = ends[size - 1 :]
    up, down = _base_powers(len(joined))
    data = np.frombuffer(joined, dtype=np.uint8).astype(np.uint64) + np.uint64(1)
    prefix = np.zeros(len(joined) + 1, dtype=np.uint64)
    np.cumsum(data * down[: len(joined)], out=prefix[1:])
    # sum over the span of byte_j * _BASE**(stop-1-j): Horner's order, as in shingle_hash.
    spans = _fmix64(up[stops - 1] * (prefix[stops] - prefix[starts]))
    return (spans >> np.uint64(32)).astype(np.uint32)


def minhash_values(hashes: npt.NDArray[np.uint32], num_perm: int) -> npt.NDArray[np.uint32]:
    """MinHash values of a set of 32-bit shingle hashes (datasketch's affine32 scheme, seed 1).

    The same values as ``datasketch.MinHash(num_perm, seed=1, hashfunc=shingle_hash, scheme="affine32")``
    updated with the shingles, computed as one (num_perm x shingles) numpy operation instead of datasketch's per-shingle
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
