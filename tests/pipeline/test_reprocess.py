"""``ceasewatch reprocess``: the sector × time plan gives one digest whatever runs it (in this
process, Dask with 1, 2 and 4 workers, forked processes as the demo and ``replay`` run it) and
whichever store holds the log (SQLite, PostgreSQL), with the log's line changes judged and its
open-source reports checked beside the verdicts; the halos find an event at a sector boundary
and one at a time cut once each."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from ceasewatch.adjudication.replay import adjudicate_log, replay_store
from ceasewatch.adjudication.review import read_reviews
from ceasewatch.adjudication.review_state import Review
from ceasewatch.agreement.line_diff import diff_control
from ceasewatch.agreement.line_read import change_feature
from ceasewatch.agreement.types import Agreement
from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.fusion.acoustic.array import array_from_features
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import pick_table
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.fusion.cell_fusion import forked, fuse_cell, join_cells
from ceasewatch.fusion.cells import plan_cells
from ceasewatch.fusion.from_log import LogRecords, read_log
from ceasewatch.ingest.run import ingest_file
from ceasewatch.model.geo import geodesic_forward, geodesic_inverse
from ceasewatch.pipeline.reprocess import Reprocessed, dask_executor, reprocess, serial
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.store.open import open_store

pytest.importorskip("distributed")

START = "2026-02-17T23:30:00Z"  # an hour across midnight UTC: two windows, one cut
HOURS = 1.0


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory, ua2026: Agreement) -> Path:
    """An hour of the peak day on the whole line, simulated once (dense deployment, seed 5):
    about 600 picks, 50 located events, 40 violations; and a block of ground RU took between
    the control maps of 18 January and 18 February (``line-changes.jsonl``)."""
    out = tmp_path_factory.mktemp("reprocess") / "run"
    peak = replace(scenario("peak-day"), start=START)
    deployment = generate_deployment(ua2026, "dense", seed=5)
    simulate(ua2026, peak, 5, out, deployment=deployment, hours=HOURS)
    old = shapely.box(37.30, 48.00, 38.00, 48.50)
    diff = diff_control(old, old.union(shapely.box(37.25, 48.20, 38.0, 48.5)),
                        t_from="2026-01-18", t_to="2026-02-18")  # fmt: skip
    lines = [json.dumps(change_feature(c, diff)) + "\n" for c in diff.changes]
    (out / "line-changes.jsonl").write_text("".join(lines), encoding="utf-8")
    write_open_reports(out)
    return out


def write_open_reports(run: Path) -> None:
    """News of the hour: two outlets' reports of one real shot, shelling reported where no
    happening came within 30 km, an arrest, and a report dated after the run."""
    truth = [json.loads(x) for x in (run / "truth" / "happenings.jsonl").read_text().splitlines()]
    shot = next(h for h in truth if h["kind"] == "shot" and h["impact"] and h["t_impact"])
    sensors = json.loads((run / "sensors.geojson").read_text())["features"]
    far = next(
        f["geometry"]["coordinates"][:2] for f in sensors
        if all(geodesic_inverse(*f["geometry"]["coordinates"][:2], *h["impact"])[1] > 30_000
               for h in truth if h["impact"])
    )  # fmt: skip

    def report(n: int, t: str, where: list[float], category: str, headline: str) -> str:
        return json.dumps({
            "report_id": f"news-{n}", "team_id": "news", "source": "test", "t_start": t,
            "t_end": t, "observer": where, "category": category, "headline": headline,
            "text": headline, "place_name": "", "settlement": "",
        }) + "\n"  # fmt: skip

    shelled = "Enemy shelled the village overnight, several explosions reported"
    (run / "open-reports.jsonl").write_text("".join([
        report(1, shot["t_impact"], shot["impact"], "explosion/impact", shelled),
        report(2, shot["t_impact"], shot["impact"], "explosion/impact", shelled),
        report(3, "2026-02-18T00:10:00Z", far, "explosion/impact", "Heavy shelling of the town"),
        report(4, "2026-02-18T00:05:00Z", far, "detention", "Two men detained at a checkpoint"),
        report(5, "2026-02-19T12:00:00Z", shot["impact"], "explosion/impact", "Later shelling"),
    ]), encoding="utf-8")  # fmt: skip


def ingest(run_dir: Path, url: str) -> None:
    store = open_store(url)
    try:
        log = EvidenceLog(store, salts=os.urandom)
        for path in sorted(p for p in run_dir.iterdir() if p.is_file()):
            ingest_file(log, path, clock_ns=time.time_ns, quarantine_dir=run_dir.parent / "q")
    finally:
        store.close()


@pytest.fixture(scope="session")
def sqlite_log(run_dir: Path) -> tuple[LogRecords, list[Review]]:
    url = str(run_dir.parent / "evidence.sqlite")
    ingest(run_dir, url)
    store = open_store(url)
    try:
        return read_log(store), read_reviews(store, 0)
    finally:
        store.close()


@pytest.fixture(scope="session")
def in_process(sqlite_log: tuple[LogRecords, list[Review]], ua2026: Agreement) -> Reprocessed:
    records, reviews = sqlite_log
    return reprocess(records, reviews, ua2026, serial)


def test_the_plan_has_sectors_and_two_windows(in_process: Reprocessed) -> None:
    plan = in_process.plan
    assert len(plan.windows) == 2  # the window before midnight and the one after
    assert len(plan.sectors) >= 3
    assert len(plan.cells) == len(in_process.cells) >= 4
    assert sum(len(r.events) for r in in_process.cells) >= len(in_process.fusion.acoustic.events)
    assert len(in_process.fusion.acoustic.events) >= 20
    assert len(in_process.verdicts.adjudication.violations) >= 10
    [crossed] = [v for v in in_process.verdicts.adjudication.violations
                 if v.basis == "line_change"]  # fmt: skip
    assert crossed.rule_id == "no-crossing" and crossed.responsible[0][0] == "RU"
    assert in_process.digest.startswith("sha256:")


def test_open_source_reports_are_checked_beside_the_verdicts(
    in_process: Reprocessed, sqlite_log: tuple[LogRecords, list[Review]], ua2026: Agreement
) -> None:
    checks = in_process.verdicts.report_checks
    assert checks is not None
    assert checks.reports == 4  # the report dated after the run waits
    rows = checks.rows()
    by_first = {r["report_ids"][0]: r for r in rows}
    assert sorted(by_first) == ["news-1", "news-3", "news-4"]  # the two outlets collapsed
    assert by_first["news-1"]["status"] == "corroborates" and by_first["news-1"]["incident_ids"]
    assert by_first["news-3"]["status"] == "contradicts" and by_first["news-3"]["observed"] >= 0.8
    assert by_first["news-4"]["status"] == "not_checkable"
    assert "open-source reports: 4 became 3 distinct events" in in_process.verdicts.text()
    records, reviews = sqlite_log
    without = replace(records, streams={k: v for k, v in records.streams.items()
                                        if k != "open-reports"})  # fmt: skip
    assert adjudicate_log(without, in_process.fusion, ua2026, reviews).verdicts.digest == (
        in_process.digest
    )  # news never moves a verdict


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_dask_gives_the_digest_of_one_process(
    workers: int,
    sqlite_log: tuple[LogRecords, list[Review]],
    ua2026: Agreement,
    in_process: Reprocessed,
) -> None:
    records, reviews = sqlite_log
    seen: list[int] = []
    with dask_executor(workers) as executor:
        done = reprocess(records, reviews, ua2026, executor, progress=lambda _m: seen.append(1))
    assert done.digest == in_process.digest
    assert [e.event_id for e in done.fusion.acoustic.events] == [
        e.event_id for e in in_process.fusion.acoustic.events
    ]
    assert [r.cell for r in done.cells] == [r.cell for r in in_process.cells]


def test_replay_and_forked_processes_give_the_digest_of_one_process(
    run_dir: Path, in_process: Reprocessed, ua2026: Agreement,
    sqlite_log: tuple[LogRecords, list[Review]],
) -> None:  # fmt: skip
    records, reviews = sqlite_log
    assert reprocess(records, reviews, ua2026, forked(2)).digest == in_process.digest
    store = open_store(str(run_dir.parent / "evidence.sqlite"))  # made by sqlite_log
    try:
        replayed = replay_store(store, ua2026)
    finally:
        store.close()
    assert replayed.verdicts.verdicts.digest == in_process.digest


def test_an_existing_scheduler_gives_the_same_digest(
    sqlite_log: tuple[LogRecords, list[Review]], ua2026: Agreement, in_process: Reprocessed
) -> None:
    from distributed import LocalCluster

    records, reviews = sqlite_log
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,  # fmt: skip
        dask_executor(scheduler=cluster.scheduler_address) as executor,
    ):
        done = reprocess(records, reviews, ua2026, executor)
    assert done.digest == in_process.digest


def test_both_stores_give_the_same_digest(
    store_url: str, run_dir: Path, ua2026: Agreement, in_process: Reprocessed
) -> None:
    ingest(run_dir, store_url)
    store = open_store(store_url)
    try:
        records, reviews = read_log(store), read_reviews(store, 0)
    finally:
        store.close()
    assert reprocess(records, reviews, ua2026, serial).digest == in_process.digest


def test_cli_reprocesses_in_process(run_dir: Path, tmp_path: Path, in_process: Reprocessed) -> None:
    url = str(run_dir.parent / "evidence.sqlite")  # made by sqlite_log, via in_process
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["reprocess", "--store", url, "--workers", "0", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert in_process.digest in result.output
    assert "plan: " in result.output and "cells" in result.output
    assert (out / "cells.jsonl").read_text().count("\n") == len(in_process.cells)
    assert (out / "events.jsonl").is_file()


def test_cli_refuses_workers_with_a_scheduler(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["reprocess", "--store", str(tmp_path / "x.sqlite"), "--workers", "2",
              "--scheduler", "tcp://127.0.0.1:1"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "drop --workers" in result.output


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    with (
        pytest.raises(InputError, match=r"pip install 'ceasewatch\[scale\]'"),
        dask_executor(1),
    ):
        pass


# -- halos: a synthetic array around the donetsk/luhansk boundary ------------------------------


def _boundary_point(agreement: Agreement) -> tuple[float, float]:
    areas = {str(s.id): s.area for s in agreement.sectors}
    seam = shapely.intersection(areas["donetsk"].boundary, areas["luhansk"].boundary)
    point = seam.interpolate(0.5, normalized=True)
    return float(point.x), float(point.y)


Case = tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[float, float, int]]]


def _halo_case(agreement: Agreement) -> Case:
    """Ten sensors on a 12-14 km ring around a point of the donetsk/luhansk seam, and exact
    picks of four explosions: 500 m east of it 4 s before midnight UTC (its sound arrives after
    the cut), 500 m west in the afternoon, 3 km north 1 s before midnight, 3 km south at 02:00."""
    lon0, lat0 = _boundary_point(agreement)
    sensors: list[dict[str, Any]] = []
    for k in range(10):
        lon, lat = geodesic_forward(lon0, lat0, 36.0 * k, 12_000.0 + 800.0 * (k % 3))
        sensors.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon[0]), float(lat[0])]},
            "properties": {"sensor_id": f"ac-{k}", "kind": "acoustic", "range_m": 20_000.0},
        })  # fmt: skip
    midnight_ns = 1_771_459_200 * 10**9  # 2026-02-19T00:00:00Z
    truth = []
    for azimuth, distance, t_ns in ((90.0, 500.0, midnight_ns - 4 * 10**9),
                                    (270.0, 500.0, midnight_ns - 9 * 3600 * 10**9),
                                    (0.0, 3000.0, midnight_ns - 1 * 10**9),
                                    (180.0, 3000.0, midnight_ns + 7200 * 10**9)):  # fmt: skip
        lon, lat = geodesic_forward(lon0, lat0, azimuth, distance)
        truth.append((float(lon[0]), float(lat[0]), t_ns))
    picks = []
    for n, (lon, lat, t_ns) in enumerate(truth):
        for s in sensors:
            slon, slat = s["geometry"]["coordinates"]
            _az, d = geodesic_inverse(lon, lat, slon, slat)
            arrival = t_ns + round(float(d[0]) / 343.0 * 1e9)
            picks.append({"pick_id": f"p{n}-{s['properties']['sensor_id']}",
                          "sensor_id": s["properties"]["sensor_id"], "t_arrival": arrival,
                          "t_sigma_s": 0.02, "signature": "impact", "snr_db": 20.0})  # fmt: skip
    return sensors, picks, truth


def test_halos_find_boundary_and_cut_events_once(ua2026: Agreement) -> None:
    sensors, picks, truth = _halo_case(ua2026)
    settings = Settings()
    array = array_from_features(sensors)
    table = pick_table(picks, array.index)
    plan, jobs = plan_cells(array, table, sensors, picks, ua2026, settings)
    assert {"donetsk", "luhansk"} <= set(plan.sectors)
    assert len(plan.windows) == 3  # 12-18 h and 18-24 h on the 18th, 00-06 h on the 19th
    results = [fuse_cell(job) for job in jobs]
    raw = [e.event_id for r in results for e in r.events]
    assert len(raw) > len(set(raw)), "no event was seen by two cells: the halos did nothing"
    events, _skews = join_cells(results, ua2026)
    assert len(events) == len(truth), [(e.lon, e.lat, e.t_origin_ns) for e in events]
    assert len({e.event_id for e in events}) == len(truth)
    for lon, lat, t_ns in truth:
        near = [e for e in events
                if abs(e.t_origin_ns - t_ns) < 0.5e9
                and float(geodesic_inverse(lon, lat, e.lon, e.lat)[1][0]) < 300.0]  # fmt: skip
        assert len(near) == 1, (lon, lat, t_ns)
    plain = fuse_picks(array, picks, settings, workers=1).events
    assert sorted(e.event_id for e in plain) == sorted(e.event_id for e in events)
    assert np.all(np.diff([e.t_origin_ns for e in events]) >= 0)
