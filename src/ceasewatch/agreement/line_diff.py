"""Change detection between two control maps: which ground changed hands, how much, and where.

Two maps of the occupied area (lon/lat polygons, the occupier's side) are compared in a local
conformal projection (``LocalProjection``, scale error below 0.1 % over Ukraine). ``NEW − OLD`` is
ground the occupier gained; ``OLD − NEW`` is ground the other party gained. Each difference is split
into connected pieces and cleaned of *redraw noise* before anything is reported.

The noise rule (an opening by ``sliver_half_width_m``, 200 m by default):

1. ``core = piece.buffer(-r).buffer(+r)`` keeps every part of a piece at least ``2r`` (400 m) wide;
   a strip narrower than that everywhere — the gap between two digitisations of the same line —
   vanishes.
2. ``kept = piece ∩ core.buffer(+r)`` gives the core its corners back and keeps at most a stub
   ``r`` long of any thin tail, so a real bite keeps its full area (within ~0.1 %).
3. ``kept`` is split again into connected pieces; a piece under ``min_area_km2`` (1 km² by default)
   is reported only as a count and an area, not as a change.

Areas are geodesic (``geodesic_area_m2`` on the lon/lat pieces). The accounting is closed: the
occupied-area difference equals the net of the reported changes plus what the rule removed
(``LineDiff.residual_km2``), so a reader can see exactly how much the filter took away.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ceasewatch.model.geo import LocalProjection, geodesic_area_m2
from ceasewatch.model.places import Gazetteer

SLIVER_HALF_WIDTH_M = 200.0
"""Half the width under which a strip of difference is re-digitising noise (strips < 400 m)."""
MIN_AREA_KM2 = 1.0
"""Pieces smaller than this are counted but not reported as changes."""
OCCUPIER = "RU"
OTHER = "UA"


@dataclass(frozen=True)
class LineChange:
    """One area that changed hands between two maps."""

    change_id: str
    party_gained: str  # the occupier when the occupied area grew here, else the other party
    party_lost: str
    area_km2: float
    lon: float  # a point inside the area (its centroid when the centroid falls inside)
    lat: float
    place: str  # "3 km SE of Pokrovsk", "" when no settlement is near
    oblast: str
    depth_m: float  # how far the area reaches from the old line (the advance)
    front_m: float  # length of the old line the area borders
    mean_width_m: float  # 2 × area / perimeter
    max_width_m: float  # diameter of the largest circle inside the area
    geometry: BaseGeometry  # lon/lat polygon(s)


@dataclass(frozen=True)
class Tally:
    """Area accounting of one direction (occupier gains or other-party gains), km²."""

    raw_km2: float  # the whole difference
    noise_km2: float  # removed by the sliver opening
    small_km2: float  # left after the opening but in pieces under the minimum
    small_count: int
    reported_km2: float  # in reported changes


@dataclass(frozen=True)
class LineDiff:
    t_from: str
    t_to: str
    occupier: str
    other: str
    area_old_km2: float
    area_new_km2: float
    occupier_gained: Tally
    other_gained: Tally
    changes: tuple[LineChange, ...]  # largest first, then by id
    sliver_half_width_m: float
    min_area_km2: float

    @property
    def occupied_change_km2(self) -> float:
        """area(NEW) − area(OLD): the month-to-month change of the occupied area."""
        return self.area_new_km2 - self.area_old_km2

    @property
    def net_km2(self) -> float:
        """Occupier gains minus other-party gains, over the reported changes only."""
        return self.occupier_gained.reported_km2 - self.other_gained.reported_km2

    @property
    def residual_km2(self) -> float:
        """occupied change − net: what the noise rule and the minimum area removed (signed)."""
        return self.occupied_change_km2 - self.net_km2


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [p for part in getattr(geometry, "geoms", []) for p in _polygons(part)]


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    parts = _polygons(shapely.make_valid(geometry))
    return shapely.union_all(parts) if parts else Polygon()


def clean_pieces(
    difference_xy: BaseGeometry, half_width_m: float
) -> tuple[list[Polygon], BaseGeometry]:
    """Connected pieces of a projected difference that survive the sliver opening, and what the
    opening removed."""
    kept: list[Polygon] = []
    for piece in _polygons(difference_xy):
        core = piece.buffer(-half_width_m).buffer(half_width_m)
        if core.is_empty:
            continue
        kept.extend(_polygons(_polygonal(piece.intersection(core.buffer(half_width_m)))))
    kept_all = shapely.union_all(kept) if kept else Polygon()
    return kept, _polygonal(difference_xy.difference(kept_all))


def rounded(geometry: BaseGeometry, digits: int = 6) -> BaseGeometry:
    """Coordinates rounded to ``digits`` decimals (1e-6° is about 0.1 m), topology untouched."""
    return shapely.transform(geometry, lambda c: np.round(c, digits))


def change_id(party_gained: str, geometry: BaseGeometry) -> str:
    """A content id: the party and the area's outline to 1e-6° (about 0.1 m), normalised."""
    outline = shapely.normalize(rounded(geometry))
    digest = hashlib.sha256(f"{party_gained}|{outline.wkt}".encode()).hexdigest()
    return f"lc-{digest[:16]}"


