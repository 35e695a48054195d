"""Where each violation stands on the agreement's escalation ladder, as data.

The ladder (``escalation:`` in the agreement, docs/agreement.md) says who is told how long after a
violation: e.g. the coordination cell at once, the guarantors after 24 h, the guarantors and the
parties after 72 h with escalation. :func:`escalation_state` evaluates it at one instant
(``as_of_ns``) for every *cluster* of violations, and the alert and report stages read the result
(:class:`EscalationBook`, ``escalation.jsonl``); this module sends nothing.

Clusters. A bombardment of 300 rounds is one matter for the coordination cell, not 300. Two
violations are *linked* when they break the same rule, have the same most likely responsible party
(``unknown`` counts as a party here, so unattributed fire clusters with unattributed fire only),
lie in the same agreement sector, are at most ``link.within_m`` apart (10 km by default) and at most
``link.within_h`` apart in time (6 h). Clusters are the connected components of that relation
(single linkage): a barrage that walks along the line stays one matter, while two duels in one
sector by different parties stay two. The choice is documented in
docs/adjudication-escalation-exports.md.

Which violations enter: not ``dismissed``, ``p_occurred >= 0.5``, and not later than ``as_of_ns``
(a verdict is evaluated only with what was known at the time). Every other violation is listed in
:attr:`EscalationBook.left_out` with the reason, so nothing disappears silently.

Ladder. A step is *reached* when its due time (the cluster's first violation time + ``after_h``)
is at or before ``as_of_ns``. A cluster whose most severe violation is below ``climb_from``
(``medium`` by default, so: ``low``) reaches the first step only: the coordination cell hears of
it and it is counted in reports, but it never climbs to the guarantors on its own. A cluster is
*answered* when every violation in it has a review decision at or before ``as_of_ns``
(``answered`` maps violation id → decision time in ns); an answered cluster stops climbing at the
latest of those decisions: the steps it reached are those due at or before that time, and it has
no next step. A new violation that joins an answered cluster reopens it (it has no decision yet).

Pure and deterministic: no clock, no I/O; the result does not depend on the order of the input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasewatch.adjudication.types import Violation
from ceasewatch.agreement.types import Agreement, Severity
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import format_ns, parse_ns

NS_PER_H = 3_600_000_000_000
MIN_P_OCCURRED = 0.5
"""A violation enters the ladder only when it more likely occurred than not."""

SEVERITY_ORDER: tuple[str, ...] = tuple(s.value for s in Severity)  # low < … < critical
OPEN = "open"
ANSWERED = "answered"


@dataclass(frozen=True)
class Linkage:
    """When two violations of the same rule and most likely party are one matter."""

    within_m: float = 10_000.0
    within_h: float = 6.0
    same_sector: bool = True


@dataclass(frozen=True)
class StepState:
    """One step of the ladder for one cluster: when it falls due and whom it tells."""

    index: int  # 0-based position in the agreement's ladder
    after_h: float
    due_ns: int
    notify: tuple[str, ...]
    escalate: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.index,
            "after_h": self.after_h,
            "due": format_ns(self.due_ns, 6),
            "notify": list(self.notify),
            "escalate": self.escalate,
        }


@dataclass(frozen=True)
class ClusterState:
    """One matter: the violations it is made of and where it stands on the ladder."""

    cluster_id: str  # "cl-" + hash of the sorted violation ids: changes when the cluster grows
    anchor_id: str  # the earliest violation (ties: smallest id): stable while the cluster grows
    rule_id: str
    party: str  # the most likely responsible party shared by all members, or "unknown"
    sector: str | None
    violation_ids: tuple[str, ...]  # sorted
    first_ns: int
    last_ns: int
    lon: float  # the anchor's position and place
    lat: float
    place: str | None
    severity: str  # the most severe member's
    state: str  # "open" | "answered"
    answered_ns: int | None  # the latest decision, when answered
    held: bool  # below ``climb_from``: held at the first step
    reached: tuple[StepState, ...]
    next_step: StepState | None

    @property
    def escalated(self) -> bool:
        return any(step.escalate for step in self.reached)

    @property
    def notified(self) -> tuple[str, ...]:
        """Every recipient told so far, in ladder order, each once."""
        seen: dict[str, None] = {}
        for step in self.reached:
            seen.update(dict.fromkeys(step.notify))
        return tuple(seen)

    def to_json(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "anchor_id": self.anchor_id,
            "rule_id": self.rule_id,
            "party": self.party,
            "sector": self.sector,
            "violation_ids": list(self.violation_ids),
            "count": len(self.violation_ids),
            "first": format_ns(self.first_ns, 6),
            "last": format_ns(self.last_ns, 6),
            "position": [round(self.lon, 6), round(self.lat, 6)],
            "place": self.place,
            "severity": self.severity,
            "state": self.state,
            "answered_at": None if self.answered_ns is None else format_ns(self.answered_ns, 6),
            "held_at_first_step": self.held,
            "steps": [step.to_json() for step in self.reached],
            "notified": list(self.notified),
            "escalated": self.escalated,
            "next": None if self.next_step is None else self.next_step.to_json(),
        }


@dataclass(frozen=True)
class EscalationBook:
    """The ladder evaluated at ``as_of_ns`` for every cluster; one ``escalation.jsonl`` row each."""

    as_of_ns: int
    agreement: str  # "<id> v<version>"
    agreement_digest: str
    clusters: tuple[ClusterState, ...]  # by first time, then cluster id
    left_out: tuple[tuple[str, str], ...]  # (violation id, why it is not on the ladder), by id

    def cluster_of(self, violation_id: str) -> ClusterState | None:
        """The cluster a violation belongs to (its per-violation state), or None if left out."""
        for cluster in self.clusters:
            if violation_id in cluster.violation_ids:
                return cluster
        return None

    def open_clusters(self) -> tuple[ClusterState, ...]:
        return tuple(c for c in self.clusters if c.state == OPEN)

    def to_json(self) -> list[dict[str, Any]]:
        """The rows of ``escalation.jsonl``: one per cluster, each self-contained."""
        head = {
            "as_of": format_ns(self.as_of_ns, 6),
            "agreement": self.agreement,
            "agreement_digest": self.agreement_digest,
        }
        return [{**head, **cluster.to_json()} for cluster in self.clusters]


@dataclass(frozen=True)
class _Item:
    """What the ladder needs of a violation, from a :class:`Violation` or its JSON form."""

    violation_id: str
    rule_id: str
    t_ns: int
    lon: float
    lat: float
    place: str | None
    sector: str | None
    party: str
    severity: str
    status: str
    p_occurred: float


def escalation_state(
    violations: Iterable[Violation | Mapping[str, Any]],
    agreement: Agreement,
    *,
    as_of_ns: int,
    answered: Mapping[str, int] | None = None,
    link: Linkage | None = None,
    climb_from: str = Severity.MEDIUM.value,
) -> EscalationBook:
    """Evaluate the agreement's escalation ladder at ``as_of_ns`` for every cluster of violations.

    ``violations`` are :class:`Violation` records or their JSON form (``violations.jsonl`` rows);
    ``answered`` maps a violation id to the time (ns) of its review decision. Raises ValueError
    for an unknown severity, or for one violation id given twice with different content.
    """
    if climb_from not in SEVERITY_ORDER:
        raise ValueError(
            f"climb_from {climb_from!r} is not a severity ({', '.join(SEVERITY_ORDER)})"
        )
    link = link or Linkage()
    decisions = {vid: int(t) for vid, t in (answered or {}).items() if int(t) <= as_of_ns}
    entered: list[_Item] = []
    left_out: list[tuple[str, str]] = []
    for item in _unique(_item(v) for v in violations):
        reason = _left_out_reason(item, as_of_ns)
        if reason is None:
            entered.append(item)
        else:
            left_out.append((item.violation_id, reason))
    clusters = [
        _cluster_state(members, agreement, as_of_ns, decisions, climb_from)
        for members in _clusters(entered, link)
    ]
    clusters.sort(key=lambda c: (c.first_ns, c.cluster_id))
    return EscalationBook(
        as_of_ns=as_of_ns,
        agreement=agreement.label,
        agreement_digest=agreement.digest,
        clusters=tuple(clusters),
        left_out=tuple(sorted(left_out)),
    )


def cluster_id(violation_ids: Iterable[str]) -> str:
    """Derived from the members only: the same violations always give the same id."""
    text = "\n".join(sorted(violation_ids))
    return "cl-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _item(v: Violation | Mapping[str, Any]) -> _Item:
    if isinstance(v, Violation):
        party = v.most_likely[0]
        return _Item(
            v.violation_id,
            v.rule_id,
            v.t_ns,
            v.lon,
            v.lat,
            v.place,
            v.sector,
            party,
            v.severity,
            v.status,
            v.p_occurred,
        )
    vid = str(v["violation_id"])
    responsible: Mapping[str, float] = v.get("responsible") or {"unknown": 1.0}
    party = max(responsible.items(), key=lambda kp: float(kp[1]))[0]  # ties: the first
    lon, lat = v["position"]
    return _Item(
        vid,
        str(v["rule_id"]),
        parse_ns(str(v["t"]), where=f"violation {vid}: t"),
        float(lon),
        float(lat),
        v.get("place"),
        v.get("sector"),
        str(party),
        str(v["severity"]),
        str(v["status"]),
        float(v["p_occurred"]),
    )


def _unique(items: Iterable[_Item]) -> list[_Item]:
    by_id: dict[str, _Item] = {}
    for item in items:
        if item.severity not in SEVERITY_ORDER:
            raise ValueError(
                f"violation {item.violation_id}: severity {item.severity!r} is not one of "
                f"{', '.join(SEVERITY_ORDER)}"
            )
        known = by_id.setdefault(item.violation_id, item)
        if known != item:
            raise ValueError(
                f"violation {item.violation_id} is given twice with different content; "
                "pass one verdict per violation (the latest adjudication)"
            )
    return [by_id[k] for k in sorted(by_id)]


def _left_out_reason(item: _Item, as_of_ns: int) -> str | None:
    if item.status == "dismissed":
        return "dismissed"
    if not item.p_occurred >= MIN_P_OCCURRED:
        return f"p_occurred {item.p_occurred:.4g} < {MIN_P_OCCURRED}"
    if item.t_ns > as_of_ns:
        return "after as_of"
    return None


def _clusters(items: list[_Item], link: Linkage) -> list[list[_Item]]:
    """Single-linkage clusters within each (rule, party, sector) group."""
    groups: dict[tuple[str, str, str], list[_Item]] = {}
    for item in items:
        sector = (item.sector or "") if link.same_sector else ""
        groups.setdefault((item.rule_id, item.party, sector), []).append(item)
    window_ns = round(link.within_h * NS_PER_H)
    out: list[list[_Item]] = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda i: (i.t_ns, i.violation_id))
        parent = list(range(len(members)))

        def find(i: int, parent: list[int] = parent) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        t = np.array([m.t_ns for m in members], dtype=np.int64)
        lon = np.array([m.lon for m in members])
        lat = np.array([m.lat for m in members])
        for i in range(len(members)):
            end = int(np.searchsorted(t, t[i] + window_ns, side="right"))
            if end <= i + 1:
                continue
            dist = geodesic_distance_m(lon[i], lat[i], lon[i + 1 : end], lat[i + 1 : end])
            for j in np.flatnonzero(dist <= link.within_m):
                a, b = find(i), find(i + 1 + int(j))
                if a != b:
                    parent[max(a, b)] = min(a, b)
        components: dict[int, list[_Item]] = {}
        for i, member in enumerate(members):
            components.setdefault(find(i), []).append(member)
        out.extend(components.values())
    return out


def _cluster_state(
    members: list[_Item],
    agreement: Agreement,
    as_of_ns: int,
    decisions: Mapping[str, int],
    climb_from: str,
) -> ClusterState:
    ids = tuple(sorted(m.violation_id for m in members))
    anchor = min(members, key=lambda m: (m.t_ns, m.violation_id))
    first_ns = anchor.t_ns
    severity = max((m.severity for m in members), key=SEVERITY_ORDER.index)
    held = SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(climb_from)
    answered_ns = max(decisions[i] for i in ids) if all(i in decisions for i in ids) else None
    stop_ns = as_of_ns if answered_ns is None else min(as_of_ns, answered_ns)
    ladder = [
        StepState(
            index,
            step.after_h,
            first_ns + round(step.after_h * NS_PER_H),
            tuple(str(r) for r in step.notify),
            step.escalate,
        )
        for index, step in enumerate(agreement.escalation)
    ]
    allowed = ladder[:1] if held else ladder
    reached = tuple(step for step in allowed if step.due_ns <= stop_ns)
    pending = [step for step in allowed if step.due_ns > stop_ns]
    next_step = pending[0] if pending and answered_ns is None else None
    return ClusterState(
        cluster_id=cluster_id(ids),
        anchor_id=anchor.violation_id,
        rule_id=anchor.rule_id,
        party=anchor.party,
        sector=anchor.sector,
        violation_ids=ids,
        first_ns=first_ns,
        last_ns=max(m.t_ns for m in members),
        lon=anchor.lon,
        lat=anchor.lat,
        place=anchor.place,
        severity=severity,
        state=OPEN if answered_ns is None else ANSWERED,
        answered_ns=answered_ns,
        held=held,
        reached=reached,
        next_step=next_step,
    )
