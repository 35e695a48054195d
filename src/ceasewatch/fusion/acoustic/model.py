"""What the associator assumes about sensors and sources: its settings, in one place.

Detection: a sensor of nominal range R hears a source of relative loudness L (dB, 0 for a
152 mm impact) at distance d with probability ``p_max · 1/(1 + exp((d − r50)/(0.1·r50)))``,
``r50 = 0.75 · R · 10^(L/20)`` — spherical spreading, +6 dB doubling the distance. The loudness
of a source is unknown, so the score takes the best of a grid of loudness values (a profile
likelihood). The same curve is the one the network planner uses (docs/deployment.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SOUND_SPEED_MPS = 343.0
CALIBRATION = (0.1724, -4.2533, -0.3094, 6.9153)  # see scripts/calibrate_fusion.py
"""(a, b, c, d) of the confidence; see :attr:`Settings.calibration`."""


@dataclass(frozen=True)
class Settings:
    speed_mps: float = SOUND_SPEED_MPS
    seed_neighbours: int = 4  # nearest sensors paired with an anchor to form triples
    seed_radius_m: float = 15_000.0
    score_radius_m: float = 35_000.0  # sensors that weigh in on a source near the anchor
    seed_tolerance_s: float = 0.25  # slack on |Δt| ≤ d/c when forming triples
    reach_m: float = 45_000.0  # no source further than this from a sensor that heard it
    model_sigma_s: float = 0.02  # timing error of the model itself (wind, terrain), per pick
    support_sigmas: float = 4.0  # a pick supports a source within this many sigmas
    max_window_s: float = 1.5  # and never further than this from the predicted arrival
    rate_window_s: float = 60.0  # background pick rate: picks within ± this, per second
    alive_window_s: float = 1800.0  # a sensor with no pick within ± this is taken as down
    min_rate_per_h: float = 0.5  # floor of a sensor's background pick rate
    p_max: float = 0.75  # below sensors' nominal 0.9: outages, noise bursts and late loss also miss
    p_floor: float = 0.01
    level_sigma_db: float = 3.0  # scatter of snr_db + 20·log10(d) among one source's picks
    level_range_db: float = 40.0  # the band in which unrelated picks' levels fall
    loudness_db: tuple[float, ...] = (-14.0, -10.0, -6.0, -2.0, 2.0, 6.0)
    event_rate_per_km2_h: float = 0.01  # prior density of sources
    min_picks: int = 3
    # a source is taken when its posterior log-odds say it is more likely real than not; lower
    # bars find more in a bombardment and make phantoms of false picks in quiet hours
    min_log_odds: float = 0.0
    # confidence = logistic(a·log-odds + b·ln(picks) + c·ln(ellipse a·b in km²) + d), fitted by
    # scripts/calibrate_fusion.py on seeds the benchmark does not use
    calibration: tuple[float, float, float, float] = CALIBRATION
    min_confidence: float = 0.5  # events written out are at least this likely to be real

    @property
    def source_density_per_m2_s(self) -> float:
        return self.event_rate_per_km2_h / 1e6 / 3600.0


def detection_probability(
    distance_m: NDArray[np.float64], range_m: NDArray[np.float64], loudness_db: float, s: Settings
) -> NDArray[np.float64]:
    r50 = 0.75 * range_m * 10 ** (loudness_db / 20)
    z = np.clip((distance_m - r50) / (0.1 * r50), -50, 50)
    return np.clip(s.p_max / (1 + np.exp(z)), s.p_floor, s.p_max)


def log_prior_volume(covariance: NDArray[np.float64], density: NDArray[np.float64] | float
                     ) -> NDArray[np.float64]:  # fmt: skip
    """log(ρ · (2π)^{3/2} · √det Σ): the prior mass of sources within the fit's uncertainty.

    This is the Occam factor of the marginal likelihood: three picks always fit a source
    exactly, and the factor says how surprising such a fit is given how densely sources occur
    (ρ per m² per s).
    """
    det = np.linalg.det(covariance)
    return np.log(density) + 1.5 * np.log(2 * np.pi) + 0.5 * np.log(np.maximum(det, 1e-300))
