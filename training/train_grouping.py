"""Train the pair model of story grouping (``storydiff.group.pairs``) and write its artefact.

usage: python training/train_grouping.py [DATA_DIR] [--out FILE] [--c C]

DATA_DIR (default ../shared/data from the repo root) holds ecbplus/text/*.txt and
ecbplus/gold_stories.jsonl. The articles are ingested into a temporary store as
``storydiff ingest`` does and featured as ``group_from_scratch`` does (corpus-wide
key counts, key vectors, lead embeddings); every pair sharing a heavy key is an
example, labelled by whether gold puts both in one story.

The linkage threshold is chosen out of sample: the topics (gold stories ``N-ecb``
and ``N-ecbplus`` share topic N, two similar events) are split into folds; each
fold's pairs are scored by a model fitted on the other folds' pairs, all pairs are
clustered by weighted-average linkage, and the threshold with the best pairwise F1
is kept. The model written is then fitted on every pair. The script prints the
cross-validated F1, the honest estimate for unseen topics.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storydiff.group import GroupParams, make_embedder  # noqa: E402
from storydiff.group.block import arrival_order, block_keys, embed_leads  # noqa: E402
from storydiff.group.index import StoryIndex, key_vector  # noqa: E402
from storydiff.group.linkage import weighted_clusters  # noqa: E402
from storydiff.group.pairs import FEATURES, MODEL_FILE, PairModel, pair_features  # noqa: E402
from storydiff.pipeline import ingest  # noqa: E402
from storydiff.settings import Settings  # noqa: E402
from storydiff.store import Store  # noqa: E402

FOLDS = 5
C = 1.0  # inverse L2 strength of the logistic regression
THRESHOLDS = [t / 100 for t in range(10, 61)]


def pairwise_f1(gold: list[str], labels: list[int]) -> tuple[float, float, float]:
    def pairs(counter: Counter[object]) -> int:
        return sum(v * (v - 1) // 2 for v in counter.values())

    both, system, truth = pairs(Counter(zip(gold, labels, strict=True))), pairs(Counter(labels)), pairs(Counter(gold))
    p = both / system if system else 0.0
    r = both / truth if truth else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def fit(x: np.ndarray, y: np.ndarray, c: float) -> PairModel:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    return PairModel(FEATURES, clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), 0.0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--c", type=float, default=C)
    args = parser.parse_args(argv)
    began = time.time()
    settings = Settings()
    params = GroupParams.from_settings(settings)
    ecb = args.data / "ecbplus"
    gold_story = {r["id"]: r["story"] for r in map(json.loads, (ecb / "gold_stories.jsonl").open(encoding="utf-8"))}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ecbplus.duckdb"
        ingest([ecb / "text"], db, settings)
        with Store(db, read_only=True) as store:
            articles = [a for a in store.articles() if a.id in gold_story]
    articles.sort(key=lambda a: arrival_order(a.id, a.published))
    index = StoryIndex(params, make_embedder(settings))
    feats = index._features(articles)
    df: Counter[str] = Counter()
    for f in feats:
        df.update(f.keys.keys())
    vecs = [key_vector(f.keys, df, len(feats), params.max_keys) for f in feats]
    embs = embed_leads(index.embedder, [f.lead for f in feats]) if index.embedder is not None else None
    rare = [block_keys(v, df, params) for v in vecs]
    i, j, x = pair_features(feats, vecs, embs, rare, params.window_days)
    gold = [gold_story[f.id] for f in feats]
    y = np.array([gold[a] == gold[b] for a, b in zip(i, j, strict=True)])
    topic = np.array([g.split("-")[0] for g in gold])
    topics = sorted(set(topic), key=lambda t: (len(t), t))
    print(f"{len(feats)} articles, {len(i)} pairs ({int(y.sum())} same story), {len(topics)} topics", flush=True)

    # Out-of-fold probabilities: a pair is scored by a model that saw neither of its topics.
    prob = np.zeros(len(i))
    for k in range(FOLDS):
        held = set(topics[k::FOLDS])
        out = np.isin(topic[i], list(held)) | np.isin(topic[j], list(held))
        prob[out] = fit(x[~out], y[~out], args.c).probability(x[out])
    scores = [(pairwise_f1(gold, weighted_clusters(len(feats), i, j, prob, t)), t) for t in THRESHOLDS]
    (f1, p, r), threshold = max(scores, key=lambda s: (s[0][0], -s[1]))
    model = fit(x, y, args.c)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "features": list(FEATURES),
        "weights": {name: round(float(w), 6) for name, w in zip(FEATURES, model.weights, strict=True)},
        "bias": round(model.bias, 6),
        "threshold": threshold,
        "trained_on": f"ECB+ {len(feats)} articles, {len(i)} pairs; cross-validated pairwise F1 {f1:.4f} "
                      f"(P {p:.3f}, R {r:.3f}) over {FOLDS} folds of topics",
    }, indent=1) + "\n", encoding="utf-8")
    near = ", ".join(f"{t:.2f}: {s[0]:.3f}" for s, t in scores if abs(t - threshold) <= 0.05 + 1e-9)
    print(f"threshold {threshold:.2f}: cross-validated pairwise F1 {f1:.4f} (P {p:.3f}, R {r:.3f}); near it {near}")
    print(f"weights {dict(zip(FEATURES, np.round(model.weights, 3), strict=True))}, bias {model.bias:.3f}")
    print(f"wrote {args.out} in {time.time() - began:.0f}s")


if __name__ == "__main__":
    main()
