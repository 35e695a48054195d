"""A second place that explains the same picks: the mirror across the sensor rows.

Sensors stand in two rows along the line, so arrival times from a few sensors can fit two places,
one on each side. After a source is located, its misfit is mapped on a grid around it (the
origin time solved for at each node); a second basin whose refined misfit is close to the best
means the picks cannot tell the two apart. The error ellipse then covers both (a two-component
mixture, weighted by likelihood, moment-matched about the reported place) — never a tight
ellipse on what may be the wrong side of the line.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.locate import Fit, fit

F64 = NDArray[np.float64]
GRID_HALF_M = 30_000.0
GRID_STEP_M = 1_000.0
APART_M = 2_000.0  # a second basin must lie at least this far from the first
CLOSE_CHI2 = 9.21  # chi-square(2) at 99 %: a basin this close cannot be ruled out


def profile_misfit(xy: F64, t_s: F64, sigma_s: F64, gx: F64, gy: F64, speed_mps: float) -> F64:
    """Weighted misfit at grid nodes, with the origin time solved for at each."""
    w = 1.0 / sigma_s**2
    d = np.hypot(gx[:, None] - xy[None, :, 0], gy[:, None] - xy[None, :, 1])
    r = t_s[None, :] - d / speed_mps
    t0 = (r * w).sum(axis=1) / w.sum()
    return np.asarray(((r - t0[:, None]) ** 2 * w).sum(axis=1))


def rival(xy: F64, t_s: F64, sigma_s: F64, best: Fit, speed_mps: float) -> Fit | None:
    """The best fit in another basin, if one is about as good as ``best``."""
    if len(t_s) > 8:
        return None  # many sensors around a source leave no mirror
    axis = np.arange(-GRID_HALF_M, GRID_HALF_M + 1, GRID_STEP_M)
    mesh_x, mesh_y = np.meshgrid(best.x_m + axis, best.y_m + axis)
    gx, gy = mesh_x.ravel(), mesh_y.ravel()
    misfit = profile_misfit(xy, t_s, sigma_s, gx, gy, speed_mps)
    away = np.hypot(gx - best.x_m, gy - best.y_m) >= APART_M
    if not away.any():
        return None
    k = np.flatnonzero(away)[np.argmin(misfit[away])]
    d = np.hypot(gx[k] - xy[:, 0], gy[k] - xy[:, 1])
    t0 = float(np.average(t_s - d / speed_mps, weights=1 / sigma_s**2))
    other = fit(xy, t_s, sigma_s, (float(gx[k]), float(gy[k]), t0), speed_mps)
    apart = np.hypot(other.x_m - best.x_m, other.y_m - best.y_m) >= APART_M
    if apart and other.chi2 - best.chi2 <= CLOSE_CHI2:
        return other
    return None


def mixed_covariance(best: Fit, other: Fit) -> F64:
    """Covariance of the two-place mixture about ``best``'s position (x, y, t0)."""
    w_other = 1.0 / (1.0 + np.exp((other.chi2 - best.chi2) / 2.0))
    shift = np.array([other.x_m - best.x_m, other.y_m - best.y_m, other.t0_s - best.t0_s])
    cov = (1 - w_other) * best.covariance + w_other * (other.covariance + np.outer(shift, shift))
    return np.asarray(cov)
