"""The physics of planning an acoustic network: who hears an explosion, and how well the
hearers can locate it.

* **Detection.** A sensor hears an explosion at distance ``r`` with probability
  ``p(r) = p_max / (1 + exp((r - r50) / w))``, with ``r50 = 0.75 × range_m`` and
  ``w = 0.1 × range_m`` (``p_max`` is the sensor's ``p_detect``): 0.92 ``p_max`` at half the
  nominal range, 0.5 ``p_max`` at three quarters, 0.08 ``p_max`` at the nominal range, and below
  4·10⁻⁶ ``p_max`` beyond twice it, where sensors are ignored. The simulator's acoustic model
  uses this same function.
* **At least k hearers.** Sensors hear independently, so the number of hearers follows a
  Poisson-binomial distribution; :func:`p_at_least` computes P(N ≥ k) exactly by a recursion over
  the sensors that keeps the probabilities of 0, 1, …, k-1 and "k or more" hearers.
* **Location error.** Time-difference-of-arrival location estimates the source position
  ``(x, y)`` and the origin time ``t0`` from arrival times ``t_i = t0 + |s_i - x| / c + ε_i``,
  ``ε_i ~ N(0, σ_i²)``. The Fisher information of ``(x, y, t0)`` is
  ``J = Σ_i w_i [u_i/c; -1][u_i/c; -1]ᵀ`` with ``u_i`` the unit vector from the source toward
  sensor i and ``w_i = p_i / σ_i²`` (each sensor weighted by its probability of hearing). The
  Cramér–Rao bound of the position is the 2×2 position block of ``J⁻¹``, that is the inverse
  of the Schur complement ``A - b bᵀ / d`` with ``A = Σ w u uᵀ / c²``, ``b = Σ w u / c``,
  ``d = Σ w``: the origin time is a nuisance parameter, and sensors all on one side of the
  source locate it worse along the direction they lie in than the same sensors around it.
  The error reported is the semi-major axis of the 95 % ellipse, ``sqrt(χ²₂(0.95) λ_max)``.

It is a lower bound for an unbiased locator: it ignores clock skews, an uncertain speed of
sound, wrong associations and the spread of information between realisations (the weighted
information is that of the average network, not the average error).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ceasewatch.model.geo import FloatArray, as_array
from ceasewatch.sim.sources.acoustic import SOUND_SPEED_MPS as SPEED_OF_SOUND_MPS
from ceasewatch.sim.sources.acoustic import detection_probability as acoustic_detection

CUTOFF_SHARE = 2.0
"""Beyond this many times its nominal range a sensor is taken to hear nothing."""
CHI2_2DOF_95 = -2.0 * math.log(0.05)
"""χ² with two degrees of freedom at 0.95 (5.991): the 95 % ellipse is this many variances."""
HEARERS = 3
"""A two-dimensional TDOA fix needs three arrival times (x, y and the origin time)."""


def detection_probability(
    distance_m: ArrayLike, range_m: ArrayLike, p_max: ArrayLike
) -> FloatArray:
    """Probability that a sensor of nominal ``range_m`` hears a blast ``distance_m`` away."""
    d, r, p = np.broadcast_arrays(as_array(distance_m), as_array(range_m), as_array(p_max))
    out = acoustic_detection(d, r, p)  # the simulator's model, for a 152 mm impact
    return np.where(d <= CUTOFF_SHARE * r, out, 0.0)


def p_at_least(p: ArrayLike, k: int = HEARERS) -> FloatArray:
    """P(at least ``k`` of independent events happen), per row of a (points × sensors) matrix
    of probabilities (pad with zeros). Exact, without cancellation for tiny results."""
    matrix = np.atleast_2d(np.asarray(p, dtype=np.float64))
    if k <= 0:
        return np.ones(len(matrix))
    state = np.zeros((len(matrix), k + 1))  # P(0), …, P(k-1) hearers, and P(k or more)
    state[:, 0] = 1.0
    for column in matrix.T:
        q = column[:, None]
        moved = state[:, :k] * q
        state[:, :k] *= 1.0 - q
        state[:, 1:] += moved
    return np.clip(state[:, k], 0.0, 1.0)


def tdoa_error95_m(
    weight: ArrayLike,
    east: ArrayLike,
    north: ArrayLike,
    speed_mps: float = SPEED_OF_SOUND_MPS,
) -> tuple[FloatArray, FloatArray]:
    """Semi-major and semi-minor axes (m) of the Cramér–Rao 95 % ellipse of TDOA location.

    Rows are points, columns sensors: ``weight`` is ``p_i / σ_i²`` (s⁻², zero for padding),
    ``east``/``north`` the unit vector from the source toward the sensor. Where the geometry
    determines no position (no sensors, all in one direction), the axes are infinite.
    """
    w = np.atleast_2d(np.asarray(weight, dtype=np.float64))
    e = np.atleast_2d(np.asarray(east, dtype=np.float64)) / speed_mps
    n = np.atleast_2d(np.asarray(north, dtype=np.float64)) / speed_mps
    d = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        be, bn = (w * e).sum(axis=1), (w * n).sum(axis=1)
        a_ee = (w * e * e).sum(axis=1) - be * be / d
        a_nn = (w * n * n).sum(axis=1) - bn * bn / d
        a_en = (w * e * n).sum(axis=1) - be * bn / d
        trace = a_ee + a_nn
        spread = np.sqrt((a_ee - a_nn) ** 2 + 4.0 * a_en**2)
        low, high = (trace - spread) / 2.0, (trace + spread) / 2.0
        ok = (d > 0) & (low > 1e-9 * np.maximum(trace, 0.0)) & (low > 0)
        major = np.where(ok, np.sqrt(CHI2_2DOF_95 / low), np.inf)
        minor = np.where(ok, np.sqrt(CHI2_2DOF_95 / high), np.inf)
    return major, minor
