"""Open-source reports beside the verdicts: do the sensors bear out what the news says?

The log's ``open-reports`` records (news-event reports, e.g. VIINA through ``ceasewatch reports
viina``) are collapsed into distinct events (:func:`~ceasewatch.fusion.report_dedup.
distinct_events`, with the gazetteer's places) and each event is checked against the run's fused
incidents and the sensors' coverage (:func:`~ceasewatch.fusion.report_corroboration.corroborate`):
it *corroborates* when a compatible incident lies in its place and window, *contradicts* when
the sensors watched at least 80 % of that place and window and found nothing, and otherwise has
*no coverage*; claims sensors cannot see are *not checkable*.

The checks are beside the verdicts, never in them: news reports neither raise nor lower a
violation's probability, and the verdict digest does not cover them (ADR 0015). An analyst reads
them in ``report-checks.jsonl``: a contradicted report is a question for the reporting side or
the sensors, a corroborated one names the incidents it matches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ceasewatch.adjudication.coverage_line import Coverage
from ceasewatch.fusion.report_corroboration import (
    Finding,
    SensorIncident,
    Settings,
    corroborate,
)
from ceasewatch.fusion.report_dedup import distinct_events
from ceasewatch.fusion.report_places import PlaceIndex
from ceasewatch.model.geo import Uncertainty
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import NS_PER_S, parse_ns

STATUSES = ("corroborates", "contradicts", "no_coverage", "not_checkable")


@dataclass(frozen=True)
class ReportChecks:
    """The distinct events of the open-source reports, and each one's finding."""

    reports: int
    events: tuple[Mapping[str, Any], ...]
    findings: tuple[Finding, ...]
    sources: Mapping[str, str] = field(default_factory=dict)  # report id → who published it

    def counts(self) -> dict[str, int]:
        counted = Counter(f.status for f in self.findings)
        return {status: counted.get(status, 0) for status in STATUSES}

    def rows(self) -> list[dict[str, Any]]:
        """``report-checks.jsonl``: each event with its finding."""
        return [
            {
                **event,
                "sources": sorted(
                    {self.sources.get(str(i), "") for i in event["report_ids"]} - {""}
                ),  # fmt: skip
                "status": finding.status,
                "incident_ids": list(finding.incident_ids),
                "observed": None if finding.observed is None else round(finding.observed, 3),
                "reason": finding.reason,
            }
            for event, finding in zip(self.events, self.findings, strict=True)
        ]

    def text(self) -> str:
        counts = self.counts()
        return (
            f"open-source reports: {self.reports:,} became {len(self.events):,} distinct events; "
            f"{counts['corroborates']:,} corroborated by the sensors, "
            f"{counts['contradicts']:,} contradicted (watched, nothing found), "
            f"{counts['no_coverage']:,} without coverage, "
            f"{counts['not_checkable']:,} not checkable by sensors"
        )


class _Watched:
    """The run's coverage as the share of a report's place and window the sensors watched."""

    def __init__(self, coverage: Coverage | None, radius_m: float) -> None:
        self._coverage, self._radius_m = coverage, radius_m

    def observed(self, lon: float, lat: float, t_start_s: float, t_end_s: float) -> float:
        if self._coverage is None:
            return 0.0
        start, end = int(t_start_s * NS_PER_S), int(t_end_s * NS_PER_S)
        return self._coverage.observable(lon, lat, self._radius_m, start, end)


def sensor_incident(incident: Mapping[str, Any]) -> SensorIncident:
    """An incident record (``incidents_json``) as the corroboration reads it."""
    ellipse = incident["ellipse"]
    sigma = Uncertainty.from_ellipse(
        float(ellipse["semi_major_m"]), float(ellipse["semi_minor_m"]),
        float(ellipse["azimuth_deg"]), float(ellipse.get("p", 0.95)),
    ).sigma_major_m  # fmt: skip
    lon, lat = (float(v) for v in incident["position"])
    return SensorIncident(
        str(incident["incident_id"]),
        str(incident["kind"]),
        parse_ns(str(incident["t_start"])) / NS_PER_S,
        parse_ns(str(incident["t_end"])) / NS_PER_S,
        lon,
        lat,
        sigma,
    )


def check_open_reports(
    reports: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
    coverage: Coverage | None,
    gazetteer: Gazetteer,
    settings: Settings | None = None,
) -> ReportChecks:
    """Collapse ``reports`` into distinct events and check each against the incidents."""
    events = distinct_events(list(reports), places=PlaceIndex.from_gazetteer(gazetteer))
    settings = settings or Settings()
    watched = _Watched(coverage, settings.place_radius_m)
    sensed = [sensor_incident(i) for i in incidents]
    findings = corroborate(events, sensed, watched, settings)
    sources = {str(r["report_id"]): str(r.get("source") or "") for r in reports}
    return ReportChecks(len(reports), tuple(events), tuple(findings), sources)
