"""Acoustic fusion end to end: picks + sensors → located events (:class:`FusedEvent`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point
from shapely.ops import unary_union

from ceasewatch.fusion.acoustic.ambiguity import mixed_covariance, rival
from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.clock import Skew, find_skews
from ceasewatch.fusion.acoustic.greedy import Associator, Found
from ceasewatch.fusion.acoustic.locate import Fit, fit, predicted
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import SIGNATURES, PickTable, pick_table
from ceasewatch.fusion.event import Ellipse, FusedEvent
from ceasewatch.model.geo import LocalProjection

Progress = Callable[[str], None]
HEARD_M = 10_000.0  # the area a sensor watches, for the observed density of sources
DENSITY_PICKS = 5  # sensors that must have heard a source for it to count in that density


@dataclass(frozen=True)
class Anchors:
    """The picks a search may start from: those of ``sensors`` (a mask over the array) at or
    after ``from_ns``. Other picks still support sources; a cell of :mod:`ceasewatch.fusion.cells`
    anchors only near its own sector, so its halo lends picks without being searched twice."""

    sensors: NDArray[np.bool_]
    from_ns: int | None = None

    def of(self, table: PickTable) -> NDArray[np.bool_]:
        keep = self.sensors[table.sensor]
        if self.from_ns is not None:
            keep &= table.t_s >= (self.from_ns - table.epoch_ns) / 1e9
        return keep


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
    *,
    workers: int | None = None,
    anchors: Anchors | None = None,
) -> AcousticResult:
    """Associate and locate: the standalone acoustic stage (``ceasewatch fuse``).

    Long or dense inputs are cut into time windows (:mod:`.windows`) fused on up to
    ``workers`` processes (default: the machine's cores); the windows depend on the picks only,
    so the result is the same for any number of workers. ``anchors`` limits where searches
    start (every pick by default).
    """
    from ceasewatch.fusion.acoustic.windows import fuse_windows

    settings = settings or Settings()
    say = progress or (lambda _m: None)
    table = pick_table(records, array.index)
    say(f"{len(table):,} picks at {len(array):,} sensors")
    events, skews = fuse_windows(array, table, settings, say, workers, anchors)
    explained = sum(len(e.pick_ids) for e in events)
    return AcousticResult(events, skews, len(table), len(table) - explained,
                          table.unknown_sensor, table.duplicates)  # fmt: skip


def fuse_table(
    array: SensorArray,
    table: PickTable,
    settings: Settings,
    say: Progress,
    anchors: Anchors | None = None,
) -> tuple[list[FusedEvent], list[Skew]]:
    """One window's association: first pass, clock offsets and prior, second pass, events."""
    anchorable = anchors.of(table) if anchors is not None else None
    found = Associator(array, table, settings, anchorable=anchorable).run()
    say(f"first pass: {len(found):,} sources")
    skews = find_skews(array, table, found, settings.speed_mps)
    watched = anchors.sensors if anchors is not None else None
    density = observed_density(array, table, found, watched)
    if density > 2 * settings.event_rate_per_km2_h:
        say(f"sources found: {density:.3g} per km² per hour; the prior is raised to that")
        settings = replace(settings, event_rate_per_km2_h=density)
    if skews:
        say("clock offsets: " + ", ".join(f"{k.sensor_id} {k.offset_s:+.2f} s" for k in skews))
    if settings.event_rate_per_km2_h == density:
        table, extra = _corrected(table, array, skews)
        found = Associator(array, table, settings, extra, anchorable=anchorable).run()
        say(f"second pass: {len(found):,} sources")
    elif skews:
        table, extra = _corrected(table, array, skews)
        found = _around_skews(array, table, settings, extra, found, skews, anchorable)
        say(f"second pass around the corrected clocks: {len(found):,} sources")
    located = (to_event(array, table, f, settings) for f in found)
    return [e for e in located if e.confidence >= settings.min_confidence], skews


def observed_density(
    array: SensorArray,
    table: PickTable,
    found: list[Found],
    watched: NDArray[np.bool_] | None = None,
) -> float:
    """Sources per km² per hour within 10 km of a sensor (of the ``watched`` ones, those whose
    picks anchor searches, if given), as the first pass found them.

    An empirical-Bayes prior for the second pass: a conservative prior misses sources where
    fire is dense. Only sources heard by at least ``DENSITY_PICKS`` sensors count: chance
    coincidences of false picks make three- and four-pick sources, so counting those (or
    extrapolating from all the picks) would raise the prior wherever sensors are noisy and
    let the noise through.
    """
    if not found or len(table) < 2:
        return 0.0
    heard = sum(len(np.unique(table.sensor[f.rows])) >= DENSITY_PICKS for f in found)
    hours = max(float(table.t_s.max() - table.t_s.min()) / 3600.0, 1.0)
    projection = LocalProjection.for_bounds(array.lon.min(), array.lat.min(), array.lon.max(),
                                            array.lat.max())  # fmt: skip
    x, y = projection.to_xy(array.lon, array.lat)
    if watched is not None:
        x, y = x[watched], y[watched]
    area_km2 = unary_union([Point(a, b).buffer(HEARD_M) for a, b in zip(x, y, strict=True)]).area
    return heard / (area_km2 / 1e6) / hours


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


def _around_skews(
    array: SensorArray,
    table: PickTable,
    settings: Settings,
    extra: np.ndarray,
    found: list[Found],
    skews: list[Skew],
    within: NDArray[np.bool_] | None = None,
) -> list[Found]:
    """Associate again near the corrected clocks only: sources that involve a sensor within
    ``seed_radius_m`` of one are searched for again (from the picks of those sensors and of
    those sources); the others stand, their picks taken."""
    zone = np.zeros(len(array), dtype=bool)
    for skew in skews:
        k = array.index[skew.sensor_id]
        near = array.nb[k][array.nb_dist_m[k] <= settings.seed_radius_m]
        zone[near[near >= 0]] = True
    redo = [bool(zone[table.sensor[f.rows]].any() or zone[f.anchor]) for f in found]
    kept = [f for f, r in zip(found, redo, strict=True) if not r]
    taken = np.zeros(len(table), dtype=bool)
    for f in kept:
        taken[f.rows] = True
    anchorable = zone[table.sensor]
    for f in (f for f, r in zip(found, redo, strict=True) if r):
        anchorable[f.rows] = True
    if within is not None:
        anchorable &= within
    searched = Associator(array, table, settings, extra, taken=taken,
                          anchorable=anchorable).run()  # fmt: skip
    return kept + searched


def _slots(array: SensorArray, anchor: int, sensors: np.ndarray) -> np.ndarray:
    row = array.nb[anchor]
    return np.array([int(np.flatnonzero(row == s)[0]) for s in sensors])


def to_event(
    array: SensorArray,
    table: PickTable,
    found: Found,
    settings: Settings,
) -> FusedEvent:
    xy = array.nb_xy[found.anchor][_slots(array, found.anchor, table.sensor[found.rows])]
    sigma = np.sqrt(table.sigma_s[found.rows] ** 2 + settings.model_sigma_s**2)
    best = _polished(xy, table.t_s[found.rows], sigma, found.fit, settings.speed_mps)
    lon, lat = array.to_lonlat(found.anchor, best.x_m, best.y_m)
    cov = found.fit.covariance  # the associator's: it knows which clocks were corrected
    other = rival(xy, table.t_s[found.rows], sigma, best, settings.speed_mps)
    if other is not None:
        cov = mixed_covariance(replace(best, covariance=cov), other)
    ellipse = Ellipse.from_covariance(float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1]))
    rows = found.rows
    residual = best.residual_s
    return FusedEvent(
        kind=_kind(table.signature[rows]),
        t_origin_ns=table.t_ns(best.t0_s),
        t_sigma_s=float(np.sqrt(max(cov[2, 2], 0.0))),
        lon=lon,
        lat=lat,
        ellipse=ellipse,
        pick_ids=tuple(table.pick_ids[r] for r in rows),
        confidence=confidence(found.log_odds, len(rows), ellipse, settings.calibration),
        sensor_ids=tuple(array.ids[int(table.sensor[r])] for r in rows),
        residual_rms_s=float(np.sqrt(np.mean(residual**2))) if len(residual) else 0.0,
        log_odds=found.log_odds,
    )


