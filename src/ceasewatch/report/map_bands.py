"""Layers measured from a line: band zones and withdrawal outlines, from shared reaches."""

from __future__ import annotations

from collections import defaultdict

import shapely
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.derive import band_polygon
from ceasewatch.agreement.types import Agreement, Line, Zone
from ceasewatch.model.geo import LocalProjection
from ceasewatch.report.map_model import Kind, Layer, caps_note

FIRST_STEP_M = 2000.0
"""Reaches from a line are grown from this one, never buffered from the line afresh."""


class Reach:
    """The points within a distance of a line, for every distance a map needs.

    Each reach is grown from the next smaller one with :func:`derive.band_polygon`: buffering the
    smooth outline of a smaller reach is an order of magnitude faster than buffering a long,
    wiggly line afresh, and (up to the arcs' chords) the same set.
    """

    def __init__(self, line: BaseGeometry, projection: LocalProjection) -> None:
        self.projection = projection
        self._grown: dict[float, BaseGeometry] = {0.0: line}  # distance_m -> lon/lat geometry

    def to_xy(self, geometry: BaseGeometry) -> BaseGeometry:
        return self.projection.geometry_to_xy(geometry)

    def within(self, distance_m: float) -> BaseGeometry:
        """Every point within ``distance_m`` of the line (lon/lat polygon)."""
        if distance_m not in self._grown:
            if distance_m > FIRST_STEP_M and not any(0 < d < distance_m for d in self._grown):
                self.within(FIRST_STEP_M)
            start = max(d for d in self._grown if d < distance_m)
            self._grown[distance_m] = band_polygon(
                self._grown[start], 0.0, distance_m - start, None, self.projection
            )
        return self._grown[distance_m]

    def band(self, from_m: float, to_m: float, clip: BaseGeometry | None) -> BaseGeometry:
        """Like derive.band_polygon(line, from_m, to_m, clip), from the shared reaches."""
        to_xy = self.to_xy
        band = to_xy(self.within(to_m))
        if from_m > 0:
            band = band.difference(to_xy(self.within(from_m)))
        if clip is not None:
            band = band.intersection(to_xy(clip))
        return self.projection.geometry_to_lonlat(band)

    def outline(self, distance_m: float, area: BaseGeometry) -> BaseGeometry:
        """The points of ``area`` exactly ``distance_m`` from the line (a band's outer edge)."""
        to_xy = self.to_xy
        edge = to_xy(self.within(distance_m)).boundary.intersection(to_xy(area))
        lines = [g for g in getattr(edge, "geoms", [edge]) if g.geom_type.endswith("LineString")]
        return self.projection.geometry_to_lonlat(
            shapely.line_merge(
                MultiLineString([part for g in lines for part in getattr(g, "geoms", [g])])
            )
        )


def _band_clip(agreement: Agreement, zone_side: str | None, line: Line) -> BaseGeometry | None:
    """One-sided bands stay in their party's area; two-sided ones in the two parties' areas."""
    sides = line.between if zone_side is None else (zone_side,)
    present = [a for a in (agreement.party(s).area for s in sides) if a is not None]
    return shapely.union_all(present) if present else None


def band_zone_layers(agreement: Agreement, reaches: dict[str, Reach]) -> list[Layer]:
    """Bands on both sides are ranked widest first; one side's bands nearest the line first
    and take that party's colour, so a reader sees whose limitation area it is."""
    zones = [z for z in agreement.zones if z.band is not None and z.derived_from != "withdrawal"]
    parties = [p.id for p in agreement.parties]
    ranks: dict[str | None, int] = defaultdict(int)
    layers = []
    for zone in sorted(zones, key=_band_order):
        band = zone.band
        assert band is not None
        clip = _band_clip(agreement, band.side, agreement.line(band.line))
        caps = f"; {caps_note(zone, 4)}" if zone.caps else ""
        layers.append(
            Layer(
                Kind.BAND_ZONE,
                f"zone/{zone.id}",
                reaches[band.line].band(band.from_m, band.to_m, clip),
                legend=zone.name + caps,
                rank=ranks[band.side],
                width_m=(band.to_m - band.from_m) * (2 if band.side is None else 1),
                party_rank=parties.index(band.side) if band.side is not None else -1,
            )
        )
        ranks[band.side] += 1
    return layers


def _band_order(zone: Zone) -> tuple[int, float]:
    assert zone.band is not None
    if zone.band.side is None:
        return (0, -(zone.band.to_m - zone.band.from_m))
    return (1, zone.band.from_m)


def withdrawal_layers(agreement: Agreement, reaches: dict[str, Reach]) -> list[Layer]:
    """One outline per distance and side, where that side's classes must stay beyond it; the
    legend names the classes once per distance (both sides together when they agree)."""
    table = agreement.withdrawal
    if table is None:
        return []
    line = agreement.line(table.line)
    names = {w.id: _lower_first(w.name) for w in agreement.weapon_classes}
    classes: dict[tuple[float, str], list[str]] = defaultdict(list)
    for weapon, side, distance_m in table.distances_m:
        classes[(distance_m, side)].append(names.get(weapon, weapon))
    distances = sorted({d for d, _ in classes})
    sides_with: dict[tuple[float, tuple[str, ...]], list[str]] = defaultdict(list)
    for (distance_m, party_id), weapons in classes.items():
        sides_with[(distance_m, tuple(weapons))].append(party_id)
    layers, described = [], set()
    for (distance_m, party), weapons in sorted(classes.items(), key=lambda kv: kv[0]):
        area = agreement.party(party).area
        if area is None:
            continue
        group = (distance_m, tuple(weapons))
        legend = ""
        if group not in described:
            described.add(group)
            sides = sides_with[group]
            where = "each side" if set(line.between) <= set(sides) else f"{'/'.join(sides)} side"
            legend = f"Withdrawal {distance_m / 1000:g} km, {where}: {', '.join(weapons)}"
        layers.append(
            Layer(
                Kind.WITHDRAWAL,
                f"withdrawal/{party}/{distance_m:g}",
                reaches[line.id].outline(distance_m, area),
                label=f"{distance_m / 1000:g} km",
                legend=legend,
                rank=distances.index(distance_m),
                side=1 if party == line.between[1] else -1,
                line=line.id,
                width_m=distance_m,
            )
        )
    return layers


def _lower_first(name: str) -> str:
    """'Tanks' → 'tanks', but 'MLRS' and 'T-72' stay as written."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name
