"""A plan per sector: the numbers (:func:`sector_rows`) and the plain-text table a planner reads
(:func:`table_text`). Everything is measured on the line itself (offset 0), each station
weighted by the length of line it stands for, except ``p3_band_mean``, which averages P(≥3)
over every offset across the line."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ceasewatch.model.geo import FloatArray

if TYPE_CHECKING:
    from ceasewatch.sim.planning.plan import Plan

NONE = "(none)"
TOTAL = "(total)"
COLUMNS = (
    ("sector", "sector", 16),
    ("line_km", "line km", 8),
    ("p3_mean", "P(≥3)", 6),
    ("p3_good_share", "≥0.9", 5),
    ("p3_band_mean", "band", 5),
    ("error95_median_m", "err50", 7),
    ("error95_p90_m", "err90", 7),
    ("radar_share", "radar", 5),
    ("drone_share", "drone", 5),
    ("observer_share", "obs.", 5),
)


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """The smallest value below or at which a share ``q`` of the weight lies (infinite values
    count, so a median is infinite when more than half the line has no fix)."""
    if len(values) == 0 or float(np.sum(weights)) <= 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][min(int(np.searchsorted(cumulative, q - 1e-12)), len(order) - 1)])


def _row(plan: Plan, mask: NDArray[np.bool_], sector: str, name: str) -> dict[str, object]:
    w = plan.weight_m[mask]
    total = float(np.sum(w))
    on = plan.on_line

    def share(flags: NDArray[np.bool_]) -> float:
        return float(np.sum(w * flags[mask, on]) / total) if total > 0 else math.nan

    p3 = plan.p3[mask, on]
    error = plan.error95_m[mask, on]
    return {
        "sector": sector,
        "name": name,
        "line_km": total / 1000.0,
        "p3_mean": float(np.sum(w * p3) / total) if total > 0 else math.nan,
        "p3_good_share": float(np.sum(w * (p3 >= 0.9)) / total) if total > 0 else math.nan,
        "p3_band_mean": float(np.sum(w[:, None] * plan.p3[mask]) / (total * plan.p3.shape[1]))
        if total > 0
        else math.nan,
        "error95_median_m": weighted_quantile(error, w, 0.5),
        "error95_p90_m": weighted_quantile(error, w, 0.9),
        "radar_share": share(plan.radar),
        "drone_share": share(plan.drone),
        "observer_share": share(plan.observer),
    }


def sector_rows(plan: Plan) -> list[dict[str, object]]:
    """Sectors the line crosses (in the agreement's order), points in no sector (if the
    agreement has sectors), and the total."""
    rows = []
    for k, (ident, name) in enumerate(zip(plan.sector_ids, plan.sector_names, strict=True)):
        mask = plan.sector == k
        if np.any(mask):
            rows.append(_row(plan, mask, ident, name))
    outside = plan.sector < 0
    if np.any(outside) and plan.sector_ids:
        rows.append(_row(plan, outside, NONE, "outside every sector"))
    rows.append(_row(plan, np.ones(len(plan.sector), dtype=bool), TOTAL, "the whole line"))
    return rows


def _cell(key: str, value: object) -> str:
    if isinstance(value, str):
        return value
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return "–"
    if key.endswith("_m"):
        if math.isinf(number):
            return "no fix"
        return f"{number:,.0f} m" if number < 1000 else f"{number / 1000:,.1f} km"
    if key.endswith("_share"):
        return f"{100 * number:.0f}%"
    if key == "line_km":
        return f"{number:,.1f}"
    return f"{number:.2f}"


def table_text(plan: Plan, weak_shown: int = 8) -> str:
    counts = ", ".join(f"{n} {kind}" for kind, n in plan.counts) or "no sensors"
    across = ", ".join(f"{o / 1000:+g}" for o in plan.offsets_m if o != 0)
    lines = [
        f"Plan of {plan.deployment!r} on {plan.agreement}: {counts}.",
        f"Points every {plan.step_m / 1000:g} km along the line, and {across} km across it "
        f"({plan.sides_note}).",
        "P(≥3): probability that at least 3 acoustic sensors hear an explosion on the line; "
        "≥0.9: share of the line",
        "where it is at least 0.9; band: P(≥3) over the offsets too; err50/err90: median and "
        "90th percentile of the",
        "expected location error (semi-major axis of the 95 % Cramér–Rao ellipse of TDOA "
        "location; 'no fix' where",
        "P(≥3) < 0.5); radar, drone, obs.: share of the line inside a radar's sector, under a "
        "drone's patrol, in an",
        "observer team's hearing range.",
        "",
    ]
    header = "  ".join(
        title.rjust(width) if i else title.ljust(width)
        for i, (_, title, width) in enumerate(COLUMNS)
    )
    lines += [header, "-" * len(header)]
    for row in plan.table():
        label = str(row["name"]) if row["sector"] not in (NONE, TOTAL) else str(row["sector"])
        cells = [label[:16].ljust(16)]
        cells += [_cell(key, row[key]).rjust(width) for key, _, width in COLUMNS[1:]]
        if row["sector"] == TOTAL:
            lines.append("-" * len(header))
        lines.append("  ".join(cells))
    stretches = plan.weak_stretches
    lines.append("")
    if not stretches:
        lines.append("No stretch of 5 km or more has P(≥3) below 0.9.")
        return "\n".join(lines) + "\n"
    total_km = sum(s.length_m for s in stretches) / 1000.0
    lines.append(
        f"Weak stretches (P(≥3) < 0.9 over 5 km or more): {len(stretches)}, "
        f"{total_km:,.0f} km in all; the longest:"
    )
    for number, s in enumerate(stretches[:weak_shown], start=1):
        where = ", ".join(part for part in (s.sector, s.place) if part)
        lines.append(
            f"  {number}. {s.line_id} km {s.from_m / 1000:,.1f}–{s.to_m / 1000:,.1f} "
            f"({s.length_m / 1000:,.1f} km){', ' + where if where else ''}: "
            f"mean P(≥3) {s.p3_mean:.2f}"
        )
    return "\n".join(lines) + "\n"
