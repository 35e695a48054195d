"""The nominal detection curve of an unattended acoustic sensor: a published sensor
characteristic, shared by the simulator (which draws from it), the network planner (which
integrates it) and adjudication (which asks whether a violation would have been heard).

A sensor of nominal ``range_m`` hears a source of relative loudness ``loudness_db`` (0 for a
152 mm impact) at ``distance_m`` with probability ``p_max / (1 + exp((d − r50)/w))``, where
``r50 = 0.75 · range_m · 10^(loudness_db/20)`` (spherical spreading: +6 dB doubles the distance)
and ``w = 0.1 · r50``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from ceasewatch.model.geo import FloatArray, as_array

R50_FRACTION = 0.75
WIDTH_FRACTION = 0.1


def r50_m(range_m: ArrayLike, loudness_db: ArrayLike = 0.0) -> FloatArray:
    """Distance at which a sensor of nominal ``range_m`` hears a source half the time."""
    return np.asarray(R50_FRACTION * as_array(range_m) * 10 ** (as_array(loudness_db) / 20))


def detection_probability(
    distance_m: ArrayLike, range_m: ArrayLike, p_max: ArrayLike, loudness_db: ArrayLike = 0.0
) -> FloatArray:
    """Probability that a sensor of nominal ``range_m`` hears a source ``distance_m`` away."""
    r50 = r50_m(range_m, loudness_db)
    return np.asarray(p_max) * expit(-(as_array(distance_m) - r50) / (WIDTH_FRACTION * r50))
