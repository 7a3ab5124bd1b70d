"""Discrepancy kinds as reports present them: one order, labels and one-line meanings (SPEC §2)."""

from __future__ import annotations

from ..models import KIND_ORDER

KIND_LABELS: dict[str, str] = {
    "role_conflict": "Role conflict",
    "attribution_conflict": "Attribution conflict",
    "date_conflict": "Date conflict",
    "number_conflict": "Number conflict",
    "place_conflict": "Place conflict",
    "hedge_dropped": "Hedge dropped",
    "internal_contradiction": "Internal contradiction",
    "framing": "Framing",
    "name_variant": "Name variant",
    "only_in": "Only in some versions",
}

KIND_MEANINGS: dict[str, str] = {
    "role_conflict": "The same speaker is given different roles or affiliations.",
    "attribution_conflict": "The same content is attributed to different speakers, or to a named speaker "
    "in one version and to unverified sources in another.",
    "date_conflict": "The same event is given a different date.",
    "number_conflict": "The same fact is given a different count or number.",
    "place_conflict": "The same event is placed somewhere else.",
    "hedge_dropped": "A claim hedged in one version is stated as fact in another.",
    "internal_contradiction": "A document contradicts itself.",
    "framing": "The same entity is named with loaded, differing labels.",
    "name_variant": "One entity is spelled differently across versions (informational).",
    "only_in": "A claim only some versions carry (an addition or an omission).",
}


_RANK: dict[str, int] = {k: n for n, k in enumerate(KIND_ORDER)}


def kind_rank(kind: str) -> int:
    """Position in KIND_ORDER; an unknown kind sorts last rather than failing the report."""
    return _RANK.get(kind, len(KIND_ORDER))


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())
