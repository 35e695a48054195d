"""Position errors as bivariate Gaussians in local east/north metres, and offsets between points.

The cross-source stage compares positions that come with very different errors (a 30 m drone
detection, a 150 m radar CEP, a 375 m FIRMS pixel, a 95 % acoustic ellipse). :class:`Spread`
holds one such error as a covariance so that two can be added and a squared Mahalanobis distance
taken; :func:`offset_m` gives the east/north offset between two points along the geodesic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from scipy.stats import chi2

from ceasewatch.fusion.event import ELLIPSE_P, Ellipse
from ceasewatch.model.geo import GEOD

CEP_TO_SIGMA = 1.0 / 1.1774
"""A circular error probable (50 %) to the one-sigma error per axis of a circular Gaussian."""


@dataclass(frozen=True)
class Spread:
    """A position error: variances and covariance in east/north square metres."""

    var_east_m2: float
    var_north_m2: float
    cov_en_m2: float = 0.0

    @classmethod
    def circular(cls, sigma_m: float) -> Spread:
        return cls(sigma_m**2, sigma_m**2, 0.0)

    @classmethod
    def from_cep(cls, cep_m: float) -> Spread:
        return cls.circular(cep_m * CEP_TO_SIGMA)

    @classmethod
    def from_ellipse(cls, ellipse: Ellipse) -> Spread:
        scale = chi2_scale(ellipse.p)
        major, minor = ellipse.semi_major_m / scale, ellipse.semi_minor_m / scale
        az = math.radians(ellipse.azimuth_deg)  # major axis direction, clockwise from north
        ue, un = math.sin(az), math.cos(az)  # unit vector of the major axis (east, north)
        return cls(
            major**2 * ue * ue + minor**2 * un * un,
            major**2 * un * un + minor**2 * ue * ue,
            (major**2 - minor**2) * ue * un,
        )

    def plus(self, other: Spread) -> Spread:
        return Spread(
            self.var_east_m2 + other.var_east_m2,
            self.var_north_m2 + other.var_north_m2,
            self.cov_en_m2 + other.cov_en_m2,
        )

    def scaled(self, factor: float) -> Spread:
        return Spread(
            self.var_east_m2 * factor, self.var_north_m2 * factor, self.cov_en_m2 * factor
        )

    @property
    def sigma_m(self) -> float:
        """One number for the size: the root of the mean variance per axis."""
        return math.sqrt(max((self.var_east_m2 + self.var_north_m2) / 2.0, 0.0))

    def mahalanobis2(self, east_m: float, north_m: float) -> float:
        """Squared Mahalanobis distance of an offset under this error (floor of 1 m² per axis)."""
        a, d, b = self.var_east_m2 + 1.0, self.var_north_m2 + 1.0, self.cov_en_m2
        det = a * d - b * b
        return (d * east_m * east_m - 2.0 * b * east_m * north_m + a * north_m * north_m) / det

    def log_density(self, east_m: float, north_m: float) -> float:
        """Log of the Gaussian density (per square metre) of an offset under this error."""
        a, d, b = self.var_east_m2 + 1.0, self.var_north_m2 + 1.0, self.cov_en_m2
        det = a * d - b * b
        return -0.5 * self.mahalanobis2(east_m, north_m) - math.log(2.0 * math.pi * math.sqrt(det))

    def ellipse(self, p: float = ELLIPSE_P) -> Ellipse:
        return Ellipse.from_covariance(self.var_east_m2, self.var_north_m2, self.cov_en_m2, p)


@cache
def chi2_scale(p: float) -> float:
    """The Mahalanobis radius of the ``p`` ellipse of a bivariate Gaussian."""
    return math.sqrt(float(chi2.ppf(p, df=2)))


def offset_m(lon1: float, lat1: float, lon2: float, lat2: float) -> tuple[float, float, float]:
    """(east, north, distance) in metres from the first point to the second, along the geodesic."""
    azimuth, _back, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    az = math.radians(azimuth)
    return dist * math.sin(az), dist * math.cos(az), dist


def bearing_and_distance(lon1: float, lat1: float, lon2: float, lat2: float) -> tuple[float, float]:
    """(azimuth from the first point in degrees 0-360, distance in metres)."""
    azimuth, _back, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return azimuth % 360.0, dist
