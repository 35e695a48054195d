"""The side panel of a plan map: colour bar, legend, sensor counts, the per-sector table, the
weak stretches and a note on the model, top to bottom, each placed under the one before."""

from __future__ import annotations

import textwrap
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from ceasewatch.report.map_page import Page
from ceasewatch.sim.base import Deployment, SensorKind
from ceasewatch.sim.planning.plan import Plan
from ceasewatch.sim.planning.table import NONE, TOTAL

GAP = 0.018  # between blocks, in panel heights
KIND_WORDS = {
    "acoustic": ("acoustic sensor", "acoustic sensors"),
    "radar": ("radar", "radars"),
    "uav": ("drone", "drones"),
    "camera": ("camera", "cameras"),
    "satellite": ("satellite", "satellites"),
    "observer": ("observer team", "observer teams"),
}
MODEL_NOTE = (
    "Model: a sensor hears an explosion with a probability falling with distance (half its "
    "p_detect at 0.75 × its range); P(≥3) is exact for independent sensors. The error is the "
    "Cramér–Rao bound of time-difference-of-arrival location with the origin time unknown "
    "(343 m/s, each sensor's timing noise): a lower bound that ignores clock skews and "
    "wrong associations."
)


def draw_panel(
    figure: Figure,
    renderer: RendererBase,
    page: Page,
    plan: Plan,
    deployment: Deployment,
    legend: list[tuple[Any, str]],
    scale: tuple[Any, Any, tuple[float, ...]],
) -> Axes:
    panel = figure.add_axes(page.panel_rect)
    panel.axis("off")
    y = 1.0
    y = _text(panel, renderer, y, "Acoustic coverage of the line", size=8.5, weight="bold")
    y = _colour_bar(figure, panel, renderer, page, y, scale)
    handles = panel.legend(
        [h for h, _ in legend],
        [textwrap.fill(t, 44, subsequent_indent="  ") for _, t in legend],
        loc="upper left",
        bbox_to_anchor=(0.0, y),
        borderaxespad=0.0,
        frameon=False,
        fontsize=6.5,
        handlelength=2.6,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)},
        labelspacing=0.45,
    )
    y = _below(panel, renderer, handles) - GAP
    y = _text(panel, renderer, y, textwrap.fill(_counts(deployment), 58), size=6.5)
    y = _text(panel, renderer, y - GAP, _table(plan), size=6.0, family="monospace")
    weak = _weak_lines(plan)
    for shown in range(len(weak), 0, -1):  # as many weak stretches as leave room for the note
        text = panel.text(
            0.0,
            y - GAP,
            "\n".join(weak[:shown]),
            fontsize=6.0,
            va="top",
            transform=panel.transAxes,
            linespacing=1.3,
        )
        note = panel.text(
            0.0,
            _below(panel, renderer, text) - GAP,
            textwrap.fill(MODEL_NOTE, 62),
            fontsize=5.6,
            va="top",
            color="#444444",
            transform=panel.transAxes,
            linespacing=1.3,
        )
        if _below(panel, renderer, note) >= 0.0 or shown == 1:
            break
        text.remove()
        note.remove()
    return panel


def _text(panel: Axes, renderer: RendererBase, y: float, text: str, **style: Any) -> float:
    size = style.pop("size", 7.0)
    artist = panel.text(
        0.0, y, text, fontsize=size, va="top", transform=panel.transAxes, linespacing=1.3, **style
    )
    return _below(panel, renderer, artist) - GAP / 2


def _below(panel: Axes, renderer: RendererBase, artist: Any) -> float:
    """Panel y (0 at the bottom, 1 at the top) of the lower edge of an artist."""
    bottom = artist.get_window_extent(renderer).y0
    return float(panel.transAxes.inverted().transform((0.0, bottom))[1])


def _colour_bar(
    figure: Figure,
    panel: Axes,
    renderer: RendererBase,
    page: Page,
    y: float,
    scale: tuple[Any, Any, tuple[float, ...]],
) -> float:
    cmap, norm, bounds = scale
    left, bottom, width, height = page.panel_rect
    bar_height = 0.016
    top = bottom + height * y - 0.004
    ax = figure.add_axes((left, top - bar_height, width * 0.82, bar_height))
    bar = Colorbar(ax, ScalarMappable(norm=norm, cmap=cmap), orientation="horizontal")
    bar.set_ticks(list(bounds), labels=[f"{b:g}" for b in bounds])
    bar.ax.tick_params(labelsize=6.5, length=2, width=0.5)
    bar.outline.set_linewidth(0.5)  # type: ignore[operator]
    label = ax.text(
        0.0,
        -2.0,
        "P(at least 3 acoustic sensors hear an explosion there)",
        fontsize=6.5,
        va="top",
        transform=ax.transAxes,
    )
    return _below(panel, renderer, label) - GAP


def _counts(deployment: Deployment) -> str:
    parts = []
    for kind in SensorKind:
        n = len(deployment.of_kind(kind))
        if n:
            one, many = KIND_WORDS[str(kind)]
            parts.append(f"{n} {one if n == 1 else many}")
    satellites = (
        " Satellites see the whole map." if deployment.of_kind(SensorKind.SATELLITE) else ""
    )
    return f"Deployment {deployment.name!r}: " + ", ".join(parts) + "." + satellites


def _table(plan: Plan) -> str:
    def share(value: object) -> str:
        return f"{100 * float(value):.0f}%"  # type: ignore[arg-type]

    def metres(value: object) -> str:
        number = float(value)  # type: ignore[arg-type]
        if number == float("inf"):
            return "none"
        return f"{number:.0f}" if number < 1000 else f"{number / 1000:.1f}k"

    widths = (13, 5, 6, 5, 6, 6, 6)
    titles = ("sector", "km", "P(≥3)", "≥0.9", "err50", "radar", "drone")
    rows = [
        "".join(
            t.rjust(w) if i else t.ljust(w)
            for i, (t, w) in enumerate(zip(titles, widths, strict=True))
        )
    ]
    for row in plan.table():
        name = str(row["name"]) if row["sector"] not in (NONE, TOTAL) else "all"
        cells = (
            name[:12],
            f"{float(row['line_km']):.0f}",  # type: ignore[arg-type]
            f"{float(row['p3_mean']):.2f}",  # type: ignore[arg-type]
            share(row["p3_good_share"]),
            metres(row["error95_median_m"]),
            share(row["radar_share"]),
            share(row["drone_share"]),
        )
        rows.append(
            "".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    rows.insert(-1, "-" * len(rows[0]))
    return "\n".join(rows) + "\n(err50: median 95 % location error on the line, m)"


def _weak_lines(plan: Plan) -> list[str]:
    stretches = plan.weak_stretches
    if not stretches:
        return ["No weak stretch: P(≥3) ≥ 0.9 all along the line (or dips under 5 km)."]
    total_km = sum(s.length_m for s in stretches) / 1000
    lines = [f"Weak stretches: {len(stretches)}, {total_km:,.0f} km; the longest:"]
    for number, s in enumerate(stretches[:8], start=1):
        place = s.place or s.sector
        lines.append(
            f"{number}  km {s.from_m / 1000:,.0f}–{s.to_m / 1000:,.0f} ({s.length_m / 1000:.0f} km)"
            f" {place[:30]}, P {s.p3_mean:.2f}"
        )
    return lines
