"""Story grouping: tiers, order independence, incremental runs, the CLI's JSON."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from storydiff.cli import cli
from storydiff.group import group_stories
from storydiff.group.embed import DEFAULT_TEACHER, TableModel, cache_dir, embed, load_model
from storydiff.group.features import (
    chunk_event_keys,
    chunk_minhashes,
    event_keys,
    minhash_values,
    shingle_hash,
    shingle_hashes,
    word_shingles,
)
from storydiff.models import Article, Story
from storydiff.settings import SETTINGS, Settings

GROUP = Path(__file__).resolve().parent / "data" / "group"

TURKEY = {"quake-tr-wire", "quake-tr-daily", "quake-tr-regional"}
PERU = {"quake-pe-wire", "quake-pe-daily", "quake-pe-regional"}
GHENT = {"tram-ghent-wire", "tram-ghent-local", "tram-ghent-copy"}


@pytest.fixture(scope="session", autouse=True)
def embedding_model() -> None:
    """Distil (first time on a machine, ~35 s) or load the cached static model once per session."""
    load_model("", 256)


def _read(name: str) -> list[Article]:
    lines = (GROUP / name).read_text(encoding="utf-8").splitlines()
    return [Article.from_dict(json.loads(line)) for line in lines if line.strip()]


def _partition(stories: list[Story]) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in stories}


def test_event_keys_are_names_and_numbers() -> None:
    keys = event_keys("The quake hit Sindirgi on Thursday. Sindirgi lost 16 homes, AFAD said.")
    assert {"sindirgi", "thursday", "afad", "16"} <= set(keys)
    assert "the" not in keys and "quake" not in keys
    assert keys["sindirgi"] == 2


def test_a_chunks_event_keys_are_each_texts_own() -> None:
    """Keys found for a chunk at once by character class are the regular expressions' keys, text by
    text and for every lead length: on news text, and on odd strings of marks, quotes and scripts."""
    rng = random.Random(3)
    alphabet = list("aAbZ .!?\"”’'-_\n\t\u00a0é1É٣²ǅ")
    texts = [a.text for a in _read("corpus.jsonl")] + [
        "", "\n", "A", "The. The cat. The", "U.S. said. Obama's “Quote.” He said. ”Bob", "'Abc 'abc _Abc -x-Y --- 3-",
        "é Éric. Élysée\u00a0Paris. Zoë’s ’Twas", "x.\n\nA b. A", "1. 2011 was 2011’s 12-", "ΟΔΟΣ. Σοφία λέει Σοφία",
        "İstanbul. İstanbul x", "Tab.\tTab\rCR.\u2009Thin", "\x00Null.\x00", "“Hi.” “Hi.” Hi", "𝐀bc 𝐀bc. 𝐀bc",
    ] + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(400)]
    for leads in ([600] * len(texts), [0] * len(texts), [rng.randint(0, len(t)) for t in texts]):
        got = chunk_event_keys(texts, leads)
        for text, n, (keys, lead_keys) in zip(texts, leads, got, strict=True):
            assert list(keys.items()) == list(event_keys(text).items()), text
            assert lead_keys == tuple(event_keys(text[:n])), (text, n)


def test_word_shingles() -> None:
    assert word_shingles("A b c d", 3) == frozenset({"a b c", "b c d"})
    assert word_shingles("short", 3) == frozenset({"short"})
    assert word_shingles("", 3) == frozenset()


def test_minhash_values_are_datasketch_values() -> None:
    """The numpy hashes and MinHash give datasketch's values, bit for bit, with shingle_hash as its hash."""
    from datasketch import MinHash

    texts = [a.text for a in _read("corpus.jsonl")] + [
        "Zürich – 3 déc. naïve «café»", "one two", "\x00a", "", "ΟΔΟΣ Σ", "İstanbul x_y", "   ", "a b c", "𝐀𝐁 ǅ"]
    # A chunk hashes its texts together: the same values as one at a time, ASCII or not, long or short.
    together, shingled = chunk_minhashes(texts, 3, 64)
    for text, row, has in zip(texts, together, shingled, strict=True):
        mh = MinHash(num_perm=64, seed=1, hashfunc=shingle_hash, scheme="affine32")
        mh.update_batch([s.encode("utf-8") for s in word_shingles(text, 3)])
        assert np.array_equal(minhash_values(shingle_hashes(text, 3), 64), mh.hashvalues), text
        assert np.array_equal(row, mh.hashvalues) and has == bool(word_shingles(text, 3)), text
    assert np.array_equal(chunk_minhashes([t for t in texts if t.isascii()], 3, 64)[0],
                          together[[t.isascii() for t in texts]])
    assert (minhash_values(shingle_hashes("", 3), 64) == np.iinfo(np.uint32).max).all()
    # Spread: the shingles of the test corpus get distinct hashes.
    shingles = {s for a in _read("corpus.jsonl") for s in word_shingles(a.text, 3)}
    assert len({shingle_hash(s.encode()) for s in shingles}) == len(shingles)


