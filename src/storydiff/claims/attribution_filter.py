"""A last check on each assembled attribution: is it one at all?

The tagger marks many words as cues that the annotation does not count ("did
not unveil plans", "vied for"), and the content ranker has to pick a content
even for them. A logistic model, trained on the pipeline's own output on
training articles neither the tagger nor the ranker saw, scores each
attribution from how sure the tagger was of its cue and source, how cue-like
its cue's lemma is, how clearly the ranker preferred its content and what that
content is; attributions scoring below a threshold (chosen on training data for
content F1) are dropped. An empty weight table keeps everything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .attribution_assemble import TaggedSpan
from .attribution_features import cue_bin

# The key under which the weight table stores its threshold.
THRESHOLD_KEY = "__threshold__"


def _decile(p: float) -> int:
    return min(9, max(0, int(p * 10)))


def features(
    doc: Any,
    source: TaggedSpan | None,
    cue: TaggedSpan | None,
    content: TaggedSpan,
    content_features: Sequence[str],
    margin: float,
    p_cue: Sequence[float],
    p_source: Sequence[float],
    lexicon: dict[str, float],
    quotes: Sequence[int],
) -> list[str]:
    """Binary features of one attribution for the filter."""
    feats = ["bias"]
    if cue is None:
        feats.append("nocue")
    else:
        feats.append(f"margin={min(4, int(margin))}")
        feats += ["ck=" + f[2:] for f in content_features if f.startswith("k=") and "|" not in f]
        heads = [t for t in doc[cue.first : cue.last] if not cue.first <= t.head.i < cue.last or t.head.i == t.i]
        head = heads[0] if heads else doc[cue.last - 1]
        level = cue_bin(lexicon.get(head.lemma_.lower(), 0.0))
        mean = sum(p_cue[i] for i in range(cue.first, cue.last)) / (cue.last - cue.first)
        side = "L" if content.last <= cue.first else ("R" if content.first >= cue.last else "X")
        feats += [f"cb={level}", "cl=" + head.lemma_.lower(), f"pc={_decile(mean)}",
                  f"pcb={min(4, int(mean * 5))}|{level}", "ct=" + head.tag_, "cd=" + head.dep_,
                  f"clen={min(4, cue.last - cue.first)}", "side=" + side]
    if source is None:
        feats.append("nosrc")
    else:
        mean = sum(p_source[i] for i in range(source.first, source.last)) / (source.last - source.first)
        ents = sorted({doc[i].ent_type_ for i in range(source.first, source.last)} - {""})
        feats += [f"ps={_decile(mean)}", "se=" + ("|".join(ents) or "none"), "stag=" + doc[source.last - 1].tag_]
    feats.append(f"len={min(6, (content.last - content.first).bit_length())}")
    feats.append(f"cq={quotes[content.first]}{quotes[content.last - 1]}")
    return feats


def probability(feats: Sequence[str], weights: dict[str, float]) -> float:
    z = sum(weights.get(f, 0.0) for f in feats)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def keep(feats: Sequence[str], weights: dict[str, float]) -> bool:
    """False when the filter is trained and scores the attribution below its threshold."""
    if not weights:
        return True
    return probability(feats, weights) >= weights.get(THRESHOLD_KEY, 0.0)
