"""The discrepancy finders, one module per kind (or family of kinds).

Each exposes ``find(ctx) -> list[Discrepancy]`` over a :class:`~storydiff.compare.context.Context`.
"""

from __future__ import annotations

from collections.abc import Callable

from ...models import Discrepancy
from ..context import Context
from . import attribution, framing, hedges, internal, names, only_in, roles, swaps, values

FINDERS: tuple[Callable[[Context], list[Discrepancy]], ...] = (
    swaps.find,  # first: where a diff shows the change, its evidence is the most precise
    roles.find,
    attribution.find,
    values.find,
    hedges.find,
    internal.find,
    framing.find,
    names.find,
    only_in.find,
)
