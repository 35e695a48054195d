"""Weighted least-squares location by arrival times, with its covariance.

The model of a pick at sensor p is ``t = t₀ + |x − p| / c + ε`` with ε ~ N(0, σ²) (σ the pick's
stated ``t_sigma_s``, widened by the sensor's clock uncertainty). Gauss–Newton with a
Levenberg–Marquardt damping finds (x, y, t₀); the inverse of the weighted normal matrix at the
solution is the covariance, whose position block gives the error ellipse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Fit:
    x_m: float
    y_m: float
    t0_s: float
    covariance: F64  # 3×3 over (x, y, t0)
    residual_s: F64  # observed − predicted, per pick
    chi2: float
    converged: bool


def predicted(xy: F64, x_m: float, y_m: float, t0_s: float, speed_mps: float) -> F64:
    return t0_s + np.hypot(xy[:, 0] - x_m, xy[:, 1] - y_m) / speed_mps


def jacobian(xy: F64, x_m: float, y_m: float, speed_mps: float) -> F64:
    """d(predicted arrival)/d(x, y, t0), one row per sensor."""
    dx, dy = x_m - xy[:, 0], y_m - xy[:, 1]
    r = np.maximum(np.hypot(dx, dy), 1.0)
    return np.column_stack((dx / (r * speed_mps), dy / (r * speed_mps), np.ones(len(xy))))


def fit(
    xy: F64,
    t_s: F64,
    sigma_s: F64,
    start: tuple[float, float, float],
    speed_mps: float,
    iterations: int = 12,
) -> Fit:
    """Locate one source from its picks (at least three distinct sensors)."""
    x, y, t0 = start
    weight = 1.0 / sigma_s
    damping = 1e-3
    residual = t_s - predicted(xy, x, y, t0, speed_mps)
    cost = float(np.sum((residual * weight) ** 2))
    converged = False
    for _ in range(iterations):
        j = jacobian(xy, x, y, speed_mps) * weight[:, None]
        normal = j.T @ j
        gradient = j.T @ (residual * weight)
        try:
            step = np.linalg.solve(normal + damping * np.diag(np.diag(normal)), gradient)
        except np.linalg.LinAlgError:
            break
        nx, ny, nt = x + step[0], y + step[1], t0 + step[2]
        new_residual = t_s - predicted(xy, nx, ny, nt, speed_mps)
        new_cost = float(np.sum((new_residual * weight) ** 2))
        if new_cost <= cost:
            x, y, t0, residual, damping = nx, ny, nt, new_residual, damping / 10
            small = abs(step[0]) + abs(step[1]) < 1e-3 and abs(step[2]) < 1e-7
            done = cost - new_cost < 1e-9 * (1 + cost)
            cost = new_cost
            if small or done:
                converged = True
                break
        else:
            damping *= 10
            if damping > 1e6:
                break
    j = jacobian(xy, x, y, speed_mps) * weight[:, None]
    covariance = _inverse(j.T @ j)
    return Fit(x, y, t0, covariance, residual, cost, converged or cost < 1e-6)


def _inverse(normal: F64) -> F64:
    try:
        if np.linalg.cond(normal) > 1e14:
            raise np.linalg.LinAlgError
        return np.asarray(np.linalg.inv(normal))
    except np.linalg.LinAlgError:
        return np.diag([1e12, 1e12, 1e6])


def seed_covariances(xy: F64, x_m: F64, y_m: F64, sigma_s: F64, speed_mps: float) -> F64:
    """Covariances of exactly determined three-pick solutions, vectorised.

    ``xy`` is [n, 3, 2] (the three sensors in the frame), ``sigma_s`` [n, 3]; returns [n, 3, 3].
    """
    dx = x_m[:, None] - xy[:, :, 0]
    dy = y_m[:, None] - xy[:, :, 1]
    r = np.maximum(np.hypot(dx, dy), 1.0)
    j = np.stack((dx / (r * speed_mps), dy / (r * speed_mps), np.ones_like(r)), axis=2)
    j = j / sigma_s[:, :, None]
    normal = np.einsum("nki,nkj->nij", j, j)
    det = np.linalg.det(normal)
    ok = np.abs(det) > 1e-30
    normal[~ok] = np.eye(3)
    inverse = np.linalg.inv(normal)
    inverse[~ok] = np.diag([1e12, 1e12, 1e6])
    return np.asarray(inverse)


def fit_many(
    xy: F64,
    t_s: F64,
    sigma_s: F64,
    mask: NDArray[np.bool_],
    start: F64,
    speed_mps: float,
    iterations: int = 6,
) -> tuple[F64, F64]:
    """:func:`fit` for many sources at once, each with its own picks (padded, ``mask``).

    ``xy`` [n, w, 2], ``t_s``/``sigma_s``/``mask`` [n, w], ``start`` [n, 3]. A step that raises a
    source's misfit is not taken. Returns the solutions [n, 3] and covariances [n, 3, 3].
    """
    theta = start.astype(np.float64).copy()
    weight = np.where(mask, 1.0 / sigma_s, 0.0)

    def misfit(th: F64) -> tuple[F64, F64, F64, F64]:
        dx = th[:, 0:1] - xy[:, :, 0]
        dy = th[:, 1:2] - xy[:, :, 1]
        r = np.maximum(np.hypot(dx, dy), 1.0)
        residual = (t_s - th[:, 2:3] - r / speed_mps) * weight
        return residual, dx, dy, r

    residual, dx, dy, r = misfit(theta)
    cost = np.sum(residual**2, axis=1)
    for _ in range(iterations):
        normal, gradient = _normal_equations(dx, dy, r, weight, residual, speed_mps)
        damped = normal + 1e-6 * np.eye(3) * np.trace(normal, axis1=1, axis2=2)[:, None, None]
        step = np.linalg.solve(damped, gradient[:, :, None])[:, :, 0]
        trial = theta + step
        t_res, t_dx, t_dy, t_r = misfit(trial)
        t_cost = np.sum(t_res**2, axis=1)
        better = t_cost <= cost
        theta[better] = trial[better]
        residual[better], dx[better], dy[better], r[better] = (
            t_res[better],
            t_dx[better],
            t_dy[better],
            t_r[better],
        )
        cost = np.where(better, t_cost, cost)
    normal, _ = _normal_equations(dx, dy, r, weight, residual, speed_mps)
    det = np.linalg.det(normal)
    ok = det > 1e-30
    normal[~ok] = np.eye(3)
    covariance: F64 = np.asarray(np.linalg.inv(normal), dtype=np.float64)
    covariance[~ok] = np.diag([1e12, 1e12, 1e6])
    return theta, covariance


def _normal_equations(
    dx: F64, dy: F64, r: F64, weight: F64, residual: F64, speed_mps: float
) -> tuple[F64, F64]:
    """JᵀJ [n, 3, 3] and Jᵀr [n, 3] of the weighted problem, element by element (no einsum:
    three columns are summed faster one product at a time)."""
    columns = (dx / (r * speed_mps) * weight, dy / (r * speed_mps) * weight, weight)
    normal = np.empty((len(r), 3, 3))
    for i in range(3):
        for k in range(i, 3):
            normal[:, i, k] = normal[:, k, i] = np.sum(columns[i] * columns[k], axis=1)
    gradient = np.column_stack([np.sum(c * residual, axis=1) for c in columns])
    return normal, np.asarray(gradient, dtype=np.float64)
