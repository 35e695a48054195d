"""Network planning: detection and location physics against hand computations, coverage by
kind, the per-sector table, weak stretches, and the map."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from ceasewatch.agreement import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.geo import geodesic_forward
from ceasewatch.model.places import Gazetteer
from ceasewatch.sim.base import Deployment, Sensor, SensorKind
from ceasewatch.sim.deployment.layout import generate
from ceasewatch.sim.deployment.line import LineWalk
from ceasewatch.sim.planning.model import (
    CHI2_2DOF_95,
    SPEED_OF_SOUND_MPS,
    detection_probability,
    p_at_least,
    tdoa_error95_m,
)
from ceasewatch.sim.planning.plan import Plan, plan, run_plan
from ceasewatch.sim.planning.table import TOTAL, weighted_quantile

C = SPEED_OF_SOUND_MPS


def brute_force_at_least(p: np.ndarray, k: int) -> float:
    """P(at least k of the events) by summing over every subset of events that happen."""
    total = 0.0
    for happened in itertools.product((False, True), repeat=len(p)):
        if sum(happened) >= k:
            total += math.prod(q if h else 1 - q for q, h in zip(p, happened, strict=True))
    return total


# -- the model --------------------------------------------------------------------------------


def test_detection_probability_is_the_simulators_logistic() -> None:
    # r50 = 0.75 x range for a 152 mm impact, width 0.1 x r50 (sensors_acoustic).
    r = np.array([0.0, 10_000.0, 15_000.0, 20_000.0, 39_000.0, 40_001.0])
    p = detection_probability(r, 20_000.0, 0.9)
    expected = 0.9 / (1 + np.exp((r - 15_000.0) / 1_500.0))
    expected[-1] = 0.0  # beyond twice the range: ignored
    assert p == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert p[2] == pytest.approx(0.45)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_p_at_least_equals_enumeration_over_subsets(k: int) -> None:
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 1, size=(20, 7)) * (rng.uniform(size=(20, 7)) < 0.8)
    got = p_at_least(p, k)
    expected = [brute_force_at_least(row, k) for row in p]
    assert got == pytest.approx(expected, abs=1e-13)


def test_p_at_least_keeps_tiny_probabilities() -> None:
    # Three sensors at 1e-6 each: 1e-18 exactly, where 1 - P(0) - P(1) - P(2) would give 0.
    assert p_at_least(np.full((1, 3), 1e-6))[0] == pytest.approx(1e-18, rel=1e-9)
    assert p_at_least(np.zeros((2, 0)))[0] == 0.0


def test_crb_of_four_sensors_on_a_square_is_the_hand_value() -> None:
    sigma, p = 0.02, 0.8
    east = np.array([[0.0, 1.0, 0.0, -1.0]])
    north = np.array([[1.0, 0.0, -1.0, 0.0]])
    major, minor = tdoa_error95_m(np.full((1, 4), p / sigma**2), east, north)
    # Σ u uᵀ = 2 I, Σ u = 0: the origin time costs nothing; variance c²σ²/(2p) each way.
    expected = math.sqrt(CHI2_2DOF_95 * C**2 * sigma**2 / (2 * p))
    assert major[0] == pytest.approx(expected, rel=1e-12)
    assert minor[0] == pytest.approx(expected, rel=1e-12)


def test_crb_with_sensors_on_one_side_pays_for_the_origin_time() -> None:
    sigma, p = 0.03, 0.9
    # North, east and south of the source: nothing to the west.
    east = np.array([[0.0, 1.0, 0.0]])
    north = np.array([[1.0, 0.0, -1.0]])
    major, minor = tdoa_error95_m(np.full((1, 3), p / sigma**2), east, north)
    # Schur complement: diag(1 - 1/3, 2) w / c²  →  variances 1.5 and 0.5 c²σ²/p.
    assert major[0] == pytest.approx(math.sqrt(CHI2_2DOF_95 * 1.5 * C**2 * sigma**2 / p))
    assert minor[0] == pytest.approx(math.sqrt(CHI2_2DOF_95 * 0.5 * C**2 * sigma**2 / p))
    # Knowing the origin time would have given c²σ²/p east-west: the nuisance costs √1.5.
    assert major[0] > math.sqrt(CHI2_2DOF_95 * C**2 * sigma**2 / p) * 1.2


def test_crb_is_infinite_where_the_geometry_fixes_nothing() -> None:
    collinear_e = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    collinear_n = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    major, _ = tdoa_error95_m(
        np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), collinear_e, collinear_n
    )
    assert np.all(np.isinf(major))


# -- plan() on hand-made deployments on the toy line --------------------------------------------


def _centre_station(toy: Agreement) -> tuple[int, float, float]:
    stations = LineWalk(toy.lines[0]).every(1000.0)
    i = len(stations) // 2
    return i, float(stations.lon[i]), float(stations.lat[i])


def _acoustic(ident: str, lon: float, lat: float, **kw: float) -> Sensor:
    values = {"range_m": 20_000.0, "t_sigma_s": 0.02, "p_detect": 0.9, **kw}
    return Sensor(ident, SensorKind.ACOUSTIC, "mission", lon, lat, **values)  # type: ignore[arg-type]


def test_plan_square_around_a_point_matches_the_hand_computation(toy: Agreement) -> None:
    i, lon, lat = _centre_station(toy)
    r, sigma = 5_000.0, 0.02
    sensor_lon, sensor_lat = geodesic_forward(lon, lat, [0.0, 90.0, 180.0, 270.0], r)
    sensors = tuple(
        _acoustic(f"A{k}", x, y, t_sigma_s=sigma)
        for k, (x, y) in enumerate(zip(sensor_lon, sensor_lat, strict=True))
    )
    result = plan(toy, Deployment("square", sensors), offsets_m=(0.0,))
    p = 0.9 * float(expit(-(r - 15_000.0) / 1_500.0))  # the same for all four
    assert result.hearers[i, 0] == pytest.approx(4 * p, rel=1e-6)
    assert result.p3[i, 0] == pytest.approx(4 * p**3 * (1 - p) + p**4, rel=1e-6)
    expected = math.sqrt(CHI2_2DOF_95 * C**2 * sigma**2 / (2 * p))
    assert result.error95_m[i, 0] == pytest.approx(expected, rel=1e-4)


def test_plan_p3_equals_enumeration_for_unequal_sensors(toy: Agreement) -> None:
    i, lon, lat = _centre_station(toy)
    distances = [3_000.0, 9_000.0, 14_000.0, 17_000.0, 21_000.0]
    ranges = [15_000.0, 20_000.0, 20_000.0, 25_000.0, 30_000.0]
    azimuths = [10.0, 100.0, 200.0, 280.0, 330.0]
    x, y = geodesic_forward(lon, lat, azimuths, distances)
    sensors = tuple(
        _acoustic(f"A{k}", x[k], y[k], range_m=ranges[k], p_detect=0.95) for k in range(5)
    )
    result = plan(toy, Deployment("five", sensors), offsets_m=(0.0,))
    p = [
        0.95 * expit(-(d - 0.75 * rr) / (0.075 * rr))
        for d, rr in zip(distances, ranges, strict=True)
    ]
    assert result.p3[i, 0] == pytest.approx(brute_force_at_least(np.array(p), 3), rel=1e-6)


def test_p3_falls_to_zero_far_from_every_sensor(toy: Agreement) -> None:
    i, lon, lat = _centre_station(toy)
    x, y = geodesic_forward(lon, lat, [0.0, 120.0, 240.0], 4_000.0)
    sensors = tuple(_acoustic(f"A{k}", x[k], y[k]) for k in range(3))
    result = plan(toy, Deployment("three", sensors))
    on = result.on_line
    assert result.p3[i, on] > 0.5
    far = np.abs(result.chainage_m - result.chainage_m[i]) > 50_000
    assert far.any()
    assert result.p3[far].max() == 0.0
    assert np.all(np.isinf(result.error95_m[far]))
    # Nearer, it falls smoothly: one kilometre at a time, never up.
    north = result.p3[i:, on]
    assert np.all(np.diff(north[: np.argmax(north < 1e-12)]) <= 1e-12)


def test_radar_drone_and_observer_coverage(toy: Agreement) -> None:
    i, lon, lat = _centre_station(toy)
    west_lon, west_lat = geodesic_forward(lon, lat, 270.0, 8_000.0)
    radar = Sensor(
        "R1", SensorKind.RADAR, "mission", float(west_lon[0]), float(west_lat[0]), 30_000.0,
        azimuth_deg=90.0, sector_deg=90.0,
    )  # fmt: skip
    south_lon, south_lat = geodesic_forward(lon, lat, 180.0, 20_000.0)
    drone = Sensor(
        "U1", SensorKind.UAV, "mission", float(south_lon[0]), float(south_lat[0]), 30_000.0,
        route=((float(south_lon[0]), float(south_lat[0])), (lon, lat)), swath_m=2_000.0,
    )  # fmt: skip
    observer = Sensor("T1", SensorKind.OBSERVER, "mission", lon, lat, 9_500.0)
    result = plan(toy, Deployment("mixed", (radar, drone, observer)))
    columns = {offset: j for j, offset in enumerate(result.offsets_m)}
    east = columns[10_000.0] if result.lon[i, columns[10_000.0]] > lon else columns[-10_000.0]
    west = columns[-10_000.0] if east == columns[10_000.0] else columns[10_000.0]
    assert result.radar[i, columns[0.0]] and result.radar[i, east]
    assert not result.radar[i, west]  # behind the radar
    far = np.abs(result.chainage_m - result.chainage_m[i]) > 40_000
    assert not result.radar[far].any()
    # The drone flies 20 km of the line (the meridian): on the line there, not 2 km beside it.
    flown = result.drone[:, columns[0.0]]
    assert flown[i] and (flown[i - 19 : i].all() or flown[i + 1 : i + 20].all())
    assert flown.sum() in range(20, 24)  # 20 km, plus up to one station at each end
    assert not result.drone[:, [columns[-2_000.0], columns[2_000.0]]].any()
    heard = result.observer[:, columns[0.0]]
    assert heard.sum() == 19  # 9.5 km either way, stations 1 km apart
    assert result.observer[i, columns[2_000.0]] and not result.observer[i, columns[-10_000.0]]


# -- the table and weak stretches -------------------------------------------------------------


@pytest.fixture(scope="module")
def ua_sparse_plan(ua2026: Agreement, gazetteer: Gazetteer) -> Plan:
    deployment = generate(ua2026, "sparse", seed=1, gazetteer=gazetteer)
    return plan(ua2026, deployment, gazetteer=gazetteer)


def test_sector_table_sums_to_the_line_length(ua_sparse_plan: Plan, ua2026: Agreement) -> None:
    rows = ua_sparse_plan.table()
    total = next(r for r in rows if r["sector"] == TOTAL)
    sectors = [r for r in rows if r["sector"] != TOTAL]
    length_km = ua2026.lines[0].length_m / 1000.0
    assert sum(float(r["line_km"]) for r in sectors) == pytest.approx(length_km, rel=1e-9)  # type: ignore[arg-type]
    assert float(total["line_km"]) == pytest.approx(length_km, rel=1e-9)  # type: ignore[arg-type]
    # Every station lies in a sector (those on a state border take their neighbour's).
    assert "(none)" not in {r["sector"] for r in rows}
    assert {r["name"] for r in sectors} >= {"Donetsk", "Zaporizhzhia", "Kherson", "Kharkiv"}
    for row in rows:
        for key in ("p3_mean", "p3_good_share", "radar_share", "drone_share", "observer_share"):
            assert 0.0 <= float(row[key]) <= 1.0  # type: ignore[arg-type]
    # The mean over sectors, weighted by their length, is the total's.
    weighted = sum(float(r["p3_mean"]) * float(r["line_km"]) for r in sectors) / length_km  # type: ignore[arg-type]
    assert weighted == pytest.approx(float(total["p3_mean"]), rel=1e-9)  # type: ignore[arg-type]


def test_toy_table_has_its_two_sectors(toy: Agreement) -> None:
    result = plan(toy, generate(toy, "dense", seed=2))
    rows = {r["sector"]: r for r in result.table()}
    assert set(rows) == {"north", "south", TOTAL}
    assert float(rows["north"]["line_km"]) == pytest.approx(
        float(rows["south"]["line_km"]), rel=0.01
    )  # type: ignore[arg-type]


def test_dense_sees_more_than_sparse(
    ua_sparse_plan: Plan, ua2026: Agreement, gazetteer: Gazetteer
) -> None:
    dense = plan(ua2026, generate(ua2026, "dense", seed=1, gazetteer=gazetteer))
    on = dense.on_line
    w = dense.weight_m
    assert np.sum(w * dense.p3[:, on]) > np.sum(w * ua_sparse_plan.p3[:, on])
    assert np.median(dense.error95_m[:, on]) < np.median(ua_sparse_plan.error95_m[:, on])
    assert dense.radar.mean() > ua_sparse_plan.radar.mean()


def test_weak_stretches_are_runs_below_0_9(ua_sparse_plan: Plan) -> None:
    on = ua_sparse_plan.on_line
    stretches = ua_sparse_plan.weak_stretches
    assert stretches
    assert [s.length_m for s in stretches] == sorted((s.length_m for s in stretches), reverse=True)
    for s in stretches:
        inside = (ua_sparse_plan.chainage_m > s.from_m) & (ua_sparse_plan.chainage_m < s.to_m)
        assert np.all(ua_sparse_plan.p3[inside, on] < 0.9)
        assert s.length_m >= 5_000 and 0.0 <= s.p3_mean < 0.9
        assert s.place  # named after a town
    text = ua_sparse_plan.text()
    assert "Weak stretches" in text and stretches[0].place in text
    assert "(total)" in text and "Donetsk" in text


def test_weighted_quantile() -> None:
    values = np.array([3.0, 1.0, np.inf, 2.0])
    weights = np.array([1.0, 1.0, 1.0, 1.0])
    assert weighted_quantile(values, weights, 0.5) == 2.0
    assert weighted_quantile(values, weights, 0.9) == np.inf
    assert weighted_quantile(values, np.array([0.0, 0.0, 0.0, 4.0]), 0.5) == 2.0


# -- the map ----------------------------------------------------------------------------------


def test_run_plan_writes_a_map_and_returns_the_table(toy: Agreement, tmp_path: Path) -> None:
    deployment = generate(toy, "sparse", seed=1)
    text, path = run_plan(toy, deployment, tmp_path / "maps" / "plan.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert "North" in text and "South" in text and "(total)" in text
    _, svg = run_plan(toy, deployment, tmp_path / "plan.svg")
    assert b"<svg" in svg.read_bytes()[:400]
    with pytest.raises(InputError, match="png or .svg"):
        run_plan(toy, deployment, tmp_path / "plan.jpg")
