"""The simulator's ``status.jsonl`` against its own conditions and truth, and the coverage the
pipeline estimates from it against the truth of coverage (the 1-percentage-point bar)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from ceasewatch.adjudication.coverage import registry_sensors
from ceasewatch.adjudication.coverage_line import Coverage, write_coverage
from ceasewatch.agreement import Agreement
from ceasewatch.ingest.adapters import ADAPTERS, HEAD_BYTES, detect_format
from ceasewatch.ingest.base import Accepted
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import NS_PER_S, parse_ns
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.sim.scoring.coverage import CoverageScore, SectorCoverage, score_coverage
from ceasewatch.sim.scoring.truth import read_coverage, read_sensors

HOURS = 12.0  # the jamming scenario jams 08:00-14:00


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def from_jam(jam: dict[str, Any], lon: float, lat: float) -> float:
    """Metres from the centre of a jamming circle of ``conditions.json``."""
    return float(geodesic_distance_m(jam["center"][0], jam["center"][1], lon, lat)[0])


@pytest.fixture(scope="module")
def run(ua2026: Agreement, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jamming")
    deployment = generate_deployment(ua2026, "sparse", seed=7)
    simulate(ua2026, scenario("jamming"), 7, out, deployment=deployment, hours=HOURS)
    return out


@pytest.fixture(scope="module")
def status(run: Path) -> list[dict[str, Any]]:
    return lines(run / "status.jsonl")


@pytest.fixture(scope="module")
def conditions(run: Path) -> dict[str, Any]:
    return json.loads((run / "truth" / "conditions.json").read_text())


@pytest.fixture(scope="module")
def kinds(run: Path) -> dict[str, str]:
    features = json.loads((run / "sensors.geojson").read_text())["features"]
    return {f["properties"]["sensor_id"]: f["properties"]["kind"] for f in features}


def test_every_record_is_accepted_and_ids_repeat_only_when_delivered_twice(run: Path) -> None:
    data = (run / "status.jsonl").read_bytes()
    assert detect_format("status.jsonl", data[:HEAD_BYTES]) == "status"
    results = list(ADAPTERS["status"].parse(data))
    assert results and all(isinstance(r, Accepted) for r in results)
    counts = Counter(json.loads(line)["status_id"] for line in data.decode().splitlines())
    twice = {d["record_id"] for d in lines(run / "truth" / "delivery.jsonl") if d["duplicated"]}
    assert {i for i, n in counts.items() if n == 2} == {i for i in twice if i in counts}
    assert max(counts.values()) <= 2


def test_heartbeats_every_ten_minutes_and_a_few_lost(
    status: list[dict[str, Any]], kinds: dict[str, str], conditions: dict[str, Any]
) -> None:
    beats = [r for r in status if r["reason"] == "heartbeat"]
    assert {kinds[r["sensor_id"]] for r in beats} == {"acoustic", "radar"}
    seqs: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in beats:
        seqs[(r["sensor_id"], r["t_start"])].add(r["seq"])
    sent = sum(max(s) - min(s) + 1 for s in seqs.values())
    lost = 1 - sum(len(s) for s in seqs.values()) / sent
    jammed = [r for r in status if r["state"] == "jammed" and r["reason"] == "interference"]
    assert 0.01 < lost < 0.03 + len(jammed) * 6 * 4 / sent  # 2 %, and the jammed ones
    down = {o["sensor_id"] for o in conditions["outages"]} | {j["sensor_id"] for j in jammed}
    spans = [max(s) - min(s) + 1 for (sensor, _), s in seqs.items() if sensor not in down]
    assert spans and all(abs(n - HOURS * 6) <= 1 for n in spans)  # every 10 minutes


def test_a_restart_follows_each_outage(
    status: list[dict[str, Any]], conditions: dict[str, Any]
) -> None:
    assert conditions["outages"]
    for outage in conditions["outages"]:
        beats = [r for r in status if r["sensor_id"] == outage["sensor_id"] and "seq" in r]
        if not beats:
            continue
        a, b = parse_ns(outage["start"]), parse_ns(outage["end"])
        assert not [r for r in beats if a <= parse_ns(r["t_end"]) < b]
        starts = {parse_ns(r["t_start"]) for r in beats if parse_ns(r["t_end"]) >= b}
        if starts:
            assert min(abs(s - b) for s in starts) <= 3 * NS_PER_S  # the clock skew at most


def test_jammed_sensors_send_no_heartbeat_and_log_the_interference(
    run: Path, status: list[dict[str, Any]], conditions: dict[str, Any]
) -> None:
    jam = conditions["jamming"][0]
    a, b = parse_ns(jam["start"]), min(parse_ns(jam["end"]), parse_ns(conditions["end"]))
    registry = registry_sensors(json.loads((run / "sensors.geojson").read_text()))
    inside = {
        s.sensor_id
        for s in registry
        if s.kind in ("acoustic", "radar") and from_jam(jam, s.lon, s.lat) <= jam["radius_m"]
    }
    assert inside
    logs = {r["sensor_id"]: r for r in status if r["reason"] == "interference"}
    assert set(logs) == inside
    for sensor_id in inside:
        assert abs(parse_ns(logs[sensor_id]["t_start"]) - a) <= 3 * NS_PER_S
        assert abs(parse_ns(logs[sensor_id]["t_end"]) - b) <= 3 * NS_PER_S
        beats = [r for r in status if r["sensor_id"] == sensor_id and r["reason"] == "heartbeat"]
        times = [parse_ns(r["t_end"]) for r in beats]
        assert not [t for t in times if a + 3 * NS_PER_S < t < b - 3 * NS_PER_S]


def test_flight_logs_and_passes_match_the_truth(run: Path, status: list[dict[str, Any]]) -> None:
    truth = lines(run / "truth" / "coverage.jsonl")
    hour_ns = 3600 * NS_PER_S
    flown: dict[tuple[str, int], float] = defaultdict(float)
    for r in status:
        if r["reason"] == "sortie":
            a, b = parse_ns(r["t_start"]), parse_ns(r["t_end"])
            for h in range(a // hour_ns * hour_ns, b, hour_ns):
                flown[(r["sensor_id"], h)] += (min(b, h + hour_ns) - max(a, h)) / hour_ns
    drones = [t for t in truth if t["kind"] == "uav"]
    assert drones and any(t["deployed"] for t in drones)
    for t in drones:
        key = (t["sensor_id"], parse_ns(t["hour"]))
        assert flown.get(key, 0.0) == pytest.approx(t["deployed"], abs=1e-3)
    clear: dict[tuple[str, int], float] = defaultdict(float)
    for r in status:
        if r["reason"] == "pass":
            clear[(r["sensor_id"], parse_ns(r["t_end"]) // hour_ns * hour_ns)] += r["share"]
    satellites = [
        t for t in truth if t["kind"] == "satellite" and t["deployed"] and not t["outage"]
    ]
    assert satellites
    for t in satellites:
        expected = min(1.0, clear[(t["sensor_id"], parse_ns(t["hour"]))])
        assert t["available"] == pytest.approx(expected, abs=1e-4)


def test_coverage_from_status_is_within_a_percentage_point_of_the_truth(
    run: Path, ua2026: Agreement, status: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Measured (jamming, seed 7, sparse deployment, 12 h): sensor-hour error 0.024 pp,
    sector-hour mean 0.012 pp, the worst sector's mean 0.069 pp, the worst sector-hour 0.36 pp
    (a drone whose lost link the truth counts by route vertices, the flight log by time)."""
    conditions = json.loads((run / "truth" / "conditions.json").read_text())
    start, end = parse_ns(conditions["start"]), parse_ns(conditions["end"])
    sensors = registry_sensors(json.loads((run / "sensors.geojson").read_text()))
    write_coverage(tmp_path, Coverage.from_status(status, sensors, ua2026, start, end))
    score = score_coverage(
        read_coverage(run / "truth" / "coverage.jsonl"),
        read_coverage(tmp_path / "coverage.jsonl"),
        read_sensors(run / "sensors.geojson"),
        ua2026,
    )
    assert isinstance(score, CoverageScore) and isinstance(score.sectors, SectorCoverage)
    assert score.missing_in_run == 0
    assert score.mean_abs_error is not None and score.mean_abs_error < 0.001
    assert score.sectors.mean_abs_error is not None and score.sectors.mean_abs_error < 0.001
    assert max(score.sectors.mean_abs_error_by_sector.values()) < 0.005
    assert score.sectors.max_abs_error is not None and score.sectors.max_abs_error < 0.01
    line = lines(tmp_path / "coverage-line.jsonl")
    jammed_hour = [r for r in line if r["hour"] == "2026-02-18T10:00:00Z"]
    jam = conditions["jamming"][0]
    near = [r for r in jammed_hour if from_jam(jam, *r["middle"]) < jam["radius_m"] - 15_000]
    assert near and all(r["acoustic"] == 0.0 for r in near)


def test_the_truth_links_each_interference_log_to_the_jamming(
    run: Path, status: list[dict[str, Any]]
) -> None:
    """A radio's interference log is a record of the jamming, as a pick is of a shot: the
    truth's interference source lists exactly the heartbeat sensors' interference logs."""
    sources = [s for s in lines(run / "truth" / "sources.jsonl") if s["phase"] == "interference"]
    assert len(sources) == 1
    listed = set(sources[0]["records"]["status"])
    logs = {r["status_id"] for r in status if r["reason"] == "interference"}
    assert listed == logs and len(logs) >= 3
    assert not any(r["stream"] == "status" for r in lines(run / "truth" / "false_alarms.jsonl"))
