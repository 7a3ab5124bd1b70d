"""Train the attribution tagger (source / cue / content) and write its artefact.

usage: python training/train_attribution.py [TRAIN_DIR] [--out DIR] [--cache FILE]

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

from storydiff.claims.attribution_features import doc_features  # noqa: E402
from storydiff.claims.attribution_model import LEXICON_FILE, MODEL_DIR, MODEL_FILE  # noqa: E402
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


def load_items(train_dir: Path, cache: Path | None) -> list[tuple[Any, list[tuple[str, int, int]]]]:
    """Parsed documents with the gold parts of each annotator's file."""
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
    return [(by_article[a.stem.rsplit("_", 1)[0]], read_parts(a)) for a in anns]


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("train_dir", nargs="?", type=Path,
                        default=ROOT.parent / "shared" / "data" / "polnear" / "data" / "train")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--holdout", type=int, default=0, help="leave out every Nth .ann file")
    parser.add_argument("--c1", type=float, default=CRF_PARAMS["c1"], help="L1 penalty")
    parser.add_argument("--c2", type=float, default=CRF_PARAMS["c2"], help="L2 penalty")
    parser.add_argument("--verbose", action="store_true", help="print CRFsuite's progress")
    parser.add_argument("--iterations", type=int, default=CRF_PARAMS["max_iterations"])
    args = parser.parse_args(argv)
    began = time.time()
    items = load_items(args.train_dir, args.cache)
    print(f"parsed {len(items)} items in {time.time() - began:.0f}s", flush=True)
    if args.holdout:
        # Every Nth document is kept out, to tune the post-processing on train only.
        items = [item for k, item in enumerate(items) if k % args.holdout != 0]
    tagged = [(doc, bio_tags(doc, parts)) for doc, parts in items]
    lexicon = learn_lexicon(tagged)
    print(f"cue lexicon: {len(lexicon)} lemmas", flush=True)
    trainer = pycrfsuite.Trainer(verbose=args.verbose)
    for doc, tags in tagged:
        trainer.append(doc_features(doc, lexicon), tags)
    print(f"features ready at {time.time() - began:.0f}s", flush=True)
    trainer.set_params({**CRF_PARAMS, "max_iterations": args.iterations, "c1": args.c1, "c2": args.c2})
    args.out.mkdir(parents=True, exist_ok=True)
    trainer.train(str(args.out / MODEL_FILE))
    with open(args.out / LEXICON_FILE, "w", encoding="utf-8") as f:
        json.dump(dict(sorted(lexicon.items())), f, indent=0, ensure_ascii=False)
    size = (args.out / MODEL_FILE).stat().st_size / 1e6
    print(f"trained in {time.time() - began:.0f}s; model {size:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
