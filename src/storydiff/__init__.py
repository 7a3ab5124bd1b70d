"""storydiff: show how different news reports tell the same story."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from .errors import StoryDiffError  # noqa: E402
from .ingest import load_articles  # noqa: E402
from .models import Article, Claim, Comparison, Discrepancy, Entity, Passage, Skipped, Story  # noqa: E402
from .pipeline import IngestReport, ingest  # noqa: E402
from .settings import SETTINGS, Settings  # noqa: E402
from .store import Store  # noqa: E402

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
