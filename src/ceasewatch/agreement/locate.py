"""Where is a point under an agreement, with its uncertainty: who controls it, how far it is from
each line and on which side, which zones, protected sites and sector it falls in, with
probabilities.

All answers are vectorised over points (:meth:`Locator.batch`); :meth:`Locator.locate` wraps one
point. The probability model (docs/adr/0002-geometry-stack.md): the position is Gaussian; a
boundary is linearised at the point's nearest boundary point, so that membership of a region at
signed distance ``s`` (negative inside) is ``Φ(-s/σn)`` with ``σn`` the standard deviation across
the boundary. A band between ``a`` and ``b`` from a line is ``Φ((b-d)/σn) - Φ((a-d)/σn)`` — for an
impact 49.6 km ± 2 km from the line, the 50 km band gets ``Φ(0.2) = 0.58``. A circular protected
site uses the exact Rice distribution. Control by party: each party's area gives ``Φ(-s/σn)``;
what is left is ``outside`` (sea, or land no party of the agreement holds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.types import Agreement, Band, Line
from ceasewatch.model.geo import (
    FloatArray,
    Linework,
    LocalProjection,
    Nearest,
    Uncertainty,
    as_array,
    geodesic_inverse,
    probability_between,
    probability_inside,
    probability_within_radius,
)
from ceasewatch.model.places import Gazetteer, PlaceDescription

OUTSIDE = "outside"
"""Pseudo-party for ground that no party of the agreement holds (sea, third countries)."""


@dataclass(frozen=True)
class Batch:
    """Answers for n points. Columns follow the id tuples; probabilities lie in [0, 1]."""

    lon: FloatArray
    lat: FloatArray
    control_ids: tuple[str, ...]  # the parties with areas, then OUTSIDE
    control: FloatArray  # (n, parties + 1), rows sum to 1
    line_ids: tuple[str, ...]
    line_distance_m: FloatArray  # (n, lines)
    line_signed_m: FloatArray  # (n, lines), positive on the side of the line's second party
    line_foot_lon: FloatArray
    line_foot_lat: FloatArray
    zone_ids: tuple[str, ...]
    zone_p: FloatArray  # (n, zones)
    site_ids: tuple[str, ...]
    site_p: FloatArray  # (n, sites)
    sector_ids: tuple[str, ...]
    sector: NDArray[np.intp]  # index into sector_ids, -1 where the point is in no sector


@dataclass(frozen=True)
class LinePosition:
    line_id: str
    distance_m: float
    signed_distance_m: float
    side: str | None  # the party on whose side of the line the point lies
    foot: tuple[float, float]


@dataclass(frozen=True)
class Location:
    """The answer for one point, as ``ceasewatch where`` prints it."""

    lon: float
    lat: float
    uncertainty: Uncertainty
    control: tuple[tuple[str, float], ...]  # most likely first
    lines: tuple[LinePosition, ...]
    zones: tuple[tuple[str, float], ...]  # zones with p >= 0.001, most likely first
    sites: tuple[tuple[str, float], ...]  # sites with p >= 0.001
    sector: str | None
    place: PlaceDescription | None

    def to_dict(self) -> dict[str, object]:
        return {
            "position": [self.lon, self.lat],
            "uncertainty": {
                "sigma_major_m": self.uncertainty.sigma_major_m,
                "sigma_minor_m": self.uncertainty.sigma_minor_m,
                "azimuth_deg": self.uncertainty.azimuth_deg,
            },
            "place": self.place.text if self.place else None,
            "oblast": self.place.settlement.oblast if self.place else None,
            "control": {party: round(p, 6) for party, p in self.control},
            "lines": [
                {
                    "line_id": line.line_id,
                    "distance_m": round(line.distance_m, 1),
                    "signed_distance_m": round(line.signed_distance_m, 1),
                    "side": line.side,
                    "nearest_point": [round(line.foot[0], 6), round(line.foot[1], 6)],
                }
                for line in self.lines
            ],
            "zones": {zone: round(p, 6) for zone, p in self.zones},
            "protected_sites": {site: round(p, 6) for site, p in self.sites},
            "sector": self.sector,
        }


class _Region:
    """A polygonal region: containment plus distance to its boundary."""

    def __init__(self, geometry: BaseGeometry, projection: LocalProjection) -> None:
        self.geometry = geometry
        shapely.prepare(geometry)
        self.boundary = Linework([geometry], projection)

    def signed_distance(
        self, lon: FloatArray, lat: FloatArray, max_distance_m: float = math.inf
    ) -> tuple[FloatArray, Nearest]:
        """Signed distance to the boundary (negative inside); beyond ``max_distance_m`` only
        the sign is exact (the value is infinite)."""
        nearest = self.boundary.nearest(lon, lat, max_distance_m=max_distance_m)
        inside = shapely.contains_xy(self.geometry, lon, lat)
        return np.where(inside, -nearest.distance_m, nearest.distance_m), nearest


class _PartyArea:
    """A party's area, with its boundary split into the agreement's lines and the rest.

    Most of a party's boundary near the points that matter is a line of the agreement, whose
    distances :meth:`Locator.batch` computes anyway; only the rest (coast, state border) needs
    its own search, and that only for points within reach of it.
    """

    def __init__(self, geometry: BaseGeometry, lines: list[Line], projection: LocalProjection):
        self.geometry = geometry
        shapely.prepare(geometry)
        self.line_ids = tuple(line.id for line in lines)
        rest = geometry.boundary
        if lines:
            rest = rest.difference(shapely.union_all([line.geometry for line in lines]))
        self.rest = Linework([rest], projection) if not rest.is_empty else None


class Locator:
    """Prepared geometry of one agreement, for many questions about points."""

    def __init__(self, agreement: Agreement, gazetteer: Gazetteer | None = None) -> None:
        self.agreement = agreement
        self.gazetteer = gazetteer
        everything = [p.area for p in agreement.parties if p.area is not None]
        everything += [line.geometry for line in agreement.lines]
        bounds = shapely.union_all(everything).bounds if everything else (-1, -1, 1, 1)
        self.projection = LocalProjection.for_bounds(*bounds)
        self._areas = {
            p.id: _PartyArea(
                p.area, [ln for ln in agreement.lines if p.id in ln.between], self.projection
            )
            for p in agreement.parties
            if p.area is not None
        }
        self._lines = {
            line.id: Linework([line.geometry], self.projection) for line in agreement.lines
        }
        self._zone_regions = {
            z.id: _Region(z.area, self.projection) for z in agreement.zones if z.area is not None
        }
        self._site_regions = {
            s.id: _Region(s.geometry, self.projection)
            for s in agreement.sites
            if not isinstance(s.geometry, Point)
        }
        for sector in agreement.sectors:
            shapely.prepare(sector.area)

    def locate(self, lon: float, lat: float, uncertainty: Uncertainty | None = None) -> Location:
        unc = uncertainty or Uncertainty.exact()
        batch = self.batch([lon], [lat], unc)
        control = sorted(
            zip(batch.control_ids, batch.control[0].tolist(), strict=True), key=lambda c: -c[1]
        )
        lines = []
        for j, line_id in enumerate(batch.line_ids):
            line = self.agreement.line(line_id)
            signed = float(batch.line_signed_m[0, j])
            side = line.between[1] if signed > 0 else line.between[0] if signed < 0 else None
            lines.append(
                LinePosition(
                    line_id,
                    float(batch.line_distance_m[0, j]),
                    signed,
                    side,
                    (float(batch.line_foot_lon[0, j]), float(batch.line_foot_lat[0, j])),
                )
            )
        zones = sorted(
            (
                (z, float(p))
                for z, p in zip(batch.zone_ids, batch.zone_p[0], strict=True)
                if p >= 1e-3
            ),
            key=lambda zp: (-zp[1], zp[0]),
        )
        sites = sorted(
            (
                (s, float(p))
                for s, p in zip(batch.site_ids, batch.site_p[0], strict=True)
                if p >= 1e-3
            ),
            key=lambda sp: (-sp[1], sp[0]),
        )
        sector_index = int(batch.sector[0])
        return Location(
            float(lon),
            float(lat),
            unc,
            tuple(control),
            tuple(lines),
            tuple(zones),
            tuple(sites),
            batch.sector_ids[sector_index] if sector_index >= 0 else None,
            self.gazetteer.describe(lon, lat) if self.gazetteer else None,
        )

    def batch(self, lon: ArrayLike, lat: ArrayLike, uncertainty: Uncertainty | ArrayLike) -> Batch:
        """Answers for many points. ``uncertainty`` is one Uncertainty for all points, or an
        array of circular one-sigma radii in metres, one per point."""
        lon_a, lat_a = as_array(lon), as_array(lat)
        if lon_a.shape != lat_a.shape:
            raise ValueError("lon and lat must have the same length")
        sigma = _sigma_function(uncertainty, len(lon_a))
        reach = sigma.reach_m
        inside: dict[str, NDArray[np.bool_]] = {
            party_id: shapely.contains_xy(area.geometry, lon_a, lat_a)
            for party_id, area in self._areas.items()
        }
        line_ids = tuple(self._lines)
        distance = np.empty((len(lon_a), len(line_ids)))
        signed = np.empty_like(distance)
        foot_lon = np.empty_like(distance)
        foot_lat = np.empty_like(distance)
        line_nearest: dict[str, Nearest] = {}
        sigma_across: dict[str, FloatArray] = {}
        for j, line_id in enumerate(line_ids):
            nearest = line_nearest[line_id] = self._lines[line_id].nearest(lon_a, lat_a)
            side = self._line_side(line_id, nearest, inside)
            distance[:, j] = nearest.distance_m
            signed[:, j] = nearest.distance_m * side
            foot_lon[:, j], foot_lat[:, j] = nearest.foot_lon, nearest.foot_lat
            sigma_across[line_id] = sigma(nearest.normal_azimuth_deg)
        control_ids, control = self._control(lon_a, lat_a, sigma, inside, line_nearest)
        zone_ids = tuple(z.id for z in self.agreement.zones)
        zone_p = np.zeros((len(lon_a), len(zone_ids)))
        for k, zone in enumerate(self.agreement.zones):
            if zone.band is not None:
                j = line_ids.index(zone.band.line)
                zone_p[:, k] = _band_probability(
                    zone.band, self.agreement, signed[:, j], sigma_across[zone.band.line]
                )
            else:
                s, nearest = self._zone_regions[zone.id].signed_distance(lon_a, lat_a, reach)
                zone_p[:, k] = probability_inside(s, sigma(nearest.normal_azimuth_deg))
        site_ids = tuple(s.id for s in self.agreement.sites)
        site_p = np.zeros((len(lon_a), len(site_ids)))
        for k, site in enumerate(self.agreement.sites):
            if isinstance(site.geometry, Point):
                azimuth, dist = geodesic_inverse(lon_a, lat_a, site.geometry.x, site.geometry.y)
                site_p[:, k] = probability_within_radius(dist, site.radius_m, sigma(azimuth))
            else:
                s, nearest = self._site_regions[site.id].signed_distance(
                    lon_a, lat_a, reach + site.radius_m
                )
                site_p[:, k] = probability_inside(
                    s - site.radius_m, sigma(nearest.normal_azimuth_deg)
                )
        sector_ids = tuple(s.id for s in self.agreement.sectors)
        sector = np.full(len(lon_a), -1, dtype=np.intp)
        for k, sec in enumerate(self.agreement.sectors):
            sector[(sector < 0) & shapely.contains_xy(sec.area, lon_a, lat_a)] = k
        return Batch(
            lon_a,
            lat_a,
            control_ids,
            control,
            line_ids,
            distance,
            signed,
            foot_lon,
            foot_lat,
            zone_ids,
            zone_p,
            site_ids,
            site_p,
            sector_ids,
            sector,
        )

    def _control(
        self,
        lon: FloatArray,
        lat: FloatArray,
        sigma: _Sigma,
        inside: dict[str, NDArray[np.bool_]],
        line_nearest: dict[str, Nearest],
    ) -> tuple[tuple[str, ...], FloatArray]:
        ids = tuple(self._areas)
        p = np.zeros((len(lon), len(ids) + 1))
        for k, party_id in enumerate(ids):
            area = self._areas[party_id]
            parts = [line_nearest[line_id] for line_id in area.line_ids]
            if area.rest is not None:
                parts.append(area.rest.nearest(lon, lat, max_distance_m=sigma.reach_m))
            distance = np.full(len(lon), np.inf)
            azimuth = np.zeros(len(lon))
            for part in parts:
                nearer = part.distance_m < distance
                distance[nearer] = part.distance_m[nearer]
                azimuth[nearer] = part.normal_azimuth_deg[nearer]
            signed = np.where(inside[party_id], -distance, distance)
            p[:, k] = probability_inside(signed, sigma(azimuth))
        total = p[:, :-1].sum(axis=1)
        over = total > 1.0
        p[over, :-1] /= total[over, None]
        p[:, -1] = np.clip(1.0 - p[:, :-1].sum(axis=1), 0.0, 1.0)
        return (*ids, OUTSIDE), p

    def _line_side(
        self, line_id: str, nearest: Nearest, inside: dict[str, NDArray[np.bool_]]
    ) -> FloatArray:
        """+1 on the side of the line's second party, -1 on the first's, 0 on the line.

        Inside either party's area the area decides; elsewhere (sea, third countries) the
        line's own geometry does.
        """
        first, second = self.agreement.line(line_id).between
        side = nearest.side.astype(np.float64)
        if first in inside:
            side[inside[first]] = -1.0
        if second in inside:
            side[inside[second]] = 1.0
        side[nearest.distance_m == 0.0] = 0.0
        return side


REACH_SIGMAS = 9.0
"""Beyond this many sigmas from a boundary, membership is certain to within 1e-18."""


class _Sigma:
    """Standard deviation across a boundary whose normal has the given azimuth."""

    def __init__(self, uncertainty: Uncertainty | None, radii: FloatArray | None) -> None:
        self.uncertainty = uncertainty
        self.radii = radii
        largest = (
            float(radii.max(initial=0.0))
            if radii is not None
            else uncertainty.sigma_major_m
            if uncertainty is not None
            else 0.0
        )
        # Distances farther than this from a boundary need not be measured.
        self.reach_m = REACH_SIGMAS * largest + 1.0

    def __call__(self, azimuth_deg: ArrayLike) -> FloatArray:
        if self.radii is not None:
            return self.radii
        assert self.uncertainty is not None
        return self.uncertainty.sigma_along(azimuth_deg)


def _sigma_function(uncertainty: Uncertainty | ArrayLike, count: int) -> _Sigma:
    if isinstance(uncertainty, Uncertainty):
        return _Sigma(uncertainty, None)
    radii = as_array(uncertainty)
    if radii.shape == (1,):
        radii = np.full(count, radii[0])
    if radii.shape != (count,) or np.any(~(radii >= 0)):
        raise ValueError("give one non-negative sigma in metres per point")
    return _Sigma(None, radii)


def _band_probability(
    band: Band, agreement: Agreement, signed_m: FloatArray, sigma: FloatArray
) -> FloatArray:
    first, _second = agreement.line(band.line).between
    if band.side is None:
        if band.from_m == 0.0:
            return probability_between(signed_m, -band.to_m, band.to_m, sigma)
        return probability_between(signed_m, band.from_m, band.to_m, sigma) + probability_between(
            signed_m, -band.to_m, -band.from_m, sigma
        )
    toward = -signed_m if band.side == first else signed_m
    return probability_between(toward, band.from_m, band.to_m, sigma)
