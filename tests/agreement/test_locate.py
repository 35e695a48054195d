"""`where` answers checked against closed forms on the toy agreement (the 35th meridian) and
against brute force on the real line; properties checked with Hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.stats import norm

from ceasewatch.agreement.locate import OUTSIDE, Locator
from ceasewatch.model.geo import (
    GEOD,
    Uncertainty,
    geodesic_distance_m,
    geodesic_forward,
    probability_within_radius,
)

FOOT = (35.0, 48.3)  # a point on the toy line, far from its ends


def east(km: float) -> tuple[float, float]:
    lon, lat = geodesic_forward(FOOT[0], FOOT[1], 90.0 if km >= 0 else 270.0, abs(km) * 1000)
    return float(lon[0]), float(lat[0])


def zone_p(locator: Locator, point: tuple[float, float], sigma_m: float, zone: str) -> float:
    answer = locator.locate(*point, Uncertainty.circular(sigma_m))
    return dict(answer.zones).get(zone, 0.0)


def test_toy_line_length_is_the_meridian_arc(toy) -> None:
    e2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)
    arc, _ = quad(
        lambda phi: 6378137.0 * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5,
        math.radians(47),
        math.radians(49),
    )
    assert toy.line("front").length_m == pytest.approx(arc, abs=0.01)


@pytest.mark.parametrize("km", [0.2, 3.0, 12.5, 39.6, -7.0, -29.9])
def test_signed_distance_and_side(toy_locator: Locator, km: float) -> None:
    answer = toy_locator.locate(*east(km))
    (line,) = answer.lines
    assert line.distance_m == pytest.approx(abs(km) * 1000, abs=0.5)
    assert line.signed_distance_m == pytest.approx(km * 1000, abs=0.5)  # + on E's side
    assert line.side == ("E" if km > 0 else "W")
    assert line.foot[1] == pytest.approx(FOOT[1], abs=1e-5)


def test_control_near_the_line_is_the_normal_cdf(toy_locator: Locator) -> None:
    answer = toy_locator.locate(*east(0.2), Uncertainty.circular(400.0))
    control = dict(answer.control)
    assert control["E"] == pytest.approx(norm.cdf(0.5), abs=1e-4)
    assert control["W"] == pytest.approx(norm.cdf(-0.5), abs=1e-4)
    assert control[OUTSIDE] == pytest.approx(0.0, abs=1e-9)


def test_elliptical_error_across_the_line(toy_locator: Locator) -> None:
    # Major axis east-west (90°): σ across the north-south line is the major sigma.
    across = Uncertainty(sigma_major_m=400.0, sigma_minor_m=50.0, azimuth_deg=90.0)
    along = Uncertainty(sigma_major_m=400.0, sigma_minor_m=50.0, azimuth_deg=0.0)
    p_across = dict(toy_locator.locate(*east(0.2), across).control)["E"]
    p_along = dict(toy_locator.locate(*east(0.2), along).control)["E"]
    assert p_across == pytest.approx(norm.cdf(0.5), abs=1e-3)
    assert p_along == pytest.approx(norm.cdf(4.0), abs=1e-3)


def test_bands_both_sides_and_one_side(toy_locator: Locator) -> None:
    assert zone_p(toy_locator, east(9.5), 1000, "band-10") == pytest.approx(norm.cdf(0.5), abs=1e-3)
    assert zone_p(toy_locator, east(-9.5), 1000, "band-10") == pytest.approx(
        norm.cdf(0.5), abs=1e-3
    )
    assert zone_p(toy_locator, east(15), 0, "east-outer") == 1.0
    assert zone_p(toy_locator, east(-15), 0, "east-outer") == 0.0
    assert zone_p(toy_locator, east(10), 1000, "east-outer") == pytest.approx(0.5, abs=1e-3)


def test_asymmetric_withdrawal_distances(toy_locator: Locator) -> None:
    assert zone_p(toy_locator, east(35), 0, "withdrawal/mlrs/E") == 1.0  # E keeps 40 km
    assert zone_p(toy_locator, east(-35), 0, "withdrawal/mlrs/W") == 0.0  # W keeps 30 km
    # The issue's example on the toy: 39.6 ± 2 km inside the 40 km band: Φ(0.2) ≈ 0.58.
    p = zone_p(toy_locator, east(39.6), 2000, "withdrawal/mlrs/E")
    assert p == pytest.approx(norm.cdf(0.2), abs=2e-3)


def test_point_site_uses_the_rice_distribution(toy_locator: Locator) -> None:
    lon, lat = geodesic_forward(34.8, 48.5, 30.0, 1500.0)
    answer = toy_locator.locate(float(lon[0]), float(lat[0]), Uncertainty.circular(800.0))
    expected = probability_within_radius(1500.0, 2000.0, 800.0)[0]
    assert dict(answer.sites)["hospital"] == pytest.approx(expected, abs=1e-6)


def test_area_zone_and_sector(toy_locator: Locator) -> None:
    inside = toy_locator.locate(35.51, 47.51)
    assert dict(inside.zones)["depot-zone"] == 1.0
    assert inside.sector == "south"
    lon, lat = geodesic_forward(35.52, 47.51, 90.0, 500.0)  # 500 m east of the depot
    p = zone_p(toy_locator, (float(lon[0]), float(lat[0])), 500.0, "depot-zone")
    assert p == pytest.approx(norm.cdf(-1.0), abs=2e-3)
    assert toy_locator.locate(34.5, 48.7).sector == "north"


def test_outside_every_area(toy_locator: Locator) -> None:
    answer = toy_locator.locate(33.5, 48.0, Uncertainty.circular(100.0))
    assert answer.control[0] == (OUTSIDE, 1.0)
    # West of the west box, the line's geometry still gives the side.
    assert answer.lines[0].side == "W"


def brute_force_distance_m(line, lon: float, lat: float) -> float:
    """Densify every segment to ~50 m on the ellipsoid and take the smallest distance."""
    best = math.inf
    for piece in line.geoms:
        coords = np.asarray(piece.coords)
        for (lon1, lat1), (lon2, lat2) in zip(coords[:-1], coords[1:], strict=True):
            if (
                min(abs(lon1 - lon), abs(lon2 - lon)) > 1.5
                or min(abs(lat1 - lat), abs(lat2 - lat)) > 1.0
            ):
                continue  # over 100 km away: cannot be the nearest to a point 50 km away
            length = GEOD.inv(lon1, lat1, lon2, lat2)[2]
            count = max(2, int(length // 50))  # both ends included
            pts = GEOD.npts(lon1, lat1, lon2, lat2, count, initial_idx=0, terminus_idx=0)
            arr = np.asarray(pts)
            best = min(best, float(np.min(geodesic_distance_m(lon, lat, arr[:, 0], arr[:, 1]))))
    return best


def test_issue_example_on_the_real_line(ua_locator: Locator, ua2026) -> None:
    # Walk east from a point well inside occupied Donetsk oblast until it is 49.6 km from
    # the line, check that distance by brute force, then the 50 km band: p ≈ Φ(0.2) = 0.58.
    lon, lat = 38.35, 48.05
    for _ in range(6):
        d = ua_locator.locate(lon, lat).lines[0].distance_m
        step = 49_600.0 - d
        new = geodesic_forward(lon, lat, 90.0, step)
        lon, lat = float(new[0][0]), float(new[1][0])
    answer = ua_locator.locate(lon, lat, Uncertainty.circular(2000.0))
    assert answer.lines[0].distance_m == pytest.approx(49_600.0, abs=30.0)
    line = ua2026.line("contact").geometry
    assert brute_force_distance_m(line, lon, lat) == pytest.approx(
        answer.lines[0].distance_m, abs=2.0
    )
    assert answer.lines[0].side == "RU"
    p = dict(answer.zones)["withdrawal/artillery_ge_100mm/RU"]
    expected = norm.cdf((50_000.0 - answer.lines[0].distance_m) / 2000.0)
    assert p == pytest.approx(expected, abs=2e-3)
    assert p == pytest.approx(0.58, abs=0.01)


def _segment_feet(agreement):
    """Long straight segments of the real line, as (lon1, lat1, lon2, lat2)."""
    out = []
    for piece in agreement.line("contact").geometry.geoms:
        coords = np.asarray(piece.coords)
        for a, b in zip(coords[:-1], coords[1:], strict=True):
            if GEOD.inv(a[0], a[1], b[0], b[1])[2] > 1500:
                out.append((*a, *b))
    return out


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mirror_points_are_on_different_sides(ua_locator: Locator, ua2026, data) -> None:
    segments = _segment_feet(ua2026)
    lon1, lat1, lon2, lat2 = data.draw(st.sampled_from(segments))
    fraction = data.draw(st.floats(0.3, 0.7))
    offset = data.draw(st.floats(5.0, 120.0))
    azimuth, _, length = GEOD.inv(lon1, lat1, lon2, lat2)
    foot_lon, foot_lat, _ = GEOD.fwd(lon1, lat1, azimuth, length * fraction)
    heading = GEOD.inv(foot_lon, foot_lat, lon2, lat2)[0]
    left = geodesic_forward(foot_lon, foot_lat, heading - 90.0, offset)
    right = geodesic_forward(foot_lon, foot_lat, heading + 90.0, offset)
    a = ua_locator.locate(float(left[0][0]), float(left[1][0]))
    b = ua_locator.locate(float(right[0][0]), float(right[1][0]))
    assert a.lines[0].side is not None and b.lines[0].side is not None
    assert a.lines[0].side != b.lines[0].side
    assert a.control[0][0] != b.control[0][0]
    assert a.control[0][1] == 1.0 and b.control[0][1] == 1.0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lon=st.floats(30.0, 41.0),
    lat=st.floats(44.0, 52.5),
    major=st.floats(0.0, 20_000.0),
    ratio=st.floats(0.0, 1.0),
    azimuth=st.floats(0.0, 360.0),
)
def test_probabilities_are_probabilities(ua_locator, lon, lat, major, ratio, azimuth) -> None:
    answer = ua_locator.locate(lon, lat, Uncertainty(major, major * ratio, azimuth))
    control = [p for _, p in answer.control]
    assert all(0.0 <= p <= 1.0 for p in control)
    assert sum(control) == pytest.approx(1.0, abs=1e-9)
    assert all(0.0 <= p <= 1.0 for _, p in (*answer.zones, *answer.sites))
    # Withdrawal zones of one side are nested: a larger distance never has a smaller p.
    zones = dict(answer.zones)
    for side in ("UA", "RU"):
        p15 = zones.get(f"withdrawal/tank/{side}", 0.0)
        p50 = zones.get(f"withdrawal/artillery_ge_100mm/{side}", 0.0)
        p70 = zones.get(f"withdrawal/mlrs/{side}", 0.0)
        assert p15 <= p50 + 1e-12 <= p70 + 2e-12


def test_batch_equals_locate_and_ignores_order(ua_locator: Locator) -> None:
    rng = np.random.default_rng(11)
    lon = rng.uniform(33.0, 39.0, 400)
    lat = rng.uniform(46.5, 50.5, 400)
    sigma = rng.uniform(0.0, 5000.0, 400)
    batch = ua_locator.batch(lon, lat, sigma)
    order = rng.permutation(400)
    shuffled = ua_locator.batch(lon[order], lat[order], sigma[order])
    assert np.array_equal(shuffled.control, batch.control[order])
    assert np.array_equal(shuffled.zone_p, batch.zone_p[order])
    for i in (0, 17, 399):
        one = ua_locator.locate(lon[i], lat[i], Uncertainty.circular(sigma[i]))
        assert dict(one.control) == pytest.approx(
            dict(zip(batch.control_ids, batch.control[i], strict=True)), abs=1e-12
        )
        assert one.lines[0].signed_distance_m == pytest.approx(batch.line_signed_m[i, 0])


def test_batch_rejects_mismatched_input(ua_locator: Locator) -> None:
    with pytest.raises(ValueError, match="same length"):
        ua_locator.batch([35.0, 36.0], [48.0], 0.0)
    with pytest.raises(ValueError, match="sigma"):
        ua_locator.batch([35.0, 36.0], [48.0, 48.0], [1.0, -1.0])
