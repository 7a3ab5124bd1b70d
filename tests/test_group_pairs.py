"""Grouping a block by its pairs: the pair model on real reports, and the linkage against scipy's."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from storydiff.errors import ConfigError
from storydiff.group import GroupParams, group_stories
from storydiff.group.block import block_keys, embed_leads
from storydiff.group.embed import embed, load_model
from storydiff.group.features import features, main_year
from storydiff.group.index import key_vector
from storydiff.group.linkage import weighted_clusters
from storydiff.group.pairs import FEATURES, MODEL_FILE, load_pair_model, pair_features
from storydiff.models import Article
from storydiff.settings import Settings

GROUP = Path(__file__).resolve().parent / "data" / "group"


def _read(name: str) -> list[Article]:
    lines = (GROUP / name).read_text(encoding="utf-8").splitlines()
    return [Article.from_dict(json.loads(line)) for line in lines if line.strip()]


def _canonical(labels: list[int]) -> list[int]:
    first: dict[int, int] = {}
    return [first.setdefault(x, len(first)) for x in labels]


@pytest.mark.parametrize("seed", range(4))
def test_linkage_cuts_where_scipys_weighted_linkage_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(50):
        n = int(rng.integers(2, 40))
        i, j = np.triu_indices(n, 1)
        present = rng.random(len(i)) < rng.uniform(0.05, 0.6)
        sim = rng.random(len(i)) * present
        dense = np.zeros((n, n))
        dense[i, j] = sim
        dense += dense.T
        distance = 1 - dense
        np.fill_diagonal(distance, 0)
        threshold = float(rng.uniform(0.2, 0.8))
        expected = fcluster(linkage(squareform(distance, checks=False), "weighted"), 1 - threshold, "distance")
        ours = weighted_clusters(n, i[present], j[present], sim[present], threshold)
        assert _canonical(ours) == _canonical(list(expected))


def test_linkage_averages_so_a_chain_does_not_join() -> None:
    # 2 is close to 1 but not to 0: once 0 and 1 merge, 2 sits at (0 + 0.8) / 2 from them.
    i, j = np.array([0, 1, 2]), np.array([1, 2, 3])
    assert weighted_clusters(5, i, j, np.array([0.9, 0.8, 0.1]), 0.5) == [0, 0, 2, 3, 4]
    # Close to both, it joins; labels are the smallest member.
    i, j = np.array([0, 1, 0]), np.array([1, 2, 2])
    assert weighted_clusters(4, i, j, np.array([0.9, 0.8, 0.6]), 0.5) == [0, 0, 0, 3]


def test_shipped_model_matches_the_features() -> None:
    model = load_pair_model()
    assert model.features == FEATURES
    assert 0 < model.threshold < 1
    assert "cross-validated" in json.loads(MODEL_FILE.read_text(encoding="utf-8"))["trained_on"]


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.json"
    bad.write_text('{"features": ["cosine"]}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pairs\.json"):
        load_pair_model(str(bad))


def test_main_year_is_the_most_mentioned() -> None:
    assert main_year(Counter({"2013": 3, "2008": 1, "15": 4})) == 2013
    assert main_year(Counter({"1300": 2, "mayor": 1})) == 0


def _pairs(articles: list[Article]) -> dict[tuple[str, str], float]:
    """The pair model's probability for each pair of ``articles`` it scores."""
    params = GroupParams.from_settings(Settings())
    feats = [features(a, params.shingle_size, params.lead_chars, params.num_perm, params.headline_words)
             for a in articles]
    df: Counter[str] = Counter()
    for f in feats:
        df.update(f.keys.keys())
    vecs = [key_vector(f.keys, df, len(feats), params.max_keys) for f in feats]
    model = load_model("", 256)
    embs = embed_leads(lambda texts: embed(model, texts), [f.lead for f in feats])
    i, j, x = pair_features(feats, vecs, embs, [block_keys(v, df, params) for v in vecs], params.window_days)
    probs = load_pair_model().probability(x)
    return {(feats[a].id, feats[b].id): float(p) for a, b, p in zip(i, j, probs, strict=True)}


def test_reports_of_one_quake_score_above_reports_of_another() -> None:
    articles = [a for a in _read("corpus.jsonl") if a.id.startswith("quake-")]
    probs = _pairs(articles)
    threshold = load_pair_model().threshold
    same = [p for (a, b), p in probs.items() if a[:8] == b[:8]]
    other = [p for (a, b), p in probs.items() if a[:8] != b[:8]]
    assert len(same) == 6 and min(same) > threshold
    assert max(other, default=0.0) < threshold


def test_headlines_told_alike_about_different_people_are_different_stories() -> None:
    headlines = {
        "a1": "Climber who survived two nights stuck on Ben Lomond after seeing his brother fall is rescued",
        "a2": "Climber rescued from Ben Lomond after two nights stuck on the ridge, brother dies in the fall",
        "b1": "Climber who survived two nights stuck on Mount Kenya after seeing his brother fall is rescued",
        "b2": "Climber who survived two nights stuck on Mount Kenya after his brother's fall is rescued",
        "c1": "Climber who survived two nights stuck on Aoraki after seeing his brother fall is rescued",
    }
    articles = [Article(id=k, text=v, published="2025-03-04") for k, v in headlines.items()]
    stories = {frozenset(s.articles) for s in group_stories(articles)}
    assert stories == {frozenset({"a1", "a2"}), frozenset({"b1", "b2"}), frozenset({"c1"})}


