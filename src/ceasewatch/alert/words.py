"""A matter in words: what, where, when, how many, who most likely, and where it stands.

Pure. The text is short enough for a phone screen and complete enough to act on without opening
the dashboard; the numbers are the ones the violations state, never re-estimated here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.adjudication.taxonomy import CATEGORIES
from ceasewatch.agreement.types import EscalationStep
from ceasewatch.model.time import format_ns

SHOWN_IDS = 5


@dataclass(frozen=True)
class Matter:
    """What the words need of one ``escalation.jsonl`` row and its violations."""

    cluster_id: str
    anchor_id: str
    rule_id: str
    rule_title: str
    party: str
    party_name: str
    sector_name: str | None
    violation_ids: tuple[str, ...]
    first_ns: int
    last_ns: int
    lon: float
    lat: float
    place: str | None
    severity: str
    state: str
    members: tuple[Mapping[str, Any], ...]  # the violations.jsonl rows found, by id


def matter_subject(matter: Matter, index: int, step: EscalationStep, steps: int) -> str:
    count = len(matter.violation_ids)
    noun = "violation" if count == 1 else "violations"
    where = matter.place or _position(matter)
    action = " — ESCALATION" if step.escalate else ""
    return (
        f"[ceasewatch] {matter.severity.upper()} {matter.rule_id}: {count} {noun} {where}, "
        f"step {index + 1} of {steps}{action}"
    )


def matter_text(
    matter: Matter, index: int, step: EscalationStep, steps: int, told: Sequence[str]
) -> str:
    count = len(matter.violation_ids)
    lines = [
        f"{matter.severity.capitalize()}-severity breach of {matter.rule_title} "
        f"({matter.rule_id}): {count} violation{'s' if count != 1 else ''}{_kinds(matter)}.",
        f"Where: {_where(matter)}.",
        f"When: {_when(matter.first_ns, matter.last_ns)}.",
        f"Most likely responsible: {_who(matter)}.",
        f"Status: {_status(matter)}.",
        f"Step {index + 1} of {steps} ({_after(step.after_h)}): "
        f"{'escalation; ' if step.escalate else ''}told: {', '.join(told)}.",
        f"Matter {matter.cluster_id} (anchor {matter.anchor_id}); violations: {_ids(matter)}.",
    ]
    return "\n".join(lines)


def _kinds(matter: Matter) -> str:
    kinds = Counter(
        CATEGORIES[c].osce if c in CATEGORIES else c
        for c in (str(m.get("category", "")) for m in matter.members)
        if c
    )
    if not kinds:
        return ""
    parts = [f"{kind} ×{n}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
    return " (" + ", ".join(parts[:3]) + (", …" if len(parts) > 3 else "") + ")"


def _position(matter: Matter) -> str:
    return f"at {matter.lon:.3f}° E {matter.lat:.3f}° N"


def _where(matter: Matter) -> str:
    text = matter.place or _position(matter)
    if matter.place:
        text += f" ({matter.lon:.3f}, {matter.lat:.3f})"
    if matter.sector_name:
        text += f", sector {matter.sector_name}"
    return text


def _when(first_ns: int, last_ns: int) -> str:
    first, last = format_ns(first_ns, 0), format_ns(last_ns, 0)
    start = f"{first[:10]} {first[11:16]}"
    if first_ns == last_ns:
        return f"{start} UTC"
    end = last[11:16] if last[:10] == first[:10] else f"{last[:10]} {last[11:16]}"
    return f"{start}–{end} UTC"


def _who(matter: Matter) -> str:
    name = (
        matter.party
        if matter.party_name == matter.party
        else (f"{matter.party_name} ({matter.party})")
    )
    if matter.party == "unknown":
        name = "unknown (no party's ground or fire)"
    probabilities = [
        float(m["responsible"][matter.party])
        for m in matter.members
        if isinstance(m.get("responsible"), Mapping) and matter.party in m["responsible"]
    ]
    if not probabilities:
        return f"{name}, probability not available (violations.jsonl lacks these violations)"
    if len(probabilities) == 1:
        return f"{name}, probability {probabilities[0]:.2f}"
    mean = sum(probabilities) / len(probabilities)
    return (
        f"{name}, probability {mean:.2f} on average over {len(probabilities)} violations "
        f"(lowest {min(probabilities):.2f})"
    )


def _status(matter: Matter) -> str:
    statuses = Counter(str(m.get("status", "?")) for m in matter.members)
    review = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    state = "open, not yet answered" if matter.state == "open" else matter.state
    return f"{state}" + (f"; review: {review}" if review else "")


def _after(after_h: float) -> str:
    if after_h == 0:
        return "at once"
    return f"unanswered after {after_h:g} h"


def _ids(matter: Matter) -> str:
    shown = ", ".join(matter.violation_ids[:SHOWN_IDS])
    more = len(matter.violation_ids) - SHOWN_IDS
    return shown + (f" and {more} more" if more > 0 else "")
