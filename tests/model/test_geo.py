"""Geometry checked against independent computations: numerical integration of the meridian
arc, brute-force geodesic minimisation, exhaustive planar search, and Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import minimize_scalar
from scipy.stats import norm
from shapely.geometry import LineString

from ceasewatch.model.geo import (
    GEOD,
    Linework,
    LocalProjection,
    Uncertainty,
    compass16,
    geodesic_distance_m,
    geodesic_forward,
    probability_between,
    probability_inside,
    probability_within_radius,
)

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563


def meridian_arc_m(lat_deg: float) -> float:
    """Length of the meridian from the equator to ``lat_deg``, by numerical integration."""
    e2 = WGS84_F * (2 - WGS84_F)
    integrand = lambda phi: (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5  # noqa: E731
    value, _ = quad(integrand, 0.0, math.radians(lat_deg))
    return WGS84_A * value


def brute_force_distance_to_meridian(lon: float, lat: float, meridian: float) -> float:
    """Minimise the geodesic distance over the latitude of the foot on the meridian."""
    result = minimize_scalar(
        lambda foot_lat: float(geodesic_distance_m(lon, lat, meridian, foot_lat)[0]),
        bounds=(lat - 2, lat + 2),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(result.fun)


def test_distance_to_the_equator_is_the_meridian_arc() -> None:
    equator = LineString([(0.0, 0.0), (2.0, 0.0)])
    work = Linework([equator], LocalProjection.for_bounds(0, -1, 2, 1))
    for lat in (0.01, 0.25, 0.5, -0.75):
        nearest = work.nearest(1.0, lat)
        assert nearest.distance_m[0] == pytest.approx(meridian_arc_m(abs(lat)), abs=0.01)
        assert nearest.foot_lat[0] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("offset_deg", [0.001, 0.05, 0.3, 0.7, -0.4])
def test_distance_to_a_meridian_matches_brute_force(offset_deg: float) -> None:
    meridian = LineString([(35.0, 46.0), (35.0, 50.0)])
    work = Linework([meridian], LocalProjection.for_bounds(34, 46, 36, 50))
    lon, lat = 35.0 + offset_deg, 48.3
    expected = brute_force_distance_to_meridian(lon, lat, 35.0)
    assert work.nearest(lon, lat).distance_m[0] == pytest.approx(expected, abs=0.05)


def test_point_sent_perpendicular_is_at_that_distance() -> None:
    meridian = LineString([(35.0, 46.0), (35.0, 50.0)])
    work = Linework([meridian], LocalProjection.for_bounds(34, 46, 36, 50))
    lon, lat = geodesic_forward(35.0, 48.0, 90.0, 49_600.0)
    nearest = work.nearest(lon, lat)
    assert nearest.distance_m[0] == pytest.approx(49_600.0, abs=0.5)
    assert nearest.side[0] == -1  # the line runs north, so east is on its right
    # The direction back to the foot is the geodesic's reverse azimuth there (not exactly 270°:
    # the geodesic leaving east turns against the parallels by about Δλ·sin φ).
    back, _, _ = GEOD.inv(lon[0], lat[0], 35.0, 48.0)
    assert nearest.normal_azimuth_deg[0] == pytest.approx(back % 360, abs=1e-3)
    assert nearest.foot_lat[0] == pytest.approx(48.0, abs=1e-6)


def test_candidate_search_equals_exhaustive_planar_search(ua2026) -> None:
    line = ua2026.line("contact").geometry
    projection = LocalProjection.for_geometry(line)
    work = Linework([line], projection, step_m=200.0)
    rng = np.random.default_rng(7)
    lon = rng.uniform(31.0, 39.5, 3000)
    lat = rng.uniform(46.0, 51.0, 3000)
    nearest = work.nearest(lon, lat)
    # The reference: the line, straight in lon/lat, finely split there and then projected.
    line_xy = projection.geometry_to_xy(shapely.segmentize(line, 0.0005))
    x, y = projection.to_xy(lon, lat)
    exact = shapely.distance(line_xy, shapely.points(x, y))
    fx, fy = projection.to_xy(nearest.foot_lon, nearest.foot_lat)
    chosen = np.hypot(fx - x, fy - y)
    bound = np.sqrt(exact**2 + 100.0**2) - exact  # the documented worst case for 200 m steps
    assert np.all(chosen - exact <= bound + 1e-6)
    assert np.median(chosen - exact) < 1e-6
    # The geodesic distance differs from the planar one only by the projection's scale (<0.2 %).
    ratio = nearest.distance_m / np.maximum(exact, 1.0)
    assert np.all(np.abs(ratio[exact > 1000] - 1) < 2e-3)


def test_points_beyond_max_distance_are_skipped() -> None:
    meridian = LineString([(35.0, 46.0), (35.0, 50.0)])
    work = Linework([meridian], LocalProjection.for_bounds(34, 46, 36, 50))
    near_far = work.nearest([35.01, 35.9], [48.0, 48.0], max_distance_m=5000.0)
    assert math.isfinite(near_far.distance_m[0])
    assert math.isinf(near_far.distance_m[1]) and near_far.side[1] == 0


def test_side_at_a_reflex_corner_uses_the_pseudo_normal() -> None:
    # An L-shaped line: north along x=0 then east along y=1 (in degrees, small area).
    corner = LineString([(35.0, 48.0), (35.0, 48.1), (35.1, 48.1)])
    work = Linework([corner], LocalProjection.for_bounds(34.9, 47.9, 35.2, 48.2))
    # Left of a line running north then east is west/north; a point NW of the corner is left.
    assert work.nearest(34.99, 48.11).side[0] == 1
    # A point SE of the corner, inside the L, is on the right.
    assert work.nearest(35.01, 48.09).side[0] == -1


def test_ellipse_scaling_uses_the_chi_square_quantile() -> None:
    unc = Uncertainty.from_ellipse(245.0, 122.5, 30.0, p=0.95)
    assert unc.sigma_major_m == pytest.approx(245.0 / math.sqrt(-2 * math.log(0.05)))
    assert unc.sigma_along(30.0)[0] == pytest.approx(unc.sigma_major_m)
    assert unc.sigma_along(120.0)[0] == pytest.approx(unc.sigma_minor_m)
    assert unc.sigma_along(210.0)[0] == pytest.approx(unc.sigma_major_m)


def test_band_probability_of_the_issue_example() -> None:
    # An impact 49.6 km ± 2 km from the line is inside the 50 km band with p = Φ(0.2).
    p = probability_between(49_600.0, 0.0, 50_000.0, 2_000.0)[0]
    assert p == pytest.approx(norm.cdf(0.2), abs=1e-9)
    assert p == pytest.approx(0.58, abs=0.005)


def test_zero_sigma_is_a_step() -> None:
    assert probability_between([0.0, 5.0, 10.0, 10.1], 0.0, 10.0, 0.0).tolist() == [1, 1, 1, 0]
    assert probability_inside([-1.0, 0.0, 1.0], 0.0).tolist() == [1, 1, 0]


def test_within_radius_matches_monte_carlo() -> None:
    rng = np.random.default_rng(3)
    sigma, radius = 800.0, 1_000.0
    for distance in (0.0, 700.0, 1_500.0, 3_000.0):
        samples = rng.normal(0.0, sigma, size=(400_000, 2)) + np.array([distance, 0.0])
        empirical = np.mean(np.hypot(samples[:, 0], samples[:, 1]) <= radius)
        assert probability_within_radius(distance, radius, sigma)[0] == pytest.approx(
            empirical, abs=0.004
        )


@pytest.mark.parametrize(
    ("azimuth", "word"),
    [
        (0, "N"),
        (11.2, "N"),
        (11.3, "NNE"),
        (135, "SE"),
        (157.5, "SSE"),
        (348.8, "N"),
        (270, "W"),
        (-45, "NW"),
        (720 + 90, "E"),
    ],
)
def test_compass16(azimuth: float, word: str) -> None:
    assert compass16(azimuth) == word


def test_projection_round_trip_and_scale() -> None:
    projection = LocalProjection.for_bounds(31, 44, 40, 52)
    lon = np.array([31.5, 35.0, 39.9])
    lat = np.array([44.5, 48.0, 51.5])
    back = projection.to_lonlat(*projection.to_xy(lon, lat))
    assert np.allclose(back[0], lon, atol=1e-9) and np.allclose(back[1], lat, atol=1e-9)
    # Planar distance over 50 km agrees with the geodesic one to better than 0.2 %.
    east_lon, east_lat = geodesic_forward(35.0, 48.0, 60.0, 50_000.0)
    x, y = projection.to_xy([35.0, east_lon[0]], [48.0, east_lat[0]])
    assert math.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(50_000.0, rel=2e-3)


def test_geod_is_wgs84() -> None:
    # Jerusalem to Beirut, the figure STACK.md recorded for this pyproj.
    _, _, dist = GEOD.inv(35.2137, 31.7683, 35.5018, 33.8938)
    assert dist == pytest.approx(237_259.2, abs=0.5)


def test_long_segments_are_straight_in_longitude_latitude() -> None:
    # One 114 km segment: its midpoint in lon/lat (where shapely and GeoJSON put the line)
    # must be at distance ~0, not where a chord drawn in the projection would pass.
    segment = LineString([(33.0, 30.0), (34.0, 30.8)])
    work = Linework([segment], LocalProjection.for_bounds(32.5, 29.5, 34.5, 31.0))
    mid = segment.interpolate(0.5, normalized=True)
    assert work.nearest(mid.x, mid.y).distance_m[0] < 1.0


@given(
    st.floats(min_value=20.0, max_value=45.0),
    st.floats(min_value=40.0, max_value=55.0),
    st.lists(
        st.tuples(
            st.floats(min_value=-0.8, max_value=0.8), st.floats(min_value=-0.8, max_value=0.8)
        ),
        min_size=1,
        max_size=40,
    ),
    st.floats(min_value=100.0, max_value=60_000.0),
)
def test_within_m_answers_as_the_geodesic_does(
    lon: float, lat: float, offsets: list[tuple[float, float]], limit_m: float
) -> None:
    from ceasewatch.model.geo import geodesic_distance_m, within_m

    lon2 = np.array([lon + dx for dx, _ in offsets])
    lat2 = np.array([lat + dy for _, dy in offsets])
    exact = geodesic_distance_m(lon, lat, lon2, lat2) <= limit_m
    assert (within_m(lon, lat, lon2, lat2, limit_m) == exact).all()


def test_within_m_on_the_limit_and_per_pair_limits() -> None:
    from ceasewatch.model.geo import geodesic_distance_m, within_m

    d = float(geodesic_distance_m(37.0, 48.0, 37.3, 48.2)[0])
    assert within_m(37.0, 48.0, 37.3, 48.2, d).all()
    assert not within_m(37.0, 48.0, 37.3, 48.2, d - 0.01).any()
    limits = np.array([[d - 1.0, d + 1.0]])
    assert within_m(37.0, 48.0, 37.3, 48.2, limits).tolist() == [[False, True]]
