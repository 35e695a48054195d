"""A few lines that say how a run scored, for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ceasewatch.sim.scoring.report import NotAvailable

if TYPE_CHECKING:
    from ceasewatch.sim.scoring.score import ScoreReport


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def summary(report: ScoreReport) -> str:
    lines = [f"scored {report.inputs.run_dir} against {report.inputs.truth_dir}"]
    events = report.events
    if isinstance(events, NotAvailable):
        lines.append(f"events       not available: {events.reason}")
    else:
        lines.append(
            f"events       P {_f(events.precision)}  R {_f(events.recall)} "
            f"(detectable {_f(events.recall_detectable)})  F1 {_f(events.f1)}   "
            f"TP {events.true_positives}, FP {events.false_positives}, "
            f"FN {events.false_negatives} ({events.sources_not_detectable} not detectable)"
        )
    location = report.location
    if isinstance(location, NotAvailable):
        lines.append(f"location     not available: {location.reason}")
    else:
        text = (
            f"location     median {_f(location.error_m.median, 1)} m, "
            f"p90 {_f(location.error_m.p90, 1)} m; "
            f"|Δt| median {_f(location.origin_time_error_s.median)} s"
        )
        ellipse = location.ellipse
        if not isinstance(ellipse, NotAvailable):
            text += f"; ellipses hold {_f(ellipse.coverage)} (stated {_f(ellipse.stated_p)})"
        lines.append(text)
    violations = report.violations
    if isinstance(violations, NotAvailable):
        lines.append(f"violations   not available: {violations.reason}")
    else:
        clutter = violations.clutter
        lines.append(
            f"violations   P {_f(violations.precision)}  R {_f(violations.recall)}  "
            f"F1 {_f(violations.f1)}   clutter called a violation "
            f"{clutter.called_violation} of {clutter.happenings_with_records}"
        )
    attribution = report.attribution
    if isinstance(attribution, NotAvailable):
        lines.append(f"attribution  not available: {attribution.reason}")
    else:
        lines.append(
            f"attribution  accuracy {_f(attribution.accuracy)}, ECE {_f(attribution.ece)}; "
            f"at max P ≥ {attribution.confident_p:g}: {_f(attribution.confident_accuracy)} "
            f"of {attribution.confident_violations}"
        )
    coverage = report.coverage
    if isinstance(coverage, NotAvailable):
        lines.append(f"coverage     not available: {coverage.reason}")
    else:
        sectors = coverage.sectors
        sector_text = (
            ""
            if isinstance(sectors, NotAvailable)
            else (f", per sector-hour {_f(sectors.mean_abs_error)}")
        )
        error = _f(coverage.mean_abs_error)
        lines.append(f"coverage     mean abs error per sensor-hour {error}{sector_text}")
    alerts = report.alerts
    if isinstance(alerts, NotAvailable):
        lines.append(f"alerts       not available: {alerts.reason}")
    else:
        lines.append(
            f"alerts       delay median {_f(alerts.delay_s.median, 1)} s, "
            f"p90 {_f(alerts.delay_s.p90, 1)} s "
            f"({alerts.true_violations_alerted} of {alerts.true_violations} true violations)"
        )
    complaints = report.complaints
    if isinstance(complaints, NotAvailable):
        lines.append(f"complaints   not available: {complaints.reason}")
    else:
        parties = ", ".join(f"{party} {_f(c.accuracy)}" for party, c in complaints.by_party.items())
        lines.append(
            f"complaints   accuracy {_f(complaints.accuracy)} of {complaints.complaints} "
            f"(of decided {_f(complaints.accuracy_decided)}), unverifiable "
            f"{_f(complaints.unverifiable_share)}; by party {parties}"
        )
    return "\n".join(lines)
