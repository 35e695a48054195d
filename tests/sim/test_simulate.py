"""The simulator end to end: determinism, complete truth links, and the scenarios' figures."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ceasewatch.agreement.catalog import resolve
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import parse_ns
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario

ROOT = Path(__file__).resolve().parents[2]
ID_FIELD = {"picks": "pick_id", "tracks": "track_id", "detections": "detection_id",
            "reports": "report_id"}  # fmt: skip


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def ua():
    return resolve("ua-2026")


@pytest.fixture(scope="module")
def sparse(ua):
    return generate_deployment(ua, "sparse", seed=3)


@pytest.fixture(scope="module")
def peak(ua, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("peak")
    simulate(ua, scenario("peak-day"), 7, out, deployment=generate_deployment(ua, "dense", seed=7))
    return out


def test_same_seed_same_bytes_different_seed_different(ua, sparse, tmp_path: Path) -> None:
    quiet = scenario("quiet-day")
    simulate(ua, quiet, 5, tmp_path / "a", deployment=sparse, hours=4)
    simulate(ua, quiet, 5, tmp_path / "b", deployment=sparse, hours=4)
    simulate(ua, quiet, 6, tmp_path / "c", deployment=sparse, hours=4)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_bytes_do_not_depend_on_time_zone_locale_or_hash_seed(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "ceasewatch.cli",
        "simulate",
        "--scenario",
        "quiet-day",
        "--seed",
        "11",
        "--hours",
        "3",
        "--deployment",
        "sparse",
    ]
    outputs = []
    for index, env in enumerate(
        (
            {"TZ": "UTC", "PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8"},
            {"TZ": "Asia/Tokyo", "PYTHONHASHSEED": "4242", "LC_ALL": "C"},
        )
    ):
        out = tmp_path / f"run{index}"
        subprocess.run(
            [*command, "--out", str(out)],
            check=True,
            capture_output=True,
            env={**os.environ, **env},
            cwd=ROOT,
        )
        outputs.append(digest(out))
    assert outputs[0] == outputs[1]


def test_every_record_is_explained_exactly_once(peak: Path) -> None:
    sources = lines(peak / "truth" / "sources.jsonl")
    false = lines(peak / "truth" / "false_alarms.jsonl")
    explained: Counter[tuple[str, str]] = Counter()
    for source in sources:
        for stream, ids in source["records"].items():
            explained.update((stream, i) for i in ids)
    explained.update((f["stream"], f["record_id"]) for f in false)
    for stream, field in ID_FIELD.items():
        written = [r[field] for r in lines(peak / f"{stream}.jsonl")]
        assert set(written) == {i for s, i in explained if s == stream}, stream
        assert all(explained[(stream, i)] == 1 for i in set(written)), stream
    firms_rows = len((peak / "firms.csv").read_text().splitlines()) - 1
    firms_ids = {i for s, i in explained if s == "firms"}
    assert firms_ids <= {f"firms.csv:{n}" for n in range(1, firms_rows + 1)}
    complaints = lines(peak / "truth" / "complaints.jsonl")
    assert {c["complaint_id"] for c in complaints} == {
        c["complaint_id"] for c in lines(peak / "complaints.jsonl")
    }


def test_duplicated_deliveries_are_the_only_repeated_lines(peak: Path) -> None:
    delivery = lines(peak / "truth" / "delivery.jsonl")
    twice = {(d["stream"], d["record_id"]) for d in delivery if d["duplicated"]}
    for stream, field in ID_FIELD.items():
        counts = Counter(r[field] for r in lines(peak / f"{stream}.jsonl"))
        assert {(stream, i) for i, n in counts.items() if n == 2} == {
            t for t in twice if t[0] == stream
        }
        assert max(counts.values(), default=1) <= 2


def test_picks_arrive_at_distance_over_sound_speed_plus_stated_noise(peak: Path) -> None:
    sensors = {
        f["properties"]["sensor_id"]: f["geometry"]["coordinates"]
        for f in json.loads((peak / "sensors.geojson").read_text())["features"]
    }
    skew = json.loads((peak / "truth" / "conditions.json").read_text())["clock_skew_s"]
    picks = {p["pick_id"]: p for p in lines(peak / "picks.jsonl")}
    z, skewed = [], []
    for source in lines(peak / "truth" / "sources.jsonl"):
        for pick_id in source["records"].get("picks", []):
            pick = picks[pick_id]
            lon, lat = sensors[pick["sensor_id"]]
            d = geodesic_distance_m(*source["position"], lon, lat)[0]
            expected = parse_ns(source["t_origin"]) + d / 343.0 * 1e9
            residual = (parse_ns(pick["t_arrival"]) - expected) / 1e9
            if pick["sensor_id"] in skew:
                skewed.append(residual - skew[pick["sensor_id"]])
            else:
                z.append(residual / pick["t_sigma_s"])
    z = np.array(z)
    assert len(z) > 10_000
    assert abs(z.mean()) < 0.03 and 0.97 < z.std() < 1.03  # N(0, 1) after the stated sigma
    assert skewed and abs(np.mean(skewed)) < 0.01  # the skew is the whole offset


def test_peak_day_figures(peak: Path) -> None:
    happenings = lines(peak / "truth" / "happenings.jsonl")
    explosions = sum(1 for h in happenings if h["kind"] in ("shot", "drone_strike"))
    violating = sum(1 for h in happenings if h["violations"])
    assert 1_100 <= explosions <= 1_700  # OSCE, 18 Feb 2022: about 1,400 explosions
    assert 1_250 <= violating <= 1_900  # and 1,566 violations
    records = sum(
        len((peak / f).read_text().splitlines())
        for f in ("picks.jsonl", "tracks.jsonl", "detections.jsonl", "reports.jsonl")
    )
    assert records > 20_000  # tens of thousands of raw records
    assert not any(h["violations"] for h in happenings if h["clutter"])
    assert {h["party"] for h in happenings if h["violations"]} == {"UA", "RU"}


def test_escalation_reaches_a_bombardment(ua, sparse, tmp_path: Path) -> None:
    simulate(ua, scenario("escalation"), 2, tmp_path, deployment=sparse)
    happenings = lines(tmp_path / "truth" / "happenings.jsonl")
    bombardment = [h for h in happenings if h["episode"] == "bombardment"]
    t = sorted(parse_ns(h["t"]) for h in bombardment)
    assert len(bombardment) > 2_300
    assert (t[-1] - t[0]) / 3.6e12 < 6.5  # within about six hours
    assert {h["sector"] for h in bombardment} <= {"luhansk", "donetsk", "kharkiv"}


def test_jamming_blinds_a_sector_and_is_a_violation(ua, tmp_path: Path) -> None:
    dense = generate_deployment(ua, "dense", seed=4)
    simulate(ua, scenario("jamming"), 4, tmp_path, deployment=dense)
    conditions = json.loads((tmp_path / "truth" / "conditions.json").read_text())
    (jam,) = conditions["jamming"]
    start, end = parse_ns(jam["start"]), parse_ns(jam["end"])
    happenings = lines(tmp_path / "truth" / "happenings.jsonl")
    assert any("no-interference" in h["violations"] for h in happenings)
    inside = {
        s.sensor_id
        for s in dense.sensors
        if s.kind.value in ("radar", "acoustic")
        and geodesic_distance_m(*jam["center"], s.lon, s.lat)[0] <= jam["radius_m"]
    }
    assert inside
    for track in lines(tmp_path / "tracks.jsonl"):
        if track["sensor_id"] in inside:
            t = parse_ns(track.get("t_impact") or track["t_launch"])
            assert not start <= t < end
    coverage = [
        c
        for c in lines(tmp_path / "truth" / "coverage.jsonl")
        if c["sensor_id"] in inside and start <= parse_ns(c["hour"]) < end - 3.6e12
    ]
    assert coverage and all(c["jammed"] == 1.0 and c["available"] == 0.0 for c in coverage)


def test_complaint_flood(ua, sparse, tmp_path: Path) -> None:
    simulate(ua, scenario("complaints"), 9, tmp_path, deployment=sparse)
    truth = lines(tmp_path / "truth" / "complaints.jsonl")
    complaints = {c["complaint_id"]: c for c in lines(tmp_path / "complaints.jsonl")}
    false_ru = [
        t for t in truth if t["truth"] == "false" and complaints[t["complaint_id"]]["party"] == "RU"
    ]
    false_ua = [
        t for t in truth if t["truth"] == "false" and complaints[t["complaint_id"]]["party"] == "UA"
    ]
    assert len(false_ru) >= 40 > len(false_ua)
    assert {t["truth"] for t in truth} >= {"true", "false", "duplicate"}
