"""Acoustic and radar models against their stated physics, on hand-made scenes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from ceasewatch.model.geo import geodesic_distance_m, geodesic_forward
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
from ceasewatch.sim.sources.acoustic import AcousticModel, detection_probability
from ceasewatch.sim.sources.radar import RadarModel

T0 = parse_ns("2026-02-18T00:00:00Z")
HOUR = 3600 * NS_PER_S
CENTRE = (37.0, 48.0)


def impact(index: int, at: tuple[float, float], t_ns: int) -> Happening:
    return Happening(f"h-{index:06d}", HappeningKind.DRONE_STRIKE, t_ns, at, t_ns, "RU", "uav")


def ring_of_sensors(distances_m: list[float], **params) -> list[Sensor]:
    sensors = []
    for i, d in enumerate(distances_m):
        lon, lat = geodesic_forward(*CENTRE, 360.0 * i / len(distances_m), d)
        sensors.append(
            Sensor(
                f"A{i:04d}",
                SensorKind.ACOUSTIC,
                "test",
                float(lon[0]),
                float(lat[0]),
                20_000.0,
                t_sigma_s=0.02,
                p_detect=0.9,
                **params,
            )
        )
    return sensors


def test_detection_rate_follows_the_model() -> None:
    distances = [5_000.0, 12_000.0, 14_000.0, 16_000.0, 20_000.0]
    sensors = ring_of_sensors(distances)
    # 600 impacts at the centre, one a minute: each sensor hears some of them.
    happenings = [impact(i, CENTRE, T0 + i * 60 * NS_PER_S) for i in range(600)]
    conditions = Conditions(T0, T0 + 12 * HOUR)
    emission = AcousticModel().observe(happenings, sensors, conditions, np.random.default_rng(1))
    heard = [
        r["sensor_id"]
        for r, c in zip(emission.records, emission.causes, strict=True)
        if c is not None
    ]
    for sensor, d in zip(sensors, distances, strict=True):
        # Loudness of a drone strike: -8 dB.
        expected = float(detection_probability(d, sensor.range_m, 0.9, 0.0)[0])
        count = heard.count(sensor.sensor_id)
        assert binomtest(count, 600, expected).pvalue > 0.001, (d, count, expected)


def test_outage_and_jamming() -> None:
    sensors = ring_of_sensors([3_000.0, 3_000.0, 3_000.0])
    down, jammed = sensors[0].sensor_id, sensors[1]
    happenings = [impact(i, CENTRE, T0 + i * 60 * NS_PER_S) for i in range(120)]
    jam = Jamming(Circle(jammed.lon, jammed.lat, 500.0), T0, T0 + HOUR)
    conditions = Conditions(T0, T0 + 3 * HOUR, ((down, T0, T0 + 3 * HOUR),), (jam,))
    emission = AcousticModel().observe(happenings, sensors, conditions, np.random.default_rng(2))
    real = [
        (r, d)
        for r, c, d in zip(emission.records, emission.causes, emission.delay_s, strict=True)
        if c is not None
    ]
    assert not [r for r, _ in real if r["sensor_id"] == down]
    during = [
        (r, d)
        for r, d in real
        if r["sensor_id"] == jammed.sensor_id and parse_ns(r["t_arrival"]) < T0 + HOUR
    ]
    assert during, "picks made under jamming are kept"
    for record, delay in during:
        assert parse_ns(record["t_arrival"]) + delay * NS_PER_S >= T0 + HOUR  # sent afterwards
    # About a fifth of them is lost: 60 impacts heard with p ~ 0.9 by an unjammed sensor.
    assert 25 <= len(during) <= 55


def test_false_pick_rate() -> None:
    sensors = ring_of_sensors([50_000.0] * 20, false_alarm_per_h=0.5)
    conditions = Conditions(T0, T0 + 24 * HOUR)
    emission = AcousticModel().observe([], sensors, conditions, np.random.default_rng(3))
    assert all(c is None for c in emission.causes)
    assert binomtest(len(emission.records), 20 * 24 * 60, 0.5 / 60).pvalue > 0.001


def test_radar_errors_match_their_stated_cep() -> None:
    radar = Sensor(
        "R01",
        SensorKind.RADAR,
        "test",
        *CENTRE,
        40_000.0,
        azimuth_deg=90.0,
        sector_deg=90.0,
        p_detect=0.9,
    )
    rng = np.random.default_rng(4)
    happenings = []
    for i in range(800):
        lon, lat = geodesic_forward(*CENTRE, 90.0 + rng.uniform(-30, 30), rng.uniform(5e3, 25e3))
        launch = geodesic_forward(lon[0], lat[0], 270.0, 8_000.0)
        happenings.append(
            Happening(
                f"h-{i:06d}",
                HappeningKind.SHOT,
                T0 + i * NS_PER_S,
                (float(lon[0]), float(lat[0])),
                T0 + i * NS_PER_S + 20,
                "RU",
                "artillery_ge_100mm",
                launch=(float(launch[0][0]), float(launch[1][0])),
            )
        )
    behind = Happening(
        "h-999999", HappeningKind.SHOT, T0, (36.8, 48.0), T0, "RU", "mortar", launch=(36.79, 48.0)
    )  # west of the radar: outside its eastward sector
    emission = RadarModel().observe(
        [*happenings, behind], [radar], Conditions(T0, T0 + HOUR), np.random.default_rng(5)
    )
    by_id = {h.happening_id: h for h in happenings}
    assert "h-999999" not in emission.causes
    inside_launch, inside_impact, n = 0, 0, 0
    for record, cause in zip(emission.records, emission.causes, strict=True):
        if cause is None:
            continue
        truth = by_id[cause]
        n += 1
        inside_impact += (
            geodesic_distance_m(*truth.impact, *record["impact"])[0] <= record["impact_cep_m"]
        )
        inside_launch += (
            geodesic_distance_m(*truth.launch, *record["launch"])[0] <= record["launch_cep_m"]
        )
    assert n > 600  # p_detect 0.9 inside range and sector
    # Half of the errors lie within the CEP (rounding of the CEP to whole metres aside).
    assert binomtest(inside_impact, n, 0.5).pvalue > 0.001
    assert binomtest(inside_launch, n, 0.5).pvalue > 0.001


@pytest.mark.parametrize("jammed", [False, True])
def test_radar_in_a_jamming_area_sees_nothing(jammed: bool) -> None:
    radar = Sensor(
        "R01",
        SensorKind.RADAR,
        "test",
        *CENTRE,
        40_000.0,
        azimuth_deg=90.0,
        sector_deg=90.0,
        p_detect=1.0,
    )
    lon, lat = geodesic_forward(*CENTRE, 90.0, 10_000.0)
    shots = [
        Happening(
            f"h-{i:06d}",
            HappeningKind.SHOT,
            T0 + i * NS_PER_S,
            (float(lon[0]), float(lat[0])),
            T0 + i * NS_PER_S,
            "RU",
            "mortar",
            launch=(float(lon[0]) - 0.02, float(lat[0])),
        )
        for i in range(50)
    ]
    jams = (Jamming(Circle(*CENTRE, 1000.0), T0, T0 + HOUR),) if jammed else ()
    emission = RadarModel().observe(
        shots, [radar], Conditions(T0, T0 + HOUR, (), jams), np.random.default_rng(6)
    )
    assert (len([c for c in emission.causes if c]) == 0) is jammed
