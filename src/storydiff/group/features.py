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
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, pairwise
from typing import Any

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


@dataclass(frozen=True, slots=True)
class FeatureChunk:
    """Many articles' ``Features`` as columns, the form they take between processes.

    A worker's features cross to the main process pickled; as one object per
    article (a ``Counter``, a small array, a tuple) that costs more of the main
    process's time than their keys take to count, and every key string comes
    once per article it is in. Here each distinct key comes once per chunk, and
    the rest are a few arrays.
    """

    ids: list[str]
    published: list[str | None]
    words: list[str]  # the chunk's distinct keys
    keys: npt.NDArray[np.int32]  # each article's keys (indices into words), one article after another
    counts: npt.NDArray[np.int32]
    key_ends: npt.NDArray[np.int64]  # where each article's keys end
    lead_keys: npt.NDArray[np.int32]
    lead_ends: npt.NDArray[np.int64]
    minhash: npt.NDArray[np.uint32]  # one row each
    has_shingles: npt.NDArray[np.bool_]
    headline: npt.NDArray[np.bool_]
    year: npt.NDArray[np.int32]

    def features(self, words: Sequence[str] | None = None, leads: Sequence[str] | None = None) -> list[Features]:
        """The articles' ``Features``, spelling the keys as ``words`` (default: the chunk's own; a caller
        holding one string per key across chunks passes those), with ``leads`` if given (the columns leave them out)."""
        spelled = self.words if words is None else words
        leads = [""] * len(self.ids) if leads is None else leads
        keys = [spelled[i] for i in self.keys.tolist()]
        counts = self.counts.tolist()
        lead = [spelled[i] for i in self.lead_keys.tolist()]
        key_ends, lead_ends = [0, *self.key_ends.tolist()], [0, *self.lead_ends.tolist()]
        return [
            Features(id=aid, keys=Counter(dict(zip(keys[ka:kb], counts[ka:kb], strict=True))), minhash=minhash,
                     has_shingles=shingled, headline=headline, lead=lead_text, published=published,
                     lead_keys=tuple(lead[la:lb]), year=year)
            for aid, published, ka, kb, la, lb, minhash, shingled, headline, year, lead_text in zip(
                self.ids, self.published, key_ends, key_ends[1:], lead_ends, lead_ends[1:], self.minhash,
                self.has_shingles.tolist(), self.headline.tolist(), self.year.tolist(), leads, strict=False)
        ]


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
    return _keys_of(total, firsts)


def _keys_of(total: Counter[str], firsts: Counter[str]) -> Counter[str]:
    """``event_keys`` from its candidates' counts: all of them, and as sentences' first tokens."""
    keys: dict[str, int] = {}
    for tok, count in total.items():
        digit = tok[0].isdigit()
        if not (digit or tok[0].isupper()) or not _counts_as_key(digit, count, firsts.get(tok, 0)):
            continue
        key = _key_spelling(tok, digit)
        if key is not None:
            keys[key] = keys.get(key, 0) + count
    return Counter(keys)


# The rule of event keys, for both the regex definition (``_keys_of``) and the chunk version (``_counted_keys``).
def _counts_as_key(digit: Any, count: Any, as_first: Any) -> Any:
    """A number always counts; a capitalised word when it comes more often than as a sentence's first token
    (for one token, or numpy arrays of many)."""
    return digit | (count > as_first)


def _key_spelling(tok: str, digit: bool) -> str | None:
    """The key a counted token stands for: a number without a trailing - ' ’, a word lower-cased; None for a
    stop word."""
    if digit:
        return tok.rstrip("-'’")
    low = tok.lower()
    return None if low in _STOP else low


# The character classes of _CANDIDATE and _SENTENCE_FIRST (``chunk_event_keys``) and of _WORD (``_joined``),
# as bit flags per byte of UTF-8; a mark (. ! ? " ”) is flagged on its last byte only.
_TOKEN, _ALNUM, _UPPER, _MARK, _SPACE, _NEWLINE, _DIGIT, _WORDCHAR = 1, 2, 4, 8, 16, 32, 64, 128


def _char_class(ch: str) -> int:
    return ((_TOKEN if re.match(r"[\w'’\-]", ch) else 0) | (_ALNUM if re.match(r"[^\W_]", ch) else 0)
            | (_UPPER if ch.isupper() else 0) | (_MARK if ch in ".!?\"”" else 0)
            | (_SPACE if re.match(r"\s", ch) else 0) | (_NEWLINE if ch == "\n" else 0)
            | (_DIGIT if ch.isdigit() else 0) | (_WORDCHAR if _WORD.match(ch) else 0))


