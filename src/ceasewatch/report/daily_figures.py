"""The report's pictures as PNG bytes: a map (areas, line, zones, sectors shaded by what could
be observed, violations coloured by most likely party — or, in the public edition, only counts
per sector) and a trend plot of violations per hour by party.

Drawn with matplotlib's object API from the layers of :mod:`.map_layers` and the styles of
:mod:`.map_style`, like the agreement map; no web tiles, no network.
"""

from __future__ import annotations

import io
from collections import defaultdict

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.time import format_ns
from ceasewatch.report.daily_types import Record
from ceasewatch.report.map_coverage import draw_line_coverage, measured_km
from ceasewatch.report.map_frame import draw_scale_bar, fit_view
from ceasewatch.report.map_layers import Kind, Layer, basemap_layers, map_layers, map_projection
from ceasewatch.report.map_style import (
    BACKGROUND,
    BASEMAP_EDGE,
    LAND,
    PARTY,
    Symbol,
    draw_layer,
    fill,
    stroke,
)

UNKNOWN_COLOUR = "#555555"
SHADE = {"partly observed": "#f0c000", "not observable": "#7f7f7f", "coverage unknown": "#bbbbbb"}
DRAWN = (Kind.PARTY, Kind.BAND_ZONE, Kind.AREA_ZONE, Kind.SITE, Kind.LINE)


def party_colours(record: Record) -> dict[str, str]:
    colours = {pid: PARTY[i % len(PARTY)] for i, (pid, _) in enumerate(record.parties)}
    colours["unknown"] = UNKNOWN_COLOUR
    return colours


def map_png(record: Record, agreement: Agreement, *, dpi: int = 110) -> bytes:
    """The map of ``record`` (any edition) as PNG bytes."""
    figure, _ax = map_figure(record, agreement, dpi=dpi)
    return _png(figure, dpi)


def map_figure(record: Record, agreement: Agreement, *, dpi: int = 110) -> tuple[Figure, Axes]:
    """The map of ``record`` drawn on a new figure; the axes' data are projected metres
    (:func:`.map_layers.map_projection`)."""
    figure = Figure(figsize=(10.0, 6.4), dpi=dpi)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.01, 0.01, 0.98, 0.98))
    projection = map_projection(agreement)
    layers = [
        (ly, projection.geometry_to_xy(ly.geometry)) for ly in map_layers(agreement, projection)
    ]
    line = [xy for ly, xy in layers if ly.kind is Kind.LINE]
    bounds = line[0].bounds if line else layers[0][1].bounds
    view = fit_view(bounds, 0.98 * 10.0 / (0.98 * 6.4), margin=0.06)
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)
    ax.set_autoscale_on(False)
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(BACKGROUND)
    ax.set_xticks([])
    ax.set_yticks([])
    for oblast in basemap_layers(view.lonlat_polygon(projection)):
        xy = projection.geometry_to_xy(oblast)
        fill(ax, xy, 1, facecolor=LAND, edgecolor="none")
        stroke(ax, xy, 2.5, colors=BASEMAP_EDGE, linewidths=0.4)
    for layer, xy in layers:
        if layer.kind in DRAWN:
            draw_layer(ax, layer, xy)
    entries: list[tuple[Symbol, str]] = [
        (h, str(h.get_label())) for h in _sectors(ax, record, layers)
    ]
    coverage = draw_line_coverage(ax, record.line_coverage, projection)
    colours = party_colours(record)
    if record.points:
        lon = np.array([p.lon for p in record.points])
        lat = np.array([p.lat for p in record.points])
        x, y = projection.to_xy(lon, lat)
        for party, colour in colours.items():
            mask = np.array([p.party == party for p in record.points])
            if mask.any():
                ax.scatter(x[mask], y[mask], s=12, c=colour, edgecolors="black", linewidths=0.25,
                           zorder=30, label=None)  # fmt: skip
                entries.append((Line2D([], [], ls="", marker="o", mfc=colour, mec="black",
                                       mew=0.3), f"violation, most likely {party}"))  # fmt: skip
    else:
        entries.append((Patch(facecolor="white", edgecolor="black", lw=0.5),
                        "number: violations in the sector"))  # fmt: skip
    plain = Line2D([], [], color="#111111", lw=2.0)
    if not coverage:
        entries.append((plain, "line of contact"))
    elif measured_km(record.line_coverage) < sum(ln.length_m for ln in agreement.lines) / 1000 - 1:
        entries.append((plain, "line of contact, coverage not measured"))
    entries += coverage
    for i, (pid, name) in enumerate(record.parties):
        patch = Patch(facecolor=PARTY[i % len(PARTY)], alpha=0.3)
        entries.append((patch, f"held by {pid} ({name})"))
    draw_scale_bar(ax, view, projection)
    ax.legend([symbol for symbol, _ in entries], [text for _, text in entries], loc="lower right",
              fontsize=7, framealpha=0.92)  # fmt: skip
    return figure, ax


