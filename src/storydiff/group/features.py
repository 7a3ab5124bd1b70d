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
from dataclasses import dataclass

from ..models import Article

_SENTENCE_END = re.compile(r"(?<=[.!?\"”])\s+|\n+")
_TOKEN = re.compile(r"[^\W_][\w'’\-]*")
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
    shingles: frozenset[str]
    lead: str
    published: str | None


def lead_text(article: Article, max_chars: int) -> str:
    """The title and the start of the text: where a news report says what happened."""
    head = article.text[:max_chars]
    if article.title and not article.text.startswith(article.title):
        head = f"{article.title}\n{head}"
    return head


def event_keys(text: str) -> Counter[str]:
    """Capitalised-somewhere-mid-sentence words and numbers, lower-cased, with counts."""
    sentences = [_TOKEN.findall(s) for s in _SENTENCE_END.split(text) if s]
    named = {tok for toks in sentences for tok in toks[1:] if tok[0].isupper()}
    keys: Counter[str] = Counter()
    for toks in sentences:
        for tok in toks:
            if tok[0].isdigit():
                keys[tok.rstrip("-'’")] += 1
            elif tok in named:
                low = tok.lower()
                if low not in _STOP:
                    keys[low] += 1
    return keys


def word_shingles(text: str, size: int) -> frozenset[str]:
    """Overlapping runs of ``size`` lower-cased words (near-duplicate detection)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def features(article: Article, shingle_size: int, lead_chars: int) -> Features:
    text = article.text if not article.title or article.text.startswith(article.title) else (
        f"{article.title}\n{article.text}"
    )
    return Features(
        id=article.id,
        keys=event_keys(text),
        shingles=word_shingles(article.text, shingle_size),
        lead=lead_text(article, lead_chars),
        published=article.published,
    )
