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

from storydiff.claims.attribution import tagged_triples  # noqa: E402
from storydiff.claims.attribution_content import candidates, quotations  # noqa: E402
from storydiff.claims.attribution_doc import DocView  # noqa: E402
from storydiff.claims.attribution_features import doc_features, quote_states  # noqa: E402
from storydiff.claims.attribution_model import LEXICON_FILE, MODEL_DIR, MODEL_FILE, RANKER_FILE, load_model  # noqa: E402
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
RANKER_C = 1.0  # inverse L2 strength of the ranker's logistic regression (4-fold CV on the held-out articles)


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


def ranker_examples(model_dir: Path, held: list[tuple[Any, set[tuple[int, int]]]]) -> tuple[list[list[str]], list[int]]:
    """Features and labels (1: the candidate is a gold content) of every content candidate
    the tagger in ``model_dir`` leads to on the held-out documents."""
    load_model.cache_clear()
    model = load_model(str(model_dir))
    features: list[list[str]] = []
    labels: list[int] = []
    for doc, gold in held:
        view = DocView(doc)
        quotes = quote_states(view)
        owner = quotations(view, quotes)
        triples, marginals = tagged_triples(view, model)
        for source, cue, content in triples:
            if cue is None:
                continue
            for span, feats in candidates(view, cue, content, source, owner, quotes, marginals):
                features.append(feats)
                labels.append(int(trim(doc.text, span.start, span.end) in gold))
    load_model.cache_clear()
    return features, labels


def fit_ranker(features: list[list[str]], labels: list[int], c: float) -> dict[str, float]:
    """Logistic regression over binary features; the weights by feature name (bias included)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(f, 1) for f in features])
    clf = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    clf.fit(x, labels)
    names = vectorizer.get_feature_names_out()
    return {str(n): round(float(w), 4) for n, w in zip(names, clf.coef_[0], strict=True) if abs(w) >= 1e-4}


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
    nlp = load_nlp()
    if cache and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    else:
        texts = [(train_dir / "text" / f"{a}.txt").read_text(encoding="utf-8") for a in articles]
        docs = list(nlp.pipe(texts, batch_size=16))
        if cache:
            DocBin(docs=docs).to_disk(cache)
    by_article = dict(zip(articles, docs, strict=True))
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
    """Fit the content ranker on the held-out articles, tagged by a tagger that did not see them."""
    import tempfile

    began = time.time()
    with tempfile.TemporaryDirectory(prefix="attribution-ranker-") as tmp:
        tagger_dir = args.ranker_tagger
        if tagger_dir is None:
            tagger_dir = Path(tmp)
            train_tagger(load_items(args.train_dir, args.cache, RANKER_HOLDOUT), tagger_dir, dict(params))
        held: dict[int, tuple[Any, set[tuple[int, int]]]] = {}
        for doc, parts, ann in load_items(args.train_dir, args.cache, RANKER_HOLDOUT, keep_held=True):
            held.setdefault(id(doc), (doc, set()))[1].update(gold_contents(doc, parts, ann))
        features, labels = ranker_examples(tagger_dir, list(held.values()))
    weights = fit_ranker(features, labels, args.ranker_c)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / RANKER_FILE, "w", encoding="utf-8") as f:
        json.dump(dict(sorted(weights.items())), f, indent=0, ensure_ascii=False)
    print(f"content ranker: {len(labels)} candidates ({sum(labels)} gold) from {len(held)} articles, "
          f"{len(weights)} weights, {time.time() - began:.0f}s", flush=True)


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
