"""The notable incidents of a report: high- and critical-severity violations grouped by their
escalation cluster, each group told in one paragraph with place-relative wording.

"Did it occur", "who is responsible" and "was it deliberate" stay three separate findings in
every paragraph (DESIGN.md, *Separate findings*).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ceasewatch.model.time import format_ns, parse_ns
from ceasewatch.report.daily_types import Incident
from ceasewatch.report.daily_words import (
    BASIS_WORDS,
    category_words,
    confidence_words,
    place_range,
    probability_figure,
    weapon_words,
)

Row = dict[str, Any]
NOTABLE = ("critical", "high")
SEVERITY_ORDER = ("critical", "high", "medium", "low")
CONCERNS_FROM = 0.05
"""A party is concerned by a violation when it holds at least this much responsibility."""
MAX_INCIDENTS = 25
DAY_NS = 86_400 * 10**9


def most_likely(row: Row) -> tuple[str, float]:
    responsible = row.get("responsible") or {"unknown": 1.0}
    party, p = max(responsible.items(), key=lambda kp: (kp[1], kp[0] != "unknown"))
    return str(party), float(p)


def concerns(row: Row) -> tuple[str, ...]:
    responsible = row.get("responsible") or {}
    return tuple(sorted(p for p, v in responsible.items() if p != "unknown" and v >= CONCERNS_FROM))


def notable_incidents(
    violations: Sequence[Row],
    escalation: Sequence[Row] | None,
    sector_names: Mapping[str, str],
    cyrillic: Mapping[str, str],
    multi_day: bool,
) -> tuple[tuple[Incident, ...], int]:
    """The notable matters (at most :data:`MAX_INCIDENTS`, the most severe and largest first,
    then told in time order) and how many were left out."""
    cluster_of: dict[str, Row] = {}
    for cluster in escalation or ():
        for vid in cluster.get("violation_ids", ()):
            cluster_of[vid] = cluster
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in violations:
        if row.get("severity") in NOTABLE and row.get("status") != "dismissed":
            found = cluster_of.get(row["violation_id"])
            groups[found["cluster_id"] if found else row["violation_id"]].append(row)
    incidents = [
        _incident(key, rows, cluster_of, sector_names, cyrillic, multi_day)
        for key, rows in groups.items()
    ]
    incidents.sort(key=lambda i: (SEVERITY_ORDER.index(i.severity), -i.count, i.t_first_ns, i.key))
    kept = sorted(incidents[:MAX_INCIDENTS], key=lambda i: (i.t_first_ns, i.key))
    return tuple(kept), max(len(incidents) - MAX_INCIDENTS, 0)


def _incident(
    key: str,
    rows: list[Row],
    cluster_of: Mapping[str, Row],
    sector_names: Mapping[str, str],
    cyrillic: Mapping[str, str],
    multi_day: bool,
) -> Incident:
    rows = sorted(rows, key=lambda r: (r["t"], r["violation_id"]))
    times = [parse_ns(r["t"], where="violation t") for r in rows]
    party = Counter(most_likely(r)[0] for r in rows).most_common(1)[0][0]
    p_party = math.fsum(float((r.get("responsible") or {}).get(party, 0.0)) for r in rows)
    p_party /= len(rows)
    p_occurred = min(float(r.get("p_occurred", 1.0)) for r in rows)
    category = Counter(r.get("category", "") for r in rows).most_common(1)[0][0]
    severity = min((r.get("severity", "high") for r in rows), key=SEVERITY_ORDER.index)
    sector = Counter(r.get("sector") or "(no sector)" for r in rows).most_common(1)[0][0]
    bases = Counter(r.get("attribution_basis") or "" for r in rows)
    basis = bases.most_common(1)[0][0]
    reasons = _reasons(rows, basis)
    where_sector = f"in the {sector_names.get(sector, sector)} sector"
    where_place = f"{place_range([r.get('place') for r in rows], dict(cyrillic))}, {where_sector}"
    when = _span(times[0], times[-1], multi_day)
    what = _what(rows)
    findings = _findings(party, p_party, p_occurred, bases)
    rule = Counter(str(r.get("rule_id", "")) for r in rows).most_common(1)[0][0]
    findings += f" Rule: {rule}."
    cluster = cluster_of.get(rows[0]["violation_id"])
    evidence: set[str] = set()
    for r in rows:
        evidence.update(((r.get("findings") or {}).get("responsible") or {}).get("evidence", ()))
    return Incident(
        key=key,
        t_first_ns=times[0],
        t_last_ns=times[-1],
        count=len(rows),
        category=category,
        severity=severity,
        sector=sector,
        party=party,
        p_party=round(p_party, 4),
        p_occurred=round(p_occurred, 4),
        concerns=tuple(sorted({p for r in rows for p in concerns(r)})),
        text_place=f"{when}, {what} {where_place}. {findings}",
        text_sector=f"{when}, {what} {where_sector}. {findings}",
        escalation=_ladder(cluster),
        reasons=reasons,
        violation_ids=tuple(r["violation_id"] for r in rows),
        evidence_ids=tuple(sorted(evidence)),
        positions=tuple((float(r["position"][0]), float(r["position"][1])) for r in rows),
    )


def _span(first_ns: int, last_ns: int, multi_day: bool) -> str:
    def clock(t_ns: int) -> str:
        text = format_ns(t_ns, 0)  # 2026-02-18T03:12:09Z
        return f"{text[:10]} {text[11:16]}" if multi_day else text[11:16]

    if clock(first_ns) == clock(last_ns):
        return f"At {clock(first_ns)} UTC"
    return f"Between {clock(first_ns)} and {clock(last_ns)} UTC"


def _what(rows: Sequence[Row]) -> str:
    """What the group was, e.g. "2 explosions (impacts) and 1 munition dropped from a drone,
    of which 2 assessed as mortar, fired from RU-held ground,": each count is of the members it
    names; a claim with no count (one kind, one weapon, "fired from") holds for every member."""
    kinds = Counter(str(r.get("category", "")) for r in rows).most_common()
    head = _listed([f"{n:,} {category_words(c, n)}" for c, n in kinds])
    weapons = Counter(weapon_words(r.get("weapon")) for r in rows)
    weapons.pop("", None)
    if list(weapons.values()) == [len(rows)]:
        assessed = f", assessed as {next(iter(weapons))}"
    elif weapons:
        (first, n), *more = weapons.most_common()
        told = [f"{n:,} assessed as {first}", *(f"{k:,} as {w}" for w, k in more)]
        assessed = ", of which " + " and ".join(told)
    else:
        assessed = ""
    fired = {_fired_from(r) for r in rows}
    fired_from = fired.pop() if len(fired) == 1 else ""
    return f"{head}{assessed}{', ' + fired_from if fired_from else ''},"


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _fired_from(row: Row) -> str:
    """'fired from RU-held ground' when the responsibility finding located the firing
    position."""
    finding = (row.get("findings") or {}).get("responsible") or {}
    for reason in finding.get("reasons", ()):
        if str(reason).startswith("fired from "):
            return str(reason).split(",")[0]
    return ""


def _findings(party: str, p_party: float, p_occurred: float, bases: Counter[str]) -> str:
    """The three findings; the probabilities in words with the figure, the attribution basis
    once when every member shares it, else each basis with how many members it is."""
    who = (
        "not attributed (no party holds the ground)"
        if party == "unknown"
        else f"{party}, {_probability(p_party)}"
    )
    count = sum(bases.values())
    if len(bases) == 1:
        how = "".join(f"; {BASIS_WORDS[b]}" for b in bases if b in BASIS_WORDS)
    else:
        how = "".join(
            f"; {n:,} of {count:,}: {BASIS_WORDS[b]}"
            for b, n in bases.most_common()
            if b in BASIS_WORDS
        )
    occurred = _probability(p_occurred)
    return f"Occurred: {occurred}. Responsible: {who}{how}. Deliberate: not assessed."


def _probability(p: float) -> str:
    return f"{confidence_words(p)} (probability {probability_figure(p)})"


def _reasons(rows: Sequence[Row], basis: str) -> tuple[str, ...]:
    """The responsibility reasons of the group's first member on the group's usual basis."""
    first = next((r for r in rows if (r.get("attribution_basis") or "") == basis), rows[0])
    finding = (first.get("findings") or {}).get("responsible") or {}
    return tuple(str(r) for r in finding.get("reasons", ()))


def _ladder(cluster: Row | None) -> str:
    if cluster is None:
        return "not on the escalation ladder"
    told = ", ".join(cluster.get("notified") or ()) or "nobody yet"
    text = f"{cluster.get('state', 'open')}; notified: {told}"
    following = cluster.get("next")
    if following:
        whom = ", ".join(following.get("notify") or ())
        text += f"; next: {whom} at {str(following.get('due', ''))[:16].replace('T', ' ')} UTC"
    return text + ("; escalated" if cluster.get("escalated") else "")