def _inside_point(piece_xy: Polygon) -> tuple[float, float]:
    centroid = piece_xy.centroid
    point = centroid if piece_xy.contains(centroid) else piece_xy.representative_point()
    return float(point.x), float(point.y)


def _describe(
    piece_xy: Polygon,
    old_line_xy: BaseGeometry,
    projection: LocalProjection,
    party_gained: str,
    party_lost: str,
    gazetteer: Gazetteer | None,
    oblasts: tuple[tuple[str, BaseGeometry], ...],
) -> LineChange:
    geometry = projection.geometry_to_lonlat(piece_xy)
    x, y = _inside_point(piece_xy)
    lon_a, lat_a = projection.to_lonlat([x], [y])
    lon, lat = float(lon_a[0]), float(lat_a[0])
    place = gazetteer.describe(lon, lat) if gazetteer is not None else None
    oblast = next(
        (name for name, area in oblasts if shapely.contains_xy(area, lon, lat)),
        place.settlement.oblast if place else "",
    )
    ring = np.asarray(piece_xy.exterior.coords)
    depth_m = float(np.max(shapely.distance(shapely.points(ring), old_line_xy)))
    front = piece_xy.boundary.intersection(old_line_xy.buffer(1.0))
    circle = shapely.maximum_inscribed_circle(piece_xy, tolerance=10.0)
    return LineChange(
        change_id=change_id(party_gained, geometry),
        party_gained=party_gained,
        party_lost=party_lost,
        area_km2=geodesic_area_m2(geometry) / 1e6,
        lon=round(lon, 6),
        lat=round(lat, 6),
        place=place.text if place else "",
        oblast=oblast,
        depth_m=round(depth_m, 1),
        front_m=round(float(front.length), 1),
        mean_width_m=round(2.0 * piece_xy.area / piece_xy.length, 1),
        max_width_m=round(2.0 * float(circle.length), 1),
        geometry=geometry,
    )


def _area_km2(geometry_xy: BaseGeometry, projection: LocalProjection) -> float:
    if geometry_xy.is_empty:
        return 0.0
    return geodesic_area_m2(projection.geometry_to_lonlat(geometry_xy)) / 1e6


def diff_control(
    old: BaseGeometry,
    new: BaseGeometry,
    *,
    t_from: str = "",
    t_to: str = "",
    mask: BaseGeometry | None = None,
    oblasts: tuple[tuple[str, BaseGeometry], ...] = (),
    gazetteer: Gazetteer | None = None,
    min_area_km2: float = MIN_AREA_KM2,
    sliver_half_width_m: float = SLIVER_HALF_WIDTH_M,
    occupier: str = OCCUPIER,
    other: str = OTHER,
) -> LineDiff:
    """Every area that changed hands between ``old`` and ``new`` occupied areas (lon/lat),
    clipped to ``mask`` (lon/lat) when given."""
    if min_area_km2 < 0 or sliver_half_width_m < 0:
        raise ValueError("min_area_km2 and sliver_half_width_m must not be negative")
    old, new = _polygonal(old), _polygonal(new)
    if mask is not None:
        old, new = _polygonal(old.intersection(mask)), _polygonal(new.intersection(mask))
    both = shapely.union_all([old, new])
    if both.is_empty:
        raise ValueError("both maps are empty (after clipping)")
    projection = LocalProjection.for_geometry(both)
    old_xy, new_xy = projection.geometry_to_xy(old), projection.geometry_to_xy(new)
    old_line_xy = old_xy.boundary
    changes: list[LineChange] = []
    tallies: list[Tally] = []
    for gained_xy, gainer, loser in (
        (_polygonal(new_xy.difference(old_xy)), occupier, other),
        (_polygonal(old_xy.difference(new_xy)), other, occupier),
    ):
        kept, noise_xy = clean_pieces(gained_xy, sliver_half_width_m)
        described = [
            _describe(p, old_line_xy, projection, gainer, loser, gazetteer, oblasts) for p in kept
        ]
        big = [c for c in described if c.area_km2 >= min_area_km2]
        small = [c for c in described if c.area_km2 < min_area_km2]
        changes.extend(big)
        tallies.append(
            Tally(
                raw_km2=_area_km2(gained_xy, projection),
                noise_km2=_area_km2(noise_xy, projection),
                small_km2=sum(c.area_km2 for c in small),
                small_count=len(small),
                reported_km2=sum(c.area_km2 for c in big),
            )
        )
    changes.sort(key=lambda c: (-round(c.area_km2, 6), c.change_id))
    return LineDiff(
        t_from=t_from,
        t_to=t_to,
        occupier=occupier,
        other=other,
        area_old_km2=geodesic_area_m2(old) / 1e6 if not old.is_empty else 0.0,
        area_new_km2=geodesic_area_m2(new) / 1e6 if not new.is_empty else 0.0,
        occupier_gained=tallies[0],
        other_gained=tallies[1],
        changes=tuple(changes),
        sliver_half_width_m=sliver_half_width_m,
        min_area_km2=min_area_km2,
    )
