"""Story grouping: which articles of a corpus tell the same story."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models import Article, Story
from .block import group_from_scratch
from .embed import embed, load_model
from .index import Embedder, GroupParams, StoryIndex

__all__ = ["GroupParams", "StoryIndex", "group_from_scratch", "group_stories", "make_embedder"]


def make_embedder(settings: Any) -> Embedder:
    """The embedding function the paraphrase tier uses (the model loads on first call)."""
    name = str(settings["group_embedding_model"])

    def run(texts: list[str]) -> Any:
        return embed(load_model(name), texts)

    return run


def group_stories(articles: Sequence[Article], settings: Any = None) -> list[Story]:
    """Group ``articles`` into stories from scratch; every article lands in exactly one.

    The same blocks and rules as ``storydiff spark-stories`` (see ``block``), so both give the same stories.
    """
    from ..settings import Settings

    settings = settings or Settings()
    return group_from_scratch(articles, GroupParams.from_settings(settings), make_embedder(settings)).result()
