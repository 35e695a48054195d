"""One report record for a day or a period, from an adjudication folder's rows.

:func:`build_record` is pure: the rows (:mod:`.daily_inputs` reads them), the agreement, the
window, the cut-off and the checkpoint text are all arguments; no clock, no file. Violations
stated at or after the cut-off are left to the next report and counted as such. Every edition
(:mod:`.editions`) is made from this one record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import format_ns, from_ns, parse_ns
from ceasewatch.report.daily_coverage import line_coverage
from ceasewatch.report.daily_incidents import (
    SEVERITY_ORDER,
    concerns,
    most_likely,
    notable_incidents,
)
from ceasewatch.report.daily_inputs import AdjudicationFiles, Row
from ceasewatch.report.daily_sections import (
    channel_lines,
    channel_sources,
    complaint_lines,
    complaint_records,
    escalation_lines,
    sector_lines,
    summary_lines,
)
from ceasewatch.report.daily_types import Counts, Point, Record
from ceasewatch.report.daily_words import category_words, scale_text, ukrainian_name
from ceasewatch.report.map_layers import BASEMAP_CREDIT, PLACES_CREDIT

HOUR_NS = 3600 * 10**9
DAY_NS = 24 * HOUR_NS
SOURCES = (
    "Violations: ceasewatch adjudication of the monitoring network's sensor records "
    "(acoustic arrays, counter-battery radar, drones, observers, satellite passes).",
    "Areas and line of contact: DeepStateMap (monitoring and research use), cut to the land "
    "of Ukraine from geoBoundaries UKR ADM2 (gbOpen, CC BY 4.0).",
    BASEMAP_CREDIT + "; " + PLACES_CREDIT + "; map and plots drawn with matplotlib.",
)


def report_number(start_ns: int, end_ns: int) -> str:
    """'2026-049' for a day (year and day of the year), '2026-049-055' for a period."""
    first = from_ns(start_ns)
    last = from_ns(max(end_ns - 1, start_ns))
    if end_ns - start_ns == DAY_NS and first.hour == first.minute == first.second == 0:
        return f"{first:%Y}-{first.timetuple().tm_yday:03d}"
    return f"{first:%Y}-{first.timetuple().tm_yday:03d}-{last.timetuple().tm_yday:03d}"


def day_window(day: str) -> tuple[int, int]:
    """The UTC day ``YYYY-MM-DD`` as [start, end) in ns."""
    try:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise InputError(f"--day {day!r}: give a date as YYYY-MM-DD, e.g. 2026-02-18") from exc
    start_ns = int(start.timestamp()) * 10**9
    return start_ns, start_ns + DAY_NS


def build_record(
    files: AdjudicationFiles,
    agreement: Agreement,
    start_ns: int,
    end_ns: int,
    *,
    cutoff_ns: int | None = None,
    checkpoint: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> Record:
    """The full record of [start, end) as known at ``cutoff_ns`` (default: the end)."""
    if end_ns <= start_ns:
        raise InputError("the report's window is empty: --to must be after --from")
    cutoff = end_ns if cutoff_ns is None else cutoff_ns
    stop = min(end_ns, cutoff)
    # a dismissed violation is "not a violation at all" (docs/adjudication-review.md)
    in_window = [
        r for r in files.violations if start_ns <= _t(r) < end_ns and r.get("status") != "dismissed"
    ]
    rows = sorted((r for r in in_window if _t(r) < stop), key=lambda r: (r["t"], r["violation_id"]))
    multi_day = end_ns - start_ns > DAY_NS
    sector_names = {str(s.id): s.name for s in agreement.sectors}
    incidents, left_out = notable_incidents(
        rows, files.escalation, sector_names, _cyrillic(rows, gazetteer), multi_day
    )
    parties = tuple((str(p.id), p.name) for p in agreement.parties if p.role == "party")
    sectors = sector_lines(rows, files.sectors, agreement)
    answers = [a for a in files.complaint_answers or () if start_ns <= _t(a, "t_submitted") < stop]
    checks = [c for c in files.report_checks or () if start_ns <= _t(c, "t_start") < stop]
    bin_s = 3600 if end_ns - start_ns <= 3 * DAY_NS else 86_400
    return Record(
        number=report_number(start_ns, end_ns),
        title=_title(start_ns, end_ns, agreement),
        edition="full",
        agreement=f"{agreement.id} version {agreement.version}",
        agreement_digest=agreement.digest,
        parties=parties,
        start_ns=start_ns,
        end_ns=end_ns,
        cutoff_ns=cutoff,
        checkpoint=checkpoint,
        summary=summary_lines(rows, sectors, incidents, answers, parties)
        + channel_lines(rows, checks),
        sectors=sectors,
        by_category=_counts(r.get("category", "") for r in rows),
        by_party=_counts(most_likely(r)[0] for r in rows),
        by_severity=tuple(
            (s, n) for s in SEVERITY_ORDER if (n := sum(r.get("severity") == s for r in rows))
        ),
        trend_bin_s=bin_s,
        trend=_trend(rows, start_ns, bin_s),
        incidents=incidents,
        incidents_left_out=left_out,
        points=tuple(
            Point(
                t_ns=_t(r),
                lon=float(r["position"][0]),
                lat=float(r["position"][1]),
                party=most_likely(r)[0],
                concerns=concerns(r),
                sector=r.get("sector") or "(no sector)",
            )
            for r in rows
        ),  # fmt: skip
        complaints=complaint_lines(answers),
        complaint_records=complaint_records(answers, files.complaint_records),
        escalation=escalation_lines(files.escalation, start_ns, stop),
        coverage_window=_coverage_window(files.verdicts),
        scale=scale_text(),
        sources=SOURCES + channel_sources(rows, checks),
        after_cutoff=len(in_window) - len(rows),
        line_coverage=line_coverage(files.coverage_line, agreement, start_ns, end_ns),
    )


def category_counts_text(counts: Counts) -> tuple[str, ...]:
    return tuple(f"{category_words(c, n)}: {n:,}" for c, n in counts)


def _t(row: Row, key: str = "t") -> int:
    return parse_ns(str(row.get(key)), where=key)


def _counts(keys: Iterable[str]) -> Counts:
    counter = Counter(keys)
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _trend(rows: Sequence[Row], start_ns: int, bin_s: int) -> tuple[tuple[int, str, int], ...]:
    bin_ns = bin_s * 10**9
    counter = Counter(
        (start_ns + (_t(r) - start_ns) // bin_ns * bin_ns, most_likely(r)[0]) for r in rows
    )
    return tuple((t, party, n) for (t, party), n in sorted(counter.items()))


def _cyrillic(rows: Sequence[Row], gazetteer: Gazetteer | None) -> dict[str, str]:
    """Latin name → Ukrainian spelling of the reference towns the rows are described by."""
    if gazetteer is None or not rows:
        return {}
    found = gazetteer.describe_many(
        [float(r["position"][0]) for r in rows], [float(r["position"][1]) for r in rows]
    )
    names: dict[str, str] = {}
    for place in found:
        if place is not None and place.settlement.name not in names:
            spelled = ukrainian_name(place.settlement.names_cyrillic, place.settlement.name)
            if spelled:
                names[place.settlement.name] = spelled
    return names


def _title(start_ns: int, end_ns: int, agreement: Agreement) -> str:
    first = format_ns(start_ns, 0)[:10]
    if end_ns - start_ns == DAY_NS:
        return f"Daily report on the ceasefire of {first} ({agreement.id})"
    last = format_ns(end_ns - 1, 0)[:10]
    return f"Report on the ceasefire, {first} to {last} ({agreement.id})"


def _coverage_window(verdicts: Row | None) -> str:
    coverage = (verdicts or {}).get("coverage")
    if not coverage:
        return "no coverage was measured (the adjudication had no sensor status reports)"
    span = f"{coverage['from']} to {coverage['to']}"
    return f"coverage measured from the sensors' status reports, {span}"
