"""The discrepancy finders, one module per kind (or family of kinds).

Each exposes ``find(ctx) -> list[Discrepancy]`` over a :class:`~storydiff.compare.context.Context`.
"""

from __future__ import annotations

from collections.abc import Callable

from ...models import Discrepancy
from ..context import Context
from . import attribution, framing, hedges, internal, names, only_in, roles, values

FINDERS: tuple[Callable[[Context], list[Discrepancy]], ...] = (
    roles.find,
    attribution.find,
    values.find,
    hedges.find,
    internal.find,
    framing.find,
    names.find,
    only_in.find,
)
