"""Reports: terminal (rich), JSON, and (with the compare stage) self-contained HTML."""

from .terminal import render_claims

__all__ = ["render_claims"]