def test_pairs_dated_further_apart_than_the_window_are_not_scored() -> None:
    wire, daily = (a for a in _read("corpus.jsonl") if a.id in ("quake-tr-wire", "quake-tr-daily"))
    assert _pairs([wire, daily])
    later = dataclasses.replace(daily, published="2026-02-01")
    assert _pairs([wire, later]) == {}
    undated = dataclasses.replace(daily, published=None)
    assert _pairs([wire, undated])


def test_the_story_index_alone_still_groups_when_pairs_are_off() -> None:
    articles = _read("corpus.jsonl")
    alone = group_stories(articles, Settings({"group_pair_max_block": 0}))
    assert {frozenset(s.articles) for s in alone} == {frozenset(s.articles) for s in group_stories(articles)}


def test_dense_and_sparse_key_matrices_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    import storydiff.group.pairs as pairs_module

    articles = _read("corpus.jsonl") + _read("later.jsonl")
    dense = _pairs(articles)
    monkeypatch.setattr(pairs_module, "DENSE_MAX", 0)
    sparse_ = _pairs(articles)
    assert dense.keys() == sparse_.keys() and len(dense) > 10
    assert all(abs(dense[k] - sparse_[k]) < 1e-9 for k in dense)


def test_headlines_told_alike_about_different_names_are_not_linked_into_one_block() -> None:
    from storydiff.group.block import linked
    from storydiff.group.pairs import headline_names

    params = GroupParams.from_settings(Settings())
    texts = {"a": "Climber who survived two nights stuck on Ben Lomond is rescued",
             "a2": "Climber stuck two nights on Ben Lomond rescued after brother dies",
             "b": "Climber who survived two nights stuck on Mount Kenya is rescued"}
    feats = {k: features(Article(id=k, text=v), params.shingle_size, params.lead_chars, params.num_perm,
                         params.headline_words) for k, v in texts.items()}
    vec = {"climber": 0.5, "survived": 0.5, "nights": 0.5, "stuck": 0.5}
    members = {k: ((False, "", k), n, vec, frozenset(vec), headline_names(f)) for n, (k, f) in enumerate(feats.items())}
    assert members["a"][4] == frozenset({"ben", "lomond"})
    assert linked(members["a2"], members["a"], True, params)  # one name, even a near-duplicate's band
    assert not linked(members["b"], members["a"], True, params)
    assert headline_names(features(Article(id="r", text="A report. " * 40), params.shingle_size,
                                   params.lead_chars, params.num_perm, params.headline_words)) is None


def test_large_buckets_linked_by_matrix_products_give_the_pairwise_stories(monkeypatch: pytest.MonkeyPatch,
                                                                             tmp_path: Path) -> None:
    """Every bucket of two or more through ``Linker._link_matrix``, then none: the same stories."""
    import sys

    import storydiff.group.block as block

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import grouping_speed

    reports = _read("corpus.jsonl") + _read("later.jsonl")
    by_story: dict[str, list[str]] = {}
    for a in reports:
        by_story.setdefault(a.id.rsplit("-", 1)[0], []).append(f"{a.title}\n{a.text}")
    raw = tmp_path / "generated.jsonl"
    grouping_speed.generate_from([t for _, t in sorted(by_story.items())], 800, raw, seed=3)
    articles = [Article(id=r["id"], text=r["text"]) for r in map(json.loads, raw.read_text("utf-8").splitlines())]
    settings = Settings({"group_workers": 1})
    calls: Counter[bool] = Counter()
    matrix = block.Linker._link_matrix

    def counted(self: block.Linker, ordered: list[block.BlockMember], band: bool,
                params: GroupParams) -> list[tuple[int, int]]:
        calls[band] += 1
        return matrix(self, ordered, band, params)

    monkeypatch.setattr(block.Linker, "_link_matrix", counted)
    monkeypatch.setattr(block, "MATRIX_MIN", 2)
    by_matrix = {frozenset(s.articles) for s in group_stories(articles, settings)}
    assert calls[True] > 10 and calls[False] > 100  # band and key buckets both went through it
    monkeypatch.setattr(block, "MATRIX_MIN", 10**9)
    pairwise = {frozenset(s.articles) for s in group_stories(articles, settings)}
    assert by_matrix == pairwise
    assert 20 < len(pairwise) < 400  # the generated events' reports do group


def test_a_cosine_on_a_bar_is_decided_exactly_as_linked_decides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Products ``fsum`` puts on the bar (0.1) and a plain sum, as a matrix product makes it, just under."""
    import storydiff.group.block as block

    params = dataclasses.replace(GroupParams.from_settings(Settings()), min_key_score=0.1)
    products = [0.006748899031820127, 0.0020383027821557517, 0.060095025926773106, 0.031117772259251015]
    later = {f"k{i}": w for i, w in enumerate(products)}
    earlier = dict.fromkeys(later, 1.0)
    none = frozenset[str]()
    members = [((False, "", "a"), 0, earlier, none, None), ((False, "", "b"), 1, later, none, None)]
    assert block.linked(members[1], members[0], True, params)
    monkeypatch.setattr(block, "MATRIX_MIN", 2)
    assert block.Linker().link_members(members, True, params) == [(1, 0)]
    monkeypatch.setattr(block, "EXACT_MARGIN", 0.0)  # no second look: the rounded product misses the bar
    assert block.Linker().link_members(members, True, params) == []