def test_a_distillation_that_finishes_second_keeps_the_cached_model(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two first runs at once both distil; the one that finishes second must not fail on the folder
    the first put in place (it did: both wrote one ``.partial`` folder and the second rename raised)."""
    from storydiff.group.embed import _distil

    target = cache_dir() / f"model2vec-{DEFAULT_TEACHER}-pca256"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    placed = cache_dir() / target.name
    shutil.copytree(target, placed)  # the first run's result
    model = _distil(DEFAULT_TEACHER, 256, placed)
    assert embed(model, ["Quake hits Sindirgi"]).shape == (1, 256)
    assert [p.name for p in placed.parent.iterdir()] == [placed.name]  # no partial folder left
    cached = load_model("", 256)
    assert np.allclose(embed(cached, ["Quake hits Sindirgi"]), embed(model, ["Quake hits Sindirgi"]), atol=1e-5)


def test_pooled_embeddings_point_where_model2vec_does() -> None:
    from model2vec import StaticModel

    model = load_model("", 256)  # the cached distillation, read as a plain table
    assert isinstance(model, TableModel)
    texts = [a.text[:600] for a in _read("corpus.jsonl")] + [""]
    ours = embed(model, texts)
    reference = StaticModel.from_pretrained(str(cache_dir() / f"model2vec-{DEFAULT_TEACHER}-pca256"))
    theirs = np.asarray(reference.encode(texts), dtype=np.float32)
    theirs /= np.maximum(np.linalg.norm(theirs, axis=1, keepdims=True), 1e-12)
    assert np.abs(ours - theirs).max() < 1e-3
    assert not ours[-1].any()
    # A text's vector is the same bits in any batch (a local run and Spark's partitions agree).
    alone = np.concatenate([embed(model, [t]) for t in texts])
    assert np.array_equal(ours, alone)
    assert np.array_equal(embed(model, texts * 40), np.tile(ours, (40, 1)))


def test_plain_texts_skip_the_normaliser_with_the_same_ids() -> None:
    """Lower-casing a plain text in Python gives the ids BERT's normaliser gives, for every kind of text."""
    import random

    from storydiff.group.embed import token_ids

    tokenizer = load_model("", 256).tokenizer
    pieces = [*"aAzZ09 _-'’‘“”–—….!?\"\n\t\r,;[]()\x00\x07\x0b\x0c\x7féÉßİ", "[UNK]", "[PAD]", "[unk]", "Rüß"]
    rng = random.Random(1)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += [a.text for a in _read("corpus.jsonl")] + ["x " * 600]  # the last one past 512 tokens (truncated)
    expected = [e.ids for e in tokenizer.encode_batch_fast(texts, add_special_tokens=False)]
    assert token_ids(tokenizer, texts) == expected


def test_similar_events_stay_apart() -> None:
    stories = group_stories(_read("corpus.jsonl"))
    assert _partition(stories) == {frozenset(TURKEY), frozenset(PERU), frozenset(GHENT)}
    assert [s.id for s in stories] == ["S1", "S2", "S3"]


def test_dates_are_not_needed() -> None:
    undated = [Article(a.id, a.text, a.title) for a in _read("corpus.jsonl")]
    stories = group_stories(undated)
    assert _partition(stories) == {frozenset(TURKEY), frozenset(PERU), frozenset(GHENT)}
    assert all(s.first_seen is None and s.last_seen is None for s in stories)


def test_shuffled_input_gives_the_same_stories() -> None:
    articles = _read("corpus.jsonl") + _read("later.jsonl")
    expected = group_stories(articles)
    for seed in range(3):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert group_stories(shuffled) == expected


def test_grouping_leaves_the_callers_collector_settings_as_they_were() -> None:
    # A bulk run turns full collections off for itself; a library caller's process must get its own settings back.
    import gc

    articles = _read("corpus.jsonl") + _read("later.jsonl")
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        stories = group_stories(articles)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
    assert stories == group_stories(list(reversed(articles)))


def test_rewrite_with_little_shared_wording_joins(examples: Path) -> None:
    folder = examples / "konstantinovka"
    rewrites = [Article(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
    stories = group_stories(rewrites + _read("corpus.jsonl"))
    assert frozenset({"report-a", "report-b"}) in _partition(stories)


def test_first_and_last_seen_come_from_dates() -> None:
    stories = {frozenset(s.articles): s for s in group_stories(_read("corpus.jsonl"))}
    turkey = stories[frozenset(TURKEY)]
    assert (turkey.first_seen, turkey.last_seen) == ("2025-11-20", "2025-11-21")


def test_every_group_setting_has_help() -> None:
    group = [s for s in SETTINGS if s.name.startswith("group_")]
    assert len(group) >= 8
    assert all(len(s.help) > 30 for s in group)
    Settings({"group_event_threshold": "0.3"})  # coerced like every other setting


def _stories_json(runner: CliRunner, db: Path, *extra: str) -> dict[str, list[dict[str, object]]]:
    result = runner.invoke(cli, ["stories", "--db", str(db), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, list[dict[str, object]]] = json.loads(result.output)
    return data


def _ingest(runner: CliRunner, db: Path, path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output


def test_cli_json_shape(runner: CliRunner, db: Path) -> None:
    _ingest(runner, db, GROUP / "corpus.jsonl")
    data = _stories_json(runner, db)
    assert set(data) == {"stories"}
    listed = [a for s in data["stories"] for a in s["articles"]]  # type: ignore[attr-defined]
    assert sorted(listed) == sorted(TURKEY | PERU | GHENT)
    for story in data["stories"]:
        assert set(story) == {"id", "articles", "title", "first_seen", "last_seen"}
        assert isinstance(story["title"], str) and story["title"]


def test_cli_incremental_keeps_ids_and_rebuild_regroups(runner: CliRunner, db: Path) -> None:
    _ingest(runner, db, GROUP / "corpus.jsonl")
    first = {s["id"]: set(s["articles"]) for s in _stories_json(runner, db)["stories"]}  # type: ignore[arg-type]
    assert _stories_json(runner, db)["stories"] == _stories_json(runner, db)["stories"]  # nothing new: no change

    _ingest(runner, db, GROUP / "later.jsonl")
    second = {s["id"]: set(s["articles"]) for s in _stories_json(runner, db)["stories"]}  # type: ignore[arg-type]
    for sid, members in first.items():
        assert members <= second[sid]  # old stories keep their id and members
    peru = next(sid for sid, members in first.items() if members == PERU)
    assert second[peru] == PERU | {"quake-pe-late"}
    assert {"strike-antwerp"} in second.values()
    assert len(second) == len(first) + 1

    rebuilt = {frozenset(s["articles"]) for s in _stories_json(runner, db, "--rebuild")["stories"]}  # type: ignore[arg-type]
    assert rebuilt == {frozenset(m) for m in second.values()}


def test_cli_text_output(runner: CliRunner, db: Path) -> None:
    _ingest(runner, db, GROUP / "corpus.jsonl")
    result = runner.invoke(cli, ["stories", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "S1 (3)" in result.output
    assert "Green light for Sint-Pieters tram" in result.output


def test_cli_missing_store_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["stories", "--db", str(tmp_path / "nowhere" / "x.duckdb")])
    assert result.exit_code != 0


def test_first_and_last_seen_compare_instants_not_strings() -> None:
    text = "Dockers in Antwerp walked out on Monday. The union ABVV said the strike at Antwerp would last."
    articles = [
        Article("a", text, published="2025-11-20T14:12:00+00:00"),
        Article("b", text + " More.", published="2025-11-20T17:40:00+05:00"),  # 12:40 UTC: earlier
    ]
    (story,) = group_stories(articles)
    assert (story.first_seen, story.last_seen) == ("2025-11-20T17:40:00+05:00", "2025-11-20T14:12:00+00:00")


def test_worker_processes_give_the_same_stories() -> None:
    from storydiff.group import GroupParams, StoryIndex

    articles = _read("corpus.jsonl") + _read("later.jsonl")
    results = []
    for workers in (1, 2):
        index = StoryIndex(GroupParams(workers=workers, parallel_min=1, paraphrase_threshold=1.0))
        index.add(articles)
        results.append(index.result())
    assert results[0] == results[1]


def test_load_keeps_members_saved_with_another_num_perm(runner: CliRunner, db: Path) -> None:
    _ingest(runner, db, GROUP / "corpus.jsonl")
    before = _partition_json(_stories_json(runner, db))
    after = _partition_json(_stories_json(runner, db, "--rebuild"))
    changed = runner.invoke(cli, ["--setting", "group_num_perm", "128", "stories", "--db", str(db), "--format", "json"])
    assert changed.exit_code == 0, changed.output
    assert before == after == _partition_json(json.loads(changed.output))


def test_sketches_saved_by_an_older_version_are_made_again(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    # A store grouped before the shingle hash changed holds crc32-based sketches that new ones cannot match.
    import zlib

    import duckdb
    from datasketch import MinHash

    _ingest(runner, db, GROUP / "corpus.jsonl")
    _stories_json(runner, db)
    articles = {a.id: a for a in _read("corpus.jsonl")}
    num_perm, size = int(Settings()["group_num_perm"]), int(Settings()["group_shingle_size"])
    with duckdb.connect(str(db)) as con:
        for aid, article in articles.items():
            old = MinHash(num_perm=num_perm, seed=1, hashfunc=zlib.crc32, scheme="affine32")
            old.update_batch([s.encode() for s in word_shingles(article.text, size)])
            con.execute("UPDATE story_members SET minhash = ? WHERE article_id = ?",
                        [old.hashvalues.astype(np.uint32).tobytes(), aid])
        con.execute("DELETE FROM story_state WHERE key = 'minhash_scheme'")
    first = articles[min(TURKEY)]
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps({"id": "copy", "text": first.text.replace(" the ", " a ", 1)}) + "\n", encoding="utf-8")
    _ingest(runner, db, copy)
    stories = _stories_json(runner, db)["stories"]
    assert frozenset(TURKEY) | {"copy"} in _partition_json({"stories": stories})
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(con.execute("SELECT article_id, minhash FROM story_members").fetchall())
        scheme = con.execute("SELECT value FROM story_state WHERE key = 'minhash_scheme'").fetchone()
    assert scheme is not None and "poly64" in scheme[0]
    for aid, article in articles.items():
        assert np.array_equal(np.frombuffer(stored[aid], dtype=np.uint32),
                              minhash_values(shingle_hashes(article.text, size), num_perm)), aid


def _partition_json(data: dict[str, list[dict[str, object]]]) -> set[frozenset[str]]:
    return {frozenset(s["articles"]) for s in data["stories"]}  # type: ignore[call-overload]


def test_chunks_keep_every_article_in_one_story() -> None:
    articles = _read("corpus.jsonl") + _read("later.jsonl")
    stories = group_stories(articles, Settings({"group_chunk_size": 4}))
    listed = [a for s in stories for a in s.articles]
    assert sorted(listed) == sorted(a.id for a in articles)
    assert frozenset(TURKEY) in _partition(stories)


def test_worker_map_gives_every_result_in_order_or_as_done() -> None:
    """The worker pool's map: in task order, or (for tasks of very different sizes) as they finish."""
    from storydiff.group.workers import ordered_map

    tasks = list(range(-40, 40))
    assert list(ordered_map(abs, tasks, 2, {}, ahead=1)) == [abs(t) for t in tasks]
    assert sorted(ordered_map(abs, tasks, 2, {}, ahead=1, ordered=False)) == sorted(abs(t) for t in tasks)
