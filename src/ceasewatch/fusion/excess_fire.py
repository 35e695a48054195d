"""Excess fire: satellite fire activity beyond a seasonal baseline, per day and cell.

**Cells.** A square grid of ``cell_m`` (10 km) in a Lambert azimuthal equal-area projection
centred on Ukraine (:data:`LAEA`), so every cell covers the same ground; a cell is the pair of
integers ``(ix, iy) = floor((x, y) / cell_m)`` and is the same in every run.

**Baseline** (one year of points, the pre-war 2021). For cell *c* and day of the year *d*:

* ``N`` — the cell's fires within ±``window_days`` of *d* (the year wraps around);
* ``M`` — the mean of the same count over its eight neighbours;
* ``G`` — the same count over the whole grid, per cell that burned at all in the year;
* ``E`` — the days that window holds (``2·window_days + 1``, fewer under a ``day_mask``).

The daily rate λ has a gamma posterior: a prior worth ``neighbour_weight`` windows at the
neighbours' rate and ``country_weight`` windows at the country's, updated by the cell's own
window, so ``α = N + w_n·M + w_g·G`` and ``β = (1 + w_n + w_g)·E`` days, and the expected daily
count is ``μ = α/β``. Sparse cells are never zero: they borrow from neighbours and country.

**Day counts.** Fires come in bursts (one field fire is several pixels, on several days), so a
day's count given λ is negative binomial with size ``k`` (fitted on the baseline year itself,
by maximum likelihood with weeks held out, see :func:`fit_dispersion`), not Poisson. The
uncertainty of λ (shape ``α``) widens it further; both multiply the variance, so the predictive
count is negative binomial with mean ``μ`` and size ``r = 1 / ((1 + 1/k)(1 + 1/α) - 1)``.

**Excess.** ``p_excess = P(X < observed)`` under that predictive: the probability that the
baseline would have given fewer fires than seen. A cell-day is flagged at ``p_excess ≥
threshold``; for counts that the baseline explains this happens with probability at most
``1 - threshold`` (less, as counts are integers: :func:`flag_probability` gives the exact rate,
the *nominal false-excess rate*). Assumptions: the baseline year is free of war fires; burning
keeps its season and place from year to year; cells are independent given their rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from scipy import optimize, special, stats
from shapely.geometry.base import BaseGeometry

from ceasewatch.fusion.fire_points import FirePoints
from ceasewatch.model.geo import Linework, LocalProjection

LAEA = "+proj=laea +lat_0=48.5 +lon_0=31.5 +datum=WGS84 +units=m"
DAYS = 365
_TO_XY = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
_TO_LONLAT = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Settings:
    cell_m: float = 10_000.0
    window_days: int = 15
    neighbour_weight: float = 1.0
    country_weight: float = 0.25


def cells_of(lon_deg: FloatArray, lat_deg: FloatArray, cell_m: float) -> tuple[IntArray, IntArray]:
    x, y = _TO_XY.transform(lon_deg, lat_deg)
    return (np.floor(np.asarray(x) / cell_m).astype(np.int64),
            np.floor(np.asarray(y) / cell_m).astype(np.int64))  # fmt: skip


def cell_centres(ix: IntArray, iy: IntArray, cell_m: float) -> tuple[FloatArray, FloatArray]:
    lon, lat = _TO_LONLAT.transform((ix + 0.5) * cell_m, (iy + 0.5) * cell_m)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def day_of_year(day: IntArray) -> IntArray:
    """0-based day of the year of days since 1970-01-01 (31 December of a leap year → 364)."""
    dates = day.astype("datetime64[D]")
    start = dates.astype("datetime64[Y]").astype("datetime64[D]")
    return np.minimum((dates - start).astype(np.int64), DAYS - 1)


@dataclass(frozen=True)
class Baseline:
    """Posterior of the daily fire rate per cell and day of the year (see the module doc)."""

    settings: Settings
    ix0: int
    iy0: int
    alpha: FloatArray  # (ny, nx, DAYS): gamma shape of the rate in the window
    beta_days: FloatArray  # (DAYS,): gamma rate, in days
    floor_alpha: FloatArray  # (DAYS,): shape for cells outside the fitted block
    dispersion_k: float

    def posterior(self, ix: IntArray, iy: IntArray, doy: IntArray) -> tuple[FloatArray, FloatArray]:
        """``(μ, α)``: the expected daily count and the shape of its uncertainty."""
        ny, nx, _ = self.alpha.shape
        jx, jy = ix - self.ix0, iy - self.iy0
        inside = (jx >= 0) & (jx < nx) & (jy >= 0) & (jy < ny)
        alpha = self.floor_alpha[doy].copy()
        alpha[inside] = self.alpha[jy[inside], jx[inside], doy[inside]]
        return alpha / self.beta_days[doy], alpha

    def predictive(
        self, ix: IntArray, iy: IntArray, doy: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        """``(μ, r)``: mean and size of the negative-binomial predictive daily count."""
        mu, alpha = self.posterior(ix, iy, doy)
        return mu, predictive_size(self.dispersion_k, alpha)


def predictive_size(k: float, alpha: FloatArray) -> FloatArray:
    return 1.0 / ((1.0 + 1.0 / k) * (1.0 + 1.0 / alpha) - 1.0)


def _cube(points: FirePoints, settings: Settings, pad: int = 2) -> tuple[IntArray, int, int]:
    ix, iy = cells_of(points.lon_deg, points.lat_deg, settings.cell_m)
    if len(ix) == 0:
        return np.zeros((1, 1, DAYS), dtype=np.int64), 0, 0
    ix0, iy0 = int(ix.min()) - pad, int(iy.min()) - pad
    nx, ny = int(ix.max()) - ix0 + 1 + pad, int(iy.max()) - iy0 + 1 + pad
    flat = ((iy - iy0) * nx + (ix - ix0)) * DAYS + day_of_year(points.day)
    cube = np.bincount(flat, minlength=ny * nx * DAYS).reshape(ny, nx, DAYS)
    return cube.astype(np.int64), ix0, iy0


def _window_sum(values: FloatArray, half: int) -> FloatArray:
    """Circular sum over ±half along the last axis."""
    wrapped = np.concatenate([values[..., -half:], values, values[..., :half]], axis=-1)
    total = np.cumsum(wrapped, axis=-1, dtype=np.float64)
    total = np.concatenate([np.zeros(values.shape[:-1] + (1,)), total], axis=-1)
    width = 2 * half + 1
    return total[..., width:] - total[..., :-width]


def _posterior(
    cube: IntArray, mask: NDArray[np.bool_], settings: Settings
) -> tuple[FloatArray, FloatArray, FloatArray]:
    seen = np.where(mask, cube, 0).astype(np.float64)
    own = _window_sum(seen, settings.window_days)
    padded = np.pad(own, ((1, 1), (1, 1), (0, 0)))
    ny, nx, _ = own.shape
    around = sum(
        padded[1 + dy : 1 + dy + ny, 1 + dx : 1 + dx + nx]
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if (dy, dx) != (0, 0)
    )
    neighbours = np.asarray(around) / 8.0
    active = max(int(np.count_nonzero(seen.sum(axis=2))), 1)
    country = own.sum(axis=(0, 1)) / active
    floor = settings.country_weight * country + 1e-9
    alpha = own + settings.neighbour_weight * neighbours + floor
    exposure = np.maximum(_window_sum(mask.astype(np.float64), settings.window_days), 1.0)
    beta = (1.0 + settings.neighbour_weight + settings.country_weight) * exposure
    return alpha, beta, floor


def _weeks(parity: int) -> NDArray[np.bool_]:
    return (np.arange(DAYS) // 7) % 2 == parity


def nb_loglik(counts: FloatArray, mu: FloatArray, r: FloatArray) -> float:
    """Sum of negative-binomial log probabilities (mean ``mu``, size ``r``)."""
    log_zero = r * np.log(r / (r + mu))
    some = counts > 0
    x, m, s = counts[some], mu[some], r[some]
    extra = (
        special.gammaln(x + s)
        - special.gammaln(s)
        - special.gammaln(x + 1)
        + x * np.log(m / (s + m))
    )
    return float(log_zero.sum() + extra.sum())


def fit_dispersion(cube: IntArray, settings: Settings) -> float:
    """The size ``k`` that makes held-out weeks most likely: the rate is fitted on even weeks
    and scored on odd ones, and the other way round; searched over 0.01 … 100 (log scale)."""
    parts = []
    for parity in (0, 1):
        alpha, beta, _ = _posterior(cube, _weeks(parity), settings)
        held = ~_weeks(parity)
        a = alpha[..., held]
        parts.append((cube[..., held].astype(np.float64), a, a / beta[held]))

    def cost(log_k: float) -> float:
        k = 10.0**log_k
        return -sum(nb_loglik(x, mu, predictive_size(k, a)) for x, a, mu in parts)

    found = optimize.minimize_scalar(cost, bounds=(-2.0, 2.0), method="bounded",
                                     options={"xatol": 0.01})  # fmt: skip
    return float(round(10.0 ** float(found.x), 4))


def fit_baseline(
    points: FirePoints,
    settings: Settings | None = None,
    *,
    day_mask: NDArray[np.bool_] | None = None,
    dispersion_k: float | None = None,
) -> Baseline:
    """The seasonal baseline of ``points`` (one year). ``day_mask`` (365 booleans) keeps only
    some days of the year, for held-out checks; ``dispersion_k`` is fitted when not given."""
    settings = settings or Settings()
    cube, ix0, iy0 = _cube(points, settings)
    mask = np.ones(DAYS, dtype=bool) if day_mask is None else np.asarray(day_mask, dtype=bool)
    alpha, beta, floor = _posterior(cube, mask, settings)
    k = fit_dispersion(cube, settings) if dispersion_k is None else dispersion_k
    return Baseline(settings, ix0, iy0, alpha, beta, floor, k)


@dataclass(frozen=True)
class CellDays:
    """Cell-days with at least one fire, and how far they exceed the baseline."""

    ix: IntArray
    iy: IntArray
    day: IntArray  # days since 1970-01-01
    lon_deg: FloatArray  # the cell's centre
    lat_deg: FloatArray
    count: IntArray
    expected: FloatArray  # μ, the baseline's expected count on that day
    p_excess: FloatArray  # P(X < count) under the baseline's predictive

    def __len__(self) -> int:
        return len(self.day)

    def excess(self, threshold: float) -> NDArray[np.bool_]:
        return self.p_excess >= threshold


def count_cell_days(
    points: FirePoints, cell_m: float
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """``(ix, iy, day, count)`` of every cell-day with fires, sorted by day, then cell."""
    ix, iy = cells_of(points.lon_deg, points.lat_deg, cell_m)
    keys = np.stack([points.day, iy, ix], axis=1)
    unique, count = np.unique(keys, axis=0, return_counts=True)
    return unique[:, 2], unique[:, 1], unique[:, 0], count.astype(np.int64)


def detect(baseline: Baseline, points: FirePoints) -> CellDays:
    """Score every cell-day of ``points`` against ``baseline``. Deterministic."""
    ix, iy, day, count = count_cell_days(points, baseline.settings.cell_m)
    mu, r = baseline.predictive(ix, iy, day_of_year(day))
    tail = stats.nbinom.sf(count - 1, r, r / (r + mu))  # P(X >= count)
    lon, lat = cell_centres(ix, iy, baseline.settings.cell_m)
    return CellDays(ix, iy, day, lon, lat, count, mu, np.clip(1.0 - tail, 0.0, 1.0))


def flag_probability(
    baseline: Baseline, threshold: float, ix: IntArray, iy: IntArray, doy: IntArray
) -> FloatArray:
    """The probability that a cell-day is flagged when its count follows the baseline: the
    nominal false-excess rate of each cell-day (at most ``1 - threshold``)."""
    mu, r = baseline.predictive(ix, iy, doy)
    return nb_flag_probability(mu, r, threshold)


def nb_flag_probability(mu: FloatArray, r: FloatArray, threshold: float) -> FloatArray:
    """``P(X ≥ q + 1)`` where ``q`` is the smallest count with ``P(X ≤ q) ≥ threshold``, for a
    negative binomial of mean ``mu`` and size ``r``; the pmf is summed upwards from zero (the
    quantiles here are small, and this is ~100× faster than ``scipy.stats.nbinom.ppf``)."""
    q = mu / (r + mu)
    pmf = np.exp(r * np.log1p(-q))
    cdf = pmf.copy()
    result = np.zeros(len(mu))
    open_ = np.arange(len(mu))
    x = 0
    while len(open_):
        done = cdf >= threshold
        result[open_[done]] = np.maximum(1.0 - cdf[done], 0.0)
        keep = ~done
        open_, pmf, cdf, r_open, q_open = (
            open_[keep],
            pmf[keep],
            cdf[keep],
            r[open_[keep]],
            q[open_[keep]],
        )
        pmf = pmf * (x + r_open) / (x + 1) * q_open
        cdf = cdf + pmf
        x += 1
    return result


def near_line(
    lon_deg: FloatArray, lat_deg: FloatArray, lines: Sequence[BaseGeometry], within_m: float
) -> NDArray[np.bool_]:
    """Which points lie within ``within_m`` (geodesic) of any of ``lines``."""
    if len(lon_deg) == 0:
        return np.zeros(0, dtype=bool)
    projection = LocalProjection.for_geometry(shapely.union_all(list(lines)))
    found = Linework(lines, projection).nearest(lon_deg, lat_deg, max_distance_m=within_m)
    return np.asarray(found.distance_m <= within_m)
