"""The radar plugin: tracks onto acoustic impacts, links to launches, radar-only phases."""

from __future__ import annotations

import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.phase import from_fused
from ceasewatch.fusion.sources.base import FusionContext
from ceasewatch.fusion.sources.tracks import TracksPlugin
from tests.fusion.handmade import event, moved, text, track

LAUNCH = (34.90, 48.00)
IMPACT = moved(*LAUNCH, 90.0, 12_000.0)


def place(toy: Agreement, records, events):  # type: ignore[no-untyped-def]
    plugin, context = TracksPlugin(), FusionContext(toy)
    observed = plugin.observe(records, context)
    placement = plugin.place(observed.observations, [from_fused(e) for e in events], context)
    return observed, placement


def test_a_track_joins_the_impact_and_links_the_launch(toy: Agreement) -> None:
    launch, impact = event("launch", *LAUNCH, 0.0, "L"), event("impact", *IMPACT, 25.0, "I")
    good = track(
        "R03-7781",
        t_launch=text(0.3), launch=list(moved(*LAUNCH, 0.0, 140.0)), launch_cep_m=60,
        t_impact=text(25.2), impact=list(IMPACT), impact_cep_m=40, projectile="artillery",
    )  # fmt: skip
    _observed, placement = place(toy, [good], [launch, impact])
    on_impact = next(p for p in placement.phases if p.event_id == impact.event_id)
    assert on_impact.records == (("tracks", "R03-7781"),)
    assert on_impact.launch is not None  # the firing point the track gives
    [link] = placement.links
    assert (link.launch_id, link.impact_id) == (launch.event_id, impact.event_id)
    assert "launch 140 m from the acoustic launch, 0.3 s apart" in link.reason
    assert placement.placed[0].reason.startswith("radar track R03-7781 impact")


def test_two_radars_on_one_projectile_make_one_radar_impact(toy: Agreement) -> None:
    records = [
        track("R01-1", t_launch=text(0), launch=list(LAUNCH), t_impact=text(25),
              impact=list(IMPACT), impact_cep_m=50, projectile="mlrs"),
        track("R02-9", t_launch=text(0.4), launch=list(LAUNCH), t_impact=text(25.5),
              impact=list(moved(*IMPACT, 45.0, 60.0)), impact_cep_m=70, projectile="mlrs"),
    ]  # fmt: skip
    _observed, placement = place(toy, records, [])
    [phase] = placement.phases
    assert phase.kind == "impact" and phase.acoustic is None
    assert set(phase.records) == {("tracks", "R01-1"), ("tracks", "R02-9")}
    assert phase.launch is not None


def test_a_drone_track_without_impact_is_a_flight(toy: Agreement) -> None:
    records = [track("R05-2", t_launch=text(0), launch=list(IMPACT), projectile="uav")]
    _observed, placement = place(toy, records, [])
    assert [p.kind for p in placement.phases] == ["flight"]


def test_a_lonely_impact_without_launch_is_rejected_as_a_false_track(toy: Agreement) -> None:
    records = [track("R03-9", t_impact=text(0), impact=list(IMPACT), impact_cep_m=150)]
    _observed, placement = place(toy, records, [])
    assert placement.phases == ()
    assert "most likely a false track" in placement.rejected[0].reason


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (track("R1-1", projectile="mortar"), "needs a launch"),
        (track("R1-2", t_impact="yesterday", impact=[35.0, 48.0]), "not an RFC 3339 time"),
        (track("R1-3", t_impact=text(0), impact=[48.0]), "[lon, lat]"),
        (track("R1-4", t_impact=text(0)), "come together"),
        ({"sensor_id": "R1"}, "missing or empty 'track_id'"),
    ],
    ids=["no-end", "bad-time", "bad-point", "half-end", "no-id"],
)
def test_bad_tracks_are_rejected_alone_with_the_fix(
    toy: Agreement, record: dict, message: str
) -> None:
    good = track("R9-1", t_impact=text(0), impact=list(IMPACT), projectile="uav")
    observed = TracksPlugin().observe([record, good], FusionContext(toy))
    assert [o.record_id for o in observed.observations] == ["R9-1"]
    assert message in observed.rejected[0].reason


def test_a_redelivered_track_counts_once_and_a_changed_one_is_rejected(toy: Agreement) -> None:
    a = track("R9-1", t_impact=text(0), impact=list(IMPACT), projectile="uav")
    b = {**a, "projectile": "mortar"}
    observed = TracksPlugin().observe([a, a, b], FusionContext(toy))
    assert len(observed.observations) == 1
    assert "sent again with other content" in observed.rejected[0].reason


def test_a_track_disputing_a_pairing_doubts_the_pairing_not_the_impact() -> None:
    """A radar track on the impact whose launch lies elsewhere says that another battery fired
    it, not that nothing fell: the firing position's probability drops (× 0.6), the sensors'
    confidence in the impact does not; an ordinary contradiction lowers both confidences."""
    from ceasewatch.fusion.drafts import Draft
    from ceasewatch.fusion.event import Ellipse
    from ceasewatch.fusion.incident import Firing
    from ceasewatch.fusion.incidents import _incident
    from ceasewatch.fusion.sources.base import Relation

    launch = from_fused(event("launch", *LAUNCH, 0.0, "L"))
    impact = from_fused(event("impact", *IMPACT, 25.0, "I"))
    firing = Firing(*LAUNCH, Ellipse(100, 100, 0), 0.9, "artillery_ge_100mm", 12_000, 25, "paired")
    draft = Draft("shot", impact, launch, firing)
    other = "radar track R07-1 impact 80 m from the impact, but its launch lies 6.0 km from it"
    disputed = {("tracks", "R07-1"): Relation(False, 0.8, other, pairing_only=True)}
    alone = _incident(draft, {}, {}, None)
    doubted = _incident(draft, {}, {draft.key: disputed}, None)
    assert doubted.firing is not None and doubted.firing.probability == pytest.approx(0.9 * 0.6)
    assert doubted.sensor_confidence == alone.sensor_confidence
    assert [e.record_id for e in doubted.contradicting] == ["R07-1"]
    against = {("detections", "U1"): Relation(False, 0.8, "a drone saw nothing there")}
    contradicted = _incident(draft, {}, {draft.key: against}, None)
    assert contradicted.firing == firing
    assert contradicted.sensor_confidence is not None and alone.sensor_confidence is not None
    assert contradicted.sensor_confidence < alone.sensor_confidence
