"""A second place that explains the same picks: the mirror across the sensor rows.

Sensors stand in two rows along the line, so arrival times from a few sensors can fit two places,
one on each side. After a source is located, its misfit is mapped on a grid around it (the
origin time solved for at each node); a second basin whose refined misfit is close to the best
means the picks cannot tell the two apart. The error ellipse then covers both (a two-component
mixture, weighted by likelihood, moment-matched about the reported place) — never a tight
ellipse on what may be the wrong side of the line.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.locate import Fit, fit_many, predicted
from ceasewatch.fusion.acoustic.seeds import solve_triples

F64 = NDArray[np.float64]
GRID_HALF_M = 30_000.0
GRID_STEP_M = 1_000.0
APART_M = 2_000.0  # a second basin must lie at least this far from the first
CLOSE_CHI2 = 9.21  # chi-square(2) at 99 %: a basin this close cannot be ruled out
STARTS = 8  # starts tried away from the best
TRIPLE_ROOTS_UP_TO = 5  # picks: up to this many, every triple's exact solutions are tried too


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
    starts = _basins(misfit, gx, gy, best)
    if len(t_s) <= TRIPLE_ROOTS_UP_TO:
        starts += _triple_roots(xy, t_s, speed_mps)
    if not starts:
        return None
    begin = np.array([(x, y, _origin(xy, t_s, sigma_s, x, y, speed_mps)) for x, y in starts])
    n, k = len(begin), len(t_s)
    theta, cov = fit_many(np.broadcast_to(xy, (n, k, 2)), np.broadcast_to(t_s, (n, k)),
                          np.broadcast_to(sigma_s, (n, k)), np.ones((n, k), dtype=bool), begin,
                          speed_mps, iterations=10)  # fmt: skip
    chi2 = profile_misfit(xy, t_s, sigma_s, theta[:, 0], theta[:, 1], speed_mps)
    apart = np.flatnonzero(np.hypot(theta[:, 0] - best.x_m, theta[:, 1] - best.y_m) >= APART_M)
    if not len(apart):
        return None
    j = apart[np.argmin(chi2[apart])]
    if chi2[j] - best.chi2 > CLOSE_CHI2:
        return None
    residual = t_s - predicted(xy, theta[j, 0], theta[j, 1], theta[j, 2], speed_mps)
    return Fit(float(theta[j, 0]), float(theta[j, 1]), float(theta[j, 2]), cov[j], residual,
               float(chi2[j]), True)  # fmt: skip


def _basins(misfit: F64, gx: F64, gy: F64, best: Fit) -> list[tuple[float, float]]:
    """Starting nodes away from ``best``: the lowest, each at least ``APART_M`` from the others.

    The misfit of a distant source is a long, narrow, curved valley: the lowest node away from
    the best is often still in the best's own valley, so several spread-out starts are tried.
    """
    away = np.flatnonzero(np.hypot(gx - best.x_m, gy - best.y_m) >= APART_M)
    away = away[np.argsort(misfit[away])][: 50 * STARTS]
    chosen: list[int] = []
    for k in away:
        if all(np.hypot(gx[k] - gx[j], gy[k] - gy[j]) >= APART_M for j in chosen):
            chosen.append(int(k))
            if len(chosen) == STARTS:
                break
    return [(float(gx[k]), float(gy[k])) for k in chosen]


def _triple_roots(xy: F64, t_s: F64, speed_mps: float) -> list[tuple[float, float]]:
    """Every exact solution of every triple of the picks (closed form): each basin's bottom."""
    starts = []
    for trio in itertools.combinations(range(len(t_s)), 3):
        a, b, c = sorted(trio, key=lambda k: t_s[k])
        pb, pc = (xy[b] - xy[a])[None, :], (xy[c] - xy[a])[None, :]
        tau_b, tau_c = np.array([t_s[b] - t_s[a]]), np.array([t_s[c] - t_s[a]])
        x, y, _, _ = solve_triples(pb, pc, tau_b, tau_c, speed_mps)
        starts += [(float(xy[a, 0] + u), float(xy[a, 1] + v)) for u, v in zip(x, y, strict=True)]
    return starts


def _origin(xy: F64, t_s: F64, sigma_s: F64, x: float, y: float, speed_mps: float) -> float:
    d = np.hypot(x - xy[:, 0], y - xy[:, 1])
    return float(np.average(t_s - d / speed_mps, weights=1 / sigma_s**2))


def mixed_covariance(best: Fit, other: Fit) -> F64:
    """Covariance of the two-place mixture about ``best``'s position (x, y, t0)."""
    w_other = 1.0 / (1.0 + np.exp((other.chi2 - best.chi2) / 2.0))
    shift = np.array([other.x_m - best.x_m, other.y_m - best.y_m, other.t0_s - best.t0_s])
    cov = (1 - w_other) * best.covariance + w_other * (other.covariance + np.outer(shift, shift))
    return np.asarray(cov)
