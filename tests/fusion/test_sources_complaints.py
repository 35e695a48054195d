"""The complaint plugin: supports or contradicts by place, window and the firing side."""

from __future__ import annotations

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.sources.base import FusionContext, Hypothesis, Spot
from ceasewatch.fusion.sources.complaints import ComplaintsPlugin
from ceasewatch.fusion.spread import Spread
from tests.fusion.handmade import at, moved, text

IMPACT = (35.20, 48.00)  # E ground


def complaint(alleged: str = "W", category: str = "shelling") -> dict:
    return {
        "complaint_id": "E-2026-0001",
        "party": "E",
        "t_submitted": text(7200),
        "t_alleged": [text(-600), text(900)],
        "position": list(moved(*IMPACT, 45.0, 1500.0)),
        "radius_m": 3000,
        "alleged_party": alleged,
        "category": category,
        "text": "…",
    }


def shot(launch_side: str) -> Hypothesis:
    where = Spot(*IMPACT, Spread.circular(50), at(30), 0.1)
    launch = Spot(34.9, 48.0, Spread.circular(50), at(0), 0.1)
    return Hypothesis("k", "shot", at(0), at(30), where, launch, launch_side, "E")


def relate(toy: Agreement, record: dict, hypothesis: Hypothesis):  # type: ignore[no-untyped-def]
    plugin = ComplaintsPlugin()
    [obs] = plugin.observe([record], FusionContext(toy)).observations
    return plugin.relate(obs, hypothesis)


def test_a_complaint_is_supported_when_the_fire_came_from_the_alleged_side(toy: Agreement) -> None:
    relation = relate(toy, complaint("W"), shot("W"))
    assert relation is not None and relation.supports
    assert "1.5 km from its centre" in relation.reason and "on W ground" in relation.reason


def test_a_complaint_is_contradicted_when_the_fire_came_from_elsewhere(toy: Agreement) -> None:
    relation = relate(toy, complaint("W"), shot("E"))
    assert relation is not None and not relation.supports
    assert "on E ground, not W's" in relation.reason


def test_a_complaint_of_another_kind_or_place_says_nothing(toy: Agreement) -> None:
    assert relate(toy, complaint("W", "heavy_weapons"), shot("W")) is None
    far = {**complaint("W"), "position": [34.5, 47.5]}
    assert relate(toy, far, shot("W")) is None


def test_a_complaint_without_window_is_rejected(toy: Agreement) -> None:
    bad = {**complaint(), "t_alleged": "yesterday"}
    observed = ComplaintsPlugin().observe([bad], FusionContext(toy))
    assert "'t_alleged' must be [start, end]" in observed.rejected[0].reason
