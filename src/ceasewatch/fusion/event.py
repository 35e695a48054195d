"""Located events: what the acoustic stage finds and what ``ceasewatch fuse`` writes.

One :class:`FusedEvent` is one sound source (a launch, an impact, a blast) located by the time
differences of its picks, with a 95 % error ellipse and a calibrated confidence. ``to_json`` gives
the fused-event format of FORMATS.md.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from scipy.stats import chi2

from ceasewatch.model.time import format_ns

ELLIPSE_P = 0.95
KINDS = ("launch", "impact", "blast", "unknown")


@dataclass(frozen=True)
class Ellipse:
    """An error ellipse holding probability ``p``; ``azimuth_deg`` of the major axis from north."""

    semi_major_m: float
    semi_minor_m: float
    azimuth_deg: float
    p: float = ELLIPSE_P

    @classmethod
    def from_covariance(
        cls, var_east_m2: float, var_north_m2: float, cov_en_m2: float, p: float = ELLIPSE_P
    ) -> Ellipse:
        """The ``p`` ellipse of a bivariate Gaussian given in east/north metres."""
        mean = (var_east_m2 + var_north_m2) / 2.0
        half = math.hypot((var_east_m2 - var_north_m2) / 2.0, cov_en_m2)
        major, minor = mean + half, max(mean - half, 0.0)
        # direction of the major axis: angle from east, counter-clockwise → azimuth from north
        angle = 0.5 * math.atan2(2.0 * cov_en_m2, var_east_m2 - var_north_m2)
        azimuth = (90.0 - math.degrees(angle)) % 180.0
        scale = math.sqrt(float(chi2.ppf(p, df=2)))
        return cls(scale * math.sqrt(major), scale * math.sqrt(minor), azimuth, p)

    def to_json(self) -> dict[str, float]:
        return {
            "semi_major_m": round(self.semi_major_m, 1),
            "semi_minor_m": round(self.semi_minor_m, 1),
            "azimuth_deg": round(self.azimuth_deg, 1),
            "p": self.p,
        }


@dataclass(frozen=True)
class FusedEvent:
    """One located sound source and the picks it explains."""

    kind: str  # launch | impact | blast | unknown (from the picks' signatures)
    t_origin_ns: int
    t_sigma_s: float
    lon: float
    lat: float
    ellipse: Ellipse
    pick_ids: tuple[str, ...]
    confidence: float  # calibrated probability that the event is real
    sensor_ids: tuple[str, ...] = ()
    residual_rms_s: float = 0.0
    log_odds: float = 0.0  # the associator's posterior log-odds, before calibration

    @property
    def event_id(self) -> str:
        """Derived from the first pick it explains, so a rerun gives the same id."""
        first = min(self.pick_ids) if self.pick_ids else f"{self.t_origin_ns}"
        return "ev-" + hashlib.sha256(first.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "kind": self.kind,
            "t_origin": format_ns(self.t_origin_ns, 6),
            "t_sigma_s": round(self.t_sigma_s, 4),
            "position": [round(self.lon, 6), round(self.lat, 6)],
            "ellipse": self.ellipse.to_json(),
            "pick_ids": sorted(self.pick_ids),
            "confidence": round(self.confidence, 4),
            "sensor_ids": sorted(set(self.sensor_ids)),
            "residual_rms_s": round(self.residual_rms_s, 4),
        }
