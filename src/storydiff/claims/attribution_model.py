"""The trained attribution tagger: where its files live and how they are loaded.

The artefact is a CRFsuite model (``tagger.crfsuite``) and the cue lexicon it
was trained with (``cue_lexicon.json``), the weights of the content ranker
(``content_ranker.json``, see :mod:`.attribution_content`) and of the
attribution filter (``attribution_filter.json``, see :mod:`.attribution_filter`),
all written by ``training/train_attribution.py`` and shipped inside the package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycrfsuite

from ..errors import ConfigError

MODEL_DIR = Path(__file__).resolve().parent / "models" / "attribution"
MODEL_FILE = "tagger.crfsuite"
LEXICON_FILE = "cue_lexicon.json"
RANKER_FILE = "content_ranker.json"
FILTER_FILE = "attribution_filter.json"


@dataclass(frozen=True, slots=True)
class AttributionModel:
    tagger: Any  # pycrfsuite.Tagger
    lexicon: dict[str, float]
    ranker: dict[str, float]  # feature -> weight; empty: keep the tagger's contents
    filter: dict[str, float] = field(default_factory=dict)  # feature -> weight; empty: keep all

    def tag(self, features: list[list[str]]) -> list[str]:
        return list(self.tagger.tag(features))

    def tag_with_marginals(self, features: list[list[str]]) -> tuple[list[str], list[float], list[float]]:
        """The tags, and per token the probability of being in a content and of starting one."""
        tags = list(self.tagger.tag(features))
        marginal = self.tagger.marginal
        begin = [marginal("B-CON", i) for i in range(len(tags))]
        inside = [b + marginal("I-CON", i) for i, b in enumerate(begin)]
        return tags, inside, begin

    def role_marginals(self, tags: list[str]) -> tuple[list[float], list[float]]:
        """Per token, the probability of its cue or source tag where it has one (else 0);
        valid right after :meth:`tag_with_marginals` on the same sequence."""
        marginal = self.tagger.marginal
        p_cue = [0.0] * len(tags)
        p_source = [0.0] * len(tags)
        for i, tag in enumerate(tags):
            if tag.endswith("CUE"):
                p_cue[i] = marginal("B-CUE", i) + marginal("I-CUE", i)
            elif tag.endswith("SRC"):
                p_source[i] = marginal("B-SRC", i) + marginal("I-SRC", i)
        return p_cue, p_source


@lru_cache(maxsize=2)
def load_model(path: str | None = None) -> AttributionModel:
    """Load (once per process) the tagger from ``path`` or the packaged folder."""
    folder = Path(path) if path else MODEL_DIR
    model_path, lexicon_path = folder / MODEL_FILE, folder / LEXICON_FILE
    if not model_path.is_file() or not lexicon_path.is_file():
        raise ConfigError(
            f"attribution model not found in {folder}; run training/train_attribution.py to build it"
        )
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    with open(lexicon_path, encoding="utf-8") as f:
        lexicon = {str(k): float(v) for k, v in json.load(f).items()}
    ranker, filter_ = _weights(folder / RANKER_FILE), _weights(folder / FILTER_FILE)
    return AttributionModel(tagger, lexicon, ranker, filter_)


def _weights(path: Path) -> dict[str, float]:
    """A feature -> weight table, or {} when the file is absent."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        return {str(k): float(v) for k, v in json.load(f).items()}
