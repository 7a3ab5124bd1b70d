"""Web UI and JSON API over a store: ``create_app(db, settings, token)``, run by ``serve(...)``.

Imports FastAPI and uvicorn lazily (the ``serve`` extra), so importing this package stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .run import check_bind, is_loopback, serve

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..settings import Settings

__all__ = ["check_bind", "create_app", "is_loopback", "serve"]


def create_app(db: Path | str, settings: Settings | None = None, token: str | None = None,
               **options: Any) -> FastAPI:
    """The web app over the store at ``db``; see :func:`storydiff.serve.app.create_app`."""
    from .app import create_app as make

    return make(db, settings, token, **options)
