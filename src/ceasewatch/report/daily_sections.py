"""The sections of a report record that are counts and statements: the summary, each sector
with its coverage statement, complaints and each party's record, the escalation state, and what
the real-world channels added (control-map changes, open-source reports)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.time import parse_ns
from ceasewatch.report.daily_incidents import most_likely
from ceasewatch.report.daily_inputs import Row
from ceasewatch.report.daily_types import (
    ComplaintLine,
    Incident,
    PartyComplaints,
    SectorLine,
)
from ceasewatch.report.daily_words import plural

NO_SECTOR = "(no sector)"
OUTCOMES = ("corroborated", "contradicted", "unverifiable", "duplicate")
WELL_AVAILABLE = 0.8
BUSIEST = 3  # sectors named as busiest, more when tied


def sector_lines(
    rows: Sequence[Row], coverage_rows: Sequence[Row] | None, agreement: Agreement
) -> tuple[SectorLine, ...]:
    """Every sector of the agreement (and ``(no sector)`` when used), with the count of the
    report's violations beside the coverage reading of ``sectors.jsonl``."""
    by_sector: dict[str, Counter[str]] = {}
    jammed: Counter[str] = Counter()
    for r in rows:
        name = r.get("sector") or NO_SECTOR
        by_sector.setdefault(name, Counter())[most_likely(r)[0]] += 1
        if r.get("category") == "interference":
            jammed[name] += 1
    cover = {str(c.get("sector")): c for c in coverage_rows or ()}
    names = {str(s.id): s.name for s in agreement.sectors}
    order = list(names) + sorted(set(by_sector) - set(names))
    lines = []
    for sector in order:
        parties = by_sector.get(sector, Counter())
        c = cover.get(sector, {})
        reading = (
            str(c.get("reading") or "coverage unknown") if coverage_rows else ("coverage unknown")
        )
        count = sum(parties.values())
        lines.append(
            SectorLine(
                sector=sector,
                name=names.get(sector, sector),
                violations=count,
                by_party=tuple(sorted(parties.items())),
                reading=reading,
                line_observable=c.get("line_observable"),
                sensors_available=c.get("sensors_available"),
                blind_hours=int(c.get("blind_hours") or 0),
                statement=_statement(reading, c, count, jammed[sector]),
            )
        )
    return tuple(lines)


def _statement(reading: str, cover: Row, count: int, jammed: int) -> str:
    """What could and could not be observed in a sector, and why."""
    seen = cover.get("line_observable")
    available = cover.get("sensors_available")
    blind = int(cover.get("blind_hours") or 0)
    if reading == "coverage unknown":
        return "Coverage unknown: no sensor status reports were given; counts are a lower bound."
    if reading == "no line here":  # fire is a violation anywhere, so no "only zones here"
        text = "No line of contact here (rear area): no coverage of a line to state."
    elif reading == "not observable":
        text = f"Not observable: fire-detecting sensors covered {seen:.0%} of its line."
        if count == 0:
            text += " No violations could have been seen; this is not a report of calm."
    else:
        text = f"{reading.capitalize()}: fire-detecting sensors covered {seen:.0%} of its line."
    why = []
    if blind:
        why.append(f"{plural(blind, 'hour')} with under a fifth of the line covered")
    if available is not None and available < WELL_AVAILABLE:
        why.append(f"its sensors were available {available:.0%} of the time")
    if jammed:
        why.append(f"{plural(jammed, 'act')} of interference with the monitors")
    if why:
        text += " Not observable in part: " + "; ".join(why) + "."
    return text


def summary_lines(
    rows: Sequence[Row],
    sectors: Sequence[SectorLine],
    incidents: Sequence[Incident],
    answers: Sequence[Row],
    parties: Sequence[tuple[str, str]],
) -> tuple[str, ...]:
    """The opening paragraph, as sentences built from aggregates only (safe for every edition)."""
    total = len(rows)
    by_party = Counter(most_likely(r)[0] for r in rows)
    shares = [f"{by_party.get(pid, 0):,} most likely by {pid} ({name})" for pid, name in parties]
    if by_party.get("unknown"):
        shares.append(f"{by_party['unknown']:,} not attributed")
    lines = [f"The mechanism recorded {plural(total, 'violation')}: " + "; ".join(shares) + "."]
    busiest = sorted((s for s in sectors if s.violations), key=lambda s: (-s.violations, s.sector))
    if busiest:
        least = busiest[:BUSIEST][-1].violations  # a sector as busy as the last named is named
        top = ", ".join(f"{s.name} ({s.violations:,})" for s in busiest if s.violations >= least)
        lines.append(f"Most violations were recorded in {top}.")
    blind = [s for s in sectors if s.reading == "not observable"]
    if unseen := [s.name for s in blind if not s.violations]:
        lines.append(
            "Not observable (no violations could have been seen there): " + ", ".join(unseen) + "."
        )
    if seen := [f"{s.name} ({s.violations:,})" for s in blind if s.violations]:
        lines.append("Not observable, so counts there are a lower bound: " + ", ".join(seen) + ".")
    notable = sum(i.count for i in incidents)
    lines.append(
        f"{plural(len(incidents), 'notable matter')} of high or critical severity "
        f"({plural(notable, 'violation')}) are described below."
    )
    if answers:
        outcomes = Counter(str(a.get("outcome")) for a in answers)
        told = ", ".join(f"{outcomes[o]} {o}" for o in OUTCOMES if outcomes[o])
        lines.append(f"{plural(len(answers), 'complaint')} received and answered: {told}.")
    lines.append(
        "Whether a violation occurred, who is responsible and whether it was deliberate are "
        "separate findings; deliberateness is not assessed."
    )
    return tuple(lines)


