"""StoryDiffError and its subclasses.

Every message names the thing that went wrong (a file, a line, a setting) and,
where there is one, the fix. The CLI maps them to exit codes; the library
only raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StoryDiffError(Exception):
    """Base of every error storydiff raises on purpose."""

    exit_code = 1


class ConfigError(StoryDiffError):
    """A setting, option or settings file is wrong."""


class InputError(StoryDiffError):
    """An input file cannot be read as an article source."""

    def __init__(self, origin: str, problem: str) -> None:
        super().__init__(f"{origin}: {problem}")
        self.origin = origin
        self.problem = problem


class IdConflictError(StoryDiffError):
    """A different article arrives under an id the store already holds."""

    def __init__(self, article_id: str, stored_origin: str, new_origin: str) -> None:
        self.reason = (
            f"article id {article_id!r} is already stored with different text "
            f"(from {stored_origin}); rename one of them or give the record another id"
        )
        super().__init__(f"{new_origin}: {self.reason}")
        self.article_id = article_id
        self.stored_origin = stored_origin
        self.new_origin = new_origin


class StoreError(StoryDiffError):
    """The store cannot be opened, read or written."""


class NotFoundError(StoryDiffError):
    """A story, article or file asked for by id does not exist."""


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Writing an output: a full disk or a read-only folder becomes an error naming it."""
    try:
        yield
    except OSError as e:
        raise StoryDiffError(f"{path}: cannot write the output ({e.strerror or e})") from None