def _sectors(ax: Axes, record: Record, layers: list[tuple[Layer, BaseGeometry]]) -> list[Artist]:
    """Shade sectors by their coverage reading; write each sector's count inside it."""
    lines = {s.sector: s for s in record.sectors}
    used: set[str] = set()
    for layer, xy in layers:
        if layer.kind is not Kind.SECTOR:
            continue
        sector = lines.get(layer.key.removeprefix("sector/"))
        if sector is None:
            continue
        shade = SHADE.get(sector.reading)
        if shade:
            fill(ax, xy, 3, facecolor=shade, alpha=0.35, edgecolor="none", hatch="//")
            used.add(sector.reading)
        stroke(ax, xy, 4, colors="#505050", linewidths=0.6, linestyles=(0, (4, 3)))
        if sector.violations or sector.reading != "no line here":
            at = xy.representative_point()
            text = f"{sector.name}\n{sector.violations:,}"
            ax.text(at.x, at.y, text, fontsize=7, ha="center", va="center", zorder=35,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#505050", "lw": 0.4,
                          "alpha": 0.85}, clip_on=True)  # fmt: skip
    handles: list[Artist] = [
        Patch(facecolor=SHADE[r], alpha=0.35, hatch="//", label=f"sector {r}") for r in sorted(used)
    ]
    return handles


def trend_png(record: Record, *, dpi: int = 110) -> bytes:
    """Violations per hour (or day, for long periods) by most likely party, stacked bars."""
    figure = Figure(figsize=(10.0, 3.0), dpi=dpi)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.07, 0.2, 0.9, 0.66))
    bin_ns = record.trend_bin_s * 10**9
    bins = np.arange(record.start_ns, record.end_ns, bin_ns)
    by_party: dict[str, dict[int, int]] = defaultdict(dict)
    for t, party, n in record.trend:
        by_party[party][t] = n
    bottom = np.zeros(len(bins))
    colours = party_colours(record)
    for party in [pid for pid, _ in record.parties] + ["unknown"]:
        counts = np.array([by_party.get(party, {}).get(int(t), 0) for t in bins])
        if counts.any():
            ax.bar(np.arange(len(bins)), counts, bottom=bottom, color=colours[party], width=0.85,
                   label=f"most likely {party}")  # fmt: skip
            bottom += counts
    step = max(1, len(bins) // 12)
    ticks = np.arange(0, len(bins), step)
    hourly = record.trend_bin_s < 86_400
    labels = [format_ns(int(bins[i]), 0) for i in ticks]
    ax.set_xticks(ticks, [t[11:16] if hourly else t[:10] for t in labels], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 of a violation
    ax.set_ylabel("violations per " + ("hour" if hourly else "day"), fontsize=8)
    ax.set_xlabel("UTC", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if bottom.any():
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3)
    return _png(figure, dpi)


def _png(figure: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
