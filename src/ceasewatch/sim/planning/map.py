"""A plan on one A4 landscape page: the line coloured by the probability that three acoustic
sensors hear an explosion there, weak stretches highlighted and numbered, the sensors by kind,
radar sectors and drone routes, the sectors named; beside it a colour bar, the legend, the
per-sector table and the weak stretches.

It reuses the agreement map's projection, page, frame (graticule, scale bar, north arrow),
basemap, label placement and styles, so that it reads like the other maps of the project.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import LineString

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import LocalProjection, geodesic_forward
from ceasewatch.model.places import Gazetteer
from ceasewatch.report.figure_file import figure_format, save_figure
from ceasewatch.report.map_frame import (
    View,
    draw_graticule,
    draw_north_arrow,
    draw_scale_bar,
    fit_view,
    scale_bar_km,
)
from ceasewatch.report.map_labels import place_labels, place_places
from ceasewatch.report.map_layers import (
    BASEMAP_CREDIT,
    PLACES_CREDIT,
    Kind,
    basemap_layers,
    map_layers,
    map_projection,
    reference_places,
)
from ceasewatch.report.map_page import FIGURE_SIZE_IN, Page, footer, layout, title_block
from ceasewatch.report.map_placer import LabelPlacer
from ceasewatch.report.map_style import BACKGROUND, BASEMAP_EDGE, LAND, PARTY, fill, stroke
from ceasewatch.sim.base import Deployment, SensorKind
from ceasewatch.sim.planning.panel import draw_panel
from ceasewatch.sim.planning.plan import Plan

P3_BOUNDS = (0.0, 0.5, 0.9, 0.99, 1.0)
P3_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#0072B2")  # Okabe–Ito: weak is warm
CMAP = ListedColormap(P3_COLOURS)
NORM = BoundaryNorm(P3_BOUNDS, CMAP.N)
HIGHLIGHT = "#F0E442"
ACOUSTIC = "#333333"
RADAR = "#5E3C99"
DRONE = "#009E73"
OBSERVER = "#CC79A7"
MARGIN_M = 25_000.0
WEAK_NUMBERED = 8


def render_plan_map(
    agreement: Agreement,
    deployment: Deployment,
    plan: Plan,
    out: Path,
    *,
    gazetteer: Gazetteer | None = None,
    dpi: int = 150,
) -> Path:
    """Draw ``plan`` to ``out`` (.png or .svg, by suffix) and return the path written."""
    figure_format(out)  # before drawing: a bad name fails at once
    figure = _draw(agreement, deployment, plan, gazetteer or Gazetteer.default())
    return save_figure(figure, Path(out), salt=agreement.digest, dpi=dpi)


def _draw(agreement: Agreement, deployment: Deployment, plan: Plan, gazetteer: Gazetteer) -> Figure:
    figure = Figure(figsize=FIGURE_SIZE_IN, dpi=100)
    renderer = FigureCanvasAgg(figure).get_renderer()
    page = layout(agreement)
    projection = map_projection(agreement)
    layers = [
        (ly, projection.geometry_to_xy(ly.geometry))
        for ly in map_layers(agreement, projection)
        if ly.kind in (Kind.PARTY, Kind.SECTOR, Kind.LINE)
    ]
    ax = figure.add_axes(page.map_rect)
    view = _frame(ax, page, plan, deployment, projection)
    credits = []
    for oblast in basemap_layers(view.lonlat_polygon(projection)):
        xy = projection.geometry_to_xy(oblast)
        fill(ax, xy, 1, facecolor=LAND, edgecolor="none")
        stroke(ax, xy, 2.5, colors=BASEMAP_EDGE, linewidths=0.4)
        if BASEMAP_CREDIT not in credits:
            credits.append(BASEMAP_CREDIT)
    for layer, xy in layers:
        if layer.kind is Kind.PARTY:
            colour = PARTY[layer.rank % len(PARTY)]
            fill(ax, xy, 2, facecolor=to_rgba(colour, 0.1), edgecolor=to_rgba(colour, 0.5), lw=0.5)
        elif layer.kind is Kind.SECTOR:
            stroke(ax, xy, 5, colors="#707070", linewidths=0.5, linestyles=(0, (4.0, 3.0)))
    _draw_sensors(ax, deployment, projection)
    segments, values = _line_segments(plan, projection)
    ax.add_collection(
        LineCollection(segments, colors="#111111", linewidths=3.6, capstyle="round", zorder=11),
        autolim=False,
    )
    ax.add_collection(
        LineCollection(segments, array=values, cmap=CMAP, norm=NORM, linewidths=2.4, zorder=12),
        autolim=False,
    )
    weak_points = _draw_weak(ax, plan, projection)
    draw_graticule(ax, view, projection)
    furniture = [draw_scale_bar(ax, view, projection), draw_north_arrow(ax, view, projection)]
    placer = LabelPlacer(ax, renderer, [xy for ly, xy in layers if ly.kind is Kind.LINE])
    for artist in furniture:
        placer.block(artist)
    _number_weak(placer, weak_points)
    place_labels(placer, view, [(ly, xy) for ly, xy in layers if ly.kind is Kind.SECTOR])
    towns = reference_places(gazetteer, view.inset(0.03).lonlat_polygon(projection), 30)
    if place_places(placer, ax, towns, projection, 10):
        credits.append(PLACES_CREDIT)
    draw_panel(
        figure, renderer, page, plan, deployment, _legend(deployment, plan), (CMAP, NORM, P3_BOUNDS)
    )
    title = f"Sensor plan — {deployment.name} deployment on {agreement.id}: where the network sees"
    title_block(figure, agreement, title)
    _, scale_y, _, _ = scale_bar_km(view, projection)
    footer(
        figure, agreement, credits, projection, float(projection.to_lonlat(view.x0, scale_y)[1][0])
    )
    return figure


def _frame(
    ax: Axes, page: Page, plan: Plan, deployment: Deployment, projection: LocalProjection
) -> View:
    """Fit the view to the line and the sensors near it (satellites excluded)."""
    lon = [plan.lon.ravel()]
    lat = [plan.lat.ravel()]
    near = [s for s in deployment.sensors if s.kind is not SensorKind.SATELLITE]
    lon.append(np.array([s.lon for s in near]))
    lat.append(np.array([s.lat for s in near]))
    x, y = projection.to_xy(np.concatenate(lon), np.concatenate(lat))
    line_x, line_y = projection.to_xy(plan.lon.ravel(), plan.lat.ravel())
    # Sensors far from every line (a base abroad) do not stretch the view beyond 150 km.
    x0, x1 = max(x.min(), line_x.min() - 150e3), min(x.max(), line_x.max() + 150e3)
    y0, y1 = max(y.min(), line_y.min() - 150e3), min(y.max(), line_y.max() + 150e3)
    # Room at the bottom for the scale bar, which sits in the lower left corner.
    room = 0.08 * (y1 - y0)
    bounds = (x0 - MARGIN_M, y0 - MARGIN_M - room, x1 + MARGIN_M, y1 + MARGIN_M)
    view = fit_view(bounds, page.map_aspect, 0.0)
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)
    ax.set_autoscale_on(False)
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(BACKGROUND)
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_zorder(40)
    return view


def _line_segments(plan: Plan, projection: LocalProjection) -> tuple[list[np.ndarray], np.ndarray]:
    """Segments between consecutive stations on the line (within a piece), with the mean
    P(≥3) of their two ends."""
    on = plan.on_line
    x, y = projection.to_xy(plan.lon[:, on], plan.lat[:, on])
    same = (np.diff(plan.line) == 0) & (np.diff(plan.piece) == 0)
    index = np.flatnonzero(same)
    segments = [np.array([[x[i], y[i]], [x[i + 1], y[i + 1]]]) for i in index]
    values = (plan.p3[index, on] + plan.p3[index + 1, on]) / 2.0
    return segments, values


def _draw_weak(ax: Axes, plan: Plan, projection: LocalProjection) -> list[tuple[float, float]]:
    """A highlighter stroke under each weak stretch; returns the middle of the numbered ones."""
    on = plan.on_line
    x, y = projection.to_xy(plan.lon[:, on], plan.lat[:, on])
    middles = []
    for number, stretch in enumerate(plan.weak_stretches):
        line = plan.line_ids.index(stretch.line_id)
        inside = np.flatnonzero(
            (plan.line == line)
            & (plan.chainage_m >= stretch.from_m)
            & (plan.chainage_m <= stretch.to_m)
        )
        if len(inside) == 0:
            continue
        path = np.column_stack([x[inside], y[inside]])
        if len(path) == 1:
            path = np.vstack([path, path])
        ax.add_collection(
            LineCollection(
                [path],
                colors=[to_rgba(HIGHLIGHT, 0.85)],
                linewidths=10,
                capstyle="round",
                zorder=10,
            ),
            autolim=False,
        )
        if number < WEAK_NUMBERED:
            middle = inside[len(inside) // 2]
            middles.append((float(x[middle]), float(y[middle])))
    return middles


def _number_weak(placer: LabelPlacer, points: list[tuple[float, float]]) -> None:
    around = [
        (dx * k, dy * k, "center", "center")
        for k in (9.0, 14.0, 20.0)
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
    ]
    for number, point in enumerate(points, start=1):
        placer.place(
            [point],
            str(number),
            around,  # type: ignore[arg-type]
            required=True,
            fontsize=8,
            fontweight="bold",
            color="#111111",
            zorder=31,
            bbox={"boxstyle": "circle,pad=0.2", "fc": HIGHLIGHT, "ec": "#111111", "lw": 0.6},
            arrowprops={
                "arrowstyle": "-",
                "lw": 0.6,
                "color": "#111111",
                "shrinkA": 0,
                "shrinkB": 0,
            },
        )


def _draw_sensors(ax: Axes, deployment: Deployment, projection: LocalProjection) -> None:
    radars = deployment.of_kind(SensorKind.RADAR)
    wedges = []
    for radar in radars:
        half = min(radar.sector_deg, 360.0) / 2.0
        azimuths = np.linspace(radar.azimuth_deg - half, radar.azimuth_deg + half, 24)
        lon, lat = geodesic_forward(radar.lon, radar.lat, azimuths, radar.range_m)
        x, y = projection.to_xy(np.r_[radar.lon, lon], np.r_[radar.lat, lat])
        wedges.append(np.column_stack([x, y]))
    if wedges:
        ax.add_collection(
            PolyCollection(
                wedges,
                facecolors=to_rgba(RADAR, 0.07),
                edgecolors=to_rgba(RADAR, 0.45),
                linewidths=0.5,
                zorder=6,
            ),
            autolim=False,
        )
    routes = []
    for drone in deployment.of_kind(SensorKind.UAV):
        if len(drone.route) >= 2:
            lon, lat = np.array(drone.route).T
            xy = projection.geometry_to_xy(LineString(np.column_stack([lon, lat])))
            routes.append(np.asarray(xy.coords))
    if routes:
        ax.add_collection(
            LineCollection(
                routes, colors=DRONE, linewidths=0.7, linestyles=(0, (3.0, 1.5)), zorder=7
            ),
            autolim=False,
        )
    for kind, marker, size, colour, z in (
        (SensorKind.ACOUSTIC, "o", 1.6, ACOUSTIC, 8),
        (SensorKind.OBSERVER, "D", 3.6, OBSERVER, 13),
        (SensorKind.RADAR, "^", 4.5, RADAR, 13),
        (SensorKind.CAMERA, "s", 3.0, DRONE, 13),
    ):
        sensors = deployment.of_kind(kind)
        if sensors:
            x, y = projection.to_xy([s.lon for s in sensors], [s.lat for s in sensors])
            ax.plot(x, y, marker, ms=size, mfc=colour, mec="white", mew=0.3, lw=0, zorder=z)


def _legend(deployment: Deployment, plan: Plan) -> list[tuple[object, str]]:
    """Legend entries for what the map shows (kinds absent from the deployment are left out)."""
    entries: list[tuple[bool, object, str]] = [
        (
            bool(deployment.of_kind(SensorKind.ACOUSTIC)),
            Line2D([], [], marker="o", ms=3.2, mfc=ACOUSTIC, mec="white", mew=0.3, lw=0),
            "Acoustic sensor",
        ),
        (
            bool(deployment.of_kind(SensorKind.RADAR)),
            (
                Patch(facecolor=to_rgba(RADAR, 0.07), edgecolor=to_rgba(RADAR, 0.45), lw=0.5),
                Line2D([], [], marker="^", ms=4.5, mfc=RADAR, mec="white", mew=0.3, lw=0),
            ),
            "Counter-battery radar and its sector",
        ),
        (
            bool(deployment.of_kind(SensorKind.UAV)),
            Line2D([], [], color=DRONE, lw=0.7, ls=(0, (3.0, 1.5))),
            "Drone patrol route",
        ),
        (
            bool(deployment.of_kind(SensorKind.CAMERA)),
            Line2D([], [], marker="s", ms=3.0, mfc=DRONE, mec="white", mew=0.3, lw=0),
            "Camera",
        ),
        (
            bool(deployment.of_kind(SensorKind.OBSERVER)),
            Line2D([], [], marker="D", ms=3.6, mfc=OBSERVER, mec="white", mew=0.3, lw=0),
            "Observer team",
        ),
        (
            bool(plan.weak_stretches),
            Line2D([], [], color=to_rgba(HIGHLIGHT, 0.85), lw=7),
            "Weak stretch: P(≥3) < 0.9 over 5 km or more (numbered)",
        ),
        (
            bool(plan.sector_ids),
            Line2D([], [], color="#707070", lw=0.5, ls=(0, (4.0, 3.0))),
            "Monitoring sector (named inside)",
        ),
    ]
    return [(symbol, text) for shown, symbol, text in entries if shown]
