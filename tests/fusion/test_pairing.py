"""Launch–impact pairing by range and time of flight."""

from __future__ import annotations

from ceasewatch.agreement import Agreement
from ceasewatch.fusion.pairing import (
    MEAN_SPEED_MPS,
    class_priors,
    flight_likelihood,
    pair_launches,
)
from ceasewatch.fusion.phase import Phase, from_fused
from ceasewatch.fusion.spread import offset_m
from tests.fusion.handmade import event, moved

WEST = (34.90, 48.00)  # W ground, 7.4 km from the line


def test_priors_come_from_the_agreement(toy: Agreement) -> None:
    priors = {p.weapon: p for p in class_priors(toy)}
    assert set(priors) == {"artillery", "mlrs"}  # uav has no range: not indirect fire
    assert priors["artillery"].max_range_m == 30_000
    assert priors["mlrs"].speed_mps == MEAN_SPEED_MPS["mlrs"]


def test_a_launch_on_one_side_pairs_with_its_impact_on_the_other(toy: Agreement) -> None:
    impact_at = moved(*WEST, 90.0, 15_000.0)  # 15 km east: E ground
    flight_s = 15_000.0 / 480.0
    launch = from_fused(event("launch", *WEST, 0.0, "L"))
    impact = from_fused(event("impact", *impact_at, flight_s, "I"))
    decoy = from_fused(event("impact", *moved(*WEST, 0.0, 25_000.0), 5.0, "D"))  # 5 s: too soon
    pairs = pair_launches([launch], [decoy, impact], class_priors(toy))
    assert len(pairs) == 1
    pair = pairs[0]
    assert (pair.launch_id, pair.impact_id) == (launch.event_id, impact.event_id)
    assert pair.probability > 0.8 and pair.p_site >= pair.probability
    assert pair.weapon == "artillery"
    assert "15.0 km in 31.2 s" in pair.reason
    assert impact_at[0] > 35.0 > WEST[0]  # the impact across the line gets a firing position


def test_an_impossible_range_is_not_paired(toy: Agreement) -> None:
    far = moved(*WEST, 90.0, 95_000.0)  # beyond the mlrs' 70 km
    launch = from_fused(event("launch", *WEST, 0.0, "L"))
    impact = from_fused(event("impact", *far, 95_000.0 / 600.0, "I"))
    assert pair_launches([launch], [impact], class_priors(toy)) == ()


def test_an_impact_before_its_launch_is_not_paired(toy: Agreement) -> None:
    launch = from_fused(event("launch", *WEST, 60.0, "L"))
    impact = from_fused(event("impact", *moved(*WEST, 90.0, 10_000.0), 30.0, "I"))
    assert pair_launches([launch], [impact], class_priors(toy)) == ()


def test_a_salvo_pairs_one_to_one_from_one_firing_position(toy: Agreement) -> None:
    launches, impacts = [], []
    for k in range(4):
        launches.append(from_fused(event("launch", *WEST, 20.0 * k, f"L{k}")))
        spot = moved(*WEST, 90.0 + k, 12_000.0 + 50 * k)
        impacts.append(from_fused(event("impact", *spot, 20.0 * k + 25.0, f"I{k}")))
    pairs = pair_launches(launches, impacts, class_priors(toy))
    assert len(pairs) == 4
    assert len({p.launch_id for p in pairs}) == len({p.impact_id for p in pairs}) == 4
    order = {e.event_id: k for k, e in enumerate(launches + impacts)}
    assert all(order[p.launch_id] == order[p.impact_id] - 4 for p in pairs)


def test_flight_likelihood_peaks_at_the_mean_speed(toy: Agreement) -> None:
    prior = next(p for p in class_priors(toy) if p.weapon == "artillery")
    d = offset_m(*WEST, *moved(*WEST, 90.0, 10_000.0))[2]
    best = flight_likelihood(d, d / prior.speed_mps, 0.1, 50.0, prior)
    assert best > flight_likelihood(d, 2 * d / prior.speed_mps, 0.1, 50.0, prior) > 0
    assert flight_likelihood(d, -1.0, 0.1, 50.0, prior) == 0.0


def _mlrs_salvo(rounds: int, impact_gap_s: float) -> tuple[list[Phase], list[Phase]]:
    """Rounds fired 0.5 s apart from WEST; impacts 40 km east (mlrs only), ``impact_gap_s`` apart"""
    launches, impacts = [], []
    for k in range(rounds):
        launches.append(from_fused(event("launch", *WEST, 0.5 * k, f"L{k}")))
        spot = moved(*WEST, 90.0 + 0.05 * k, 40_000.0 + 20 * k)
        impacts.append(from_fused(event("impact", *spot, 67.0 + impact_gap_s * k, f"I{k}")))
    return launches, impacts


def test_a_long_range_salvo_is_not_its_own_background(toy: Agreement) -> None:
    # forty rockets landing together: the other rounds are alternatives the assignment weighs,
    # not chance impacts; counted as background they left every round unpaired
    launches, impacts = _mlrs_salvo(40, 0.5)
    pairs = pair_launches(launches, impacts, class_priors(toy))
    assert len(pairs) == 40
    assert all(p.weapon == "mlrs" and p.p_site > 0.5 for p in pairs)


def test_impacts_of_other_missions_still_make_the_background(toy: Agreement) -> None:
    # the same place and range, but one impact every two minutes: other missions' rounds, so
    # a far launch cannot claim any of them against chance
    launches, impacts = _mlrs_salvo(1, 0.0)
    for k in range(1, 40):
        spot = moved(*WEST, 90.0 + 0.05 * k, 40_000.0 + 20 * k)
        impacts.append(from_fused(event("impact", *spot, 67.0 + 120.0 * k - 1800.0, f"O{k}")))
    impacts.sort(key=lambda e: e.t_ns)
    assert pair_launches(launches, impacts, class_priors(toy)) == ()
