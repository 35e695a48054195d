"""``ceasewatch firms``: NASA FIRMS fire detections — excess fire over a seasonal baseline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer

from ceasewatch.errors import CeasewatchError, InputError

if TYPE_CHECKING:
    from ceasewatch.fusion.fire_points import FirePoints

firms_app = typer.Typer(
    help="NASA FIRMS fire detections: excess fire over a seasonal baseline.",
    no_args_is_help=True,
)


def _read(path: Path, what: str) -> FirePoints:
    from ceasewatch.fusion.fire_points import read_fire_points

    if not path.is_file():
        raise InputError(f"{path}: no such file; give the {what} as a FIRMS CSV file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; give the {what} as a FIRMS CSV file") from None
    return read_fire_points(text, str(path))


@firms_app.command("excess")
def excess(
    baseline: Annotated[Path, typer.Option(help="FIRMS CSV of the baseline year (e.g. 2021)")],
    year: Annotated[Path, typer.Option(help="FIRMS CSV of the year to score (e.g. 2022)")],
    threshold: Annotated[float, typer.Option(help="flag cell-days with p_excess ≥ this")] = 0.99,
    out: Annotated[Path, typer.Option(help="folder for the CSV and the two PNGs")] = Path(
        "excess-fire"
    ),
    line: Annotated[str, typer.Option(help="agreement whose line splits near/elsewhere")] = (
        "ua-2026"
    ),
    within_km: Annotated[float, typer.Option(help="'near the line' means within this")] = 10.0,
    quiet: Annotated[bool, typer.Option(help="no summary line")] = False,
) -> None:
    """Fit a seasonal baseline of fire per 10 km cell from one year of FIRMS points and score
    every cell-day of another year: count, expected count and the probability of excess. Writes
    excess-fire.csv, excess-fire-map.png and excess-fire-series.png into --out.

    Example: ceasewatch firms excess --baseline firms_2021.csv --year firms_2022.csv --out fire
    """
    from ceasewatch.commands.evidence import fail

    try:
        summary = _run(baseline, year, threshold, out, line, within_km)
    except CeasewatchError as error:
        fail(error)
        return
    if not quiet:
        print(summary, file=sys.stderr)


def _run(
    baseline: Path, year: Path, threshold: float, out: Path, line: str, within_km: float
) -> str:
    import shapely

    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.fusion.excess_fire import detect, fit_baseline, near_line
    from ceasewatch.report.excess_fire import (
        MapLine,
        draw_excess_map,
        draw_excess_series,
        write_excess_csv,
    )

    if not 0.5 <= threshold < 1.0:
        raise InputError(f"--threshold {threshold}: give a probability in [0.5, 1), e.g. 0.99")
    if within_km <= 0:
        raise InputError(f"--within-km {within_km}: give a positive distance, e.g. 10")
    base = _read(baseline, "baseline year")
    if len(base) == 0:
        raise InputError(f"{baseline}: no fire points; give a year of FIRMS points as baseline")
    years = np.unique(base.day.astype("datetime64[D]").astype("datetime64[Y]"))
    if len(years) > 1:
        raise InputError(
            f"{baseline}: the baseline spans {years[0]}–{years[-1]}; give exactly one year"
        )
    scored = _read(year, "year to score")
    agreement = resolve(line)
    lines = [part.geometry for part in agreement.lines]
    cells = detect(fit_baseline(base), scored)
    near = near_line(cells.lon_deg, cells.lat_deg, lines, within_km * 1000.0)
    flagged = cells.excess(threshold)
    out.mkdir(parents=True, exist_ok=True)
    write_excess_csv(out / "excess-fire.csv", cells, flagged, near)
    pairs = np.stack([cells.ix, cells.iy], axis=1)[flagged]
    _, where, days_per_cell = np.unique(pairs, axis=0, return_index=True, return_counts=True)
    draw_excess_map(
        out / "excess-fire-map.png",
        cells.lon_deg[flagged][where],
        cells.lat_deg[flagged][where],
        days_per_cell,
        [MapLine(f"line of {agreement.label}", shapely.union_all(lines))],
        f"Excess fire cell-days (p_excess ≥ {threshold:g}), {year.name} against {baseline.name}",
    )
    first = int(scored.day.min()) if len(scored) else 0
    span = (int(scored.day.max()) - first + 1) if len(scored) else 1
    day = np.arange(first, first + span)
    near_series = np.bincount(cells.day[flagged & near] - first, minlength=span).astype(float)
    far_series = np.bincount(cells.day[flagged & ~near] - first, minlength=span).astype(float)
    draw_excess_series(
        out / "excess-fire-series.png", day, near_series, far_series,
        f"Excess fire cells per day, {year.name}", near_label=f"within {within_km:g} km",
    )  # fmt: skip
    return (
        f"{len(cells)} cell-days with fire, {int(flagged.sum())} in excess "
        f"({int((flagged & near).sum())} within {within_km:g} km of the line); wrote {out}"
    )
