"""Coverage from status reports on hand-made records under the toy agreement (a straight line on
the 35th meridian from 49 N to 47 N; sectors north and south of 48 N): outages, lost heartbeats,
jamming, drone sorties, night, satellite passes, order independence, sectors, stretches, places.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from ceasewatch.adjudication.coverage import (
    RegisteredSensor,
    SensorHour,
    registry_sensors,
    sensor_hours,
)
from ceasewatch.adjudication.coverage_line import Coverage, coverage_rows
from ceasewatch.agreement import Agreement
from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns

T0 = parse_ns("2026-02-18T00:00:00Z")
H = 3600 * NS_PER_S
M = 60 * NS_PER_S
END = T0 + 6 * H
BOOT = T0 - 10 * 24 * H


def at(minutes: float) -> int:
    return T0 + int(minutes * M)


def record(
    status_id: str, sensor_id: str, t_start: int, t_end: int, state: str, reason: str, **extra: Any
) -> dict[str, Any]:
    return {
        "status_id": status_id,
        "sensor_id": sensor_id,
        "t_start": format_ns(t_start, 3),
        "t_end": format_ns(t_end, 3),
        "state": state,
        "reason": reason,
        **extra,
    }


def heartbeats(
    sensor_id: str,
    boot: int = BOOT,
    first: int = T0 + 5 * M,
    until: int = END,
    skip: frozenset[int] = frozenset(),
    seq: bool = True,
    number: int = 0,
) -> list[dict[str, Any]]:
    """Heartbeats every 10 min from ``first`` (those whose index is in ``skip`` are lost)."""
    found = []
    for k, t in enumerate(range(first, until, 10 * M)):
        number += 1
        if k in skip:
            continue
        extra: dict[str, Any] = {"interval_s": 600}
        if seq:
            extra["seq"] = (t - boot) // (10 * M) + 1
        found.append(
            record(f"{sensor_id}-hb-{number:06d}", sensor_id, boot, t, "up", "heartbeat", **extra)
        )
    return found


def acoustic(sensor_id: str, lon: float, lat: float, range_m: float = 20_000) -> RegisteredSensor:
    return RegisteredSensor(sensor_id, "acoustic", lon, lat, range_m)


def hours(records: list[dict[str, Any]], *sensors: RegisteredSensor) -> dict[int, SensorHour]:
    rows = sensor_hours(records, sensors, T0, END)
    assert len({r.sensor_id for r in rows}) == 1
    return {(r.hour_ns - T0) // H: r for r in rows}


# -- per sensor-hour ----------------------------------------------------------------------------


def test_a_sensor_heard_all_along_is_available_all_along() -> None:
    rows = hours(heartbeats("A1"), acoustic("A1", 35.1, 48.5))
    assert all(r.available == 1.0 and r.deployed == 1.0 for r in rows.values())
    assert rows[0].to_json() == {
        "sensor_id": "A1", "kind": "acoustic", "hour": "2026-02-18T00:00:00Z", "available": 1.0,
        "deployed": 1.0, "not_deployed": 0.0, "outage": 0.0, "jammed": 0.0, "cloud": 0.0,
    }  # fmt: skip


def test_an_outage_is_read_from_the_restart_within_half_a_heartbeat() -> None:
    # Up until 02:20 (last heartbeat 02:15), restarted at 03:30 (heartbeats from 03:31).
    before = heartbeats("A1", until=at(140))
    after = heartbeats("A1", boot=at(210), first=at(211), number=100)
    rows = hours(before + after, acoustic("A1", 35.1, 48.5))
    assert rows[1].available == 1.0
    # Down from 02:20 (halfway to the heartbeat due at 02:25) to 03:30.
    assert rows[2].available == pytest.approx(20 / 60)
    assert rows[2].outage == pytest.approx(40 / 60)
    assert rows[3].available == pytest.approx(30 / 60)
    assert rows[4].available == 1.0


@pytest.mark.parametrize("seq", [True, False])
def test_a_lost_heartbeat_is_not_an_outage(seq: bool) -> None:
    rows = hours(heartbeats("A1", skip=frozenset({7, 8}), seq=seq), acoustic("A1", 35.1, 48.5))
    assert all(r.available == 1.0 for r in rows.values())


def test_a_long_silence_is_an_outage_unless_seq_shows_the_heartbeats_were_sent() -> None:
    lost = frozenset(range(6, 12))  # 01:05 … 01:55 missing: an hour without a heartbeat
    silent = hours(heartbeats("A1", skip=lost, seq=False), acoustic("A1", 35.1, 48.5))
    # Silent from 01:00 (half an interval after 00:55) to 02:00 (half one before 02:05).
    assert silent[1].available == pytest.approx(0.0)
    assert silent[1].outage == pytest.approx(1.0)
    sent = hours(heartbeats("A1", skip=lost, seq=True), acoustic("A1", 35.1, 48.5))
    assert sent[1].available == 1.0


def test_a_sensor_that_never_reports_is_not_available() -> None:
    rows = hours([], acoustic("A1", 35.1, 48.5))
    assert all(r.available == 0.0 and r.outage == 1.0 for r in rows.values())


def test_jamming_reads_as_jammed_not_as_an_outage() -> None:
    # Jammed 02:00-04:00: no heartbeat gets through; the radio's log arrives afterwards.
    records = heartbeats("A1", skip=frozenset(range(12, 24)))
    records.append(record("A1-jam-01", "A1", at(120), at(240), "jammed", "interference"))
    rows = hours(records, acoustic("A1", 35.1, 48.5))
    assert rows[1].available == 1.0
    assert rows[2].available == 0.0 and rows[2].jammed == 1.0 and rows[2].outage == 0.0
    assert rows[3].jammed == 1.0
    assert rows[4].available == 1.0


def test_jamming_until_the_end_of_the_window_is_not_silence() -> None:
    records = heartbeats("A1", until=at(300))
    records.append(record("A1-jam-01", "A1", at(300), END, "jammed", "interference"))
    rows = hours(records, acoustic("A1", 35.1, 48.5))
    assert rows[4].available == 1.0
    assert rows[5].available == 0.0 and rows[5].jammed == 1.0


def test_drone_sorties_grounding_and_lost_link() -> None:
    drone = RegisteredSensor("U1", "uav", 35.2, 48.5, 30_000)
    records = [
        record("U1-fl-0001", "U1", at(30), at(150), "deployed", "sortie", sortie="U1-so-0001"),
        record("U1-ll-0001", "U1", at(120), at(135), "jammed", "link", sortie="U1-so-0001"),
        record("U1-gr-0001", "U1", at(240), at(300), "down", "sortie", sortie="U1-so-0002"),
    ]
    rows = hours(records, drone)
    assert rows[0].deployed == pytest.approx(0.5) and rows[0].available == pytest.approx(0.5)
    assert rows[1].available == 1.0
    assert rows[2].deployed == pytest.approx(0.5)
    assert rows[2].jammed == pytest.approx(0.25)
    assert rows[2].available == pytest.approx(0.25)
    assert rows[3].deployed == 0.0 and rows[3].not_deployed == 1.0
    assert rows[4].deployed == 1.0 and rows[4].outage == 1.0 and rows[4].available == 0.0


def test_night_and_shifts() -> None:
    camera = RegisteredSensor("C1", "camera", 35.1, 48.5, 3000)
    records = heartbeats("C1")
    records.append(record("C1-dark-01", "C1", T0, at(270), "not_deployed", "dark"))
    rows = hours(records, camera)
    assert rows[0].available == 0.0 and rows[0].not_deployed == 1.0 and rows[0].outage == 0.0
    assert rows[4].available == pytest.approx(0.5)
    assert rows[5].available == 1.0
    team = RegisteredSensor("O1", "observer", 34.9, 48.5, 10_000)
    shift = [
        record("O1-sh-001", "O1", at(60), at(180), "deployed", "shift"),
        record("O1-sd-001", "O1", at(180), at(210), "down", "shift"),
    ]
    rows = hours(shift, team)
    assert [round(r.available, 4) for r in rows.values()] == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert rows[3].outage == pytest.approx(0.5)


def test_satellite_hours_hold_the_cloud_free_share_of_their_passes() -> None:
    satellite = RegisteredSensor("S1", "satellite", 35.0, 48.0, 1_500_000)
    records = [
        record("S1-pass-0001", "S1", at(90), at(90), "deployed", "pass", share=0.7,
               cell_deg=0.5, cloudy=[[35.0, 48.0]]),
        record("S1-pass-0002", "S1", at(200), at(200), "deployed", "pass", share=0.9),
        record("S1-out-01", "S1", at(180), at(195), "down", "notice"),
    ]  # fmt: skip
    rows = hours(records, satellite)
    assert rows[0].deployed == 0.0 and rows[0].available == 0.0
    assert rows[1].available == pytest.approx(0.7) and rows[1].cloud == pytest.approx(0.3)
    assert rows[3].available == pytest.approx(0.9 - 0.25)
    assert rows[3].outage == pytest.approx(0.25)


def test_the_order_of_the_records_and_duplicates_do_not_matter() -> None:
    sensors = (acoustic("A1", 35.1, 48.5), acoustic("A2", 34.9, 48.4))
    records = heartbeats("A1", until=at(140)) + heartbeats("A1", at(210), at(211), number=50)
    records += heartbeats("A2", skip=frozenset({3, 20}))
    records.append(record("A2-jam-01", "A2", at(100), at(130), "jammed", "interference"))
    records.append(record("Z9-hb-000001", "Z9", BOOT, at(5), "up", "heartbeat"))  # unknown
    expected = [r.to_json() for r in sensor_hours(records, sensors, T0, END)]
    shuffled = records + records[:7]
    random.Random(4).shuffle(shuffled)
    assert [r.to_json() for r in sensor_hours(shuffled, sensors[::-1], T0, END)] == expected


def test_the_registry_is_read_from_geojson() -> None:
    registry = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [35.1, 48.5]},
             "properties": {"sensor_id": "B", "kind": "radar", "owner": "X", "range_m": 30000}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [34.9, 48.5, 120]},
             "properties": {"sensor_id": "A", "kind": "acoustic", "owner": "X"}},
        ],
    }  # fmt: skip
    found = registry_sensors(registry)
    assert [s.sensor_id for s in found] == ["A", "B"]
    assert found[0].range_m is None and found[1].range_m == 30000.0


# -- sectors, stretches and places ---------------------------------------------------------------


def triangle(lat: float, prefix: str = "A") -> list[RegisteredSensor]:
    """Three acoustic sensors around (35.0, lat), each 5-10 km from it."""
    return [
        acoustic(f"{prefix}1", 35.07, lat),
        acoustic(f"{prefix}2", 34.93, lat + 0.03),
        acoustic(f"{prefix}3", 34.95, lat - 0.06),
    ]


def test_sector_hours_are_the_mean_of_their_sensors(toy: Agreement) -> None:
    sensors = [*triangle(48.5), acoustic("S1", 35.1, 47.5)]
    records = [r for s in sensors[:3] for r in heartbeats(s.sensor_id)]
    records += heartbeats("S1", until=at(60))  # silent from 01:05 on
    cov = Coverage.from_status(records, sensors, toy, T0, END)
    rows = {(r.sector, (r.hour_ns - T0) // H): r for r in cov.sector_hours()}
    assert rows[("north", 2)].available == 1.0 and rows[("north", 2)].sensors == 3
    assert rows[("south", 0)].available == 1.0
    assert rows[("south", 2)].available == 0.0
    assert rows[("north", 0)].to_json()["by_kind"] == {"acoustic": {"sensors": 3, "available": 1.0}}


def test_stretches_need_three_working_acoustic_sensors(toy: Agreement) -> None:
    sensors = triangle(48.5)
    records = heartbeats("A1") + heartbeats("A2")
    records += heartbeats("A3", until=at(180))  # A3 is down from 03:05 (silent)
    records.append(record("A2-jam-01", "A2", at(60), at(120), "jammed", "interference"))
    cov = Coverage.from_status(records, sensors, toy, T0, END)
    stretch = {(r.stretch, (r.hour_ns - T0) // H): dict(r.shares) for r in cov.stretch_hours()}
    # Km 50-60 of the line (from 49 N southwards) passes 48.5 N: all three hear all of it.
    assert stretch[(5, 0)]["acoustic"] == 1.0 and stretch[(5, 0)]["fire"] == 1.0
    assert stretch[(5, 1)]["acoustic"] == 0.0  # A2 jammed: two are not enough
    assert stretch[(5, 2)]["acoustic"] == 1.0
    assert stretch[(5, 4)]["acoustic"] == 0.0  # A3 down
    assert stretch[(0, 0)]["acoustic"] == 0.0  # far north: out of reach
    assert len({k for k, _ in stretch}) == 23  # 222 km: 22 whole stretches and a short one
    row = next(r for r in cov.stretch_hours() if r.stretch == 22).to_json()
    assert row["from_km"] == 220.0 and 222.0 < row["to_km"] < 223.0 and row["sector"] == "south"


def test_observable_places(toy: Agreement) -> None:
    sensors = triangle(48.5)
    records = [r for s in sensors for r in heartbeats(s.sensor_id)]
    for s in sensors:  # all three jammed 02:00-03:00
        records.append(record(f"{s.sensor_id}-jam-01", s.sensor_id, at(120), at(180), "jammed",
                              "interference"))  # fmt: skip
    cov = Coverage.from_status(records, sensors, toy, T0, END)
    assert cov.observable(35.0, 48.5, 2000, at(0), at(120)) == 1.0
    assert cov.observable(35.0, 48.5, 2000, at(120), at(180)) == 0.0  # jammed: not observable
    assert cov.observable(35.0, 48.5, 2000, at(90), at(150)) == pytest.approx(0.5)
    assert cov.observable(35.0, 48.5, 0, at(150), at(150)) == 0.0
    assert cov.observable(35.0, 48.5, 0, END + H, END + 2 * H) == 0.0  # outside the window
    assert cov.observable(34.0, 47.2, 1000, at(0), at(60)) == 0.0  # far from every sensor
    # A circle reaching out of the sensors' range is partly observed.
    assert 0.0 < cov.observable(35.0, 48.5, 30_000, at(0), at(60)) < 1.0


def test_rows_of_the_three_files(toy: Agreement) -> None:
    sensors = triangle(48.5)
    records = [r for s in sensors for r in heartbeats(s.sensor_id)]
    rows = coverage_rows(Coverage.from_status(records, sensors, toy, T0, END))
    assert sorted(rows) == ["coverage-line.jsonl", "coverage-sectors.jsonl", "coverage.jsonl"]
    assert len(rows["coverage.jsonl"]) == 3 * 6
    assert set(rows["coverage-line.jsonl"][0]) == {
        "line_id", "stretch", "from_km", "to_km", "middle", "sector", "hour", "acoustic",
        "radar", "uav", "camera", "observer", "satellite", "fire", "any",
    }  # fmt: skip


# -- counts by sector carry the coverage they were made under -----------------------------------


def test_a_blind_sector_without_violations_reads_not_observable(toy: Agreement) -> None:
    from ceasewatch.adjudication.sectors import line_observable, sector_counts, sector_text
    from ceasewatch.adjudication.types import Finding, Violation

    sensors = [  # each trio reaches the whole 111 km of line of its sector
        acoustic(s.sensor_id, s.lon, s.lat, range_m=60_000)
        for s in (*triangle(48.5), *triangle(47.5, prefix="S"))
    ]
    records = [r for s in sensors[:3] for r in heartbeats(s.sensor_id)]
    for s in sensors[3:]:  # the south's sensors fall silent after 00:35: blind from then on
        records += heartbeats(s.sensor_id, until=at(30))
    cov = Coverage.from_status(records, sensors, toy, T0, END)
    none = Finding(())
    seen = Violation("vi-1", "no-fire", "in-1", (), at(90), 35.02, 48.5, None, "north",
                     "explosion/impact", 0.9, (("W", 0.8), ("E", 0.15), ("unknown", 0.05)),
                     None, "high", "auto", none, none, none)  # fmt: skip
    rows = {r["sector"]: r for r in sector_counts([seen], toy, cov)}
    assert rows["north"]["violations"] == 1 and rows["north"]["by_party"] == {"W": 1}
    assert rows["north"]["reading"] == "observed" and rows["north"]["blind_hours"] == 0
    south = rows["south"]
    assert south["violations"] == 0 and south["reading"] == "not observable"
    assert south["line_observable"] < 0.2 and south["blind_hours"] == 5
    assert south["sensors_available"] == pytest.approx(35 / 360, abs=0.02)
    text = "\n".join(sector_text(list(rows.values())))
    assert "south: not observable (no violations could have been seen)" in text
    whole = line_observable(cov)  # the whole line: the two halves of the same length
    assert whole is not None
    assert whole == pytest.approx((rows["north"]["line_observable"] + south["line_observable"]) / 2,
                                  abs=0.01)  # fmt: skip
    assert line_observable(None) is None
    unknown = sector_counts([seen], toy, None)
    assert all(r["reading"] == "coverage unknown" and r["line_observable"] is None
               for r in unknown)  # fmt: skip
