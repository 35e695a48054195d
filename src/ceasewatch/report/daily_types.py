"""The report record: everything one daily or period report says, before any edition removes
anything. Small frozen dataclasses with tuples, so an edition is a new value made with
:func:`dataclasses.replace`, never an edited copy.
"""

from __future__ import annotations

from dataclasses import dataclass

Counts = tuple[tuple[str, int], ...]  # (key, count), in display order


@dataclass(frozen=True)
class SectorLine:
    """One sector: its count beside what could be observed there."""

    sector: str
    name: str
    violations: int
    by_party: Counts
    reading: str  # observed | partly observed | not observable | no line here | coverage unknown
    line_observable: float | None
    sensors_available: float | None
    blind_hours: int
    statement: str  # the coverage statement in words: what was not observable and why


@dataclass(frozen=True)
class Incident:
    """One notable matter: the high- or critical-severity violations of one escalation cluster
    (300 rounds of one duel are one paragraph)."""

    key: str  # the cluster id, or the violation id of a violation on no cluster
    t_first_ns: int
    t_last_ns: int
    count: int
    category: str
    severity: str
    sector: str
    party: str  # the most likely responsible party (or "unknown")
    p_party: float  # its mean probability over the group
    p_occurred: float  # the lowest over the group
    concerns: tuple[str, ...]  # parties with responsibility ≥ 0.05 in any member
    text_place: str  # the paragraph with place-relative wording
    text_sector: str  # the same paragraph naming only the sector
    escalation: str
    reasons: tuple[str, ...]  # evidence summary: the reasons of the responsibility finding
    violation_ids: tuple[str, ...]
    evidence_ids: tuple[str, ...]
    positions: tuple[tuple[float, float], ...]  # lon, lat of each member


@dataclass(frozen=True)
class Point:
    """One violation on the map and in the trend plot."""

    t_ns: int
    lon: float
    lat: float
    party: str
    concerns: tuple[str, ...]
    sector: str


@dataclass(frozen=True)
class ComplaintLine:
    complaint_id: str
    party: str
    alleged_party: str
    category: str
    outcome: str
    late: bool
    t_submitted: str
    reason: str  # the first reason of the answer
    violation_ids: tuple[str, ...]


@dataclass(frozen=True)
class PartyComplaints:
    """A party's complaints: submitted in the window, or to date (``scope``)."""

    party: str
    scope: str  # "in this report" | "to date"
    submitted: int
    corroborated: int
    contradicted: int
    unverifiable: int
    duplicate: int
    late: int
    accurate_share: float | None


@dataclass(frozen=True)
class LineSegmentCoverage:
    """One 10 km stretch of the main line (``coverage-line.jsonl``) with the share of it that
    fire-detecting sensors could observe, the mean over the report's hours that have a row."""

    stretch: int  # k: km [10 k, 10 k + 10) of the main line
    from_km: float
    to_km: float
    vertices: tuple[tuple[float, float], ...]  # lon, lat along the line, from from_km to to_km
    observable: float  # 0–1, the mean "fire" share
    hours: int  # hours of the window the mean is over


@dataclass(frozen=True)
class Record:
    """One report for a day or period, in the coordination cell's full edition."""

    number: str
    title: str
    edition: str
    agreement: str  # "ua-2026 version 1"
    agreement_digest: str
    parties: tuple[tuple[str, str], ...]  # (id, name)
    start_ns: int
    end_ns: int
    cutoff_ns: int
    checkpoint: str | None
    summary: tuple[str, ...]
    sectors: tuple[SectorLine, ...]
    by_category: Counts
    by_party: Counts
    by_severity: Counts
    trend_bin_s: int
    trend: tuple[tuple[int, str, int], ...]  # (bin start ns, party, count)
    incidents: tuple[Incident, ...]
    incidents_left_out: int  # notable matters beyond the report's limit
    points: tuple[Point, ...]
    complaints: tuple[ComplaintLine, ...]
    complaint_records: tuple[PartyComplaints, ...]
    escalation: tuple[str, ...]
    coverage_window: str
    scale: tuple[str, ...]
    sources: tuple[str, ...]
    after_cutoff: int  # violations of the window stated after the cut-off (next report)
    line_coverage: tuple[LineSegmentCoverage, ...] = ()  # empty: unknown, or left out (editions)
