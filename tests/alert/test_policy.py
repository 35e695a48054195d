"""The alert policy on hand-made escalation rows: at once for high, the guarantors at 24 h
unanswered, escalation at 72 h, nothing for an answered matter, medium and low held back, ids
stable while a matter grows, and the same notifications in any input order."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasewatch.adjudication.escalation import escalation_state
from ceasewatch.agreement import Agreement
from ceasewatch.alert import AlertPolicy, notifications
from ceasewatch.alert.base import Notification, notification_id
from ceasewatch.errors import InputError
from tests.alert.handmade import T0, H, book_row, violation_row

MIN = 60_000_000_000


def due(ua: Agreement, rows: list[dict], violations: list[dict], at_ns: int, **kw: object):
    return notifications(rows, violations, ua, as_of_ns=at_ns, **kw)  # type: ignore[arg-type]


def pairs(notes: tuple[Notification, ...]) -> list[tuple[int, str]]:
    return [(n.step, n.recipient) for n in notes]


def one_matter(ua: Agreement, severity: str = "high", **kw: object):
    vs = [violation_row("vi-a", T0, severity=severity), violation_row("vi-b", T0 + 5 * MIN)]
    return [book_row(ua, vs, as_of_ns=T0 + 5 * MIN, **kw)], vs  # type: ignore[arg-type]


def test_high_goes_to_the_coordination_cell_at_once(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    assert due(ua2026, rows, vs, T0 - 1) == ()
    notes = due(ua2026, rows, vs, T0)
    assert pairs(notes) == [(0, "coordination-cell")]
    note = notes[0]
    assert note.due_ns == T0 and note.severity == "high" and not note.escalate
    assert note.recipient_name == "Coalition coordination cell"
    assert note.violation_ids == ("vi-a", "vi-b")
    assert note.notification_id == notification_id("vi-a", 0, "coordination-cell")


def test_critical_goes_at_once_too(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026, severity="critical")
    assert pairs(due(ua2026, rows, vs, T0)) == [(0, "coordination-cell")]


def test_the_guarantors_hear_when_unanswered_at_24_h(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    assert pairs(due(ua2026, rows, vs, T0 + 24 * H - 1)) == [(0, "coordination-cell")]
    notes = due(ua2026, rows, vs, T0 + 24 * H)  # inclusive, as the book
    assert pairs(notes) == [(0, "coordination-cell"), (1, "guarantors")]
    assert notes[1].due_ns == T0 + 24 * H


def test_escalation_at_72_h_follows_the_agreement(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    notes = due(ua2026, rows, vs, T0 + 72 * H)
    assert pairs(notes) == [
        (0, "coordination-cell"),
        (1, "guarantors"),
        (2, "guarantors"),
        (2, "parties"),
    ]
    assert [n.escalate for n in notes] == [False, False, True, True]
    assert len({n.notification_id for n in notes}) == 4  # the guarantors twice: two messages
    assert "ESCALATION" in notes[2].subject
    assert "escalation; told: Guarantor states, Liaison officers of both parties" in notes[2].text


def test_an_answered_matter_gets_nothing_new(ua2026: Agreement) -> None:
    vs = [violation_row("vi-a", T0)]
    rows = [book_row(ua2026, vs, as_of_ns=T0 + 30 * H, answered_ns=T0 + 2 * H)]
    assert due(ua2026, rows, vs, T0 + 30 * H) == ()
    assert due(ua2026, rows, vs, T0 + 100 * H) == ()


def test_medium_is_not_sent_at_once_but_joins_the_24_h_step(ua2026: Agreement) -> None:
    vs = [violation_row("vi-m", T0, severity="medium")]
    rows = [book_row(ua2026, vs, as_of_ns=T0)]
    assert due(ua2026, rows, vs, T0 + 23 * H) == ()
    notes = due(ua2026, rows, vs, T0 + 24 * H)
    assert pairs(notes) == [(1, "coordination-cell"), (1, "guarantors")]
    assert all(n.due_ns == T0 + 24 * H for n in notes)


def test_the_at_once_threshold_is_a_setting(ua2026: Agreement) -> None:
    vs = [violation_row("vi-m", T0, severity="medium")]
    rows = [book_row(ua2026, vs, as_of_ns=T0)]
    notes = due(ua2026, rows, vs, T0, policy=AlertPolicy(at_once_from="medium"))
    assert pairs(notes) == [(0, "coordination-cell")]
    with pytest.raises(InputError, match="not a severity"):
        AlertPolicy(at_once_from="urgent")


def test_low_is_held_and_alerts_nobody(ua2026: Agreement) -> None:
    vs = [violation_row("vi-l", T0, severity="low")]
    rows = [book_row(ua2026, vs, as_of_ns=T0)]
    assert rows[0]["held_at_first_step"] is True
    assert due(ua2026, rows, vs, T0 + 500 * H) == ()
    low_at_once = AlertPolicy(at_once_from="low")
    assert pairs(due(ua2026, rows, vs, T0 + 500 * H, policy=low_at_once)) == [
        (0, "coordination-cell")
    ]


def test_steps_past_the_books_next_come_from_the_ladder(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)  # the book was made at T0 + 5 min: next is the 24 h step
    assert rows[0]["next"]["step"] == 1
    assert [n.step for n in due(ua2026, rows, vs, T0 + 80 * H)] == [0, 1, 2, 2]


def test_the_text_says_what_where_when_how_many_who_and_status(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    vs[1] = violation_row("vi-b", T0 + 5 * MIN, p_party=0.9, status="verified")
    text = due(ua2026, rows, vs, T0)[0].text
    assert "High-severity breach of No firing or explosions by either party (no-fire)" in text
    assert "2 violations (explosion (impact) ×2)" in text
    assert "3 km SE of Horlivka (38.050, 48.330), sector Donetsk" in text
    assert "2026-03-01 06:00–06:05 UTC" in text
    assert "Russian Federation (RU), probability 0.92 on average over 2 violations" in text
    assert "(lowest 0.90)" in text
    assert "Status: open, not yet answered; review: 1 auto, 1 verified." in text
    assert "Step 1 of 3 (at once): told: Coalition coordination cell." in text


def test_ids_stay_when_the_matter_grows(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    grown = [*vs, violation_row("vi-c", T0 + 40 * MIN)]
    later = [book_row(ua2026, grown, as_of_ns=T0 + 40 * MIN)]
    assert later[0]["cluster_id"] != rows[0]["cluster_id"]
    before, after = due(ua2026, rows, vs, T0)[0], due(ua2026, later, grown, T0 + H)[0]
    assert before.notification_id == after.notification_id
    assert after.violation_ids == ("vi-a", "vi-b", "vi-c")


def test_rows_from_the_real_escalation_book(ua2026: Agreement) -> None:
    vs = [violation_row("vi-a", T0), violation_row("vi-b", T0 + 10 * MIN)]
    book = escalation_state(vs, ua2026, as_of_ns=T0 + 25 * H)
    notes = due(ua2026, book.to_json(), vs, T0 + 25 * H)
    assert pairs(notes) == [(0, "coordination-cell"), (1, "guarantors")]
    assert notes[0].cluster_id == book.clusters[0].cluster_id


def test_rows_of_another_agreement_are_refused(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    rows[0]["agreement_digest"] = "sha256:" + "0" * 64
    with pytest.raises(InputError, match=r"x/escalation.jsonl: matter cl-.*--agreement"):
        due(ua2026, rows, vs, T0, source="x/escalation.jsonl")


def test_a_row_with_a_missing_field_is_refused(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    del rows[0]["first"]
    with pytest.raises(InputError, match="the field 'first' is missing"):
        due(ua2026, rows, vs, T0)


def test_a_ladder_that_differs_from_the_agreement_is_refused(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    rows[0]["steps"][0]["notify"] = ["somebody-else"]
    with pytest.raises(InputError, match="not the agreement's ladder"):
        due(ua2026, rows, vs, T0)


def test_notifications_round_trip_through_json(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    for note in due(ua2026, rows, vs, T0 + 72 * H):
        assert Notification.from_json(note.to_json()) == note


@st.composite
def books(draw: st.DrawFn, ua: Agreement) -> tuple[list[dict], list[dict], int]:
    rows: list[dict] = []
    violations: list[dict] = []
    for m in range(draw(st.integers(1, 6))):
        start = T0 + draw(st.integers(0, 100)) * H
        severity = draw(st.sampled_from(["low", "medium", "high", "critical"]))
        members = [
            violation_row(f"vi-{m}-{k}", start + k * MIN, severity=severity)
            for k in range(draw(st.integers(1, 3)))
        ]
        answered = draw(st.one_of(st.none(), st.integers(0, 80)))
        rows.append(
            book_row(
                ua,
                members,
                as_of_ns=start + 200 * H,
                answered_ns=None if answered is None else start + answered * H,
            )
        )
        violations += members
    return rows, violations, T0 + draw(st.integers(0, 300)) * H


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_same_inputs_give_the_same_notifications_in_any_order(
    ua2026: Agreement, data: st.DataObject
) -> None:
    rows, violations, at_ns = data.draw(books(ua2026))
    expected = due(ua2026, rows, violations, at_ns)
    shuffled_rows = data.draw(st.permutations(rows))
    shuffled_violations = data.draw(st.permutations(violations))
    again = due(ua2026, list(shuffled_rows), list(shuffled_violations), at_ns)
    assert again == expected
    assert list(again) == sorted(again, key=lambda n: n.sort_key)
    assert all(dataclasses.is_dataclass(n) for n in again)


def test_a_malformed_step_is_refused(ua2026: Agreement) -> None:
    rows, vs = one_matter(ua2026)
    rows[0]["steps"][0] = {"after_h": 0}
    with pytest.raises(InputError, match="a malformed step"):
        due(ua2026, rows, vs, T0)
