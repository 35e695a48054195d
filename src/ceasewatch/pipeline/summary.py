"""The demo's one-screen summary: what came in, what the log holds, what was found, what could
not be seen, the notable incidents, and where the files are.

Plain text (at most 100 columns, about 30 lines), so it reads the same in a terminal, in CI
logs and in a test.
"""

from __future__ import annotations

from collections import Counter

from ceasewatch.model.time import format_ns
from ceasewatch.pipeline.demo import DETAILS, Demo, scenario_span
from ceasewatch.pipeline.real_data import FOLDER
from ceasewatch.report.daily_types import Incident
from ceasewatch.report.daily_words import category_words, probability_figure

WIDTH = 100
TOP = 5
_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def summary_lines(demo: Demo) -> list[str]:
    """The summary, one line per list item."""
    ev, fu, rd = demo.evidence, demo.fusion, demo.readable
    verdicts = demo.adjudication.verdicts.summary()
    counts: Counter[str] = Counter()
    for result in ev.ingested:
        counts.update(result.counts)
    rejected = sum(len(r.rejected) for r in ev.ingested)
    fused = fu.fusion.summary()
    lines = [
        f"ceasewatch demo: {demo.scenario.name} (seed {demo.seed}), {scenario_span(demo.scenario)}"
        f", {demo.agreement} — {demo.total_s:.0f} s",
        "",
        _row("ingested", f"{counts['new']:,} records from {len(ev.ingested)} files "
             f"({counts['duplicate']:,} duplicates, {rejected:,} rejected)"),
        _row("log", f"{ev.size:,} entries, root {ev.root_hex[:16]}…, signed checkpoint"),
        _row("verified", f"export {'ok' if ev.verified.ok else 'FAILED'}; a copy with entry "
             f"{ev.tampered_entry:,} deleted: {'caught' if not ev.tampered.ok else 'NOT caught'}"),
        _row("fused", f"{fused['events']:,} located events, "
             f"{sum(fused['incidents'].values()):,} incidents "
             f"({fused['clutter_incidents']:,} clutter), "
             f"{fused['launch_impact_pairs']:,} launch–impact pairs"),
        _row("violations", _violations(verdicts)),
        *_coverage(demo),
        _row("complaints", _complaints(verdicts)),
        _row("alerts", f"{rd.alerts_due:,} due on the escalation ladder"),
        *_real(demo),
        "",
        "notable incidents (high and critical severity; the report tells each in words):",
        *_incidents(rd.record.incidents, {s.sector: s.name for s in rd.record.sectors}),
        "",
        _row("reports", f"{rd.reports[0].parent}/: "
             + ", ".join(p.name for p in rd.reports[1::2]) + " (and .html)"),
        _row("files", f"{demo.out}/: state/ (the store; adjudication/ with violations, "
             "coverage, exports)"),
        _row("", f"export/ (the log as a party gets it), {rd.alerts.name}, {DETAILS}"
             + (f", {FOLDER}/channels.pdf" if demo.real else " (every stage's details)")),
        _row("verdicts", str(verdicts["digest"])),
        _row("next", f"ceasewatch review list --state {demo.out / 'state'}"),
    ]  # fmt: skip
    return [_fit(line) for line in lines]


def _real(demo: Demo) -> list[str]:
    """One line per real-world channel (--with-real-data): headline figure and source."""
    if demo.real is None:
        return []
    return [_row(label, text) for label, text in demo.real.rows()]


def _row(label: str, text: str) -> str:
    return f"{label:<11} {text}"


def _fit(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"


def _violations(verdicts: dict[str, object]) -> str:
    counts = verdicts["counts"]
    by_party = counts["party"] if isinstance(counts, dict) else {}
    parties = ", ".join(f"{party} {n:,}" for party, n in by_party.items())
    return (f"{verdicts['violations']:,} (most likely responsible: {parties or 'none'}); "
            f"{verdicts['indeterminate']:,} indeterminate")  # fmt: skip


def _coverage(demo: Demo) -> list[str]:
    sectors = demo.readable.record.sectors
    summary = demo.adjudication.verdicts.summary()
    share = summary["coverage"]
    if share is None or share.get("line_observable") is None:
        return [_row("coverage", "unknown (no status reports)")]
    jammed = summary["counts"]["rule"].get("no-interference", 0)
    extra = [_row("", f"{jammed:,} episode{'s' if jammed != 1 else ''} of interference with the "
                  "sensors (jamming), judged a violation")] if jammed else []  # fmt: skip
    head = f"{share['line_observable']:.0%} of the line observable over the day"
    short = [s for s in sectors if s.reading in ("partly observed", "not observable")]
    if not short:
        return [_row("coverage", head + "; every sector observed"), *extra]
    lines = [_row("coverage", head + "; short of full in:")]
    for s in sorted(short, key=lambda s: s.line_observable or 0.0)[:3]:
        seen = "—" if s.line_observable is None else f"{s.line_observable:.0%}"
        lines.append(_row("", f"{s.name}: {seen} observable, {s.blind_hours} blind hours"
                          f" — {s.reading}"))  # fmt: skip
    if len(short) > 3:
        lines.append(_row("", f"and {len(short) - 3} more sectors (see the report)"))
    return [*lines, *extra]


def _complaints(verdicts: dict[str, object]) -> str:
    book = verdicts["complaints"]
    if not isinstance(book, dict):
        return "none given"
    outcomes = ", ".join(f"{name} {n:,}" for name, n in book["outcomes"].items())
    return f"{book['answered']:,} answered: {outcomes}"


def _incidents(incidents: tuple[Incident, ...], names: dict[str, str]) -> list[str]:
    if not incidents:
        return ["  none of high or critical severity"]
    ranked = sorted(incidents, key=lambda i: (_SEVERITY.get(i.severity, 9), -i.count, i.t_first_ns))
    lines = []
    for i in ranked[:TOP]:
        clock = format_ns(i.t_first_ns, 0)[11:16]
        what = f"{i.count:,} {category_words(i.category, i.count)}"
        where = names.get(i.sector, i.sector)
        p = probability_figure(i.p_party)
        lines.append(f"  {clock}  {what}, {where}: {i.party} {p} ({i.severity})")
    if len(incidents) > TOP:
        lines.append(f"  … {len(incidents) - TOP:,} more in the report")
    return lines
