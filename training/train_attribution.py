"""Train the attribution tagger (source / cue / content) and write its artefact.

usage: python training/train_attribution.py [TRAIN_DIR] [--out DIR] [--cache FILE] [--only tagger|ranker]

TRAIN_DIR holds text/<article>.txt and attributions/<article>_<annotator>.ann
(brat; default ../shared/data/polnear/data/train from the repo root). Each
.ann file is one training sequence. The artefact (a CRFsuite model and the cue
lexicon) goes to src/storydiff/claims/models/attribution/ unless --out says.
--cache keeps the parsed documents (spaCy DocBin) between runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from bisect import bisect_right
from collections import Counter
from pathlib import Path
from typing import Any

import pycrfsuite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storydiff.claims.attribution import scored_triples, tagged_triples  # noqa: E402
from storydiff.claims.attribution_content import candidates, quotations  # noqa: E402
from storydiff.claims.attribution_doc import DocView  # noqa: E402
from storydiff.claims.attribution_features import doc_features, quote_states  # noqa: E402
from storydiff.claims.attribution_filter import THRESHOLD_KEY, probability  # noqa: E402
from storydiff.claims.attribution_model import (  # noqa: E402
    FILTER_FILE,
    LEXICON_FILE,
    MODEL_DIR,
    MODEL_FILE,
    RANKER_FILE,
    AttributionModel,
    load_model,
)
from storydiff.claims.nlp import load_nlp  # noqa: E402

T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
E_LINE = re.compile(r"^(E\d+)\t(.*)$")
ROLES = {"source": "SRC", "cue": "CUE", "content": "CON"}
# Lower wins when parts overlap: a source or cue inside a content envelope keeps its own tag.
PRIORITY = {"CUE": 0, "SRC": 1, "CON": 2}

# CRFsuite settings: L1 keeps the model small, L2 keeps it smooth; c2 was raised from
# 0.01 to 0.1 after comparing both on a train holdout (--holdout 10).
CRF_PARAMS = {
    "c1": 0.05,
    "c2": 0.1,
    "max_iterations": 150,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}
MIN_LEMMA_COUNT = 3
# The content ranker learns from the tagger's output on articles it was not trained on:
# a tagger trained without every RANKER_HOLDOUT-th article tags those articles.
RANKER_HOLDOUT = 5
RANKER_C = 1.0  # inverse L2 strength of the listwise ranker (4-fold CV on the held-out articles)
FILTER_C = 1.0  # inverse L2 strength of the attribution filter's logistic regression


def read_parts(ann_path: Path) -> list[tuple[str, int, int]]:
    """(tag, start, end) of each part of each span named in an attribution relation."""
    spans: dict[str, list[tuple[int, int]]] = {}
    parts: list[tuple[str, int, int]] = []
    with open(ann_path, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines:
        if m := T_LINE.match(line):
            offsets = [int(x) for x in re.split("[ ;]", m.group(3))]
            spans[m.group(1)] = list(zip(offsets[0::2], offsets[1::2], strict=True))
    for line in lines:
        if m := E_LINE.match(line):
            for argument in m.group(2).split()[1:]:
                name, _, span_id = argument.partition(":")
                role = ROLES.get(name.rstrip("0123456789").lower())
                if role and span_id in spans:
                    parts.extend((role, s, e) for s, e in spans[span_id])
    return parts


def bio_tags(doc: Any, parts: list[tuple[str, int, int]]) -> list[str]:
    """One BIO tag per token: a token takes the tag of the part it overlaps."""
    tags = ["O"] * len(doc)
    owner = [-1] * len(doc)
    rank = [9] * len(doc)
    ends = [t.idx + len(t.text) for t in doc]
    for k, (role, start, end) in enumerate(sorted(parts, key=lambda p: PRIORITY[p[0]])):
        i = bisect_right(ends, start)  # first token ending after the part starts
        while i < len(doc) and doc[i].idx < end:
            if PRIORITY[role] < rank[i] and not doc[i].is_space:
                tags[i], owner[i], rank[i] = role, k, PRIORITY[role]
            i += 1
    out = []
    for i, tag in enumerate(tags):
        if tag == "O":
            out.append("O")
        else:
            out.append(("I-" if i > 0 and owner[i - 1] == owner[i] else "B-") + tag)
    # Whitespace between two tokens of one part belongs to the part.
    for i in range(1, len(doc) - 1):
        if doc[i].is_space and owner[i - 1] >= 0 and owner[i - 1] == owner[i + 1]:
            out[i] = "I-" + tags[i - 1]
            if out[i + 1].startswith("B-"):
                out[i + 1] = "I-" + tags[i + 1]
    return out


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The evaluation's trimming: whitespace, then punctuation, unless that leaves nothing."""
    import unicodedata

    def strip(s: int, e: int, drop: Any) -> tuple[int, int]:
        while s < e and drop(text[s]):
            s += 1
        while e > s and drop(text[e - 1]):
            e -= 1
        return s, e

    s, e = strip(start, end, str.isspace)
    if s == e:
        return start, end
    s2, e2 = strip(s, e, lambda ch: ch.isspace() or unicodedata.category(ch).startswith("P"))
    return (s2, e2) if s2 < e2 else (s, e)


