"""The observer-report plugin: sectors of bearing and range around the team."""

from __future__ import annotations

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.phase import from_fused
from ceasewatch.fusion.sources.base import FusionContext
from ceasewatch.fusion.sources.reports import ReportsPlugin
from tests.fusion.handmade import event, moved, text

TEAM = (35.10, 48.30)


def report(rid: str, bearing: list[float], range_km: list[float], what: str = "explosion") -> dict:
    return {
        "report_id": rid,
        "team_id": "T4",
        "t_start": text(-600),
        "t_end": text(1800),
        "observer": list(TEAM),
        "mode": "heard",
        "what": what,
        "count": 2,
        "bearing_deg": bearing,
        "range_km": range_km,
        "text": "Heard 2 explosions.",
    }


def run(toy: Agreement, records: list[dict], events: list) -> tuple:  # type: ignore[type-arg]
    plugin, context = ReportsPlugin(), FusionContext(toy)
    observed = plugin.observe(records, context)
    return observed, plugin.place(observed.observations, [from_fused(e) for e in events], context)


def test_a_report_joins_the_sound_in_its_sector(toy: Agreement) -> None:
    inside = event("impact", *moved(*TEAM, 135.0, 4000.0), 60.0, "I")  # SE, 4 km
    outside = event("impact", *moved(*TEAM, 300.0, 4000.0), 60.0, "O")  # NW
    _observed, placement = run(toy, [report("T4-1", [112.5, 157.5], [3, 5])], [outside, inside])
    [placed] = placement.placed
    assert placed.event_id == inside.event_id
    assert "4.0 km at 135° from the team" in placed.reason and "SE of the team" in placed.reason


def test_a_sector_through_north_and_a_burst_only_on_blasts(toy: Agreement) -> None:
    north = event("impact", *moved(*TEAM, 5.0, 2000.0), 60.0, "N")
    _o, placement = run(toy, [report("T4-2", [337.5, 22.5], [1, 3])], [north])
    assert [p.event_id for p in placement.placed] == [north.event_id]
    _o, placement = run(toy, [report("T4-3", [337.5, 22.5], [1, 3], "burst")], [north])
    assert placement.placed == ()


def test_a_bad_report_is_rejected(toy: Agreement) -> None:
    bad = {**report("T4-4", [0, 90], [5, 3])}
    observed, _placement = run(toy, [bad], [])
    assert "range_km must be [min, max]" in observed.rejected[0].reason
