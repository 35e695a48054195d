"""Acoustic fusion end to end: picks + sensors → located events (:class:`FusedEvent`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from shapely.geometry import Point
from shapely.ops import unary_union

from ceasewatch.fusion.acoustic.ambiguity import mixed_covariance, rival
from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.clock import Skew, find_skews
from ceasewatch.fusion.acoustic.greedy import Associator, Found
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import SIGNATURES, PickTable, pick_table
from ceasewatch.fusion.event import Ellipse, FusedEvent
from ceasewatch.model.geo import LocalProjection

Progress = Callable[[str], None]
HEARD_M = 10_000.0  # the area a sensor watches, for the observed density of sources


@dataclass(frozen=True)
class AcousticResult:
    events: tuple[FusedEvent, ...]
    skews: tuple[Skew, ...]
    picks: int
    unassociated: int
    unknown_sensor: tuple[str, ...]
    duplicates: int


def fuse_picks(
    array: SensorArray,
    records: Iterable[Mapping[str, Any]],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> AcousticResult:
    """Associate and locate: the standalone acoustic stage (``ceasewatch fuse``)."""
    settings = settings or Settings()
    say = progress or (lambda _m: None)
    table = pick_table(records, array.index)
    say(f"{len(table):,} picks at {len(array):,} sensors")
    found = Associator(array, table, settings).run()
    say(f"first pass: {len(found):,} sources")
    skews = find_skews(array, table, found, settings.speed_mps)
    density = observed_density(array, table, found)
    if density > 2 * settings.event_rate_per_km2_h:
        say(f"sources found: {density:.3g} per km² per hour; the prior is raised to that")
        settings = replace(settings, event_rate_per_km2_h=density)
    if skews:
        say("clock offsets: " + ", ".join(f"{k.sensor_id} {k.offset_s:+.2f} s" for k in skews))
    if skews or settings.event_rate_per_km2_h == density:
        table, extra = _corrected(table, array, skews)
        found = Associator(array, table, settings, extra).run()
        say(f"second pass: {len(found):,} sources")
    located = (to_event(array, table, f, settings) for f in found)
    events = tuple(sorted((e for e in located if e.confidence >= settings.min_confidence),
                          key=_order))  # fmt: skip
    used = sum(len(f.rows) for f in found)
    return AcousticResult(events, tuple(skews), len(table), len(table) - used,
                          table.unknown_sensor, table.duplicates)  # fmt: skip


def observed_density(array: SensorArray, table: PickTable, found: list[Found]) -> float:
    """Sources per km² per hour within 10 km of a sensor, as the picks say.

    An empirical-Bayes prior for the second pass: a conservative prior misses sources where
    fire is dense. The sources found in the first pass tell how many picks a source makes; all
    the picks, divided by that, tell how many sources there were (the first pass found only the
    easy ones).
    """
    if not found or len(table) < 2:
        return 0.0
    per_source = float(np.mean([len(f.rows) for f in found]))
    hours = max(float(table.t_s.max() - table.t_s.min()) / 3600.0, 1.0)
    projection = LocalProjection.for_bounds(array.lon.min(), array.lat.min(), array.lon.max(),
                                            array.lat.max())  # fmt: skip
    x, y = projection.to_xy(array.lon, array.lat)
    area_km2 = unary_union([Point(a, b).buffer(HEARD_M) for a, b in zip(x, y, strict=True)]).area
    return len(table) / per_source / (area_km2 / 1e6) / hours


def _order(event: FusedEvent) -> tuple[int, str]:
    return event.t_origin_ns, event.event_id


def _corrected(
    table: PickTable, array: SensorArray, skews: list[Skew]
) -> tuple[PickTable, np.ndarray]:
    """Picks with each skewed sensor's offset removed, and the extra sigma of those sensors."""
    index = array.index
    t_s = table.t_s.copy()
    extra = np.zeros(len(array))
    for skew in skews:
        k = index[skew.sensor_id]
        t_s[table.of_sensor(k)] -= skew.offset_s
        # the offset is known only so well, and a clock that slipped once may slip again
        extra[k] = max(3 * skew.sigma_s, 0.05)
    return replace(table, t_s=t_s), extra


def _slots(array: SensorArray, anchor: int, sensors: np.ndarray) -> np.ndarray:
    row = array.nb[anchor]
    return np.array([int(np.flatnonzero(row == s)[0]) for s in sensors])


def to_event(
    array: SensorArray,
    table: PickTable,
    found: Found,
    settings: Settings,
) -> FusedEvent:
    lon, lat = array.to_lonlat(found.anchor, found.fit.x_m, found.fit.y_m)
    cov = found.fit.covariance
    xy = array.nb_xy[found.anchor][_slots(array, found.anchor, table.sensor[found.rows])]
    sigma = np.sqrt(table.sigma_s[found.rows] ** 2 + settings.model_sigma_s**2)
    other = rival(xy, table.t_s[found.rows], sigma, found.fit, settings.speed_mps)
    if other is not None:
        cov = mixed_covariance(found.fit, other)
    ellipse = Ellipse.from_covariance(float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1]))
    rows = found.rows
    residual = found.fit.residual_s
    return FusedEvent(
        kind=_kind(table.signature[rows]),
        t_origin_ns=table.t_ns(found.fit.t0_s),
        t_sigma_s=float(np.sqrt(max(cov[2, 2], 0.0))),
        lon=lon,
        lat=lat,
        ellipse=ellipse,
        pick_ids=tuple(table.pick_ids[r] for r in rows),
        confidence=confidence(found.log_odds, len(rows), settings.calibration),
        sensor_ids=tuple(array.ids[int(table.sensor[r])] for r in rows),
        residual_rms_s=float(np.sqrt(np.mean(residual**2))) if len(residual) else 0.0,
        log_odds=found.log_odds,
    )


def confidence(log_odds: float, picks: int, calibration: tuple[float, float, float]) -> float:
    a, b, c = calibration
    z = a * log_odds + b * float(np.log(max(picks, 1))) + c
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))))


def _kind(signatures: np.ndarray) -> str:
    """The signature most picks agree on, ignoring 'unknown'; 'unknown' if none."""
    counts = np.bincount(signatures.astype(np.int64), minlength=len(SIGNATURES))
    counts[0] = 0
    return SIGNATURES[int(np.argmax(counts))] if counts.max() > 0 else "unknown"
