"""Report events against sensor incidents: corroborates, contradicts, no coverage."""

from __future__ import annotations

from datetime import UTC, datetime

from ceasewatch.fusion.report_corroboration import SensorIncident, corroborate


class FixedCoverage:
    def __init__(self, share: float) -> None:
        self.share = share

    def observed(self, lon: float, lat: float, t_start_s: float, t_end_s: float) -> float:
        return self.share


def _s(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


EVENT = {"event_id": "rev-1", "category": "explosion/impact", "position": [37.80, 48.50],
         "t_start": "2025-03-01T00:00:00Z", "t_end": "2025-03-01T23:59:59Z"}  # fmt: skip


def incident(kind: str = "impact", lon: float = 37.85, day: str = "2025-03-01") -> SensorIncident:
    t = _s(f"{day}T10:00:00")
    return SensorIncident("in-1", kind, t, t + 5, lon, 48.50, 300.0)


def test_a_compatible_incident_in_place_and_time_corroborates() -> None:
    (finding,) = corroborate([EVENT], [incident()], FixedCoverage(0.0))
    assert (finding.status, finding.incident_ids) == ("corroborates", ("in-1",))


def test_nothing_heard_where_sensors_watched_contradicts() -> None:
    far = incident(lon=38.5)  # ~50 km east
    other_day = incident(day="2025-03-03")
    wrong_kind = incident(kind="presence")
    (finding,) = corroborate([EVENT], [far, other_day, wrong_kind], FixedCoverage(0.95))
    assert finding.status == "contradicts" and finding.observed == 0.95


def test_nothing_heard_without_coverage_is_no_coverage() -> None:
    (finding,) = corroborate([EVENT], [], FixedCoverage(0.3))
    assert finding.status == "no_coverage"


def test_claims_sensors_cannot_see_are_not_checkable() -> None:
    event = dict(EVENT, category="other")
    (finding,) = corroborate([event], [incident()], FixedCoverage(1.0))
    assert finding.status == "not_checkable"
