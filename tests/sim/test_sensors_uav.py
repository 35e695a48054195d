"""Drones and cameras: what they see, when and where they can, with the stated errors; the sun."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.model.geo import geodesic_forward, geodesic_inverse
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import NS_PER_S, parse_ns
from ceasewatch.sim.base import (
    Circle,
    Conditions,
    Happening,
    HappeningKind,
    Jamming,
    Sensor,
    SensorKind,
)
from ceasewatch.sim.happenings.generate import generate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.sim.sources.sun import SUNRISE_DEG, light_windows, solar_elevation_deg
from ceasewatch.sim.sources.uav import CONFUSION, UavModel
from ceasewatch.sim.world import World

DAY = parse_ns("2026-02-18T00:00:00Z")
HOUR = 3600 * NS_PER_S
KYIV = (30.5234, 50.4501)
OBJECT_CLASSES = {
    "tank",
    "artillery_ge_100mm",
    "artillery_lt_100mm",
    "mortar",
    "mlrs",
    "apc",
    "air_defence",
    "truck",
    "troops",
    "unknown",
}
WEST, EAST, LAT = 37.50, 37.80, 48.50  # a 22 km east-west patrol


def drone(sensor_id: str = "U01", night: bool = False, p_detect: float = 0.8) -> Sensor:
    return Sensor(
        sensor_id,
        SensorKind.UAV,
        "X",
        WEST,
        LAT,
        30_000.0,
        route=((WEST, LAT), (EAST, LAT)),
        speed_mps=30.0,
        swath_m=2000.0,
        night_capable=night,
        p_detect=p_detect,
    )


def presences(
    count: int, offset_m: float = 0.0, weapon: str = "artillery_ge_100mm"
) -> list[Happening]:
    lon = np.linspace(WEST + 0.02, EAST - 0.02, count)
    found = []
    for i, x in enumerate(lon):
        side = offset_m * (1 if i % 2 else -1)
        plon, plat = geodesic_forward(x, LAT, 0.0, side)
        found.append(
            Happening(
                f"h-{i + 1:06d}",
                HappeningKind.WEAPON_PRESENCE,
                DAY,
                (float(plon[0]), float(plat[0])),
                DAY,
                "RU",
                weapon,
                end_ns=DAY + 24 * HOUR,
                count=4,
            )
        )
    return found


def day(**kwargs: Any) -> Conditions:
    return Conditions(DAY, DAY + 24 * HOUR, **kwargs)


def real(emission_causes: list[str | None]) -> list[int]:
    return [i for i, c in enumerate(emission_causes) if c is not None]


# -- the sun -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "sunrise", "sunset"),
    [  # Kyiv, as almanacs give them (local time minus 3 h in summer, 2 h in winter)
        ("2026-06-21", "01:46", "18:12"),
        ("2026-12-21", "05:56", "13:56"),
        ("2026-03-20", "04:01", "16:08"),
    ],
)
def test_sunrise_and_sunset_at_kyiv_within_ten_minutes(
    date: str, sunrise: str, sunset: str
) -> None:
    start = parse_ns(f"{date}T00:00:00Z")
    [(rise, set_)] = light_windows(*KYIV, start, start + 24 * HOUR, SUNRISE_DEG)
    assert abs(rise - parse_ns(f"{date}T{sunrise}:00Z")) < 10 * 60 * NS_PER_S
    assert abs(set_ - parse_ns(f"{date}T{sunset}:00Z")) < 10 * 60 * NS_PER_S


def test_noon_elevation_at_the_solstice_is_ninety_minus_latitude_plus_tilt() -> None:
    t = parse_ns("2026-06-21T00:00:00Z") + np.arange(0, 24 * 3600, 60) * NS_PER_S
    elevation = solar_elevation_deg(t, *KYIV)
    assert elevation.max() == pytest.approx(90.0 - KYIV[1] + 23.44, abs=0.2)


# -- what a drone sees ---------------------------------------------------------------------------


def test_a_presence_under_the_track_by_day_is_detected_at_the_stated_rate() -> None:
    model, sensor, targets = UavModel(), drone(p_detect=0.8), presences(40)
    seed = 11
    emission = model.observe(targets, [sensor], day(), np.random.default_rng(seed))
    plans = model.sorties([sensor], day(), np.random.default_rng(seed))
    looks = model.looks(model.track(sensor, plans["U01"], day()), targets)
    found = len(real(emission.causes))
    expected, sd = 0.8 * len(looks), np.sqrt(len(looks) * 0.8 * 0.2)
    assert len(looks) > 200
    assert abs(found - expected) < 4 * sd
    assert all(emission.could_detect[f"{h.happening_id}/presence"] == ["U01"] for h in targets)


def test_counts_never_exceed_the_truth_and_confidence_is_calibrated() -> None:
    emission = UavModel().observe(presences(40), [drone()], day(), np.random.default_rng(3))
    rows = real(emission.causes)
    assert all(1 <= emission.records[i]["count"] <= 4 for i in rows)
    right = [emission.records[i]["object_class"] == "artillery_ge_100mm" for i in rows]
    confidence = [emission.records[i]["class_confidence"] for i in rows]
    assert all(0.6 <= c <= 0.95 for c in confidence)
    assert abs(np.mean(right) - np.mean(confidence)) < 4 * np.sqrt(0.25 / len(rows))
    wrong = {emission.records[i]["object_class"] for i, r in zip(rows, right, strict=True) if not r}
    assert wrong <= set(CONFUSION["artillery_ge_100mm"])


def test_nothing_beyond_half_the_swath() -> None:
    emission = UavModel().observe(
        presences(20, offset_m=1100.0), [drone()], day(), np.random.default_rng(1)
    )
    assert real(emission.causes) == []
    assert all(v == [] for v in emission.could_detect.values())


def test_a_day_only_drone_flies_only_in_light_and_a_thermal_one_also_at_night() -> None:
    targets = presences(40)
    for night in (False, True):
        emission = UavModel().observe(
            targets, [drone(night=night)], day(), np.random.default_rng(5)
        )
        t = np.array([parse_ns(r["t"]) for r in emission.records])
        elevation = solar_elevation_deg(t, WEST, LAT)
        if night:
            assert np.any(elevation < -6.0)
        else:
            assert len(t) > 0 and np.all(elevation > -6.0)


def test_no_detection_from_inside_a_jamming_circle() -> None:
    targets = presences(40)
    centre = (EAST, LAT)
    jam = Jamming(Circle(*centre, 8000.0), DAY, DAY + 24 * HOUR, "test")
    emission = UavModel().observe(targets, [drone()], day(jamming=(jam,)), np.random.default_rng(2))
    _, d = geodesic_inverse(*centre, [h.impact[0] for h in targets], [h.impact[1] for h in targets])
    deep = {h.happening_id for h, dist in zip(targets, d, strict=True) if dist < 8000.0 - 1500.0}
    assert deep and not deep & {c for c in emission.causes if c}
    assert real(emission.causes)  # outside the circle it still sees
    for record in emission.records:  # routine sightings too: the drone was outside
        _, dist = geodesic_inverse(*centre, *record["position"])
        assert dist[0] > 8000.0 - 1000.0 - 200.0


def test_no_detection_during_an_outage() -> None:
    outage = (("U01", DAY, DAY + 24 * HOUR),)
    emission = UavModel().observe(
        presences(10), [drone()], day(outages=outage), np.random.default_rng(2)
    )
    assert emission.records == []


def test_position_errors_have_the_stated_sigma() -> None:
    targets = presences(60)
    by_id = {h.happening_id: h for h in targets}
    emission = UavModel().observe(targets, [drone(p_detect=0.95)], day(), np.random.default_rng(9))
    z = []
    for i in real(emission.causes):
        record, truth = emission.records[i], by_id[str(emission.causes[i])]
        az, dist = geodesic_inverse(*truth.impact, *record["position"])
        east, north = dist * np.sin(np.radians(az)), dist * np.cos(np.radians(az))
        assert 10 <= record["pos_sigma_m"] <= 50
        z += [east[0] / record["pos_sigma_m"], north[0] / record["pos_sigma_m"]]
    assert len(z) > 400
    assert np.std(z) == pytest.approx(1.0, abs=0.08)
    assert abs(np.mean(z)) < 0.1


def test_routine_traffic_has_no_cause_and_says_so_in_the_truth() -> None:
    emission = UavModel(routine_per_h=3.0).observe([], [drone()], day(), np.random.default_rng(4))
    assert emission.records and all(c is None for c in emission.causes)
    for i, record in enumerate(emission.records):
        assert emission.truth[i]["reason"] == "routine"
        assert emission.truth[i]["true_class"] in ("truck", "troops", "apc")
        assert emission.phases[i] is None
        assert record["object_class"] in {
            emission.truth[i]["true_class"],
            *CONFUSION[emission.truth[i]["true_class"]],
        }


def test_records_follow_the_format_with_ids_in_time_order_per_sensor() -> None:
    sensors = [drone("U01"), drone("U02", night=True)]
    emission = UavModel().observe(presences(30), sensors, day(), np.random.default_rng(8))
    assert (
        len(emission.records)
        == len(emission.causes)
        == len(emission.phases)
        == len(emission.delay_s)
    )
    seen: dict[str, list[int]] = {}
    for record in emission.records:
        assert list(record) == [
            "detection_id",
            "sensor_id",
            "t",
            "position",
            "pos_sigma_m",
            "object_class",
            "class_confidence",
            "count",
        ]
        assert re.fullmatch(rf"{record['sensor_id']}-\d{{4}}", record["detection_id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["t"])
        lon, lat = record["position"]
        assert WEST - 0.05 < lon < EAST + 0.05 and LAT - 0.05 < lat < LAT + 0.05  # lon first
        assert record["object_class"] in OBJECT_CLASSES
        assert isinstance(record["count"], int) and isinstance(record["pos_sigma_m"], int)
        seen.setdefault(record["sensor_id"], []).append(parse_ns(record["t"]))
    for times in seen.values():
        assert times == sorted(times)
    ids = [r["detection_id"] for r in emission.records]
    assert len(set(ids)) == len(ids)
    assert all(d >= 5.0 for d in emission.delay_s)


def test_same_seed_same_records() -> None:
    def run(seed: int) -> list[dict[str, object]]:
        sensors = [drone("U01"), drone("U02", night=True)]
        return (
            UavModel().observe(presences(20), sensors, day(), np.random.default_rng(seed)).records
        )

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_a_patrol_over_a_real_presence_of_peak_day(ua2026: Agreement, gazetteer: Gazetteer) -> None:
    sc = scenario("quiet-day")
    happenings = generate(World(ua2026, gazetteer), sc, parse_ns(sc.start), seed=7).happenings
    target = next(h for h in happenings if h.kind is HappeningKind.WEAPON_PRESENCE)
    lon, lat = geodesic_forward(*target.impact, 270.0, 10_000.0)
    east, _ = geodesic_forward(*target.impact, 90.0, 10_000.0)
    sensor = Sensor(
        "U07",
        SensorKind.UAV,
        "X",
        float(lon[0]),
        target.impact[1],
        20_000.0,
        route=((float(lon[0]), target.impact[1]), (float(east[0]), target.impact[1])),
        speed_mps=30.0,
        swath_m=2000.0,
        night_capable=True,
        p_detect=0.9,
    )
    conditions = Conditions(parse_ns(sc.start), parse_ns(sc.start) + 24 * HOUR)
    emission = UavModel().observe(happenings, [sensor], conditions, np.random.default_rng(7))
    assert target.happening_id in emission.causes
    assert emission.could_detect[f"{target.happening_id}/presence"] == ["U07"]
    assert set(emission.phases) <= {"presence", None}
