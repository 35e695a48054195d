"""Interference with the monitors from the sensors' interference logs: several sensors jammed
near each other at once are one episode and a violation of ``no-interference``; one sensor
alone stays indeterminate (a fault is as likely); far-apart jammings are separate episodes;
heartbeats and a drone's lost link are not interference logs. On ua-2026, near Toretsk."""

from __future__ import annotations

from typing import Any

import pytest

from ceasewatch.adjudication.coverage_inputs import RegisteredSensor
from ceasewatch.adjudication.interference import interference_verdicts
from ceasewatch.adjudication.run import run_adjudication
from ceasewatch.adjudication.types import UNKNOWN
from ceasewatch.agreement import Agreement
from ceasewatch.agreement.locate import Locator

NEAR = [("A1", 37.70, 48.45), ("A2", 37.85, 48.50), ("A3", 37.80, 48.35)]  # within 20 km
FAR = ("K1", 36.30, 49.70)  # near Kupiansk: 200 km away


def log(status_id: str, sensor: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"status_id": status_id, "sensor_id": sensor, "t_start": f"2026-02-18T{start}:00Z",
            "t_end": f"2026-02-18T{end}:00Z", "state": "jammed", "reason": "interference",
            **extra}  # fmt: skip


def sensors() -> list[RegisteredSensor]:
    return [RegisteredSensor(i, "acoustic", lon, lat) for i, lon, lat in [*NEAR, FAR]]


def test_sensors_jammed_together_are_one_violation(ua2026: Agreement, ua_locator: Locator) -> None:
    status = [
        log("A1-jam-01", "A1", "08:00", "10:00"),
        log("A2-jam-01", "A2", "08:05", "09:30"),
        log("A3-jam-01", "A3", "09:00", "11:00"),
        {**log("A2-hb-1", "A2", "07:00", "08:00"), "state": "up", "reason": "heartbeat"},
        {**log("U1-ll-1", "A3", "08:00", "08:10"), "reason": "link"},
    ]
    (v,) = interference_verdicts(status, sensors(), ua2026, ua_locator)
    assert v.rule_id == "no-interference" and v.category == "interference"
    assert v.p_occurred == pytest.approx(1 - 0.6**3)
    assert v.event_ids == () and v.evidence == (
        "status:A1-jam-01", "status:A2-jam-01", "status:A3-jam-01")  # fmt: skip
    who = dict(v.responsible)
    assert who[UNKNOWN] == pytest.approx(0.6) and sum(who.values()) == pytest.approx(1.0)
    assert (
        "3 sensors logged interference from 2026-02-18T08:00:00Z to 2026-02-18T11:00:00Z"
        in (v.occurred.reasons[0])
    )
    assert "no direction finding" in v.who.reasons[0]
    assert v.p_deliberate is None and v.place is not None


def test_one_sensor_alone_and_far_apart_jammings(ua2026: Agreement, ua_locator: Locator) -> None:
    status = [
        log("A1-jam-01", "A1", "08:00", "10:00"),
        log("K1-jam-01", "K1", "08:00", "10:00"),  # at the same time, 200 km away
        log("A2-jam-01", "A2", "12:00", "13:00"),  # near A1, but hours later
    ]
    found = interference_verdicts(status, sensors(), ua2026, ua_locator)
    assert len(found) == 3 and all(v.p_occurred == pytest.approx(0.4) for v in found)
    result = run_adjudication(
        [], ua2026, {"status": status}, sensors=[_feature(s) for s in sensors()],
        locator=ua_locator, as_of_ns=found[-1].t_ns + 1,
    )  # fmt: skip
    assert result.adjudication.violations == ()
    assert {v.violation_id for v in result.adjudication.indeterminate} == {
        v.violation_id for v in found
    }


def _feature(s: RegisteredSensor) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {"sensor_id": s.sensor_id, "kind": s.kind}}  # fmt: skip
