"""The likelihood ratio of "a source here, then" against "these picks are background".

For each sensor within the anchor's neighbourhood the term is the better of two explanations:
its nearest pick came from the source — ``log p_detect + log φ(residual; σ) − log λ`` with λ the
sensor's local pick rate — or the sensor missed it, ``log(1 − p_detect)``. Sensors with no pick
for half an hour either way are taken as down and say nothing. The sum is maximised over the
loudness grid and the Occam factor of :func:`.model.log_prior_volume` added: the result is the
posterior log-odds that the source is real.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.model import Settings, detection_probability, log_prior_volume
from ceasewatch.fusion.acoustic.picks import PickTable

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)
MAX_SKIP = 32  # used picks stepped over when looking for the nearest free one


@dataclass(frozen=True)
class PickIndex:
    """Picks keyed by (sensor, time) in one sorted array, for vectorised nearest-pick lookups."""

    key: F64
    span_s: float
    start: I64
    rate_per_s: F64  # each pick's sensor's background rate around it (see _background_rate)

    @classmethod
    def of(cls, table: PickTable, s: Settings) -> PickIndex:
        span = float(table.t_s.max() + 10_000.0) if len(table) else 10_000.0
        key = table.sensor * span + table.t_s
        index = cls(key, span, table.start, np.zeros(len(key)))
        rate = _background_rate(index, table.sensor, table.t_s, s)
        return cls(key, span, table.start, rate)

    def count_between(self, sensor: I64, low_s: F64, high_s: F64) -> I64:
        base = sensor * self.span_s
        lo = np.searchsorted(self.key, base + low_s)
        hi = np.searchsorted(self.key, base + high_s, side="right")
        return np.asarray(hi - lo)

    def nearest(
        self, sensor: I64, t_s: F64, used: NDArray[np.bool_] | None = None
    ) -> tuple[I64, F64]:
        """Row of the nearest pick (not ``used``) of each sensor to each time (-1: none), |Δt|."""
        base = sensor * self.span_s
        i = np.searchsorted(self.key, base + t_s)
        lo, hi = self.start[sensor], self.start[sensor + 1]
        left, right = i - 1, i.copy()
        if used is not None:
            blocked = used.copy()
            last = len(self.key) - 1
            for step in (left, right):
                move = -1 if step is left else 1
                for _ in range(MAX_SKIP):
                    busy = (step >= lo) & (step < hi) & blocked[np.clip(step, 0, last)]
                    if not busy.any():
                        break
                    step[busy] += move
        last = len(self.key) - 1
        ok_left = (left >= lo) & (left < hi)
        ok_right = (right >= lo) & (right < hi)
        if used is not None:
            ok_left &= ~used[np.clip(left, 0, last)]
            ok_right &= ~used[np.clip(right, 0, last)]
        d_left = np.where(ok_left, np.abs(self.key[np.clip(left, 0, last)] - base - t_s), np.inf)
        d_right = np.where(ok_right, np.abs(self.key[np.clip(right, 0, last)] - base - t_s), np.inf)
        row = np.where(d_left <= d_right, left, right)
        gap = np.minimum(d_left, d_right)
        return np.where(np.isfinite(gap), row, -1), gap


@dataclass(frozen=True)
class Scored:
    log_odds: F64
    support: NDArray[np.bool_]  # [n, width] the sensor's nearest pick is taken
    rows: I64  # [n, width] that pick's row
    loudness_db: F64

    def take(self, keep: NDArray[np.bool_]) -> Scored:
        return Scored(self.log_odds[keep], self.support[keep], self.rows[keep],
                      self.loudness_db[keep])  # fmt: skip

    def padded(self, width: int) -> Scored:
        extra = width - self.rows.shape[1]
        if extra <= 0:
            return self
        n = len(self.log_odds)
        support = np.hstack((self.support, np.zeros((n, extra), bool)))
        rows = np.hstack((self.rows, np.full((n, extra), -1)))
        return Scored(self.log_odds, support, rows, self.loudness_db)

    @classmethod
    def joined(cls, parts: list[Scored]) -> Scored:
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("log_odds", "support", "rows", "loudness_db")))  # fmt: skip


def score(
    array: SensorArray,
    table: PickTable,
    index: PickIndex,
    anchor: I64,
    x_m: F64,
    y_m: F64,
    t0_s: F64,
    covariance: F64,
    s: Settings,
    sigma_extra_s: F64 | None = None,
    used: NDArray[np.bool_] | None = None,
    *,
    width: int = 0,
) -> Scored:
    """Posterior log-odds of candidate sources (vectorised over candidates)."""
    width = min(width or array.score_width(s.score_radius_m), array.nb.shape[1])
    sensors = array.nb[anchor, :width]  # [n, w]
    xy = array.nb_xy[anchor, :width]
    present = (sensors >= 0) & (np.hypot(xy[:, :, 0], xy[:, :, 1]) <= s.score_radius_m)
    sensor = np.where(present, sensors, 0)
    distance, t_pred, var_pred = _predict(xy, x_m, y_m, t0_s, covariance, s.speed_mps)
    flat_s, flat_t = sensor.ravel(), t_pred.ravel()
    row, gap = index.nearest(flat_s, flat_t, used)
    row, gap = row.reshape(sensor.shape), gap.reshape(sensor.shape)
    sigma_pick = np.where(row >= 0, table.sigma_s[np.maximum(row, 0)], 0.05)
    if sigma_extra_s is not None:
        sigma_pick = np.sqrt(sigma_pick**2 + sigma_extra_s[sensor] ** 2)
    sigma = np.sqrt(sigma_pick**2 + s.model_sigma_s**2 + np.maximum(var_pred, 0.0))
    window = np.minimum(s.support_sigmas * sigma, s.max_window_s)
    near = present & (row >= 0) & (gap <= window)
    # the rate around the nearest pick stands for the rate around the predicted arrival
    rate = np.where(row >= 0, index.rate_per_s[np.maximum(row, 0)], s.min_rate_per_h / 3600.0)
    alive = present & (gap <= s.alive_window_s)  # a pick within half an hour: it was working
    fit_term = -0.5 * (gap / sigma) ** 2 - np.log(sigma) - HALF_LOG_2PI - np.log(rate)
    best = np.full(len(anchor), -np.inf)
    best_support = np.zeros(sensor.shape, dtype=bool)
    best_loudness = np.zeros(len(anchor))
    ranges = array.range_m[sensor]
    for loudness in s.loudness_db:
        p = detection_probability(distance, ranges, loudness, s)
        take = near & (np.log(p) + fit_term > np.log1p(-p))
        term = np.where(take, np.log(p) + fit_term, np.where(alive, np.log1p(-p), 0.0))
        total = term.sum(axis=1)
        better = total > best
        best = np.where(better, total, best)
        best_support[better] = take[better]
        best_loudness = np.where(better, loudness, best_loudness)
    log_odds = best + log_prior_volume(covariance, s.source_density_per_m2_s)
    log_odds += level_term(table.snr_db[np.maximum(row, 0)], distance, best_support, s)
    return Scored(log_odds, best_support, np.where(best_support, row, -1), best_loudness)


def level_term(snr_db: F64, distance_m: F64, support: NDArray[np.bool_], s: Settings) -> F64:
    """Log-likelihood ratio of the picks' loudness: one source has one source level.

    ``snr_db + 20·log10(distance)`` estimates the source level at each sensor (spherical
    spreading); around one source they scatter by ``level_sigma_db``, while picks of unrelated
    sources could have any level in a ``level_range_db`` wide band. The unknown level itself is
    integrated out (its Occam factor). Picks without ``snr_db`` say nothing.
    """
    known = support & np.isfinite(snr_db)
    n = known.sum(axis=1)
    level = np.where(known, snr_db + 20 * np.log10(distance_m), 0.0)
    mean = level.sum(axis=1) / np.maximum(n, 1)
    squares = np.where(known, (level - mean[:, None]) ** 2, 0.0).sum(axis=1)
    sigma, width = s.level_sigma_db, s.level_range_db
    per_pick = np.log(width / (np.sqrt(2 * np.pi) * sigma))
    occam = 0.5 * np.log(2 * np.pi * sigma**2 / np.maximum(n, 1)) - np.log(width)
    term = n * per_pick - squares / (2 * sigma**2) + occam
    return np.asarray(np.where(n >= 2, term, 0.0))


def _predict(
    xy: F64, x_m: F64, y_m: F64, t0_s: F64, cov: F64, speed_mps: float
) -> tuple[F64, F64, F64]:
    """Distance, predicted arrival and its variance (from the source's covariance), [n, w]."""
    dx = x_m[:, None] - xy[:, :, 0]
    dy = y_m[:, None] - xy[:, :, 1]
    distance = np.maximum(np.hypot(dx, dy), 1.0)
    gx, gy = dx / (distance * speed_mps), dy / (distance * speed_mps)
    c = [[cov[:, i, j][:, None] for j in range(3)] for i in range(3)]
    var = (gx * gx * c[0][0] + gy * gy * c[1][1] + c[2][2]
           + 2 * (gx * gy * c[0][1] + gx * c[0][2] + gy * c[1][2]))  # fmt: skip
    return distance, t0_s[:, None] + distance / speed_mps, var


def _background_rate(index: PickIndex, sensor: I64, t_s: F64, s: Settings) -> F64:
    """Picks per second at a sensor around a time, not counting the one that may be the source's.

    The larger of a short window (a salvo or a bombardment) and a long one (the usual rate),
    never below ``min_rate_per_h``.
    """
    short = index.count_between(sensor, t_s - s.rate_window_s, t_s + s.rate_window_s)
    long = index.count_between(sensor, t_s - s.alive_window_s, t_s + s.alive_window_s)
    rate = np.maximum(np.maximum(short - 1, 0) / (2 * s.rate_window_s),
                      np.maximum(long - 1, 0) / (2 * s.alive_window_s))  # fmt: skip
    return np.asarray(np.maximum(rate, s.min_rate_per_h / 3600.0))
