"""Satellite thermal anomalies: rows only at passes, never under cloud, at the stated rate; fires
set by shelling; industrial false anomalies; the FIRMS columns."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from ceasewatch.model.geo import geodesic_inverse
from ceasewatch.model.time import NS_PER_S, parse_ns
from ceasewatch.sim.base import Conditions, Happening, HappeningKind, Sensor, SensorKind
from ceasewatch.sim.sources.satellite import (
    FIRMS_COLUMNS,
    INDUSTRIAL,
    PLATFORMS,
    SatelliteModel,
    cell_of,
)

DAY = parse_ns("2026-02-18T00:00:00Z")
HOUR = 3600 * NS_PER_S


def satellite(sensor_id: str = "S01", half_swath_m: float = 1_500_000.0, p: float = 0.8) -> Sensor:
    return Sensor(sensor_id, SensorKind.SATELLITE, "X", 35.25, 48.85, half_swath_m, p_detect=p)


def field_fires(count: int, seed: int = 0, hours: float = 24.0 * 4) -> list[Happening]:
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(31.0, 40.0, count), rng.uniform(46.0, 51.0, count)
    return [
        Happening(
            f"h-{i + 1:06d}",
            HappeningKind.FIELD_FIRE,
            DAY,
            (float(x), float(y)),
            DAY,
            None,
            None,
            end_ns=DAY + int(hours * HOUR),
        )
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]


def days(n: float = 4.0, **kwargs: Any) -> Conditions:
    return Conditions(DAY, DAY + int(n * 24 * HOUR), **kwargs)


def row_time(record: dict[str, object]) -> int:
    hhmm = str(record["acq_time"])
    return parse_ns(f"{record['acq_date']}T{hhmm[:2]}:{hhmm[2:]}:00Z")


def test_rows_only_at_pass_times_and_never_under_cloud() -> None:
    model, sensors = SatelliteModel(), [satellite("S01"), satellite("S04", 1_165_000.0, 0.6)]
    fires = field_fires(300)
    emission = model.observe(fires, sensors, days(), np.random.default_rng(5))
    passes = model.plan(fires, sensors, days(), np.random.default_rng(5))
    by_key = {(p.platform, p.t_ns // (60 * NS_PER_S) * 60 * NS_PER_S): p for p in passes}
    codes = {PLATFORMS[name].satellite: name for name in PLATFORMS}
    by_id = {h.happening_id: h for h in fires}
    assert len(emission.records) > 100
    for record, cause, truth in zip(
        emission.records,
        emission.causes,
        (emission.truth[i] for i in range(len(emission.records))),
        strict=True,
    ):
        found = by_key[(codes[str(record["satellite"])], row_time(record))]
        assert truth["platform"] == found.platform
        place = by_id[cause].impact if cause else INDUSTRIAL[str(truth["site"])]
        assert cell_of(*place) not in found.cloudy


def test_burning_fires_are_seen_at_p_detect_times_clear_sky() -> None:
    model, sensors, cloud = SatelliteModel(p_hot=0.0), [satellite(p=0.8)], 0.3
    fires = field_fires(400, seed=1)
    conditions = days(cloud_fraction=cloud)
    emission = model.observe(fires, sensors, conditions, np.random.default_rng(7))
    passes = model.plan(fires, sensors, conditions, np.random.default_rng(7))
    seen = {(c, row_time(r)) for c, r in zip(emission.causes, emission.records, strict=True)}
    chances = clear = hits = 0
    for ps in passes:
        lon = np.array([f.impact[0] for f in fires])
        lat = np.array([f.impact[1] for f in fires])
        _, cross = geodesic_inverse(ps.nadir_lon, lat, lon, lat)
        minute = ps.t_ns // (60 * NS_PER_S) * 60 * NS_PER_S
        for fire, offset in zip(fires, cross, strict=True):
            if offset <= 1_500_000.0:
                chances += 1
                if cell_of(*fire.impact) not in ps.cloudy:
                    clear += 1
                    hits += (fire.happening_id, minute) in seen
    assert chances > 2000
    assert abs(hits - 0.8 * clear) < 4 * np.sqrt(clear * 0.8 * 0.2)  # given the clouds: exact
    assert hits / chances == pytest.approx(0.8 * (1 - cloud), abs=0.06)  # clouds come in cells


def test_heavy_impacts_set_fires_at_the_stated_rate_and_cause_their_rows() -> None:
    shots = [
        Happening(
            f"h-{i + 1:06d}",
            HappeningKind.SHOT,
            DAY + i * 28 * NS_PER_S,
            (37.5, 48.2),
            DAY + (i * 28 + 40) * NS_PER_S,
            "RU",
            "mlrs",
            launch=(37.8, 48.3),
        )
        for i in range(3000)
    ]
    mortars = [
        Happening(
            "m-1", HappeningKind.SHOT, DAY, (37.5, 48.2), DAY, "RU", "mortar", launch=(37.6, 48.3)
        )
    ]
    model = SatelliteModel(p_fire=0.05, p_hot=0.0)
    emission = model.observe(
        shots + mortars, [satellite()], days(1, cloud_fraction=0.0), np.random.default_rng(3)
    )
    fires = [k for k in emission.could_detect if k.endswith("/fire")]
    assert abs(len(fires) - 150) < 4 * np.sqrt(3000 * 0.05 * 0.95)
    assert "m-1/fire" not in emission.could_detect  # mortars do not
    assert emission.records
    assert all(c in {k.split("/")[0] for k in fires} for c in emission.causes)
    assert set(emission.phases) == {"fire"}


def test_industrial_sites_give_false_rows_that_the_truth_names() -> None:
    emission = SatelliteModel(p_hot=0.5).observe(
        [], [satellite()], days(2), np.random.default_rng(1)
    )
    assert emission.records
    for i, record in enumerate(emission.records):
        assert emission.causes[i] is None and emission.phases[i] is None
        assert emission.truth[i]["reason"] == "industrial"
        site = INDUSTRIAL[str(emission.truth[i]["site"])]
        _, d = geodesic_inverse(*site, record["longitude"], record["latitude"])
        assert d[0] < 2 * 800.0


def test_pixel_centres_lie_within_the_pixel_plus_geolocation_error() -> None:
    fires = field_fires(200, seed=2)
    by_id = {h.happening_id: h for h in fires}
    emission = SatelliteModel(p_hot=0.0).observe(
        fires, [satellite()], days(), np.random.default_rng(2)
    )
    for i, record in enumerate(emission.records):
        if emission.truth[i]["pixel"] != 0:
            continue
        fire = by_id[str(emission.causes[i])]
        az, d = geodesic_inverse(*fire.impact, record["longitude"], record["latitude"])
        east, north = d * np.sin(np.radians(az)), d * np.cos(np.radians(az))
        assert abs(east[0]) <= float(record["scan"]) * 500 + 5 * 70
        assert abs(north[0]) <= float(record["track"]) * 500 + 5 * 70


def test_rows_follow_the_firms_columns() -> None:
    sensors = [satellite("S01"), satellite("S02"), satellite("S04", 1_165_000.0, 0.6)]
    emission = SatelliteModel(p_hot=0.2).observe(
        field_fires(200), sensors, days(2), np.random.default_rng(4)
    )
    instruments = set()
    for record in emission.records:
        assert tuple(record) == FIRMS_COLUMNS
        assert 46.0 - 0.1 < record["latitude"] < 51.1 and 31.0 - 0.1 < record["longitude"] < 40.1
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", str(record["acq_date"]))
        assert re.fullmatch(r"([01]\d|2[0-3])[0-5]\d", str(record["acq_time"]))
        assert record["daynight"] in ("D", "N")
        if record["instrument"] == "VIIRS":
            assert record["satellite"] in ("N", "N20") and record["version"] == "2.0NRT"
            assert record["confidence"] in ("l", "n", "h") and record["bright_ti4"] <= 367.0
            assert 0.3 <= float(record["scan"]) <= 0.8
        else:
            assert record["satellite"] == "Terra" and record["version"] == "6.1NRT"
            assert isinstance(record["confidence"], int) and 0 <= record["confidence"] <= 100
        instruments.add(record["instrument"])
        assert float(record["frp"]) > 0 and 250 < float(record["bright_ti5"]) < 320
    assert instruments == {"VIIRS", "MODIS"}
    assert all(1.5 * 3600 <= d <= 3.5 * 3600 for d in emission.delay_s)


def test_day_and_night_flags_follow_the_sun() -> None:
    emission = SatelliteModel().observe(
        field_fires(200), [satellite()], days(2), np.random.default_rng(6)
    )
    for record in emission.records:
        hour = datetime.fromtimestamp(row_time(record) // NS_PER_S, tz=UTC).hour
        assert record["daynight"] == ("D" if 7 <= hour <= 14 else "N")


def test_nothing_from_a_satellite_in_outage_and_nothing_without_one() -> None:
    outage = (("S01", DAY, DAY + 4 * 24 * HOUR),)
    emission = SatelliteModel().observe(
        field_fires(100), [satellite()], days(outages=outage), np.random.default_rng(1)
    )
    assert emission.records == []
    assert (
        SatelliteModel().observe(field_fires(10), [], days(), np.random.default_rng(1)).records
        == []
    )


def test_same_seed_same_rows() -> None:
    def run(seed: int) -> list[dict[str, object]]:
        return (
            SatelliteModel()
            .observe(field_fires(100), [satellite()], days(), np.random.default_rng(seed))
            .records
        )

    assert run(3) == run(3)
    assert run(3) != run(4)
