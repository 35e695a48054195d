"""A day factor for excess fire: this year's burning season against the baseline year's.

Burning varies from year to year (weather, crop calendar, and the satellites in the record), and
the plain baseline reads a wetter or drier year as excess everywhere. A *control area* far from
the fighting (cells the caller chooses, e.g. land more than 50 km from the line) measures that:
for each day, the fires seen there against the fires the baseline expects there, both summed
over ±``half_days``. Where the control burns more than expected, every cell's expected count is
raised by that factor (never lowered: a quiet control year does not make the front more
suspicious). The scaled baseline has the same shapes and sizes; only ``μ`` changes.

Assumption: the fighting adds few fires to the control area; its own excess then lowers the
sensitivity everywhere, which errs on the side of fewer flags.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ceasewatch.fusion.excess_fire import (
    DAYS,
    Baseline,
    FloatArray,
    IntArray,
    cell_centres,
    cells_of,
    day_of_year,
)
from ceasewatch.fusion.fire_points import FirePoints


def control_factor(
    baseline: Baseline,
    points: FirePoints,
    control_ix: IntArray,
    control_iy: IntArray,
    *,
    half_days: int = 7,
) -> FloatArray:
    """The factor (≥ 1) for each day of the year (365 values) of the year ``points`` hold."""
    doy = np.arange(DAYS)
    mu, _ = baseline.posterior(
        np.repeat(control_ix, DAYS), np.repeat(control_iy, DAYS), np.tile(doy, len(control_ix))
    )
    expected = mu.reshape(len(control_ix), DAYS).sum(axis=0)
    ix, iy = cells_of(points.lon_deg, points.lat_deg, baseline.settings.cell_m)
    key = ix * 1_000_003 + iy
    inside = np.isin(key, control_ix * 1_000_003 + control_iy)
    seen = np.bincount(day_of_year(points.day[inside]), minlength=DAYS).astype(np.float64)
    kernel = np.ones(2 * half_days + 1)
    smooth_seen = np.convolve(np.concatenate([seen[-half_days:], seen, seen[:half_days]]),
                              kernel, mode="valid")  # fmt: skip
    smooth_expected = np.convolve(
        np.concatenate([expected[-half_days:], expected, expected[:half_days]]),
        kernel,
        mode="valid",
    )
    return np.maximum(smooth_seen / np.maximum(smooth_expected, 1e-9), 1.0)


def scaled(baseline: Baseline, factor: FloatArray) -> Baseline:
    """The baseline with every expected count on day-of-year ``d`` multiplied by
    ``factor[d]`` (the shape ``α``, hence the burstiness, unchanged)."""
    if factor.shape != (DAYS,) or not np.all(factor > 0):
        raise ValueError("the factor needs 365 positive values, one per day of the year")
    return replace(baseline, beta_days=baseline.beta_days / factor)


def land_cells(land: Any, cell_m: float) -> tuple[IntArray, IntArray]:
    """The cells (``ix``, ``iy``) whose centre lies on ``land`` (a shapely area in lon/lat),
    found by sampling the land's bounding box every 0.05° (finer than a cell)."""
    import shapely

    minx, miny, maxx, maxy = land.bounds
    glon, glat = np.meshgrid(np.arange(minx, maxx, 0.05), np.arange(miny, maxy, 0.05))
    ix, iy = cells_of(glon.ravel(), glat.ravel(), cell_m)
    cells = np.unique(np.stack([ix, iy], axis=1), axis=0)
    clon, clat = cell_centres(cells[:, 0], cells[:, 1], cell_m)
    inside = shapely.contains_xy(land, clon, clat)
    return cells[inside, 0], cells[inside, 1]
