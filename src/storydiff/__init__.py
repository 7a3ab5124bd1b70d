"""storydiff: show how different news reports tell the same story."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from .errors import StoryDiffError  # noqa: E402
from .models import Article, Claim, Comparison, Discrepancy, Entity, Passage, Skipped, Story  # noqa: E402
from .settings import SETTINGS, Settings  # noqa: E402

if TYPE_CHECKING:
    from .ingest import load_articles
    from .pipeline import IngestReport, ingest
    from .store import Store

# The store (DuckDB) and the readers load on first use: `storydiff compare` on two
# files needs neither, and their imports are a tenth of its time.
_LAZY = {
    "load_articles": ".ingest",
    "IngestReport": ".pipeline",
    "ingest": ".pipeline",
    "Store": ".store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "SETTINGS",
    "Article",
    "Claim",
    "Comparison",
    "Discrepancy",
    "Entity",
    "IngestReport",
    "Passage",
    "Settings",
    "Skipped",
    "Store",
    "Story",
    "StoryDiffError",
    "__version__",
    "ingest",
    "load_articles",
]
