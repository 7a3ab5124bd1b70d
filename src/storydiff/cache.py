"""The user's cache folder: what storydiff builds once per machine and reuses."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The user's cache folder for storydiff (``$XDG_CACHE_HOME/storydiff`` or ``~/.cache/storydiff``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storydiff"
