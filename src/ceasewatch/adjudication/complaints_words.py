"""The reasons of a complaint's answer, in words a liaison officer can check: how far from the
alleged place, when in the alleged window, from whose ground, and who is responsible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ceasewatch.adjudication.types import UNKNOWN, Violation
from ceasewatch.model.time import NS_PER_S, format_ns

if TYPE_CHECKING:
    from ceasewatch.adjudication.complaints_match import AnswerSettings, Match
    from ceasewatch.adjudication.complaints_read import Complaint, Seen

MINUTE_NS = 60 * NS_PER_S


def attributed(v: Violation, p_min: float) -> str | None:
    """The party a violation is clearly put on: the most likely one, not ``unknown``, with at
    least ``p_min`` and more than any other; None when responsibility is split."""
    party, p = v.most_likely
    runner_up = max((q for k, q in v.responsible if k != party), default=0.0)
    if party == UNKNOWN or p < p_min or p <= runner_up:
        return None
    return party


def violation_reason(c: Complaint, m: Match, p_min: float) -> str:
    """One violation a complaint's answer rests on; ``p_min`` as in :func:`attributed`."""
    v = m.violation
    spot = "its firing position" if m.spot == "firing position" else "it"
    where = f"{spot} lies {_km(m.distance_m)} from the alleged place"
    if m.how == "rough":
        where += f", but is located only to ±{_km(m.two_sigma_m)} (2σ)"
    elif m.how == "reach":
        where = f"a launch {_km(m.distance_m)} from the alleged place whose impact was not found"
    text = f"violation {v.violation_id} ({v.rule_id}): {where}, {when(c, v.t_ns)}"
    s = m.seen
    if s is not None and s.firing_side is not None:
        text += f", fired from {s.firing_side} ground"
    elif s is not None and s.kind == "presence" and s.where_side is not None:
        text += f", standing on {s.where_side} ground"
    party, p = v.most_likely
    if attributed(v, p_min) == party:
        text += f"; most likely {party} (P={p:.2f})"
    else:
        text += "; responsible split: " + ", ".join(f"{k} {q:.2f}" for k, q in v.responsible)
    if m.linked:
        text += f"; fusion linked this complaint to incident {v.incident_id}"
    return text


def when(c: Complaint, t_ns: int) -> str:
    """Where an instant falls against the alleged window, in words."""
    if t_ns < c.t_start_ns:
        return f"{_span(c.t_start_ns - t_ns)} before the alleged window"
    if t_ns > c.t_end_ns:
        return f"{_span(t_ns - c.t_end_ns)} after the alleged window"
    return f"{_span(t_ns - c.t_start_ns)} into the alleged window"


def clutter_reason(c: Complaint, s: Seen, distance_m: float) -> str:
    return (
        f"incident {s.incident_id} ({s.kind}): {_km(distance_m)} from the alleged place, "
        f"{when(c, s.t_start_ns)}, is not a violation — {s.clutter}"
    )


def nothing_reason(
    c: Complaint,
    outcome: str,
    share: float | None,
    settings: AnswerSettings,
    instead: str = "",
    heard: float | None = None,
) -> str:
    """Why seeing nothing of the alleged party contradicts the complaint, or leaves it open;
    ``instead`` says what was seen there (the complaining party's own fire, clutter); ``heard``
    is the chance from the sensor layout, when it decided."""
    what = c.category.replace("_", " ")
    seen = (
        f"no violation of the kind alleged ({what}) by {c.alleged_party} was seen within "
        f"{_km(c.radius_m)} of the alleged place from {format_ns(c.t_start_ns, 0)} to "
        f"{format_ns(c.t_end_ns, 0)}"
    )
    if instead:
        seen += f"; {instead}"
    observed = (
        "no coverage was given: the place and time are assumed fully observed"
        if share is None
        else f"{share:.0%} of that place and time was observed"
    )
    detectable = settings.detectable(c.category)
    if heard is not None:
        observed += (
            f"; from the sensors that were up and in range, {what} anywhere in the circle and "
            f"window would have been located with a chance of {heard:.0%}"
        )
    elif detectable < 1.0:
        observed += f"; {what} is found with a chance of about {detectable:.0%} where observed"
    if outcome == "unverifiable":
        return (
            f"unverifiable: {seen}; but it would have been seen with a chance below "
            f"{settings.observed_enough:.0%} ({observed}) — no finding either way"
        )
    return f"contradicted: {seen}; and it would have been seen ({observed})"


def duplicate_reason(c: Complaint, first: Complaint, first_outcome: str) -> str:
    hours = (c.t_submitted_ns - first.t_submitted_ns) / (60 * MINUTE_NS)
    return (
        f"duplicate of {first.complaint_id}, submitted by {first.party} {hours:.1f} h earlier "
        f"about {first.category.replace('_', ' ')} by {first.alleged_party} in an overlapping "
        f"place and window; answered there: {first_outcome}"
    )


def late_reason(late_ns: int, due_ns: int) -> str:
    return (
        f"answered late: {_span(late_ns)} after the deadline "
        f"({due_ns / (60 * MINUTE_NS):g} h after submission)"
    )


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f} km"


def _span(ns: int) -> str:
    minutes = ns / MINUTE_NS
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
