"""Reports: terminal (rich), JSON, and self-contained HTML."""

from .html import render_html
from .terminal import render_claims, render_comparison

__all__ = ["render_claims", "render_comparison", "render_html"]