def _polished(xy: np.ndarray, t_s: np.ndarray, sigma: np.ndarray, start: Fit,
              speed_mps: float) -> Fit:  # fmt: skip
    """The associator's solution taken to convergence (its vectorised steps stop early)."""
    polished = fit(xy, t_s, sigma, (start.x_m, start.y_m, start.t0_s), speed_mps)
    before = float(np.sum(((t_s - predicted(xy, start.x_m, start.y_m, start.t0_s, speed_mps))
                           / sigma) ** 2))  # fmt: skip
    return polished if polished.chi2 <= before else replace(start, chi2=before)


def confidence(
    log_odds: float, picks: int, ellipse: Ellipse, calibration: tuple[float, float, float, float]
) -> float:
    """Calibrated probability that the source is real (see :attr:`Settings.calibration`)."""
    a, b, c, d = calibration
    area_km2 = max(ellipse.semi_major_m * ellipse.semi_minor_m, 1.0) / 1e6
    z = a * log_odds + b * float(np.log(max(picks, 1))) + c * float(np.log(area_km2)) + d
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))))


def _kind(signatures: np.ndarray) -> str:
    """The signature most picks agree on, ignoring 'unknown'; 'unknown' if none."""
    counts = np.bincount(signatures.astype(np.int64), minlength=len(SIGNATURES))
    counts[0] = 0
    return SIGNATURES[int(np.argmax(counts))] if counts.max() > 0 else "unknown"
