"""Clutter rules: field fires on the 2021 background, industrial heat, announced demining,
declared training ranges, quarries, blasts far from the line, thunder — and real fire kept."""

from __future__ import annotations

import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.clutter import (
    ClutterRules,
    FirmsBaseline,
    Suspect,
    read_notifications,
    thunder,
)
from ceasewatch.fusion.incidents import fuse_sources
from ceasewatch.fusion.sources.base import Spot
from ceasewatch.fusion.spread import Spread
from ceasewatch.model.time import parse_ns
from tests.fusion.handmade import at, event, moved, text

FIELD = (31.611, 46.855)  # burned on 2021-08-10 (data/firms/baseline-2021-near-line.csv)
AUGUST = parse_ns("2026-08-12T11:00:00Z")
DEMINING = (35.40, 48.30)  # E ground, 28 km from the toy line


@pytest.fixture(scope="module")
def baseline() -> FirmsBaseline:
    return FirmsBaseline.packaged()


def spot(lon: float, lat: float, t_ns: int, sigma_m: float = 40.0) -> Spot:
    return Spot(lon, lat, Spread.circular(sigma_m), t_ns, 0.1)


def notice(**extra: object) -> dict:
    return {
        "notification_id": "E-N-0001",
        "party": "E",
        "t_submitted": text(-86400),
        "t_window": [text(-3600), text(7200)],
        "position": list(DEMINING),
        "radius_m": 1000,
        "activity": "demining",
        "text": "Controlled detonation, 3 charges.",
        **extra,
    }


def test_a_firms_pixel_on_a_2021_seasonal_hotspot_is_a_field_fire(
    ua2026: Agreement, baseline: FirmsBaseline
) -> None:
    rules = ClutterRules(ua2026, baseline=baseline)
    fire = Suspect("fire", spot(*FIELD, AUGUST, 150.0), None, 60_000.0, False)
    reason = rules.reason(fire)
    assert reason is not None and reason.startswith("field fire:")
    assert "of 2021 within 1000 m in the same season" in reason
    winter = Suspect(
        "fire", spot(*FIELD, parse_ns("2026-02-12T11:00:00Z"), 150.0), None, 6e4, False
    )
    assert rules.reason(winter) is None  # not the season: not background


def test_a_field_fire_row_is_rejected_with_the_reason_by_the_stage(ua2026: Agreement) -> None:
    row = {
        "latitude": str(FIELD[1]),
        "longitude": str(FIELD[0]),
        "acq_date": "2026-08-12",
        "acq_time": "1100",
        "scan": "0.4",
        "track": "0.4",
        "record_id": "firms.csv:1",
    }
    result = fuse_sources([], {"firms": [row]}, agreement=ua2026)
    assert result.events == ()
    [incident] = result.incidents
    assert incident.kind == "fire" and incident.clutter and "field fire" in incident.clutter
    [rejected] = result.rejected
    assert rejected.record_id == "firms.csv:1" and rejected.reason.startswith("clutter: field fire")


def test_a_fire_on_a_hot_industrial_site(ua2026: Agreement) -> None:
    rules = ClutterRules(ua2026)
    reason = rules.reason(Suspect("fire", spot(37.762, 48.151, AUGUST, 300.0), None, 5e3, False))
    assert reason is not None and "Avdiivka coke plant" in reason


def test_a_blast_inside_an_announced_demining_is_clutter(toy: Agreement) -> None:
    notes, bad = read_notifications([notice()])
    assert bad == ()
    rules = ClutterRules(toy, notes)
    inside = Suspect("blast", spot(*moved(*DEMINING, 80.0, 400.0), at(600)), None, 28e3, False)
    reason = rules.reason(inside)
    assert reason is not None and reason.startswith("announced demining E-N-0001 by E: 400 m")
    late = Suspect("blast", spot(*DEMINING, at(9000)), None, 28e3, False)
    assert "announced" not in (rules.reason(late) or "")


def test_a_launch_and_impact_are_not_clutter(toy: Agreement) -> None:
    notes, _bad = read_notifications([notice()])
    rules = ClutterRules(toy, notes)
    launch = spot(34.9, 48.0, at(570))
    shot = Suspect("shot", spot(*moved(*DEMINING, 0, 200.0), at(600)), launch, 28e3, True)
    assert rules.reason(shot) is None
    events = [event("launch", 34.9, 48.3, 560.0, "L"), event("impact", *DEMINING, 600.0, "I")]
    result = fuse_sources(events, {}, agreement=toy, notifications=[notice()])
    assert [i.clutter for i in result.incidents] == [None]


def test_fire_on_a_declared_training_range_is_clutter(ua2026: Agreement) -> None:
    zone = ua2026.zone("training-yavoriv")
    assert zone.area is not None
    inside = zone.area.representative_point()
    rules = ClutterRules(ua2026)
    shot = Suspect(
        "shot", spot(inside.x, inside.y, at(20)), spot(inside.x, inside.y, at(0)), 4e5, False
    )
    reason = rules.reason(shot)
    assert reason is not None and "declared range training-yavoriv" in reason
    out = Suspect("shot", spot(inside.x, inside.y, at(20)), spot(37.5, 48.5, at(0)), 4e5, False)
    assert rules.reason(out) is None  # fired from outside the range: not exempt


def test_quarry_blasts_and_far_blasts(toy: Agreement) -> None:
    rules = ClutterRules(toy)
    noon = parse_ns("2026-02-18T10:30:00Z")
    quarry = Suspect("blast", spot(37.745, 47.762, noon), None, 30e3, False)
    assert (rules.reason(quarry) or "").startswith("quarry blast")
    far = Suspect("blast", spot(35.3, 48.0, noon), None, 22e3, False)
    assert "blast signature 22.0 km from the line" in (rules.reason(far) or "")
    near = Suspect("blast", spot(35.01, 48.0, noon), None, 750.0, False)
    assert rules.reason(near) is None  # small-arms fire at the line is not clutter


def test_storm_like_blasts_are_thunder() -> None:
    storm = [
        Suspect(
            "blast",
            spot(*moved(35.5, 48.5, 40.0 * k, 2000.0 + 300 * k), at(300 * k)),
            None,
            4e4,
            False,
        )
        for k in range(9)
    ]
    fire = [Suspect("shot", spot(35.5, 48.5, at(0)), spot(35.4, 48.5, at(-20)), 4e4, True)]
    found = thunder(storm + fire)
    assert sorted(found) == list(range(9))
    assert found[0].startswith("thunder-like: 9 blasts")
    assert thunder(storm[:5]) == {}
