"""Clutter: what looks like a violation but is not — and why, in words.

Nothing is dropped: an incident found to be clutter keeps its evidence and gets the reason
(``Incident.clutter``), and its records are listed among the rejected with it. The rules, each
a pure function of the incident and of inputs the caller passes:

* **Field fires** — a FIRMS fire not set by an impact, where the 2021 FIRMS record (the
  pre-invasion background, ``data/firms/baseline-2021-near-line.csv``) has fires within
  ``BASELINE_RADIUS_M`` in the same season (±``SEASON_DAYS`` of the day of the year).
* **Hot industrial sites** — a FIRMS fire on a known persistent heat source (power plants, a coke
  plant, steel works: :data:`HOT_SITES`; FIRMS archives call these "static land sources").
* **Announced demining** — a blast or impact (not paired with a launch) inside a notification's
  circle (``radius_m`` plus two sigma of the event) during its window.
* **Training on declared ranges** — a shot whose every known position (impact, firing position)
  lies in a zone that a fire rule of the agreement exempts (its ``unless``).
* **Quarry blasts** — a blast within ``QUARRY_RADIUS_M`` of a known quarry (:data:`QUARRIES`) by
  day (06–20 local time, UTC+2).
* **Signature** — a blast signature (not a launch or an impact) more than
  ``BLAST_LINE_M`` from the line with no launch and no radar track: too far for small-arms fire at
  the line, so an industrial or controlled detonation.
* **Thunder** — ``THUNDER_COUNT`` or more such unexplained blasts within ``THUNDER_RADIUS_M`` and
  ``THUNDER_S`` of each other: a storm, not a fire mission (a mission has launches and impacts).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from ceasewatch.agreement.types import Activity, Agreement
from ceasewatch.fusion.sources import fields
from ceasewatch.fusion.sources.base import Rejection, Spot
from ceasewatch.fusion.spread import offset_m
from ceasewatch.model.geo import LocalProjection
from ceasewatch.model.time import NS_PER_S

BASELINE_RADIUS_M = 1000.0
SEASON_DAYS = 15
QUARRY_RADIUS_M = 1500.0
HOT_SITE_RADIUS_M = 2000.0
BLAST_LINE_M = 5000.0
THUNDER_COUNT = 8
THUNDER_RADIUS_M = 15_000.0
THUNDER_S = 2 * 3600.0
LOCAL_OFFSET_H = 2


@dataclass(frozen=True)
class KnownSite:
    name: str
    lon: float
    lat: float


QUARRIES = (  # approximate positions
    KnownSite("the Dokuchaievsk flux-dolomite pits", 37.74, 47.76),
    KnownSite("the Komysh-Zoria granite quarries", 36.47, 47.40),
    KnownSite("the quarries north-west of Sloviansk", 37.55, 48.86),
)
HOT_SITES = (  # approximate positions of persistent industrial heat sources near the line
    KnownSite("Zaporizhzhia thermal power plant (Enerhodar)", 34.63, 47.50),
    KnownSite("Kurakhove thermal power plant", 37.25, 48.00),
    KnownSite("Vuhlehirsk thermal power plant (Svitlodarsk)", 38.23, 48.45),
    KnownSite("Avdiivka coke plant", 37.76, 48.15),
    KnownSite("Alchevsk steel works", 38.80, 48.47),
)


@dataclass(frozen=True)
class Notification:
    """An announced activity (``notifications.jsonl``): a circle and a time window."""

    notification_id: str
    party: str
    t_start_ns: int
    t_end_ns: int
    lon: float
    lat: float
    radius_m: float
    activity: str


def read_notifications(
    records: Sequence[Mapping[str, Any]],
) -> tuple[tuple[Notification, ...], tuple[Rejection, ...]]:
    return fields.parse_each("notifications", records, "notification_id", _notification)


def _notification(rid: str, record: Mapping[str, Any]) -> Notification:
    where = f"notifications {rid}"
    t0, t1 = fields.window_ns(where, record, "t_window")
    lon, lat = fields.point(where, record, "position")
    return Notification(
        rid,
        fields.text(where, record, "party", ""),
        t0,
        t1,
        lon,
        lat,
        fields.number(where, record, "radius_m", 1000.0),
        fields.text(where, record, "activity", "demining"),
    )


class FirmsBaseline:
    """Fires of a past year (lon, lat, day of the year), searchable by place and season."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray, doy: np.ndarray, year: int) -> None:
        self.year = year
        self._doy = np.asarray(doy)
        self._projection = LocalProjection.for_bounds(22.0, 44.0, 41.0, 53.0)
        x, y = self._projection.to_xy(lon, lat)
        self._tree = cKDTree(np.column_stack([x, y])) if len(x) else None

    @classmethod
    def packaged(cls) -> FirmsBaseline:
        """The 2021 FIRMS fires within 80 km of the ua-2026 line (data/SOURCES.md)."""
        text = (
            resources.files("ceasewatch.data")
            .joinpath("firms/baseline-2021-near-line.csv")
            .read_text(encoding="utf-8")
        )
        return cls.from_csv(text, 2021)

    @classmethod
    def from_csv(cls, text: str, year: int) -> FirmsBaseline:
        rows = list(csv.DictReader(io.StringIO(text)))
        lon = np.array([float(r["longitude"]) for r in rows])
        lat = np.array([float(r["latitude"]) for r in rows])
        doy = np.array([datetime.fromisoformat(r["acq_date"]).timetuple().tm_yday for r in rows])
        return cls(lon, lat, doy, year)

    def seasonal(self, lon: float, lat: float, t_ns: int, radius_m: float) -> int:
        """How many past fires lie within ``radius_m`` and ±SEASON_DAYS of the day of year."""
        if self._tree is None:
            return 0
        x, y = self._projection.to_xy(lon, lat)
        near = self._tree.query_ball_point([float(x[0]), float(y[0])], radius_m)
        if not near:
            return 0
        day = datetime.fromtimestamp(t_ns // NS_PER_S, tz=UTC).timetuple().tm_yday
        gap = np.abs((self._doy[near] - day + 182) % 365 - 182)
        return int(np.sum(gap <= SEASON_DAYS))


@dataclass(frozen=True)
class Suspect:
    """What the clutter rules need to know of one incident."""

    kind: str  # shot | impact | launch | blast | presence | flight | fire
    where: Spot
    launch: Spot | None
    line_distance_m: float | None
    has_track: bool


@dataclass(frozen=True)
class ClutterRules:
    agreement: Agreement
    notifications: tuple[Notification, ...] = ()
    baseline: FirmsBaseline | None = None
    quarries: tuple[KnownSite, ...] = QUARRIES
    hot_sites: tuple[KnownSite, ...] = HOT_SITES

    def reason(self, s: Suspect) -> str | None:
        """Why this incident is clutter, or None."""
        if s.kind == "fire":
            return self._fire(s.where)
        if s.kind in ("shot", "launch", "impact"):
            training = self._training(s)
            if training:
                return training
        if s.kind in ("blast", "impact", "unknown") and s.launch is None:
            for note in self.notifications:
                _e, _n, d = offset_m(note.lon, note.lat, s.where.lon, s.where.lat)
                inside_t = note.t_start_ns <= s.where.t_ns <= note.t_end_ns
                if inside_t and d <= note.radius_m + 2 * s.where.spread.sigma_m:
                    return (
                        f"announced {note.activity} {note.notification_id} by {note.party}: "
                        f"{d:.0f} m from its centre (radius {note.radius_m:.0f} m), in its window"
                    )
        if s.kind in ("blast", "unknown") and s.launch is None and not s.has_track:
            return self._blast(s)
        return None

    def _fire(self, where: Spot) -> str | None:
        for site in self.hot_sites:
            _e, _n, d = offset_m(site.lon, site.lat, where.lon, where.lat)
            if d <= HOT_SITE_RADIUS_M + 2 * where.spread.sigma_m:
                return f"persistent industrial hot spot: {site.name}, {d:.0f} m away"
        if self.baseline is not None:
            count = self.baseline.seasonal(where.lon, where.lat, where.t_ns, BASELINE_RADIUS_M)
            if count:
                return (
                    f"field fire: {count} FIRMS fire(s) of {self.baseline.year} within "
                    f"{BASELINE_RADIUS_M:.0f} m in the same season (±{SEASON_DAYS} days), "
                    "the background before the war; no impact set it"
                )
        return None

    def _training(self, s: Suspect) -> str | None:
        zones = _exempt_zones(self.agreement)
        spots = [p for p in (s.where, s.launch) if p is not None]
        for zone in zones:
            if zone.area is not None and all(_contains(zone.area, p) for p in spots):
                what = "firing position and impact" if s.launch is not None else "event"
                return f"live fire on the declared range {zone.id}: the {what} inside it"
        return None

    def _blast(self, s: Suspect) -> str | None:
        hour = (datetime.fromtimestamp(s.where.t_ns // NS_PER_S, tz=UTC).hour + LOCAL_OFFSET_H) % 24
        for quarry in self.quarries:
            _e, _n, d = offset_m(quarry.lon, quarry.lat, s.where.lon, s.where.lat)
            if d <= QUARRY_RADIUS_M + 2 * s.where.spread.sigma_m and 6 <= hour < 20:
                return f"quarry blast: {d:.0f} m from {quarry.name}, by day ({hour:02d} h local)"
        if s.line_distance_m is not None and s.line_distance_m > BLAST_LINE_M:
            return (
                f"blast signature {s.line_distance_m / 1000:.1f} km from the line with no launch "
                "or radar track: beyond small-arms fire at the line; industrial or a controlled "
                "detonation"
            )
        return None


def thunder(suspects: Sequence[Suspect]) -> dict[int, str]:
    """Index → reason for unexplained blasts that come in storm-like numbers."""
    lone = [
        i
        for i, s in enumerate(suspects)
        if s.kind == "blast" and s.launch is None and not s.has_track
    ]
    lone.sort(key=lambda i: suspects[i].where.t_ns)
    out: dict[int, str] = {}
    for a in lone:
        sa = suspects[a].where
        near = [
            b
            for b in lone
            if abs(suspects[b].where.t_ns - sa.t_ns) <= THUNDER_S * NS_PER_S
            and offset_m(sa.lon, sa.lat, suspects[b].where.lon, suspects[b].where.lat)[2]
            <= THUNDER_RADIUS_M
        ]
        if len(near) >= THUNDER_COUNT:
            for b in near:
                out.setdefault(
                    b,
                    f"thunder-like: {len(near)} blasts without launch or radar track within "
                    f"{THUNDER_RADIUS_M / 1000:.0f} km and {THUNDER_S / 3600:.0f} h",
                )
    return out


def _exempt_zones(agreement: Agreement) -> list[Any]:
    ids: list[str] = []
    for rule in agreement.rules:
        if rule.activity is Activity.FIRE and rule.unless is not None:
            ids += [i for i in rule.unless.ids if i not in ids]
    return [z for z in agreement.zones if z.id in ids]


def _contains(area: Any, spot: Spot) -> bool:
    import shapely

    return bool(shapely.contains_xy(area, spot.lon, spot.lat))
