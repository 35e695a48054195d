"""Fusion over the store: six simulated hours (quiet-day, seed 1, 08:00–14:00 UTC: picks,
tracks, detections, FIRMS, observer reports and complaints) ingested into the evidence log and
fused from it give what fusing the simulator's files gives, and the result is kept in the store
with every rejected record and its reason. The tests taking ``store_url`` run on SQLite and on
PostgreSQL."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from ceasewatch.agreement import Agreement
from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.evidence.log import EvidenceLog, RecordIn
from ceasewatch.fusion.acoustic.array import read_sensors
from ceasewatch.fusion.acoustic.run import AcousticResult, fuse_picks
from ceasewatch.fusion.files import read_firms, read_jsonl
from ceasewatch.fusion.from_log import LogFusion, fuse_log, read_log, reason_class
from ceasewatch.fusion.incidents import FusionResult, fuse_sources
from ceasewatch.fusion.saved import load_fusion, save_fusion
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import Accepted
from ceasewatch.ingest.run import ingest_file
from ceasewatch.pipeline import fuse_store
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.store.base import Store
from ceasewatch.store.open import open_store
from ceasewatch.store.sqlite import SqliteStore
from tests.fusion.test_acoustic import line_array, picks_for, sources_near_line

T0 = 1_771_372_800_000_000_000  # 2026-02-18T00:00:00Z
OTHER_STREAMS = ("tracks", "detections", "reports", "complaints", "notifications")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, ua2026: Agreement) -> Path:
    out = tmp_path_factory.mktemp("quiet-day")
    deployment = generate_deployment(ua2026, "dense", seed=1)
    day = replace(scenario("quiet-day"), start="2026-02-18T08:00:00Z")
    simulate(ua2026, day, 1, out, deployment=deployment, hours=6)
    return out


def firms_as_ingested(path: Path) -> list[dict[str, Any]]:
    """The FIRMS rows as ``ceasewatch fuse`` reads them, named by the ids ingest gives them."""
    rows = read_firms(path)
    parsed = ADAPTERS["firms"].parse(path.read_bytes())
    ids = [a.record_id for a in parsed if isinstance(a, Accepted)]
    return [{**row, "record_id": rid} for row, rid in zip(rows, ids, strict=True)]


@pytest.fixture(scope="module")
def from_files(run: Path, ua2026: Agreement) -> tuple[AcousticResult, FusionResult]:
    acoustic = fuse_picks(read_sensors(run / "sensors.geojson"), read_jsonl(run / "picks.jsonl"))
    records = {s: read_jsonl(run / f"{s}.jsonl") for s in OTHER_STREAMS[:-1]}
    records["firms"] = firms_as_ingested(run / "firms.csv")
    fused = fuse_sources(
        acoustic.events,
        records,
        agreement=ua2026,
        notifications=read_jsonl(run / "notifications.jsonl"),
    )
    return acoustic, fused


def ingest_folder(store: Store, folder: Path) -> EvidenceLog:
    log = EvidenceLog(store, salts=random.Random(1).randbytes)
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        result = ingest_file(log, path, clock_ns=lambda: T0)
        assert not result.rejected, result.summary()
    return log


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def unique(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as the log keeps them: an exact re-send once."""
    seen: dict[str, dict[str, Any]] = {}
    for record in records:
        seen.setdefault(json.dumps(record, sort_keys=True), record)
    return list(seen.values())


def test_the_log_gives_back_every_record_with_its_restricted_values(
    store: Store, run: Path
) -> None:
    log = ingest_folder(store, run)
    records = read_log(store)
    assert (records.size, records.root) == (log.size(), log.root())
    features = json.loads((run / "sensors.geojson").read_text())["features"]
    assert list(records.sensors) == features  # positions and elevations unsealed
    for stream in ("picks", *OTHER_STREAMS):
        assert list(records.stream(stream)) == unique(read_jsonl(run / f"{stream}.jsonl")), stream
    assert all("seal" not in r["observer"] for r in records.stream("reports"))
    assert records.stream("reports")
    firms = firms_as_ingested(run / "firms.csv")
    assert list(records.stream("firms")) == firms
    assert firms and all(r["record_id"].startswith(("VIIRS:", "MODIS:")) for r in firms)


