"""Normalisation shared by every stage: dates, text, language."""

from .dates import to_iso
from .lang import detect_language
from .text import normalize_newlines

__all__ = ["detect_language", "normalize_newlines", "to_iso"]
