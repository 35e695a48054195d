"""The drone-detection plugin: presences of restricted weapons; routine traffic rejected."""

from __future__ import annotations

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.sources.base import FusionContext, Hypothesis, Spot
from ceasewatch.fusion.sources.detections import DetectionsPlugin, restricted_classes
from ceasewatch.fusion.spread import Spread
from tests.fusion.handmade import at, moved, text

SPOT = (35.20, 48.10)


def detection(rid: str, klass: str, where: tuple[float, float], seconds: float) -> dict:
    return {
        "detection_id": rid,
        "sensor_id": "U1",
        "t": text(seconds),
        "position": list(where),
        "pos_sigma_m": 25,
        "object_class": klass,
        "class_confidence": 0.8,
        "count": 2,
    }


def test_restricted_classes_follow_the_agreement(toy: Agreement, ua2026: Agreement) -> None:
    assert restricted_classes(toy) == {"artillery", "mlrs"}
    assert {"tank", "mortar", "mlrs", "artillery_ge_100mm"} <= restricted_classes(ua2026)
    assert "truck" not in restricted_classes(ua2026)


def test_looks_at_one_group_are_one_presence_and_routine_is_rejected(toy: Agreement) -> None:
    records = [
        detection("U1-1", "mlrs", SPOT, 0),
        detection("U1-2", "mlrs", moved(*SPOT, 30.0, 80.0), 3600),
        detection("U1-3", "truck", moved(*SPOT, 200.0, 60.0), 7200),  # the same group, misread
        detection("U1-4", "truck", moved(*SPOT, 0.0, 9000.0), 100),  # routine traffic
    ]
    plugin, context = DetectionsPlugin(), FusionContext(toy)
    observed = plugin.observe(records, context)
    placement = plugin.place(observed.observations, [], context)
    [presence] = placement.phases
    assert presence.kind == "presence"
    assert {r for _s, r in presence.records} == {"U1-1", "U1-2", "U1-3"}
    assert presence.t_end_ns == at(7200)
    [routine] = placement.rejected
    assert routine.record_id == "U1-4" and "routine traffic" in routine.reason


def test_routine_traffic_joins_a_group_only_while_it_stands_there(toy: Agreement) -> None:
    day = 24 * 3600.0
    records = [
        detection("U1-1", "mlrs", SPOT, 0),
        detection("U1-2", "truck", moved(*SPOT, 10.0, 50.0), 5 * 3600),  # hours later: joins
        detection("U1-3", "truck", moved(*SPOT, 10.0, 50.0), 5 * 3600 + 2 * day),  # days later
        detection("U1-4", "mlrs", moved(*SPOT, 200.0, 9000.0), 5 * 3600 + 2 * day),  # elsewhere
    ]
    plugin, context = DetectionsPlugin(), FusionContext(toy)
    observed = plugin.observe(records, context)
    placement = plugin.place(observed.observations, [], context)
    groups = sorted(sorted(r for _s, r in p.records) for p in placement.phases)
    assert groups == [["U1-1", "U1-2"], ["U1-4"]]
    [routine] = placement.rejected
    assert routine.record_id == "U1-3"


def test_a_weapon_near_a_firing_position_supports_the_shot(toy: Agreement) -> None:
    plugin, context = DetectionsPlugin(), FusionContext(toy)
    [obs] = plugin.observe([detection("U1-1", "artillery", SPOT, 0)], context).observations
    launch = Spot(*moved(*SPOT, 90.0, 500.0), Spread.circular(50), at(3 * 3600), 0.1)
    impact = Spot(34.9, 48.1, Spread.circular(50), at(3 * 3600 + 30), 0.1)
    relation = plugin.relate(obs, Hypothesis("k", "shot", at(0), at(0), impact, launch))
    assert relation is not None and relation.supports
    assert "seen 500 m from the firing position, 3.0 h before the launch" in relation.reason
    far = Spot(*moved(*SPOT, 90.0, 9000.0), Spread.circular(50), at(3600), 0.1)
    assert plugin.relate(obs, Hypothesis("k", "shot", at(0), at(0), impact, far)) is None