def gold_contents(doc: Any, parts: list[tuple[str, int, int]], ann_path: Path) -> set[tuple[int, int]]:
    """Trimmed envelopes of each relation's content, as the evaluation compares them."""
    del parts
    spans: dict[str, tuple[int, int]] = {}
    out: set[tuple[int, int]] = set()
    with open(ann_path, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines:
        if m := T_LINE.match(line):
            offsets = [int(x) for x in re.split("[ ;]", m.group(3))]
            spans[m.group(1)] = (min(offsets[0::2]), max(offsets[1::2]))
    for line in lines:
        if m := E_LINE.match(line):
            found = [spans[i] for a in m.group(2).split()[1:] if (i := a.partition(":")[2]) in spans
                     and a.partition(":")[0].rstrip("0123456789").lower() == "content"]
            if found:
                out.add(trim(doc.text, min(s for s, _ in found), max(e for _, e in found)))
    return out


Held = list[tuple[Any, set[tuple[int, int]], list[set[tuple[int, int]]]]]  # doc, union of golds, per annotator


def ranker_groups(model: AttributionModel, held: Held) -> list[list[tuple[list[str], int]]]:
    """Per cue the tagger finds on the held-out documents: each content candidate's features
    and label (1: it is a gold content)."""
    groups: list[list[tuple[list[str], int]]] = []
    for doc, gold, _ in held:
        view = DocView(doc)
        quotes = quote_states(view)
        owner = quotations(view, quotes)
        triples, marginals = tagged_triples(view, model)
        for source, cue, content in triples:
            if cue is None:
                continue
            groups.append([(feats, int(trim(doc.text, span.start, span.end) in gold))
                           for span, feats in candidates(view, cue, content, source, owner, quotes, marginals)])
    return groups


def fit_ranker(groups: list[list[tuple[list[str], int]]], l2: float) -> dict[str, float]:
    """A linear ranker trained listwise: for each cue, the softmax over its candidates should put
    its mass on the gold ones (conditional logit, L2 penalty ``1/l2``); weights by feature name."""
    import numpy as np
    from scipy.optimize import minimize
    from sklearn.feature_extraction import DictVectorizer

    groups = [g for g in groups if any(label for _, label in g)]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(f, 1) for g in groups for f, _ in g]).tocsr()
    y = np.array([label for g in groups for _, label in g], dtype=float)
    gid = np.repeat(np.arange(len(groups)), [len(g) for g in groups])

    def loss(w: Any) -> tuple[float, Any]:
        s = x @ w
        top = np.full(len(groups), -np.inf)
        np.maximum.at(top, gid, s)
        e = np.exp(s - top[gid])
        z_all = np.bincount(gid, weights=e, minlength=len(groups))
        z_gold = np.bincount(gid, weights=e * y, minlength=len(groups))
        value = -(np.log(z_gold) - np.log(z_all)).sum() + 0.5 / l2 * (w @ w)
        grad = x.T @ (e / z_all[gid] - e * y / z_gold[gid]) + w / l2
        return float(value), grad

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    names = vectorizer.get_feature_names_out()
    return {str(n): round(float(w), 4) for n, w in zip(names, result.x, strict=True) if abs(w) >= 1e-4}


