"""Normalisation shared by every stage: dates, text, language."""

from dataclasses import replace

from ..models import Article
from ..settings import Settings
from .dates import to_iso
from .lang import detect_language
from .text import normalize_newlines

__all__ = ["detect_language", "normalize_article", "normalize_newlines", "to_iso"]


def normalize_article(article: Article, settings: Settings) -> Article:
    """Fill in what later stages need and the source did not give (the language)."""
    if article.lang is None and settings["detect_language"]:
        return replace(article, lang=detect_language(article.text))
    return article
