"""Hand-made ``escalation.jsonl`` and ``violations.jsonl`` rows under ua-2026 (its ladder: the
coordination cell at once, the guarantors at 24 h, the guarantors and the parties with
escalation at 72 h), in the formats ``ceasewatch adjudicate`` writes."""

from __future__ import annotations

from typing import Any

from ceasewatch.adjudication.escalation import NS_PER_H, cluster_id
from ceasewatch.agreement import Agreement
from ceasewatch.model.time import format_ns, parse_ns

T0 = parse_ns("2026-03-01T06:00:00Z")
H = NS_PER_H
HORLIVKA = [38.05, 48.33]


def violation_row(
    vid: str,
    t_ns: int = T0,
    *,
    severity: str = "high",
    party: str = "RU",
    p_party: float = 0.94,
    status: str = "auto",
    category: str = "explosion/impact",
) -> dict[str, Any]:
    other = "UA" if party == "RU" else "RU"
    return {
        "violation_id": vid,
        "rule_id": "no-fire",
        "t": format_ns(t_ns, 6),
        "position": HORLIVKA,
        "place": "3 km SE of Horlivka",
        "p_occurred": 0.97,
        "responsible": {party: p_party, other: round(1 - p_party, 4), "unknown": 0.0},
        "p_deliberate": None,
        "severity": severity,
        "status": status,
        "category": category,
        "sector": "donetsk",
    }


def book_row(
    agreement: Agreement,
    violations: list[dict[str, Any]],
    *,
    as_of_ns: int,
    answered_ns: int | None = None,
    held: bool | None = None,
) -> dict[str, Any]:
    """One escalation.jsonl row for these violations, as the book would state it at ``as_of_ns``."""
    ids = sorted(v["violation_id"] for v in violations)
    times = sorted((parse_ns(v["t"]), v["violation_id"]) for v in violations)
    first_ns, anchor = times[0]
    order = ["low", "medium", "high", "critical"]
    severity = max((v["severity"] for v in violations), key=order.index)
    held = severity == "low" if held is None else held
    stop = as_of_ns if answered_ns is None else min(as_of_ns, answered_ns)
    ladder = agreement.escalation[:1] if held else agreement.escalation
    steps = [
        {
            "step": i,
            "after_h": s.after_h,
            "due": format_ns(first_ns + round(s.after_h * H), 6),
            "notify": list(s.notify),
            "escalate": s.escalate,
        }
        for i, s in enumerate(ladder)
    ]
    reached = [s for s in steps if parse_ns(s["due"]) <= stop]
    pending = [s for s in steps if parse_ns(s["due"]) > stop]
    return {
        "as_of": format_ns(as_of_ns, 6),
        "agreement": agreement.label,
        "agreement_digest": agreement.digest,
        "cluster_id": cluster_id(ids),
        "anchor_id": anchor,
        "rule_id": "no-fire",
        "party": max(violations[0]["responsible"].items(), key=lambda kv: kv[1])[0],
        "sector": "donetsk",
        "violation_ids": ids,
        "count": len(ids),
        "first": format_ns(first_ns, 6),
        "last": format_ns(times[-1][0], 6),
        "position": HORLIVKA,
        "place": "3 km SE of Horlivka",
        "severity": severity,
        "state": "open" if answered_ns is None else "answered",
        "answered_at": None if answered_ns is None else format_ns(answered_ns, 6),
        "held_at_first_step": held,
        "steps": reached,
        "notified": sorted({r for s in reached for r in s["notify"]}),
        "escalated": any(s["escalate"] for s in reached),
        "next": pending[0] if pending and answered_ns is None else None,
    }