def test_fusing_the_log_gives_what_fusing_the_files_gives(
    store: Store, run: Path, from_files: tuple[AcousticResult, FusionResult], ua2026: Agreement
) -> None:
    ingest_folder(store, run)
    fusion = fuse_log(read_log(store), ua2026)
    acoustic, fused = from_files
    assert len(acoustic.events) > 10
    assert [e.event_id for e in fusion.acoustic.events] == [e.event_id for e in acoustic.events]
    for got, want in zip(fusion.acoustic.events, acoustic.events, strict=True):
        assert abs(got.lon - want.lon) <= 1e-9 and abs(got.lat - want.lat) <= 1e-9
        assert sorted(got.pick_ids) == sorted(want.pick_ids)
    assert fusion.fused.events == fused.events
    assert fusion.fused.incidents_json() == fused.incidents_json()
    assert fusion.fused.rejected == fused.rejected


def test_the_result_is_kept_with_every_rejected_record_and_its_reason(
    store: Store, from_files: tuple[AcousticResult, FusionResult], ua2026: Agreement
) -> None:
    acoustic, fused = from_files
    agreement = (ua2026.id, ua2026.version, ua2026.digest)
    fusion = LogFusion(4_321, bytes(32), agreement, 343.0, acoustic, fused)
    run, new = save_fusion(store, fusion, T0)
    assert new and run.run_id.startswith("fu-") and run.log_size == 4_321
    saved = load_fusion(store)
    assert saved is not None and saved.run == run
    assert list(saved.events) == list(fused.events)
    assert list(saved.incidents) == fused.incidents_json()
    assert saved.rejected == fused.rejected and len(saved.rejected) > 50
    assert all(r.reason for r in saved.rejected)
    classes = {reason_class(r) for r in saved.rejected}
    assert {"clutter", "matches nothing", "not a restricted class"} <= classes
    assert saved.inputs["log_size"] == 4_321 and saved.inputs["agreement"] == ua2026.id
    assert saved.summary["acoustic_events"] == len(acoustic.events)
    # The same result again is the same run, kept once; another result is a new run.
    assert save_fusion(store, fusion, T0 + 1) == (run, False)
    fewer = LogFusion(4_322, bytes(32), agreement, 343.0, acoustic, fused)
    later, new = save_fusion(store, fewer, T0 + 2)
    assert new and later.run_id != run.run_id
    assert load_fusion(store).run == later  # type: ignore[union-attr]
    assert load_fusion(store, run.run_id).run == run  # type: ignore[union-attr]
    assert load_fusion(store, "fu-0000") is None


def sensor(sensor_id: str, lon: float, lat: float, elev_m: float) -> RecordIn:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"sensor_id": sensor_id, "kind": "acoustic", "owner": "UK", "elev_m": elev_m},
    }
    return RecordIn("sensors", sensor_id, feature, json.dumps(feature).encode(), None)


def pick(pick_id: str, t_sigma_s: float) -> RecordIn:
    record = {"pick_id": pick_id, "sensor_id": "A1", "t_arrival": "2026-02-18T03:12:45Z",
              "t_sigma_s": t_sigma_s}  # fmt: skip
    return RecordIn("picks", pick_id, record, json.dumps(record).encode(), T0)


def test_a_moved_sensor_is_at_its_latest_place_and_a_changed_pick_keeps_both_versions(
    store: Store,
) -> None:
    log = EvidenceLog(store, salts=random.Random(2).randbytes)
    log.append_records([sensor("A1", 37.9, 48.4, 120.0), sensor("A2", 38.0, 48.5, 90.0)], T0)
    log.append_records([pick("P1", 0.05), pick("P2", 0.05)], T0)
    log.append_records([sensor("A1", 37.95, 48.45, 125.5), pick("P1", 0.07)], T0 + 1)
    records = read_log(store)
    assert [(f["geometry"]["coordinates"], f["properties"]["elev_m"]) for f in records.sensors] == [
        ([37.95, 48.45], 125.5),
        ([38.0, 48.5], 90),
    ]
    # in log order, as if the files had been concatenated: the stage keeps the first
    assert [(p["pick_id"], p["t_sigma_s"]) for p in records.stream("picks")] == [
        ("P1", 0.05),
        ("P2", 0.05),
        ("P1", 0.07),
    ]
    assert read_log(store, size=2).stream("picks") == ()
    with pytest.raises(InputError, match="not 9"):
        read_log(store, size=9)


