"""The three real-world channels over the shared data folder, each writing its files and
returning the figures the channels report prints: the control-map diff of the last two monthly
maps, excess fire of 2022 against 2021, and one month of VIINA news reports collapsed into
distinct events. :mod:`.real_data` runs them as the demo's last stage."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ceasewatch.errors import InputError

if TYPE_CHECKING:  # the renderers load matplotlib and WeasyPrint: only when a channel runs
    from ceasewatch.agreement import Agreement
    from ceasewatch.report.channels import FireChannel, LineChannel, ReportsChannel

MONTHLY = Path("loc/deepstate-occupied-monthly")
LINE_FILES = (
    MONTHLY / "deepstatemap_data_20251201.geojson",
    MONTHLY / "deepstatemap_data_20251231.geojson",
)
FIRE_FILES = (
    Path("firms/firms_ukraine_latlondate_2021.csv"),
    Path("firms/firms_ukraine_latlondate_2022.csv"),
)
REPORTS_FILE = Path("reports/viina/viina_incidents_202508.csv")
REPORTS_MONTH = "2025-08"
MIN_AREA_KM2 = 1.0
THRESHOLD = 0.99
WITHIN_KM = 10.0
CONTROL_KM = 50.0  # land this far from both lines measures the year's burning season


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read it ({exc}). Fix: restore the file from the shared data folder"
        ) from exc


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc}). Fix: choose a writable --out") from exc


def line_channel(data: Path, out: Path) -> LineChannel:
    """Ground that changed hands between the last two monthly control maps; writes
    line-changes.jsonl, line-changes.geojson and line-changes.png into ``out``."""
    from ceasewatch.agreement.line_diff import diff_control
    from ceasewatch.agreement.line_read import (
        change_feature,
        changes_collection,
        map_date,
        oblasts,
        read_occupied,
        ukraine,
    )
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.report.channels import ChangeRow, LineChannel
    from ceasewatch.report.line_map import draw_line_changes

    old_path, new_path = (data / name for name in LINE_FILES)
    old = read_occupied(_text(old_path), str(old_path))
    new = read_occupied(_text(new_path), str(new_path))
    regions = oblasts()
    diff = diff_control(
        old, new, t_from=map_date(old_path.name), t_to=map_date(new_path.name), mask=ukraine(),
        oblasts=regions, gazetteer=Gazetteer.default(), min_area_km2=MIN_AREA_KM2,
    )  # fmt: skip
    lines = [json.dumps(change_feature(c, diff), sort_keys=True) for c in diff.changes]
    _write(out / "line-changes.jsonl", "".join(f"{line}\n" for line in lines))
    _write(out / "line-changes.geojson", json.dumps(changes_collection(diff), sort_keys=True))
    picture = draw_line_changes(diff, old, new, regions, out / "line-changes.png")
    rows = tuple(
        ChangeRow(c.change_id, c.party_gained, c.area_km2, c.place, c.oblast, c.depth_m / 1e3)
        for c in diff.changes
    )
    return LineChannel(
        t_from=diff.t_from or old_path.name,
        t_to=diff.t_to or new_path.name,
        gained_km2=(
            (diff.occupier, diff.occupier_gained.reported_km2),
            (diff.other, diff.other_gained.reported_km2),
        ),
        net_km2=diff.net_km2,
        residual_km2=diff.residual_km2,
        min_area_km2=MIN_AREA_KM2,
        changes=rows,
        map_png=picture.read_bytes(),
    )


def fire_channel(data: Path, out: Path, agreement: Agreement) -> FireChannel:
    """Excess fire of 2022 against the 2021 baseline, near the 2022-04-03 line of contact and
    elsewhere, the baseline raised day by day where land far from the front (over
    :data:`CONTROL_KM` from both lines) burned more than in 2021; writes excess-fire.csv,
    excess-fire-map.png and excess-fire-series.png into ``out``."""
    import shapely

    from ceasewatch.agreement.front_line import SNAPSHOT_2022, front_from_snapshot
    from ceasewatch.agreement.line_read import ukraine
    from ceasewatch.fusion.excess_fire import cell_centres, detect, fit_baseline, near_line
    from ceasewatch.fusion.excess_fire_control import control_factor, land_cells, scaled
    from ceasewatch.fusion.fire_points import read_fire_points
    from ceasewatch.report.channels import FireChannel
    from ceasewatch.report.excess_fire import (
        MapLine,
        draw_excess_map,
        draw_excess_series,
        write_excess_csv,
    )

    base_path, year_path = (data / name for name in FIRE_FILES)
    base = read_fire_points(_text(base_path), str(base_path))
    scored = read_fire_points(_text(year_path), str(year_path))
    if len(base) == 0 or len(scored) == 0:
        raise InputError(f"{base_path}, {year_path}: no fire points. Fix: restore the FIRMS files")
    today = shapely.union_all([part.geometry for part in agreement.lines])
    snapshot = data / SNAPSHOT_2022
    if snapshot.is_file():  # the line of the scored year, not today's
        front, label = front_from_snapshot(_text(snapshot), str(snapshot)), "line of 2022-04-03"
    else:
        front, label = today, f"line of {agreement.label} (the 2022 snapshot is missing)"
    baseline = fit_baseline(base)
    lx, ly = land_cells(ukraine(), baseline.settings.cell_m)
    clon, clat = cell_centres(lx, ly, baseline.settings.cell_m)
    control = ~near_line(clon, clat, [front, today], CONTROL_KM * 1000.0)
    factor = control_factor(baseline, scored, lx[control], ly[control])
    cells = detect(scaled(baseline, factor), scored)
    near = near_line(cells.lon_deg, cells.lat_deg, [front], WITHIN_KM * 1000.0)
    flagged = cells.excess(THRESHOLD)
    write_excess_csv(out / "excess-fire.csv", cells, flagged, near)
    pairs = np.stack([cells.ix, cells.iy], axis=1)[flagged]
    _, where, days_per_cell = np.unique(pairs, axis=0, return_index=True, return_counts=True)
    draw_excess_map(
        out / "excess-fire-map.png",
        cells.lon_deg[flagged][where], cells.lat_deg[flagged][where], days_per_cell,
        [MapLine(label, front), MapLine(f"line of {agreement.label}", today)][
            : 1 if front is today else 2
        ],
        f"Excess fire cell-days (p_excess ≥ {THRESHOLD:g}), 2022 against 2021",
    )  # fmt: skip
    first = int(scored.day.min())
    span = int(scored.day.max()) - first + 1
    near_series = np.bincount(cells.day[flagged & near] - first, minlength=span).astype(float)
    far_series = np.bincount(cells.day[flagged & ~near] - first, minlength=span).astype(float)
    draw_excess_series(
        out / "excess-fire-series.png", np.arange(first, first + span), near_series,
        far_series, "Excess fire cells per day, 2022", near_label=f"within {WITHIN_KM:g} km",
    )  # fmt: skip
    return FireChannel(
        baseline="2021", year="2022", threshold=THRESHOLD, within_km=WITHIN_KM,
        line_label=label,
        line_of_year=front is not today,
        days_raised=int((factor > 1.0).sum()),
        factor_max=round(float(factor.max()), 2),
        near_cell_days=int(near.sum()), near_excess=int((flagged & near).sum()),
        far_cell_days=int((~near).sum()), far_excess=int((flagged & ~near).sum()),
        map_png=(out / "excess-fire-map.png").read_bytes(),
        series_png=(out / "excess-fire-series.png").read_bytes(),
    )  # fmt: skip


class _Unwatched:
    """The demo has no sensor record for 2025: every place and window was watched 0 %."""

    def observed(self, lon: float, lat: float, t_start_s: float, t_end_s: float) -> float:
        return 0.0


def reports_channel(data: Path, out: Path) -> ReportsChannel:
    """One month of VIINA reports → open-reports.jsonl, collapsed → events.jsonl, and checked
    against the (absent) sensor incidents of that month."""
    from ceasewatch.fusion.files import write_jsonl
    from ceasewatch.fusion.report_corroboration import corroborate
    from ceasewatch.fusion.report_dedup import distinct_events
    from ceasewatch.fusion.report_places import PlaceIndex
    from ceasewatch.ingest.viina import PlaceNames, read_files
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.report.channels import ReportsChannel

    gazetteer = Gazetteer.default()
    batch = read_files([data / REPORTS_FILE], PlaceNames(gazetteer))
    reports = [r for r in batch.reports if str(r["t_start"]).startswith(REPORTS_MONTH)]
    events = distinct_events(reports, places=PlaceIndex.from_gazetteer(gazetteer))
    write_jsonl(out / "open-reports.jsonl", reports)
    write_jsonl(out / "events.jsonl", events)
    raw_by = Counter(str(r["category"]) for r in reports)
    events_by = Counter(str(e["category"]) for e in events)
    findings = Counter(f.status for f in corroborate(events, [], _Unwatched()))
    return ReportsChannel(
        month=REPORTS_MONTH,
        raw=len(reports),
        distinct=len(events),
        rejected=len(batch.rejected),
        by_type=tuple((k, n, events_by.get(k, 0)) for k, n in raw_by.most_common()),
        findings=tuple(sorted(findings.items())),
        incidents=0,
    )
