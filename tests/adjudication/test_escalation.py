"""The escalation ladder per cluster of violations: steps due and not yet due, answered clusters
stopping, a bombardment as one matter and two duels as two, and independence of input order."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasewatch.adjudication.escalation import (
    ANSWERED,
    OPEN,
    EscalationBook,
    Linkage,
    cluster_id,
    escalation_state,
)
from ceasewatch.adjudication.types import Finding, Violation
from ceasewatch.agreement import Agreement
from ceasewatch.agreement.types import EscalationStep
from ceasewatch.model.geo import geodesic_forward
from ceasewatch.model.ids import RecipientId
from ceasewatch.model.time import parse_ns

T0 = parse_ns("2026-03-01T06:00:00Z")
H = 3_600_000_000_000
MIN = 60_000_000_000
HORLIVKA = (38.05, 48.33)
NONE = Finding(())


def offset(lon: float, lat: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    x, y = geodesic_forward(lon, lat, azimuth_deg, distance_m)
    return float(x[0]), float(y[0])


def violation(
    vid: str,
    t_ns: int = T0,
    where: tuple[float, float] = HORLIVKA,
    *,
    party: str = "RU",
    p_party: float = 0.94,
    rule: str = "no-fire",
    sector: str | None = "donetsk",
    severity: str = "high",
    status: str = "auto",
    p_occurred: float = 0.97,
) -> Violation:
    other = "UA" if party == "RU" else "RU"
    rest = round(1.0 - p_party, 6)
    return Violation(
        violation_id=vid,
        rule_id=rule,
        incident_id="in-" + vid,
        event_ids=(),
        t_ns=t_ns,
        lon=where[0],
        lat=where[1],
        place="3 km SE of Horlivka",
        sector=sector,
        category="explosion/impact",
        p_occurred=p_occurred,
        responsible=((party, p_party), (other, rest), ("unknown", 0.0)),
        p_deliberate=None,
        severity=severity,
        status=status,
        occurred=NONE,
        who=NONE,
        deliberate=NONE,
    )


def steps(book: EscalationBook, index: int = 0) -> list[int]:
    return [s.index for s in book.clusters[index].reached]


# --- the ladder: what is due at as_of ----------------------------------------------------------


def test_only_the_steps_due_at_as_of_are_reached(ua2026: Agreement) -> None:
    v = violation("vi-a")
    early = escalation_state([v], ua2026, as_of_ns=T0 + 24 * H - 1)
    assert steps(early) == [0]
    cluster = early.clusters[0]
    assert cluster.reached[0].notify == ("coordination-cell",)
    assert cluster.reached[0].due_ns == T0
    assert cluster.next_step is not None
    assert cluster.next_step.index == 1 and cluster.next_step.due_ns == T0 + 24 * H
    assert not cluster.escalated and cluster.state == OPEN

    at_due = escalation_state([v], ua2026, as_of_ns=T0 + 24 * H)  # due time is inclusive
    assert steps(at_due) == [0, 1]
    assert at_due.clusters[0].next_step is not None
    assert at_due.clusters[0].next_step.due_ns == T0 + 72 * H

    late = escalation_state([v], ua2026, as_of_ns=T0 + 100 * H)
    cluster = late.clusters[0]
    assert steps(late) == [0, 1, 2]
    assert cluster.escalated and cluster.next_step is None
    assert cluster.notified == ("coordination-cell", "guarantors", "parties")


def test_a_violation_after_as_of_is_not_yet_on_the_ladder(ua2026: Agreement) -> None:
    book = escalation_state([violation("vi-a", T0 + H)], ua2026, as_of_ns=T0)
    assert book.clusters == ()
    assert book.left_out == (("vi-a", "after as_of"),)


def test_a_ladder_whose_first_step_is_later_has_nothing_due_at_once(toy: Agreement) -> None:
    ladder = (EscalationStep(6.0, (RecipientId("cell"),), False),)
    agreement = dataclasses.replace(toy, escalation=ladder)
    book = escalation_state([violation("vi-a")], agreement, as_of_ns=T0 + 5 * H)
    assert book.clusters[0].reached == ()
    assert book.clusters[0].next_step is not None
    assert book.clusters[0].next_step.due_ns == T0 + 6 * H


def test_due_times_count_from_the_first_violation_of_the_cluster(ua2026: Agreement) -> None:
    first, later = violation("vi-b", T0), violation("vi-a", T0 + 5 * H)
    book = escalation_state([later, first], ua2026, as_of_ns=T0 + 25 * H)
    (cluster,) = book.clusters
    assert cluster.first_ns == T0 and cluster.last_ns == T0 + 5 * H
    assert cluster.anchor_id == "vi-b"
    assert steps(book) == [0, 1]


# --- answered clusters stop climbing -----------------------------------------------------------


def test_an_answered_cluster_stops_where_it_was_answered(ua2026: Agreement) -> None:
    vs = [violation("vi-a", T0), violation("vi-b", T0 + 10 * MIN)]
    answered = {"vi-a": T0 + 2 * H, "vi-b": T0 + 30 * H}
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 200 * H, answered=answered)
    (cluster,) = book.clusters
    assert cluster.state == ANSWERED
    assert cluster.answered_ns == T0 + 30 * H
    assert steps(book) == [0, 1]  # the guarantors were told at 24 h; the 72 h step never came
    assert cluster.next_step is None and not cluster.escalated


def test_a_cluster_with_one_unanswered_violation_keeps_climbing(ua2026: Agreement) -> None:
    vs = [violation("vi-a", T0), violation("vi-b", T0 + 10 * MIN)]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 200 * H, answered={"vi-a": T0 + 2 * H})
    (cluster,) = book.clusters
    assert cluster.state == OPEN and cluster.answered_ns is None
    assert steps(book) == [0, 1, 2] and cluster.escalated


def test_a_decision_after_as_of_is_not_known_yet(ua2026: Agreement) -> None:
    book = escalation_state(
        [violation("vi-a")], ua2026, as_of_ns=T0 + 30 * H, answered={"vi-a": T0 + 40 * H}
    )
    assert book.clusters[0].state == OPEN
    assert book.clusters[0].next_step is not None


def test_a_new_violation_reopens_an_answered_cluster(ua2026: Agreement) -> None:
    vs = [violation("vi-a", T0), violation("vi-b", T0 + 3 * H)]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 4 * H, answered={"vi-a": T0 + H})
    assert book.clusters[0].state == OPEN


# --- who enters, and low severity -------------------------------------------------------------


def test_dismissed_and_unlikely_violations_are_left_out_with_a_reason(ua2026: Agreement) -> None:
    vs = [
        violation("vi-dismissed", status="dismissed"),
        violation("vi-unlikely", p_occurred=0.49),
        violation("vi-even", p_occurred=0.5),
    ]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + H)
    assert [c.violation_ids for c in book.clusters] == [("vi-even",)]
    assert dict(book.left_out) == {
        "vi-dismissed": "dismissed",
        "vi-unlikely": "p_occurred 0.49 < 0.5",
    }
    assert book.cluster_of("vi-even") is book.clusters[0]
    assert book.cluster_of("vi-dismissed") is None


def test_a_low_severity_cluster_is_held_at_the_first_step(ua2026: Agreement) -> None:
    book = escalation_state([violation("vi-a", severity="low")], ua2026, as_of_ns=T0 + 200 * H)
    (cluster,) = book.clusters
    assert cluster.held and steps(book) == [0] and cluster.next_step is None


def test_one_medium_violation_lets_a_low_cluster_climb(ua2026: Agreement) -> None:
    vs = [violation("vi-a", severity="low"), violation("vi-b", T0 + H, severity="medium")]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 30 * H)
    (cluster,) = book.clusters
    assert cluster.severity == "medium" and not cluster.held and steps(book) == [0, 1]


def test_climb_from_is_a_choice(ua2026: Agreement) -> None:
    v = violation("vi-a", severity="medium")
    book = escalation_state([v], ua2026, as_of_ns=T0 + 30 * H, climb_from="high")
    assert book.clusters[0].held and steps(book) == [0]
    with pytest.raises(ValueError, match="climb_from"):
        escalation_state([v], ua2026, as_of_ns=T0, climb_from="severe")


# --- clusters ----------------------------------------------------------------------------------


def test_a_bombardment_of_300_rounds_is_one_matter(ua2026: Agreement) -> None:
    vs = []
    for i in range(300):
        where = offset(*HORLIVKA, (i * 37) % 360, 100.0 + (i * 13) % 3000)
        vs.append(violation(f"vi-{i:04d}", T0 + i * 12_000_000_000, where))  # one every 12 s
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 2 * H)
    (cluster,) = book.clusters
    assert len(cluster.violation_ids) == 300
    assert cluster.cluster_id == cluster_id(v.violation_id for v in vs)
    assert cluster.anchor_id == "vi-0000"


def test_two_duels_in_one_sector_by_different_parties_are_two_matters(ua2026: Agreement) -> None:
    ua_position = offset(*HORLIVKA, 270.0, 2000.0)
    vs = [
        violation("vi-ru-1", T0, HORLIVKA, party="RU"),
        violation("vi-ru-2", T0 + 4 * MIN, HORLIVKA, party="RU"),
        violation("vi-ua-1", T0 + 2 * MIN, ua_position, party="UA"),
        violation("vi-ua-2", T0 + 6 * MIN, ua_position, party="UA"),
    ]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + H)
    assert sorted(c.violation_ids for c in book.clusters) == [
        ("vi-ru-1", "vi-ru-2"),
        ("vi-ua-1", "vi-ua-2"),
    ]
    assert {c.party for c in book.clusters} == {"RU", "UA"}


def test_clusters_split_by_rule_sector_distance_and_time(ua2026: Agreement) -> None:
    far = offset(*HORLIVKA, 90.0, 10_500.0)
    vs = [
        violation("vi-a", T0),
        violation("vi-rule", T0, rule="no-fire-near-sites"),
        violation("vi-sector", T0, sector="luhansk"),
        violation("vi-far", T0, far),
        violation("vi-later", T0 + 6 * H + 1),
    ]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 7 * H)
    assert len(book.clusters) == 5
    joined = escalation_state(
        vs, ua2026, as_of_ns=T0 + 7 * H, link=Linkage(within_m=11_000.0, within_h=7.0)
    )
    assert sorted(len(c.violation_ids) for c in joined.clusters) == [1, 1, 3]


def test_single_linkage_follows_a_barrage_that_walks_along_the_line(ua2026: Agreement) -> None:
    vs, where = [], HORLIVKA
    for i in range(6):  # 8 km steps, 40 km end to end, each within 10 km of the previous one
        vs.append(violation(f"vi-{i}", T0 + i * H, where))
        where = offset(*where, 45.0, 8_000.0)
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 10 * H)
    assert len(book.clusters) == 1


def test_the_json_form_gives_the_same_book(ua2026: Agreement) -> None:
    vs = [violation("vi-a"), violation("vi-b", T0 + MIN, party="UA"), violation("vi-c", T0 + H)]
    rows = [json.loads(json.dumps(v.to_json())) for v in vs]
    as_of = T0 + 30 * H
    assert escalation_state(rows, ua2026, as_of_ns=as_of) == escalation_state(
        vs, ua2026, as_of_ns=as_of
    )


def test_rows_for_escalation_jsonl(ua2026: Agreement) -> None:
    book = escalation_state([violation("vi-a")], ua2026, as_of_ns=T0 + 30 * H)
    (row,) = book.to_json()
    assert row["as_of"] == "2026-03-02T12:00:00.000000Z"
    assert row["agreement"] == "ua-2026 v1" and row["agreement_digest"] == ua2026.digest
    assert row["violation_ids"] == ["vi-a"] and row["count"] == 1
    assert [s["after_h"] for s in row["steps"]] == [0.0, 24.0]
    assert row["steps"][1] == {
        "step": 1,
        "after_h": 24.0,
        "due": "2026-03-02T06:00:00.000000Z",
        "notify": ["guarantors"],
        "escalate": False,
    }
    assert row["next"]["due"] == "2026-03-04T06:00:00.000000Z" and row["next"]["escalate"]
    assert row["state"] == "open" and row["answered_at"] is None
    json.dumps(row)  # plain JSON


def test_the_same_id_twice_with_different_content_is_an_error(ua2026: Agreement) -> None:
    same = escalation_state([violation("vi-a"), violation("vi-a")], ua2026, as_of_ns=T0)
    assert len(same.clusters) == 1
    with pytest.raises(ValueError, match="vi-a"):
        escalation_state(
            [violation("vi-a"), violation("vi-a", severity="low")], ua2026, as_of_ns=T0
        )


# --- order independence --------------------------------------------------------------------------

_spec = st.tuples(
    st.integers(0, 48 * 60),  # minutes after T0
    st.floats(0, 359),  # azimuth from Horlivka
    st.floats(0, 30_000),  # metres from Horlivka
    st.sampled_from(["RU", "UA"]),
    st.sampled_from(["no-fire", "heavy-weapons-withdrawal"]),
    st.sampled_from(["low", "medium", "high", "critical"]),
    st.sampled_from(["auto", "auto", "verified", "dismissed"]),
)


@settings(max_examples=60, deadline=None)
@given(specs=st.lists(_spec, min_size=1, max_size=25), data=st.data())
def test_the_book_does_not_depend_on_the_order_of_the_input(
    ua2026: Agreement, specs: list[tuple], data: st.DataObject
) -> None:
    vs = [
        violation(
            f"vi-{i:03d}",
            T0 + minutes * MIN,
            offset(*HORLIVKA, azimuth, distance),
            party=party,
            rule=rule,
            severity=severity,
            status=status,
        )
        for i, (minutes, azimuth, distance, party, rule, severity, status) in enumerate(specs)
    ]
    answered = {v.violation_id: v.t_ns + 3 * H for v in vs[::2]}
    as_of = T0 + 60 * H
    shuffled = data.draw(st.permutations(vs))
    reference = escalation_state(vs, ua2026, as_of_ns=as_of, answered=answered)
    other = escalation_state(shuffled, ua2026, as_of_ns=as_of, answered=answered)
    assert other == reference
    assert json.dumps(other.to_json()) == json.dumps(reference.to_json())
    members = sorted(i for c in reference.clusters for i in c.violation_ids)
    left = sorted(i for i, _ in reference.left_out)
    assert sorted(members + left) == sorted(v.violation_id for v in vs)
