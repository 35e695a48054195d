"""What each role sees of each kind of row: the service's one redaction policy.

Every row leaves the service through :func:`view` (or :func:`aggregate` for counts), which keeps
only the keys of the role's allowlist (:data:`ALLOWED`) and scrubs sensor ids out of the words
of parties and the public. Routes never pick fields themselves. The allowlists are also what the
access-control tests hold each response to.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ceasewatch.api.policy import CONCERN_THRESHOLD, MIN_CELL_COUNT, Scope
from ceasewatch.api.tokens import Principal, Role

Row = dict[str, Any]

_VIOLATION_PUBLICISH = (
    "violation_id",
    "rule_id",
    "t",
    "position",
    "place",
    "sector",
    "category",
    "weapon",
    "severity",
    "status",
    "p_occurred",
    "responsible",
    "p_deliberate",
    "attribution_basis",
    "findings",
)
_COMPLAINT_OWN = (
    "complaint_id",
    "party",
    "alleged_party",
    "category",
    "outcome",
    "violation_ids",
    "duplicate_of",
    "reasons",
    "t_submitted",
    "t_due",
    "t_answered",
    "late",
)
_COVERAGE_SECTOR = ("sector", "reading", "line_observable", "hours", "blind_hours", "violations")

FULL = None  # every key
ALLOWED: dict[str, dict[Role, tuple[str, ...] | None]] = {
    "violation": {Role.OPERATOR: FULL, Role.ANALYST: FULL, Role.PARTY: _VIOLATION_PUBLICISH},
    "incident": {Role.OPERATOR: FULL, Role.ANALYST: FULL},
    "complaint": {Role.OPERATOR: FULL, Role.ANALYST: FULL, Role.PARTY: _COMPLAINT_OWN},
    "sensor": {Role.OPERATOR: FULL, Role.ANALYST: FULL, Role.CONTRIBUTOR: FULL},
    "record": {Role.OPERATOR: FULL, Role.ANALYST: FULL, Role.CONTRIBUTOR: FULL},
    "entry": {Role.OPERATOR: FULL, Role.ANALYST: FULL, Role.CONTRIBUTOR: FULL, Role.PARTY: FULL},
    # counts per sector only for the cell: others get counts from /api/aggregates, where small
    # counts are withheld (two sources of one count would undo that)
    "coverage_sector": {
        r: _COVERAGE_SECTOR if r in (Role.OPERATOR, Role.ANALYST) else _COVERAGE_SECTOR[:-1]
        for r in Role
    },
    "coverage_line": {Role.OPERATOR: FULL, Role.ANALYST: FULL},
}
_FINDING_KEYS = ("reasons",)  # a party reads the reasons of each finding, not evidence ids


def concerns(party: str, violation: Mapping[str, Any], complained: frozenset[str]) -> bool:
    """Whether a violation concerns ``party``: it may be responsible, or it complained of it."""
    responsible = violation.get("responsible") or {}
    p = responsible.get(party, 0.0) if isinstance(responsible, Mapping) else 0.0
    return float(p) >= CONCERN_THRESHOLD or str(violation.get("violation_id")) in complained


def view(
    kind: str, principal: Principal, row: Mapping[str, Any], sensor_ids: Iterable[str] = ()
) -> Row:
    """``row`` as ``principal``'s role may see it (a KeyError for a kind it may not see)."""
    keys = ALLOWED[kind][principal.role]
    if keys is FULL:
        return dict(row)
    out = {k: row[k] for k in keys if k in row}
    scrub = _scrubber(sensor_ids)
    if "findings" in out and isinstance(out["findings"], Mapping):
        out["findings"] = {
            name: {k: _words(f.get(k, []), scrub) for k in _FINDING_KEYS}
            for name, f in out["findings"].items()
            if isinstance(f, Mapping)
        }
    if "reasons" in out:
        out["reasons"] = _words(out["reasons"], scrub)
    return out


def _words(values: Any, scrub: re.Pattern[str] | None) -> list[str]:
    texts = [str(v) for v in values] if isinstance(values, list | tuple) else []
    return texts if scrub is None else [scrub.sub("a sensor", t) for t in texts]


def _scrubber(sensor_ids: Iterable[str]) -> re.Pattern[str] | None:
    return _compiled(tuple(sorted({s for s in sensor_ids if s})))


@lru_cache(maxsize=8)
def _compiled(ids_sorted: tuple[str, ...]) -> re.Pattern[str] | None:
    ids = sorted(ids_sorted, key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in ids) + r")\b")


def aggregate(violations: Iterable[Mapping[str, Any]], parties: Iterable[str]) -> list[Row]:
    """Counts per day and sector, and by most likely party; a count under
    :data:`MIN_CELL_COUNT` is withheld (``null``), and when any party's count in a cell is
    withheld all of that cell's party counts are, so none can be told by subtraction."""
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for v in violations:
        if v.get("status") == "dismissed":
            continue
        day = str(v.get("t", ""))[:10]
        sector = str(v.get("sector") or "(no sector)")
        responsible = v.get("responsible") or {}
        party = max(responsible, key=lambda k: responsible[k]) if responsible else "unknown"
        cells[(day, sector)][party] += 1
    names = [*parties, "unknown"]
    out = []
    for (day, sector), counts in sorted(cells.items()):
        total = sum(counts.values())
        hidden = total < MIN_CELL_COUNT or any(0 < counts[p] < MIN_CELL_COUNT for p in names)
        out.append(
            {
                "day": day,
                "sector": sector,
                "violations": total if total >= MIN_CELL_COUNT else None,
                "by_party": None if hidden else {p: counts[p] for p in names},
                "withheld": hidden,
            }
        )
    return out


def aggregate_scope(scope: Scope) -> bool:
    return scope is Scope.AGGREGATE
