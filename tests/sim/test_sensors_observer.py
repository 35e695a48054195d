"""Observer reports: what teams hear and see, bracketed as documented, with honest truth."""

from __future__ import annotations

import re
from collections import Counter
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
from ceasewatch.sim.sources.observer import ObserverModel
from ceasewatch.sim.world import World

DAY = parse_ns("2026-02-18T00:00:00Z")
HOUR = 3600 * NS_PER_S
TEAM = (37.60, 48.40)
WHAT = {
    "explosion",
    "shot",
    "burst",
    "flare",
    "projectile",
    "weapon_sighting",
    "damage",
    "casualty",
    "restriction",
}


def team(sensor_id: str = "T01", lon: float = TEAM[0], lat: float = TEAM[1]) -> Sensor:
    return Sensor(sensor_id, SensorKind.OBSERVER, "X", lon, lat, 10_000.0, p_detect=0.8)


def impacts(
    distances_m: np.ndarray,
    hours: tuple[float, float] = (6.5, 13.5),
    kind: HappeningKind = HappeningKind.SHOT,
    seed: int = 0,
    prefix: str = "h",
) -> list[Happening]:
    """Rounds falling around the team, fired from 60 km away (launches never heard)."""
    rng = np.random.default_rng(seed)
    bearing = rng.uniform(0.0, 360.0, len(distances_m))
    lon, lat = geodesic_forward(*TEAM, bearing, distances_m)
    t = DAY + (rng.uniform(*hours, len(distances_m)) * HOUR).astype(np.int64)
    found = []
    for i in range(len(distances_m)):
        launch = None if kind is not HappeningKind.SHOT else (TEAM[0] + 0.9, TEAM[1])
        found.append(
            Happening(
                f"{prefix}-{i + 1:06d}",
                kind,
                int(t[i]),
                (float(lon[i]), float(lat[i])),
                int(t[i]) + 30 * NS_PER_S,
                "RU",
                "artillery_ge_100mm",
                launch=launch,
                loudness_db=4.0 if kind is HappeningKind.THUNDER else 0.0,
            )
        )
    return found


def day(**kwargs: Any) -> Conditions:
    return Conditions(DAY, DAY + 24 * HOUR, **kwargs)


def within_arc(bearing: float, arc: list[float]) -> bool:
    return (bearing - arc[0]) % 360.0 <= (arc[1] - arc[0]) % 360.0 + 1e-9


def test_reports_bracket_the_truth_as_documented() -> None:
    rng = np.random.default_rng(1)
    happenings = impacts(rng.uniform(500.0, 12_000.0, 600), seed=1)
    by_id = {h.happening_id: h for h in happenings}
    emission = ObserverModel().observe(happenings, [team()], day(), np.random.default_rng(2))
    assert len(emission.records) > 20
    for i, record in enumerate(emission.records):
        truth = emission.truth[i]
        n = truth["true_count"]
        assert sum(truth["counts"].values()) == n
        assert max(1, n - max(1, int(0.3 * n))) <= record["count"] <= n + max(1, int(0.3 * n))
        assert emission.causes[i] == truth["happening_ids"][0]
        assert truth["counts"][emission.causes[i]] == max(truth["counts"].values())
        width = (record["bearing_deg"][1] - record["bearing_deg"][0]) % 360.0
        assert 45.0 <= width <= 90.0
        for hid in truth["happening_ids"]:
            az, d = geodesic_inverse(*TEAM, *by_id[hid].impact)
            assert within_arc(float(az[0]) % 360.0, record["bearing_deg"])
            low, high = record["range_km"]
            assert low * 1000 <= d[0] <= high * 1000
            h = by_id[hid]
            assert parse_ns(record["t_start"]) <= h.t_impact_ns < parse_ns(record["t_end"])
        assert emission.phases[i] == "impact"


def test_hearing_falls_with_distance_and_stops_beyond_reach() -> None:
    near = impacts(np.full(400, 2000.0), seed=3, prefix="n")
    far = impacts(np.full(400, 9000.0), seed=4, prefix="f")
    beyond = impacts(np.full(200, 13_000.0), seed=5, prefix="b")  # past 1.25 × 10 km
    emission = ObserverModel().observe(
        near + far + beyond, [team()], day(), np.random.default_rng(6)
    )
    heard = Counter(hid[0] for t in emission.truth.values() for hid in t["counts"])
    for key, d in (("n", 2000.0), ("f", 9000.0)):
        p = 0.8 / (1 + (d / 8000.0) ** 4)
        assert abs(heard[key] - 400 * p) < 4 * np.sqrt(400 * p * (1 - p))
    assert heard["b"] == 0
    assert not any(k.startswith("b-") for k in emission.could_detect)


def test_bursts_are_heard_only_within_a_few_kilometres() -> None:
    def bursts(d: float, prefix: str) -> list[Happening]:
        return [
            Happening(
                h.happening_id,
                HappeningKind.BURST,
                h.t_ns,
                h.impact,
                h.t_ns,
                "UA",
                "small_arms",
                count=30,
                loudness_db=-20.0,
            )
            for h in impacts(np.full(100, d), seed=7, prefix=prefix)
        ]

    emission = ObserverModel().observe(
        bursts(1000.0, "n") + bursts(5000.0, "f"), [team()], day(), np.random.default_rng(8)
    )
    assert emission.records
    for i, record in enumerate(emission.records):
        assert record["what"] == "burst" and record["mode"] == "heard"
        assert "bursts of small-arms fire" in record["text"] or "burst of" in record["text"]
        assert all(h.startswith("n-") for h in emission.truth[i]["happening_ids"])
        assert emission.phases[i] == "blast"


