"""The vocabulary of agreement maps: what kinds of layer there are and what a layer holds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.types import Zone


class Kind(StrEnum):
    """What a layer is; the renderer styles by kind (and by ``rank`` within a kind)."""

    PARTY = "party"
    AREA_ZONE = "area_zone"
    BAND_ZONE = "band_zone"
    SECTOR = "sector"
    WITHDRAWAL = "withdrawal"
    HUB_RING = "hub_ring"
    LINE = "line"
    SITE_RADIUS = "site_radius"
    SITE = "site"
    HUB = "hub"


@dataclass(frozen=True)
class Layer:
    """One drawn element: geometry in lon/lat, its on-map label and its legend text."""

    kind: Kind
    key: str  # stable id, e.g. "party/UA", "withdrawal/UA/15000", "zone/security-zone"
    geometry: BaseGeometry
    label: str = ""  # written on the map next to the element ("" = none)
    legend: str = ""  # legend entry for its symbol ("" = covered by another layer's entry)
    rank: int = 0  # index within its kind: picks a colour or dash pattern
    side: int = 0  # for withdrawal outlines: +1 left of the line, -1 right
    line: str = ""  # for withdrawal outlines: the line measured from
    width_m: float = 0.0  # for bands: how wide (both sides together); outlines: the distance
    party_rank: int = -1  # for one-sided bands: index of the party whose side it is


def caps_note(zone: Zone, limit: int = 3, per_line: int = 0) -> str:
    """'caps: tank 230, apc 480, …' — the first ``limit`` force caps of a zone, broken after
    every ``per_line`` caps if given."""
    items = [f"{name} {count:,}" for name, count in zone.caps[:limit]]
    step = per_line or len(items) or 1
    rows = [", ".join(items[i : i + step]) for i in range(0, len(items), step)]
    more = ", …" if len(zone.caps) > limit else ""
    return "caps: " + ",\n".join(rows) + more