def fit_logistic(features: list[list[str]], labels: list[int], c: float) -> dict[str, float]:
    """Logistic regression over binary features; the weights by feature name (bias included)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(f, 1) for f in features])
    clf = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    clf.fit(x, labels)
    names = vectorizer.get_feature_names_out()
    return {str(n): round(float(w), 4) for n, w in zip(names, clf.coef_[0], strict=True) if abs(w) >= 1e-4}


def filter_examples(model: AttributionModel, held: Held) -> list[tuple[list[list[str]], list[tuple[int, int]]]]:
    """Per held-out document: the filter features and trimmed content of each attribution."""
    out = []
    for doc, _, _ in held:
        found = scored_triples(DocView(doc), model)
        out.append(([feats for *_, feats in found],
                    [trim(doc.text, content.start, content.end) for _, _, content, _ in found]))
    return out


def best_threshold(held: Held, examples: list[tuple[list[list[str]], list[tuple[int, int]]]],
                   probabilities: list[list[float]]) -> tuple[float, float]:
    """The threshold that maximises content F1 (exact, per annotator file, as the evaluation
    counts it) on the held-out documents, and that F1."""
    best = (0.0, -1.0)
    for threshold in [t / 100 for t in range(0, 60, 2)]:
        gold_n = system_n = matched = 0
        for (_, _, per_annotator), (_, contents), probs in zip(held, examples, probabilities, strict=True):
            kept = {c for c, p in zip(contents, probs, strict=True) if p >= threshold}
            for gold in per_annotator:
                gold_n += len(gold)
                system_n += len(kept)
                matched += len(kept & gold)
        f1 = 2 * matched / (gold_n + system_n) if gold_n + system_n else 0.0
        if f1 > best[1] + 1e-9:
            best = (threshold, f1)
    return best


_PARSED: dict[str, list[Any]] = {}


def load_items(
    train_dir: Path, cache: Path | None, holdout: int = 0, keep_held: bool = False
) -> list[tuple[Any, list[tuple[str, int, int]], Path]]:
    """Parsed documents with the gold parts of each annotator's file.

    ``holdout`` N > 0 leaves out every Nth article (by sorted name), with all its annotators' files;
    with ``keep_held``, only those are returned.
    """
    from spacy.tokens import DocBin

    anns = sorted((train_dir / "attributions").glob("*.ann"))
    articles = sorted({a.stem.rsplit("_", 1)[0] for a in anns})
    key = str(train_dir.resolve())
    if key not in _PARSED:  # one parse per run: the ranker and the tagger read the same documents
        nlp = load_nlp()
        if cache and cache.exists():
            docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        else:
            texts = [(train_dir / "text" / f"{a}.txt").read_text(encoding="utf-8") for a in articles]
            docs = list(nlp.pipe(texts, batch_size=16))
            if cache:
                DocBin(docs=docs).to_disk(cache)
        _PARSED[key] = docs
    by_article = dict(zip(articles, _PARSED[key], strict=True))
    kept = {a for k, a in enumerate(articles) if not holdout or (k % holdout == 0) == keep_held}
    return [(by_article[name], read_parts(a), a) for a in anns if (name := a.stem.rsplit("_", 1)[0]) in kept]


def learn_lexicon(items: list[tuple[Any, list[str]]]) -> dict[str, float]:
    """P(token is part of a cue | lemma), smoothed, for lemmas seen often enough."""
    total: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    for doc, tags in items:
        for token, tag in zip(doc, tags, strict=True):
            lemma = token.lemma_.lower()
            total[lemma] += 1
            if tag.endswith("CUE"):
                cue[lemma] += 1
    return {
        lemma: round(cue[lemma] / (total[lemma] + 2), 4)
        for lemma in cue
        if total[lemma] >= MIN_LEMMA_COUNT and cue[lemma] / (total[lemma] + 2) >= 0.02
    }


def train_tagger(items: list[tuple[Any, list[tuple[str, int, int]], Path]], out: Path, params: dict[str, Any]) -> None:
    """Learn the cue lexicon and the CRF from ``items`` and write both to ``out``."""
    began = time.time()
    tagged = [(doc, bio_tags(doc, parts)) for doc, parts, _ in items]
    lexicon = learn_lexicon(tagged)
    print(f"cue lexicon: {len(lexicon)} lemmas", flush=True)
    trainer = pycrfsuite.Trainer(verbose=params.pop("verbose", False))
    for doc, tags in tagged:
        trainer.append(doc_features(doc, lexicon), tags)
    print(f"features ready at {time.time() - began:.0f}s", flush=True)
    trainer.set_params(params)
    out.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out / MODEL_FILE))
    with open(out / LEXICON_FILE, "w", encoding="utf-8") as f:
        json.dump(dict(sorted(lexicon.items())), f, indent=0, ensure_ascii=False)
    size = (out / MODEL_FILE).stat().st_size / 1e6
    print(f"tagger trained in {time.time() - began:.0f}s; {size:.1f} MB in {out}", flush=True)


def train_ranker(args: argparse.Namespace, params: dict[str, Any]) -> None:
    """Fit the content ranker and the attribution filter on the held-out articles (every
    RANKER_HOLDOUT-th), tagged by a tagger that did not see them.

    The filter learns from the ranker's choices on articles the ranker was not fitted on
    either: the held-out articles are split in two, a ranker fitted on each half labels the
    other, and the threshold is the one that maximises content F1 on out-of-fold scores.
    """
    import tempfile

    began = time.time()
    with tempfile.TemporaryDirectory(prefix="attribution-ranker-") as tmp:
        tagger_dir = args.ranker_tagger
        if tagger_dir is None:
            tagger_dir = Path(tmp)
            train_tagger(load_items(args.train_dir, args.cache, RANKER_HOLDOUT), tagger_dir, dict(params))
        load_model.cache_clear()
        tagger = load_model(str(tagger_dir))
        load_model.cache_clear()
        by_doc: dict[int, tuple[Any, set[tuple[int, int]], list[set[tuple[int, int]]]]] = {}
        for doc, parts, ann in load_items(args.train_dir, args.cache, RANKER_HOLDOUT, keep_held=True):
            contents = gold_contents(doc, parts, ann)
            entry = by_doc.setdefault(id(doc), (doc, set(), []))
            entry[1].update(contents)
            entry[2].append(contents)
        held = list(by_doc.values())
        halves = [held[0::2], held[1::2]]
        groups = [ranker_groups(tagger, half) for half in halves]
        weights = fit_ranker(groups[0] + groups[1], args.ranker_c)
        # Out-of-fold attributions for the filter: each half ranked by a ranker fitted on the other.
        examples = []
        for k in (0, 1):
            ranker = fit_ranker(groups[1 - k], args.ranker_c)
            examples.append(filter_examples(AttributionModel(tagger.tagger, tagger.lexicon, ranker), halves[k]))
    # Label: the attribution's content is a gold content of its article (any annotator).
    per_half = [[(f, int(c in doc[1])) for doc, (feats, contents) in zip(halves[k], examples[k], strict=True)
                 for f, c in zip(feats, contents, strict=True)] for k in (0, 1)]
    # Out-of-fold filter probabilities for the threshold, then the filter fitted on everything.
    probabilities: list[list[float]] = []
    for k in (0, 1):
        other = fit_logistic([f for f, _ in per_half[1 - k]], [y for _, y in per_half[1 - k]], FILTER_C)
        probabilities += [[probability(f, other) for f in feats] for feats, _ in examples[k]]
    threshold, f1 = best_threshold(halves[0] + halves[1], examples[0] + examples[1], probabilities)
    everything = per_half[0] + per_half[1]
    filter_weights = fit_logistic([f for f, _ in everything], [y for _, y in everything], FILTER_C)
    filter_weights[THRESHOLD_KEY] = threshold
    args.out.mkdir(parents=True, exist_ok=True)
    for name, table in ((RANKER_FILE, weights), (FILTER_FILE, filter_weights)):
        with open(args.out / name, "w", encoding="utf-8") as f:
            json.dump(dict(sorted(table.items())), f, indent=0, ensure_ascii=False)
    print(f"content ranker: {sum(len(g) for g in groups[0] + groups[1])} candidates of "
          f"{len(groups[0]) + len(groups[1])} cues from {len(held)} articles, {len(weights)} weights; "
          f"filter: {len(everything)} attributions, threshold {threshold:.2f} "
          f"(held-out content F1 {100 * f1:.1f}); {time.time() - began:.0f}s", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("train_dir", nargs="?", type=Path,
                        default=ROOT.parent / "shared" / "data" / "polnear" / "data" / "train")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--holdout", type=int, default=0,
                        help="leave out every Nth article (all its .ann files) from the tagger")
    parser.add_argument("--c1", type=float, default=CRF_PARAMS["c1"], help="L1 penalty")
    parser.add_argument("--c2", type=float, default=CRF_PARAMS["c2"], help="L2 penalty")
    parser.add_argument("--verbose", action="store_true", help="print CRFsuite's progress")
    parser.add_argument("--iterations", type=int, default=CRF_PARAMS["max_iterations"])
    parser.add_argument("--ranker-c", type=float, default=RANKER_C, help="the ranker's inverse L2 strength")
    parser.add_argument("--ranker-tagger", type=Path, default=None,
                        help=f"a tagger already trained without every {RANKER_HOLDOUT}th article, for the ranker")
    parser.add_argument("--only", choices=("tagger", "ranker"), default=None, help="train only one part")
    args = parser.parse_args(argv)
    began = time.time()
    params = {**CRF_PARAMS, "max_iterations": args.iterations, "c1": args.c1, "c2": args.c2,
              "verbose": args.verbose}
    if args.only != "tagger":
        train_ranker(args, params)
    if args.only != "ranker":
        # With --holdout, every Nth article is kept out, to tune the post-processing on train only.
        items = load_items(args.train_dir, args.cache, args.holdout)
        print(f"parsed {len(items)} items in {time.time() - began:.0f}s", flush=True)
        train_tagger(items, args.out, dict(params))
    print(f"trained in {time.time() - began:.0f}s")


if __name__ == "__main__":
    main()