def test_flashes_are_seen_after_dark_within_five_kilometres_by_the_late_shift() -> None:
    teams = [team("T01"), team("T02"), team("T03")]  # the third works 12:00-20:00 local
    evening = impacts(
        np.concatenate([np.full(200, 3000.0), np.full(200, 7000.0)]), hours=(16.5, 17.9), seed=9
    )
    emission = ObserverModel().observe(evening, teams, day(), np.random.default_rng(10))
    saw = [i for i, r in enumerate(emission.records) if r["mode"] == "saw"]
    assert saw and all(emission.records[i]["team_id"] == "T03" for i in saw)
    by_id = {h.happening_id: h for h in evening}
    for i in saw:
        for hid in emission.truth[i]["happening_ids"]:
            _, d = geodesic_inverse(*TEAM, *by_id[hid].impact)
            assert d[0] <= 5000.0
        assert emission.records[i]["text"].startswith("Saw ")
    daytime = ObserverModel().observe(
        impacts(np.full(100, 3000.0), seed=11), teams, day(), np.random.default_rng(10)
    )
    assert daytime.records and all(r["mode"] == "heard" for r in daytime.records)


def test_thunder_heard_as_explosions_is_caused_by_the_thunder() -> None:
    thunder = impacts(np.full(30, 4000.0), kind=HappeningKind.THUNDER, seed=12, prefix="t")
    emission = ObserverModel().observe(thunder, [team()], day(), np.random.default_rng(1))
    assert emission.records
    assert all(c is not None and c.startswith("t-") for c in emission.causes)
    assert all(r["text"].startswith("Heard") and "explosion" in r["text"] for r in emission.records)
    assert set(emission.phases) == {"blast"}


def test_outages_stop_observers_and_jamming_does_not() -> None:
    happenings = impacts(np.full(100, 3000.0), seed=13)
    outage = (("T01", DAY, DAY + 24 * HOUR),)
    assert (
        ObserverModel()
        .observe(happenings, [team()], day(outages=outage), np.random.default_rng(1))
        .records
        == []
    )
    jam = Jamming(Circle(*TEAM, 50_000.0), DAY, DAY + 24 * HOUR)
    quiet = ObserverModel().observe(happenings, [team()], day(), np.random.default_rng(1))
    jammed = ObserverModel().observe(
        happenings, [team()], day(jamming=(jam,)), np.random.default_rng(1)
    )
    assert jammed.records == quiet.records != []


def test_records_follow_the_format() -> None:
    happenings = impacts(np.random.default_rng(3).uniform(500, 10_000, 300), seed=14)
    emission = ObserverModel().observe(
        happenings, [team("T04"), team("T05", 37.7, 48.5)], day(), np.random.default_rng(2)
    )
    assert emission.records
    ids = []
    for record in emission.records:
        assert list(record) == [
            "report_id",
            "team_id",
            "t_start",
            "t_end",
            "observer",
            "mode",
            "what",
            "count",
            "bearing_deg",
            "range_km",
            "text",
        ]
        assert re.fullmatch(rf"{record['team_id']}-2026-02-18-\d\d", record["report_id"])
        assert record["mode"] in ("heard", "saw", "camera") and record["what"] in WHAT
        assert record["observer"][0] == pytest.approx(37.6, abs=0.11)  # longitude first
        start, end = parse_ns(record["t_start"]), parse_ns(record["t_end"])
        assert 30 * 60 * NS_PER_S <= end - start <= 60 * 60 * NS_PER_S or end == DAY + 14 * HOUR
        assert start >= DAY + 6 * HOUR and end <= DAY + 14 * HOUR  # 08:00-16:00 at UTC+2
        assert isinstance(record["count"], int) and record["count"] >= 1
        assert all(0 <= b < 360 for b in record["bearing_deg"])
        assert 0 <= record["range_km"][0] < record["range_km"][1]
        km = f"{record['range_km'][0]}-{record['range_km'][1]} km"
        assert record["text"].startswith(f"Heard {record['count']} ") and km in record["text"]
        ids.append(record["report_id"])
    assert len(set(ids)) == len(ids)
    assert all(5 * 60 <= d <= 30 * 60 for d in emission.delay_s)


def test_same_seed_same_reports() -> None:
    happenings = impacts(np.full(100, 3000.0), seed=15)

    def run(seed: int) -> list[dict[str, object]]:
        return (
            ObserverModel()
            .observe(happenings, [team()], day(), np.random.default_rng(seed))
            .records
        )

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_a_team_in_a_busy_place_of_peak_day(ua2026: Agreement, gazetteer: Gazetteer) -> None:
    sc = scenario("peak-day")
    happenings = generate(World(ua2026, gazetteer), sc, parse_ns(sc.start), seed=7).happenings
    by_id = {h.happening_id: h for h in happenings}
    daytime = [
        h
        for h in happenings
        if h.kind is HappeningKind.SHOT and DAY + 6 * HOUR <= h.t_impact_ns < DAY + 14 * HOUR
    ]
    lon, lat = geodesic_forward(*daytime[len(daytime) // 2].impact, 45.0, 4000.0)
    observer = team("T09", float(lon[0]), float(lat[0]))
    emission = ObserverModel().observe(happenings, [observer], day(), np.random.default_rng(7))
    assert emission.records
    for i in range(len(emission.records)):
        assert all(hid in by_id for hid in emission.truth[i]["happening_ids"])
        assert emission.phases[i] in ("launch", "impact", "blast")
