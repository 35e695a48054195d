"""How well true-positive events are placed: location error, ellipse honesty, origin-time error.

**Ellipse honesty.** A run event states an ellipse holding probability ``p``. The offset from
the event's position to the truth is taken in local east/north metres (geodesic azimuth and
distance), turned into the ellipse's axes, and divided by the one-sigma axes of
:meth:`~ceasewatch.model.geo.Uncertainty.from_ellipse`; the truth lies inside when this
squared Mahalanobis distance is at most the chi-square quantile of ``p`` with two degrees of
freedom. An honest locator's coverage (share inside) matches its stated ``p``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from ceasewatch.model.geo import geodesic_inverse
from ceasewatch.model.time import NS_PER_S
from ceasewatch.sim.scoring.match import Pair
from ceasewatch.sim.scoring.report import NotAvailable, Spread, ratio, wilson_interval
from ceasewatch.sim.scoring.run import Ellipse


@dataclass(frozen=True)
class Coverage:
    events: int
    inside: int
    coverage: float | None
    stated_p: float | None


@dataclass(frozen=True)
class EllipseScore:
    """``coverage`` is the share of truths inside the stated ellipses; ``stated_p`` the mean
    stated probability; ``coverage_interval`` a 95 % Wilson interval of the coverage."""

    events: int
    without_ellipse: int
    inside: int
    coverage: float | None
    stated_p: float | None
    coverage_interval: tuple[float, float] | None
    by_stated_p: dict[str, Coverage]


@dataclass(frozen=True)
class LocationScore:
    events: int
    error_m: Spread
    origin_time_error_s: Spread  # |t_origin(run) - t_origin(truth)|
    ellipse: EllipseScore | NotAvailable


def offsets_en_m(pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """East, north offsets (m) from each event's position to its truth, and the distance."""
    if not pairs:
        empty = np.zeros(0)
        return empty, empty, empty
    azimuth_deg, distance_m = geodesic_inverse(
        [p.event.lon for p in pairs],
        [p.event.lat for p in pairs],
        [p.source.lon for p in pairs],
        [p.source.lat for p in pairs],
    )
    azimuth = np.radians(azimuth_deg)
    return distance_m * np.sin(azimuth), distance_m * np.cos(azimuth), distance_m


def mahalanobis_squared(
    east_m: np.ndarray, north_m: np.ndarray, ellipses: Sequence[Ellipse]
) -> np.ndarray:
    """Squared Mahalanobis distance of each offset under its stated ellipse, with the one-sigma
    axes of ``Uncertainty.from_ellipse`` (semi-axis / sqrt(chi²₂(p))), vectorised."""
    major = np.array([e.semi_major_m for e in ellipses], dtype=np.float64)
    minor = np.array([e.semi_minor_m for e in ellipses], dtype=np.float64)
    axis = np.radians([e.azimuth_deg for e in ellipses])
    scale = np.sqrt(chi2.ppf([e.p for e in ellipses], df=2))
    along = east_m * np.sin(axis) + north_m * np.cos(axis)
    across = east_m * np.cos(axis) - north_m * np.sin(axis)
    return _scaled(along, major / scale) + _scaled(across, minor / scale)


def inside_ellipses(
    east_m: np.ndarray, north_m: np.ndarray, ellipses: Sequence[Ellipse]
) -> np.ndarray:
    """Whether each offset lies inside its stated ellipse (squared Mahalanobis ≤ chi²₂(p))."""
    if not ellipses:
        return np.zeros(0, dtype=bool)
    threshold = chi2.ppf([e.p for e in ellipses], df=2)
    return np.asarray(mahalanobis_squared(east_m, north_m, ellipses) <= threshold)


def _scaled(offset_m: np.ndarray, sigma_m: np.ndarray) -> np.ndarray:
    """(offset / sigma)²; a zero sigma admits only a zero offset (within a micrometre)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_sq = (offset_m / sigma_m) ** 2
    degenerate = np.where(np.abs(offset_m) < 1e-6, 0.0, np.inf)
    return np.asarray(np.where(sigma_m > 0, ratio_sq, degenerate))


def score_location(pairs: Sequence[Pair]) -> LocationScore | NotAvailable:
    if not pairs:
        return NotAvailable("no true-positive events to measure")
    east, north, distance = offsets_en_m(pairs)
    time_error_s = [abs(p.event.t_origin_ns - p.source.t_origin_ns) / NS_PER_S for p in pairs]
    return LocationScore(
        events=len(pairs),
        error_m=Spread.of(distance),
        origin_time_error_s=Spread.of(time_error_s),
        ellipse=_ellipses(pairs, east, north),
    )


def _ellipses(
    pairs: Sequence[Pair], east: np.ndarray, north: np.ndarray
) -> EllipseScore | NotAvailable:
    stated = [(k, p.event.ellipse) for k, p in enumerate(pairs) if p.event.ellipse is not None]
    ellipses = [e for _, e in stated]
    rows = [k for k, _ in stated]
    hits = inside_ellipses(east[rows], north[rows], ellipses).tolist()
    groups: dict[str, list[bool]] = defaultdict(list)
    for ellipse, hit in zip(ellipses, hits, strict=True):
        groups[f"{ellipse.p:g}"].append(hit)
    if not hits:
        return NotAvailable("no true-positive event states an ellipse")
    inside = sum(hits)
    return EllipseScore(
        events=len(hits),
        without_ellipse=len(pairs) - len(hits),
        inside=inside,
        coverage=ratio(inside, len(hits)),
        stated_p=float(np.mean([e.p for e in ellipses])),
        coverage_interval=wilson_interval(inside, len(hits)),
        by_stated_p={
            key: Coverage(len(g), sum(g), ratio(sum(g), len(g)), float(key))
            for key, g in sorted(groups.items())
        },
    )