def test_a_stored_position_that_does_not_match_its_seal_is_refused(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "evidence.sqlite")
    EvidenceLog(store, salts=random.Random(3).randbytes).append_records(
        [sensor("A1", 37.9, 48.4, 120.0)], T0
    )
    with sqlite3.connect(tmp_path / "evidence.sqlite") as con:
        moved = b'{"coordinates":[37.91,48.4],"type":"Point"}'
        con.execute("UPDATE sealed SET value = ? WHERE path = 'geometry'", (moved,))
    with pytest.raises(InputError, match="entry 0 of the log: the stored geometry does not match"):
        read_log(store)
    store.close()


def write_line_run(folder: Path) -> None:
    """Twelve sensors along a line and the picks of ten sources (tests/fusion/test_acoustic)."""
    rng = np.random.default_rng(6)
    array = line_array()
    picks, _ = picks_for(array, sources_near_line(rng, 10), rng)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lo, la]},
                 "properties": {"sensor_id": s, "kind": "acoustic", "owner": "x", "range_m": 20000}}
                for s, lo, la in zip(array.ids, array.lon, array.lat, strict=True)]  # fmt: skip
    folder.mkdir()
    (folder / "sensors.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    (folder / "picks.jsonl").write_text("".join(json.dumps(p) + "\n" for p in picks))


def test_fuse_state_fuses_the_store_writes_the_files_and_keeps_the_run(tmp_path: Path) -> None:
    write_line_run(tmp_path / "run")
    store = SqliteStore(tmp_path / "state" / "evidence.sqlite")
    ingest_folder(store, tmp_path / "run")
    out = tmp_path / "fused" / "events.jsonl"
    args = ["fuse", "--state", str(tmp_path / "state"), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(events) == 10 and all(len(e["pick_ids"]) >= 3 for e in events)
    assert {p.name for p in out.parent.iterdir()} == {
        "events.jsonl", "incidents.jsonl", "rejected.jsonl", "fuse-summary.jsonl"
    }  # fmt: skip
    saved = load_fusion(store)
    assert saved is not None and list(saved.events) == events
    assert f"run {saved.run.run_id} kept" in result.output
    again = CliRunner().invoke(app, [*args, "--quiet"])
    assert again.exit_code == 0
    with store.read() as reader:
        assert len(reader.result_runs("fusion")) == 1  # the same result is kept once
    store.close()


def test_fuse_store_tells_what_it_found_and_where_it_is(tmp_path: Path, ua2026: Agreement) -> None:
    write_line_run(tmp_path / "run")
    store = SqliteStore(tmp_path / "state" / "evidence.sqlite")
    ingest_folder(store, tmp_path / "run")
    clock = iter(range(T0, T0 + 10 * 1_500_000_000, 1_500_000_000))
    done = fuse_store(
        store, ua2026, tmp_path / "out" / "events.jsonl", clock_ns=lambda: next(clock)
    )
    store.close()
    lines = done.text().splitlines()
    assert lines[1] == "fusion (from the store, 3 s)"
    assert lines[2].startswith("  acoustic: 10 located events from ")
    assert lines[3].startswith("  incidents: ") and "launch–impact pairs: " in lines[4]
    assert lines[5].startswith("  rejected records: 0")
    assert f"run {done.run.run_id} kept for log size {done.run.log_size}" in lines[6]
    assert str(tmp_path / "state" / "evidence.sqlite") in lines[7]
    assert lines[8].startswith(f"  outputs: {tmp_path / 'out' / 'events.jsonl'} (10 events")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--picks", "p.jsonl"], "leave out --picks"),
        (["--tracks", "t.jsonl"], "leave out --tracks"),
        (["--store", "x.sqlite"], "--store goes with --state"),
        ([], "give --sensors and --picks (files), or --state DIR"),
    ],
)
def test_fuse_says_which_inputs_go_together(tmp_path: Path, args: list[str], message: str) -> None:
    state = ["--state", str(tmp_path)] if args[:1] in (["--picks"], ["--tracks"]) else []
    result = CliRunner().invoke(app, ["fuse", *state, *args])
    assert result.exit_code == 2
    assert message in result.output


def test_fuse_state_needs_a_store_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fuse", "--state", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no store there" in result.output
    assert not (tmp_path / "nowhere").exists()