_ASCII_CLASS = np.array([_char_class(chr(c)) for c in range(128)] + [0] * 128, dtype=np.uint8)


Positions = npt.NDArray[np.intp]


def _wide_chars(data: npt.NDArray[np.uint8]) -> tuple[Positions, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each multi-byte UTF-8 character in ``data``: its first byte's position, its width and its code point."""
    lead = np.flatnonzero(data >= 0xC0)
    padded = np.concatenate([data, np.zeros(3, dtype=np.uint8)]).astype(np.int64)
    b0, b1, b2, b3 = (padded[lead + k] for k in range(4))
    width = 2 + (b0 >= 0xE0) + (b0 >= 0xF0).astype(np.int64)
    code = np.where(width == 2, ((b0 & 0x1F) << 6) | (b1 & 0x3F),
                    np.where(width == 3, ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F),
                             ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F)))
    return lead, width, code


def _classes(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """``_char_class`` of each byte's character (``_MARK`` on a mark's last byte only)."""
    flags = _ASCII_CLASS[data]
    if len(data) and data.max() >= 0x80:
        lead, width, code = _wide_chars(data)
        distinct, which = np.unique(code, return_inverse=True)
        cls = np.array([_char_class(chr(c)) for c in distinct.tolist()], dtype=np.uint8)[which]
        for k in range(4):
            has = width > k
            flags[lead[has] + k] = np.where(width[has] == k + 1, cls[has], cls[has] & ~np.uint8(_MARK))
    return flags


def chunk_event_keys(texts: Sequence[str], lead_lengths: Sequence[int]) -> list[tuple[Counter[str], tuple[str, ...]]]:
    """``event_keys`` of each text, and the keys of its first ``lead_lengths`` characters (its lead, in
    order of first occurrence), for many texts at once.

    The same keys as the regular expressions (tested), found by character
    class in numpy over the texts' UTF-8 (each regex scan costs tens of µs
    per article in Python's engine): tokens are runs of token bytes, a
    candidate is a run whose first letter or digit is not a-z, and a
    sentence's first token is the run holding the first letter or digit
    after a mark and a space, or a line break. Only the candidates become
    strings. A lead is a prefix of its text, so its keys come from the
    text's runs, the last cut at the lead's end.
    """
    whole = "\n" + "\n".join(texts) + "\n"  # "\n" + text, as _SENTENCE_FIRST runs over
    data = np.frombuffer(whole.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    flags = _classes(data)
    ascii_only = len(data) == len(whole)
    sizes = [len(t) if ascii_only or t.isascii() else len(t.encode("utf-8", "surrogatepass")) for t in texts]
    text_starts = np.cumsum([1] + [s + 1 for s in sizes])[:-1]
    lead_ends = text_starts + np.asarray(
        [min(n, len(t)) if ascii_only or t.isascii() else len(t[:n].encode("utf-8", "surrogatepass"))
         for t, n in zip(texts, lead_lengths, strict=True)], dtype=np.int64)
    token = (flags & _TOKEN).astype(bool)
    edges = np.diff(token.view(np.int8), prepend=np.int8(0))
    run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # ``whole`` ends with "\n"
    alnum = (flags & _ALNUM).astype(bool)
    alnums = np.append(np.flatnonzero(alnum), len(data))
    # Each run's first letter or digit (a run may start with _ ' ’ -).
    firsts = run_starts.copy()
    late = np.flatnonzero(~alnum[run_starts])
    firsts[late] = alnums[np.searchsorted(alnums, run_starts[late])]
    # A token counts when its first letter or digit is a digit or a capital (tok[0] in _keys_of).
    kinds = flags[np.minimum(firsts, len(data) - 1)]
    candidate = np.flatnonzero((firsts < run_ends) & ((kinds & (_UPPER | _DIGIT)) != 0))
    # Sentences' first tokens: the first letter or digit after each mark + space or line break.
    marks = np.flatnonzero(((flags[:-1] & _MARK) != 0) & ((flags[1:] & _SPACE) != 0))
    breaks = np.flatnonzero(flags & _NEWLINE)
    after = alnums[np.searchsorted(alnums, np.concatenate([marks, breaks]) + 1)]
    after = after[after < len(data)]
    opens = np.zeros(len(run_starts), dtype=bool)
    opens[np.searchsorted(run_starts, after, side="right") - 1] = True
    starts, ends = firsts[candidate], run_ends[candidate]
    digit, opening = (kinds[candidate] & _DIGIT) != 0, opens[candidate]
    if ascii_only:
        begin, stop, cut_at = starts, ends, lead_ends
    else:  # byte positions to character positions
        continuation = np.concatenate([[0], np.cumsum((data & 0xC0) == 0x80)])
        begin, stop = starts - continuation[starts], ends - continuation[ends]
        cut_at = lead_ends - continuation[lead_ends]
    tokens = [whole[i:j] for i, j in zip(begin.tolist(), stop.tolist(), strict=True)]
    owner = np.searchsorted(text_starts, starts, side="right") - 1  # each token's text
    keys = _counted_keys(tokens, owner, digit, opening, len(texts))
    # A lead's tokens: its text's that start in it, the last cut at its end.
    in_lead = np.flatnonzero(starts < lead_ends[owner])
    lead_tokens = [tokens[i] for i in in_lead.tolist()]
    for n in np.flatnonzero(ends[in_lead] > lead_ends[owner[in_lead]]).tolist():
        i = int(in_lead[n])
        lead_tokens[n] = lead_tokens[n][: int(cut_at[owner[i]] - begin[i])]
    lead_keys = _counted_keys(lead_tokens, owner[in_lead], digit[in_lead], opening[in_lead], len(texts))
    return [(Counter(k), tuple(lead)) for k, lead in zip(keys, lead_keys, strict=True)]


def _counted_keys(tokens: list[str], owner: Positions, digit: npt.NDArray[np.bool_], opening: npt.NDArray[np.bool_],
                  n_texts: int) -> list[dict[str, int]]:
    """``_keys_of`` for each text, from its tokens that start with a digit or a capital (in text order, texts in
    order): the tokens are numbered, and the counts per text and token found by sorting, not in a dict per text."""
    if not tokens:
        return [{} for _ in range(n_texts)]
    numbers: dict[str, int] = {}
    ids = np.fromiter((numbers.setdefault(t, len(numbers)) for t in tokens), dtype=np.int64, count=len(tokens))
    is_digit = np.zeros(len(numbers), dtype=bool)
    is_digit[ids] = digit
    names: dict[str, int] = {}
    name_of = np.array([-1 if (key := _key_spelling(t, d)) is None else names.setdefault(key, len(names))
                        for t, d in zip(numbers, is_digit.tolist(), strict=True)], dtype=np.int64)
    # Each (text, token): its first place, count, and count as a sentence's first token.
    pairs, first, which, count = np.unique(owner * len(numbers) + ids, return_index=True, return_inverse=True,
                                           return_counts=True)
    opened = np.bincount(which.ravel(), weights=opening, minlength=len(pairs))
    token = pairs % len(numbers)
    kept = np.flatnonzero((name_of[token] >= 0) & _counts_as_key(is_digit[token], count, opened))
    kept = kept[np.argsort(first[kept], kind="stable")]  # in text order
    # Tokens with one name (a number with and without a trailing hyphen) add up, in order of first place.
    key_pairs, key_first, key_which = np.unique((pairs[kept] // len(numbers)) * len(names) + name_of[token[kept]],
                                                return_index=True, return_inverse=True)
    sums = np.bincount(key_which.ravel(), weights=count[kept], minlength=len(key_pairs)).astype(np.int64)
    order = np.argsort(key_first, kind="stable")
    key_pairs, sums = key_pairs[order], sums[order]
    texts_of = key_pairs // len(names)
    spelled = list(names)
    words = [spelled[i] for i in (key_pairs % len(names)).tolist()]
    counts = sums.tolist()
    bounds = np.searchsorted(texts_of, np.arange(n_texts + 1)).tolist()
    return [dict(zip(words[a:b], counts[a:b], strict=True)) for a, b in pairwise(bounds)]


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


def _base_powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """_BASE**i and _BASE**-i mod 2**64 for i < n (at least), and the prefix sums of the latter
    (i + 1 of them), grown by doubling and kept."""
    if not _powers or len(_powers[0]) < n:
        size = max(4096, 1 << (n - 1).bit_length())
        # uint64 products wrap mod 2**64, which is the arithmetic wanted.
        one = np.ones(1, dtype=np.uint64)
        up: npt.NDArray[np.uint64] = np.concatenate([one, np.cumprod(np.full(size - 1, _BASE, dtype=np.uint64))])
        down: npt.NDArray[np.uint64] = np.concatenate(
            [one, np.cumprod(np.full(size - 1, _BASE_INV, dtype=np.uint64))])
        sums: npt.NDArray[np.uint64] = np.concatenate([np.zeros(1, dtype=np.uint64), down.cumsum(dtype=np.uint64)])
        _powers[:] = [up, down, sums]
    return _powers[0], _powers[1], _powers[2]


_buffers = threading.local()


def _scratch(n: int) -> npt.NDArray[np.uint64]:
    """A uint64 buffer of ``n`` for this thread, kept between calls: a fresh one of a chunk's
    size (megabytes) costs its page faults on every call."""
    buf: npt.NDArray[np.uint64] | None = getattr(_buffers, "prefix", None)
    if buf is None or len(buf) < n:
        buf = _buffers.prefix = np.empty(max(n, 1 << 16), dtype=np.uint64)
    return buf[:n]


def shingle_hashes(text: str, size: int) -> npt.NDArray[np.uint32]:
    """``shingle_hash`` of each word shingle of ``word_shingles`` (a repeated shingle may come twice,
    which no MinHash value notices)."""
    return _shingle_hashes([text], size)[0]


def _joined(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The lower-cased words (``_WORD``) of each text as UTF-8, each followed by one space, all texts
    one after another; each word's length in bytes; each text's word count.

    The words are found by byte class (``_classes``) in numpy over the texts'
    UTF-8, not by the regex (a third of the hashing's time).
    """
    lowered = [t.lower() for t in texts]
    data = np.frombuffer(" ".join([*lowered, ""]).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    word = (_classes(data) & _WORDCHAR).astype(bool)
    sizes = [len(t) if t.isascii() else len(t.encode("utf-8", "surrogatepass")) for t in lowered]
    bounds = np.cumsum(np.asarray(sizes, dtype=np.int64) + 1)  # each text's end, then a space
    edges = np.diff(word.view(np.int8), prepend=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # the bytes end with a space
    counts = np.diff(np.searchsorted(starts, bounds), prepend=0)
    keep = word.copy()
    keep[ends] = True  # the byte after each word, a space in the joined bytes
    return np.where(word, data, np.uint8(32))[keep], ends - starts, counts


def _shingle_hashes(texts: Sequence[str], size: int) -> list[npt.NDArray[np.uint32]]:
    """``shingle_hashes`` of many texts at once.

    Each text's words, joined by single spaces, are a run of one byte array,
    and each shingle a span of it; with prefix sums of byte * _BASE**-j over
    the whole array, a span's hash is one subtraction and one product, so
    no shingle string is built and nothing is done per shingle or per text in Python.
    """
    hashes, counts = _chunk_hashes(texts, size)
    return np.split(hashes, np.cumsum(counts)[:-1])


def _chunk_hashes(texts: Sequence[str], size: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Every text's shingle hashes one after another, and how many each text has."""
    joined, lengths, counts = _joined(texts)
    n_texts = len(counts)
    if not len(lengths):
        return np.empty(0, dtype=np.uint32), np.zeros(n_texts, dtype=np.int64)
    ends = np.cumsum(lengths + 1) - 1  # each word's end in ``joined``
    starts = ends - lengths
    owner = np.repeat(np.arange(n_texts), counts)  # each word's text
    # A shingle starts at each word whose size-1 next words are in its text; a text
    # with fewer words than that is one shingle of them all.
    n_first = max(len(owner) - size + 1, 0)
    first = np.flatnonzero(owner[:n_first] == owner[size - 1 : size - 1 + n_first])
    short = np.flatnonzero((counts > 0) & (counts < size))
    if len(short):
        last_word = np.cumsum(counts) - 1
        first_word = last_word - counts + 1
        span_starts = np.concatenate([starts[first], starts[first_word[short]]])
        span_stops = np.concatenate([ends[first + size - 1], ends[last_word[short]]])
        order = np.argsort(span_starts, kind="stable")
        span_starts, span_stops = span_starts[order], span_stops[order]
    else:
        span_starts, span_stops = starts[first], ends[first + size - 1]
    per_text = np.where(counts >= size, counts - size + 1, counts > 0)
    n = len(joined)
    up, down, ones = _base_powers(n)
    prefix = _scratch(n + 1)
    prefix[0] = 0
    np.multiply(joined, down[:n], out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    # sum over the span of (byte_j + 1) * _BASE**(stop-1-j): Horner's order, as in shingle_hash
    # (``ones`` holds the prefix sums of the + 1).
    sums = prefix[span_stops] - prefix[span_starts]
    sums += ones[span_stops] - ones[span_starts]
    sums *= up[span_stops - 1]
    return (_fmix64(sums) >> np.uint64(32)).astype(np.uint32), per_text


def minhash_values(hashes: npt.NDArray[np.uint32], num_perm: int) -> npt.NDArray[np.uint32]:
    """MinHash values of a set of 32-bit shingle hashes (datasketch's affine32 scheme, seed 1).

    The same values as ``datasketch.MinHash(num_perm, seed=1, hashfunc=shingle_hash, scheme="affine32")``
    updated with the shingles, computed as one (num_perm x shingles) numpy operation instead of datasketch's per-shingle
    Python calls.
    """
    row: npt.NDArray[np.uint32] = _minhashes(hashes, np.array([len(hashes)]), num_perm)[0]
    return row


# Shingles per step of ``_minhashes``: the (num_perm x shingles) values stay in the CPU's cache.
_MINHASH_STEP = 4096


def _minhashes(hashes: npt.NDArray[np.uint32], counts: npt.NDArray[np.int64], num_perm: int,
               ) -> npt.NDArray[np.uint32]:
    """``minhash_values`` of many sets, given one after another (``counts`` long each), as rows."""
    out = np.full((len(counts), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(hashes):
        return out
    a, b = _permutations(num_perm)
    mixed = _fmix32(hashes)
    sets = np.flatnonzero(counts)
    stops = np.cumsum(counts)[sets]
    starts = stops - counts[sets]
    t = 0
    while t < len(sets):
        # the next sets, as many as fit in one step (at least one)
        u = max(t + 1, int(np.searchsorted(stops, starts[t] + _MINHASH_STEP, side="right")))
        lo, hi = starts[t], stops[u - 1]
        with np.errstate(over="ignore"):
            values = a * mixed[None, lo:hi]
            values += b
        out[sets[t:u]] = np.minimum.reduceat(values, starts[t:u] - lo, axis=1).T
        t = u
    return out


def chunk_minhashes(texts: Sequence[str], size: int, num_perm: int,
                    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """Each text's MinHash values of its word shingles, as rows, and whether it has any shingle."""
    hashes, counts = _chunk_hashes(texts, size)
    return _minhashes(hashes, counts, num_perm), counts > 0


_YEAR = re.compile(r"(?:19[5-9]|20[0-4])\d")


def main_year(keys: Mapping[str, int]) -> int:
    """The year an article's keys mention most (ties: the latest), 0 when none."""
    years = [(c, int(k)) for k, c in keys.items() if len(k) == 4 and _YEAR.fullmatch(k)]
    return max(years)[1] if years else 0


def features(
    article: Article, shingle_size: int, lead_chars: int, num_perm: int, headline_words: int
) -> Features:
    return features_of([article], shingle_size, lead_chars, num_perm, headline_words)[0]


def features_of(
    articles: Sequence[Article], shingle_size: int, lead_chars: int, num_perm: int, headline_words: int
) -> list[Features]:
    """``features`` of many articles: their shingles hashed and MinHashed together (``chunk_features``)."""
    chunk, leads = chunk_features(articles, shingle_size, lead_chars, num_perm, headline_words)
    return chunk.features(leads=leads)


def chunk_features(
    articles: Sequence[Article], shingle_size: int, lead_chars: int, num_perm: int, headline_words: int
) -> tuple[FeatureChunk, list[str]]:
    """The articles' features as columns, and each one's lead (embedded by the caller, then dropped)."""
    minhashes, shingled = chunk_minhashes([a.text for a in articles], shingle_size, num_perm)
    texts = [a.text if not a.title or a.text.startswith(a.title) else f"{a.title}\n{a.text}" for a in articles]
    leads = [lead_text(a, lead_chars) for a in articles]  # each its text's start
    found = chunk_event_keys(texts, [len(lead) for lead in leads])
    all_keys = [headline_keys(text, keys, headline_words) for text, (keys, _) in zip(texts, found, strict=True)]
    numbers: dict[str, int] = {}
    keys = [numbers.setdefault(k, len(numbers)) for with_words in all_keys for k in with_words]
    lead_keys = [numbers.setdefault(k, len(numbers)) for _, lead in found for k in lead]
    chunk = FeatureChunk(
        ids=[a.id for a in articles], published=[a.published for a in articles], words=list(numbers),
        keys=np.asarray(keys, dtype=np.int32),
        counts=np.asarray([c for with_words in all_keys for c in with_words.values()], dtype=np.int32),
        key_ends=np.cumsum([len(k) for k in all_keys], dtype=np.int64),
        lead_keys=np.asarray(lead_keys, dtype=np.int32),
        lead_ends=np.cumsum([len(lead) for _, lead in found], dtype=np.int64),
        minhash=minhashes, has_shingles=shingled,
        headline=np.array([with_words is not k for with_words, (k, _) in zip(all_keys, found, strict=True)],
                          dtype=bool),
        year=np.array([main_year(k) for k in all_keys], dtype=np.int32),
    )
    return chunk, leads
