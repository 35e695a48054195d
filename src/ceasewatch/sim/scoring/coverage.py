"""What the run says about coverage and how fast it alerted, against the truth.

**Coverage error.** The run's ``coverage.jsonl`` (sensor × hour ``available``, the truth's
shape) is joined to the truth's on (sensor, hour). The sensor-hour error is the mean absolute
difference over the joined sensor-hours. A sector-hour's availability is the mean over the
joined sensors standing in that sector (by the registry's positions and the agreement's
sectors) in that hour, on each side; the sector-hour error is the mean absolute difference of
those means; ``max_abs_error`` (overall and per sector) is the largest of those differences.

**Time to alert.** For each true-positive violation with an alert, the delay from the truth
happening's time ``t`` to the run's earliest ``t_alert`` for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.time import NS_PER_S
from ceasewatch.sim.scoring.report import NotAvailable, Spread
from ceasewatch.sim.scoring.run import Alert, Violation
from ceasewatch.sim.scoring.truth import CoverageRow, Happening

NO_SECTOR = "(no sector)"


@dataclass(frozen=True)
class SectorCoverage:
    sector_hours: int
    mean_abs_error: float | None
    mean_abs_error_by_sector: dict[str, float]
    max_abs_error: float | None = None
    max_abs_error_by_sector: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CoverageScore:
    truth_sensor_hours: int
    run_sensor_hours: int
    joined_sensor_hours: int
    missing_in_run: int
    mean_abs_error: float | None  # per sensor-hour
    truth_mean_available: float | None
    run_mean_available: float | None
    sectors: SectorCoverage | NotAvailable


@dataclass(frozen=True)
class AlertScore:
    alerts: int
    true_violations: int
    true_violations_alerted: int
    alerts_on_other_violations: int  # alerts for run violations that are not true positives
    delay_s: Spread
    alerts_before_happening: int


def score_coverage(
    truth: Sequence[CoverageRow] | None,
    run: Sequence[CoverageRow] | None,
    sensors: Mapping[str, tuple[float, float]] | None,
    agreement: Agreement,
) -> CoverageScore | NotAvailable:
    if run is None:
        return NotAvailable("the run has no coverage.jsonl")
    if truth is None:
        return NotAvailable("the truth has no coverage.jsonl")
    real = {(r.sensor_id, r.hour): r.available for r in truth}
    said = {(r.sensor_id, r.hour): r.available for r in run}
    joined = sorted(set(real) & set(said))
    if not joined:
        return NotAvailable(
            "no sensor-hour of the run's coverage.jsonl is in the truth's: "
            "write the same sensor ids and hours"
        )
    errors = np.array([abs(real[k] - said[k]) for k in joined])
    return CoverageScore(
        truth_sensor_hours=len(real),
        run_sensor_hours=len(said),
        joined_sensor_hours=len(joined),
        missing_in_run=len(set(real) - set(said)),
        mean_abs_error=float(errors.mean()),
        truth_mean_available=float(np.mean([real[k] for k in joined])),
        run_mean_available=float(np.mean([said[k] for k in joined])),
        sectors=_sectors(joined, real, said, sensors, agreement),
    )


def sector_of_sensors(
    sensors: Mapping[str, tuple[float, float]], agreement: Agreement
) -> dict[str, str]:
    """Each sensor's sector id (the first sector containing it), or ``(no sector)``."""
    ids = sorted(sensors)
    lon = np.array([sensors[i][0] for i in ids])
    lat = np.array([sensors[i][1] for i in ids])
    found = np.full(len(ids), NO_SECTOR, dtype=object)
    for sector in reversed(agreement.sectors):
        found[shapely.contains_xy(sector.area, lon, lat)] = str(sector.id)
    return dict(zip(ids, found.tolist(), strict=True))


def _sectors(
    joined: list[tuple[str, int]],
    real: Mapping[tuple[str, int], float],
    said: Mapping[tuple[str, int], float],
    sensors: Mapping[str, tuple[float, float]] | None,
    agreement: Agreement,
) -> SectorCoverage | NotAvailable:
    if sensors is None:
        return NotAvailable("no sensors.geojson beside the truth folder to place the sensors")
    unplaced = sorted({s for s, _ in joined} - set(sensors))
    if unplaced:
        return NotAvailable(f"sensors not in sensors.geojson: {', '.join(unplaced[:5])}")
    sector = sector_of_sensors(sensors, agreement)
    cells: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for key in joined:
        cells[(sector[key[0]], key[1])].append((real[key], said[key]))
    by_sector: dict[str, list[float]] = defaultdict(list)
    for (name, _), values in cells.items():
        pair = np.array(values)
        by_sector[name].append(abs(float(pair[:, 0].mean() - pair[:, 1].mean())))
    everything = [e for errors in by_sector.values() for e in errors]
    return SectorCoverage(
        sector_hours=len(cells),
        mean_abs_error=float(np.mean(everything)),
        mean_abs_error_by_sector={k: float(np.mean(v)) for k, v in sorted(by_sector.items())},
        max_abs_error=float(np.max(everything)),
        max_abs_error_by_sector={k: float(np.max(v)) for k, v in sorted(by_sector.items())},
    )


def score_alerts(
    alerts: Sequence[Alert] | None,
    matched: Sequence[tuple[Violation, Happening]],
) -> AlertScore | NotAvailable:
    if alerts is None:
        return NotAvailable("the run has no alerts.jsonl")
    first: dict[str, int] = {}
    for alert in alerts:
        first[alert.violation_id] = min(
            first.get(alert.violation_id, alert.t_alert_ns), alert.t_alert_ns
        )
    true_ids = {v.violation_id for v, _ in matched}
    delays = [
        (first[v.violation_id] - h.t_ns) / NS_PER_S for v, h in matched if v.violation_id in first
    ]
    return AlertScore(
        alerts=len(alerts),
        true_violations=len(matched),
        true_violations_alerted=len(delays),
        alerts_on_other_violations=sum(1 for a in alerts if a.violation_id not in true_ids),
        delay_s=Spread.of(delays),
        alerts_before_happening=sum(1 for d in delays if d < 0),
    )
