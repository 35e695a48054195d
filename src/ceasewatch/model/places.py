"""Place-relative wording from a gazetteer: "3 km SE of Horlivka", as monitors write it.

A reader knows a large town from further away than a village, so the reference settlement is the
one nearest *relative to its size*: each settlement has a reach that grows with its population
(1.5 km for 500 people, 6 km for 50,000, 9.5 km for 240,000), and the settlement with the
smallest distance/reach ratio is named. Within a settlement's core (0.25 km for 500 people,
2.2 km for 240,000, 5 km for 3 million) the wording is "in X".
Distances are geodesic and rounded to whole kilometres; directions are 16-point compass bearings
from the settlement to the place.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from ceasewatch.model.geo import LocalProjection, as_array, compass16, geodesic_inverse

REACH_M_AT_500 = 1500.0
REACH_EXPONENT = 0.3
CORE_M_AT_500 = 250.0
CORE_EXPONENT = 0.35
CANDIDATE_TIERS = ((0, 16), (10_000, 8), (100_000, 4))
"""(minimum population, how many nearest) — so a large town farther away is still a candidate."""
MAX_DISTANCE_M = 60_000.0
"""Farther than this from every settlement, a place is not described relative to one."""


@dataclass(frozen=True)
class Settlement:
    geonameid: str
    name: str
    lon: float
    lat: float
    population: int
    oblast: str
    names_cyrillic: tuple[str, ...]


@dataclass(frozen=True)
class PlaceDescription:
    text: str  # "3 km SE of Horlivka" or "in Horlivka"
    settlement: Settlement
    distance_m: float
    compass: str  # bearing from the settlement to the place, 16 points; "" when inside

    @property
    def with_oblast(self) -> str:
        """The wording with the first-level unit: "3 km SE of Horlivka (Donetsk Oblast)"."""
        oblast = self.settlement.oblast
        return f"{self.text} ({oblast})" if oblast else self.text


class Gazetteer:
    """Settlements with a spatial index for place-relative wording."""

    def __init__(self, settlements: list[Settlement]) -> None:
        if not settlements:
            raise ValueError("a gazetteer needs at least one settlement")
        self.settlements = tuple(settlements)
        lon = np.array([s.lon for s in settlements])
        lat = np.array([s.lat for s in settlements])
        population = np.array([max(s.population, 1) for s in settlements], dtype=np.float64)
        self._lon, self._lat = lon, lat
        self._reach_m = REACH_M_AT_500 * (population / 500.0) ** REACH_EXPONENT
        self._core_m = CORE_M_AT_500 * (population / 500.0) ** CORE_EXPONENT
        self._projection = LocalProjection.for_bounds(lon.min(), lat.min(), lon.max(), lat.max())
        xy = np.column_stack(self._projection.to_xy(lon, lat))
        self._tiers = []
        for minimum, count in CANDIDATE_TIERS:
            members = np.flatnonzero(population >= minimum)
            if len(members):
                self._tiers.append((members, cKDTree(xy[members]), min(count, len(members))))

    @classmethod
    def default(cls) -> Gazetteer:
        """The settlements of Ukraine with 500 people or more (GeoNames, CC BY 4.0)."""
        text = (
            resources.files("ceasewatch.data")
            .joinpath("gazetteer/ua-places.csv")
            .read_text(encoding="utf-8")
        )
        return cls.from_csv(text)

    @classmethod
    def from_csv(cls, text: str) -> Gazetteer:
        rows = csv.DictReader(io.StringIO(text))
        return cls(
            [
                Settlement(
                    row["geonameid"],
                    row["name"],
                    float(row["longitude"]),
                    float(row["latitude"]),
                    int(row["population"] or 0),
                    row.get("oblast", "") or "",
                    tuple(n for n in (row.get("names_cyrillic") or "").split("|") if n),
                )
                for row in rows
            ]
        )

    def describe(self, lon: float, lat: float) -> PlaceDescription | None:
        return self.describe_many([lon], [lat])[0]

    def describe_many(self, lon: ArrayLike, lat: ArrayLike) -> list[PlaceDescription | None]:
        """Place-relative wording for many points (vectorised search); None for a point more
        than 60 km from every settlement (out at sea, or beyond the gazetteer's country)."""
        lon_a, lat_a = as_array(lon), as_array(lat)
        x, y = self._projection.to_xy(lon_a, lat_a)
        pts = np.column_stack([x, y])
        index = np.concatenate(
            [
                members[np.asarray(tree.query(pts, k=k)[1]).reshape(len(pts), k)]
                for members, tree, k in self._tiers
            ],
            axis=1,
        )
        k = index.shape[1]
        cand_lon = self._lon[index]
        cand_lat = self._lat[index]
        azimuth, distance = geodesic_inverse(
            cand_lon.ravel(),
            cand_lat.ravel(),
            np.repeat(lon_a, k),
            np.repeat(lat_a, k),
        )
        distance = distance.reshape(len(lon_a), k)
        azimuth = azimuth.reshape(len(lon_a), k)
        best = np.argmin(distance / self._reach_m[index], axis=1)
        rows = np.arange(len(lon_a))
        chosen = index[rows, best]
        nearest_m = distance.min(axis=1)
        out: list[PlaceDescription | None] = []
        for row, settlement_index in enumerate(chosen):
            if nearest_m[row] > MAX_DISTANCE_M:
                out.append(None)
                continue
            settlement = self.settlements[int(settlement_index)]
            dist_m = float(distance[row, best[row]])
            if dist_m <= self._core_m[settlement_index]:
                out.append(PlaceDescription(f"in {settlement.name}", settlement, dist_m, ""))
                continue
            bearing = compass16(float(azimuth[row, best[row]]))
            km = max(1, round(dist_m / 1000.0))
            out.append(
                PlaceDescription(
                    f"{km} km {bearing} of {settlement.name}", settlement, dist_m, bearing
                )
            )
        return out