def complaint_lines(answers: Sequence[Row]) -> tuple[ComplaintLine, ...]:
    return tuple(
        ComplaintLine(
            complaint_id=str(a.get("complaint_id")),
            party=str(a.get("party")),
            alleged_party=str(a.get("alleged_party")),
            category=str(a.get("category")),
            outcome=str(a.get("outcome")),
            late=bool(a.get("late")),
            t_submitted=str(a.get("t_submitted")),
            reason=str((a.get("reasons") or [""])[0]),
            violation_ids=tuple(a.get("violation_ids") or ()),
        )
        for a in sorted(
            answers, key=lambda a: (str(a.get("t_submitted")), str(a.get("complaint_id")))
        )
    )


def complaint_records(answers: Sequence[Row], to_date: Row | None) -> tuple[PartyComplaints, ...]:
    """Each party's complaints in this report, then its record to date (complaint-records.json)."""
    out = []
    for party in sorted({str(a.get("party")) for a in answers}):
        mine = [a for a in answers if a.get("party") == party]
        n = Counter(str(a.get("outcome")) for a in mine)
        decided = n["corroborated"] + n["contradicted"]
        share = round(n["corroborated"] / decided, 4) if decided else None
        late = sum(bool(a.get("late")) for a in mine)
        out.append(_party_row(party, "in this report", len(mine), n, late, share))
    for party, r in sorted(((to_date or {}).get("parties") or {}).items()):
        n = Counter({o: int(r.get(o, 0)) for o in OUTCOMES})
        share = r.get("accurate_share")
        submitted, late = int(r.get("submitted", 0)), int(r.get("late", 0))
        out.append(_party_row(party, "to date", submitted, n, late, share))
    return tuple(out)


def _party_row(
    party: str, scope: str, submitted: int, n: Counter[str], late: int, share: float | None
) -> PartyComplaints:
    return PartyComplaints(
        party=party,
        scope=scope,
        submitted=submitted,
        corroborated=n["corroborated"],
        contradicted=n["contradicted"],
        unverifiable=n["unverifiable"],
        duplicate=n["duplicate"],
        late=late,
        accurate_share=share,
    )


def escalation_lines(
    clusters: Sequence[Row] | None, start_ns: int, stop_ns: int
) -> tuple[str, ...]:
    """Where the matters of the window stand on the agreement's escalation ladder."""
    if clusters is None:
        return ("No escalation state was given.",)
    mine = [
        c
        for c in clusters
        if parse_ns(str(c["first"]), where="first") < stop_ns
        and parse_ns(str(c["last"]), where="last") >= start_ns
    ]
    states = Counter(str(c.get("state")) for c in mine)
    escalated = sum(bool(c.get("escalated")) for c in mine)
    told: Counter[str] = Counter()
    for c in mine:
        told.update(c.get("notified") or ())
    lines = [
        f"{plural(len(mine), 'matter')} (clusters of linked violations) on the ladder: "
        + (", ".join(f"{n:,} {s}" for s, n in sorted(states.items())) or "none")
        + f"; {escalated:,} escalated to the parties."
    ]
    if told:
        lines.append(
            "Notified so far: "
            + ", ".join(f"{who} of {n:,}" for who, n in sorted(told.items()))
            + "."
        )
    return tuple(lines)


LINE_MAPS_CREDIT = (
    "Changes of the line: ceasewatch line diff of two open-source control maps (DeepStateMap, "
    "monitoring and research use); a change is evidence that ground changed hands, not proof."
)
VIINA_CREDIT = (
    "Open-source reports: VIINA 2.0, Zhukov & Ayers (ODbL 1.0), collapsed into distinct events "
    "and checked against the sensors; they do not enter the verdicts."
)
NEWS_CREDIT = (
    "Open-source reports: news events as ingested, collapsed into distinct events and checked "
    "against the sensors; they do not enter the verdicts."
)


def channel_lines(rows: Sequence[Row], checks: Sequence[Row]) -> tuple[str, ...]:
    """What the control maps and the news added to the period, as sentences of counts."""
    lines = []
    crossed = [r for r in rows if r.get("attribution_basis") == "line_change"]
    if crossed:
        area = sum(float(r.get("area_km2") or 0.0) for r in crossed)
        gained = Counter(most_likely(r)[0] for r in crossed)
        by = ", ".join(f"{n:,} by {party}" for party, n in sorted(gained.items()))
        lines.append(
            f"{plural(len(crossed), 'violation')} of the line itself "
            f"{'rests' if len(crossed) == 1 else 'rest'} on control-map changes "
            f"({area:,.1f} km² taken across the line; {by}), each awaiting an analyst."
        )
    if checks:
        status = Counter(str(c.get("status")) for c in checks)
        reports = sum(int(c.get("n_reports") or 1) for c in checks)
        lines.append(
            f"Open-source reports: {plural(reports, 'report')} became "
            f"{plural(len(checks), 'distinct event')}; the sensors corroborated "
            f"{status['corroborates']:,} and contradicted {status['contradicts']:,}, "
            f"{status['no_coverage']:,} fell where or when the sensors did not watch enough, and "
            f"{status['not_checkable']:,} claimed nothing sensors can see. They inform the "
            "analysts and do not change any verdict."
        )
    return tuple(lines)


def channel_sources(rows: Sequence[Row], checks: Sequence[Row]) -> tuple[str, ...]:
    """The credit of each real-world channel the period used."""
    credits = []
    if any(r.get("attribution_basis") == "line_change" for r in rows):
        credits.append(LINE_MAPS_CREDIT)
    if checks:
        viina = any("viina" in c.get("sources", ()) for c in checks)
        credits.append(VIINA_CREDIT if viina else NEWS_CREDIT)
    return tuple(credits)
