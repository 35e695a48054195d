"""An agreement on one A4 landscape page: areas, line, bands, withdrawal lines, zones, sites,
hubs and sectors, with a legend, a scale bar, a graticule and the data sources.

Drawn with matplotlib's object API (``Figure`` + Agg canvas), never pyplot, so rendering leaves
no global state behind and needs no display. The geometry comes from :mod:`.map_layers`, the
looks from :mod:`.map_style`, the frame and label placement from :mod:`.map_frame` and
:mod:`.map_labels`, the page around the map from :mod:`.map_page`.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import LocalProjection
from ceasewatch.model.places import Gazetteer
from ceasewatch.report.figure_file import FORMATS, figure_format, save_figure
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
    Layer,
    basemap_layers,
    map_layers,
    map_projection,
    reference_places,
)
from ceasewatch.report.map_page import (
    FIGURE_SIZE_IN,
    Page,
    footer,
    layout,
    legend_panel,
    title_block,
)
from ceasewatch.report.map_placer import LabelPlacer
from ceasewatch.report.map_style import (
    BACKGROUND,
    BASEMAP_EDGE,
    LAND,
    LINE_WIDTH_PT,
    Symbol,
    basemap_symbol,
    draw_layer,
    fill,
    mark_speck,
    place_symbol,
    stroke,
)

__all__ = ["FIGURE_SIZE_IN", "FORMATS", "render_agreement_map"]


PLACES_SHOWN = 12
SPECK_PT = 6.0  # an area zone smaller than this on paper also gets a square marker
REGULATED: tuple[Kind, ...] = (Kind.LINE, Kind.BAND_ZONE, Kind.WITHDRAWAL, Kind.AREA_ZONE)
REGULATED += (Kind.SITE_RADIUS, Kind.SITE, Kind.HUB, Kind.SECTOR)
WHOLE_AREAS_UP_TO = 2.5
"""Show the parties' whole areas if that enlarges the view at most this many times."""

Layers = list[tuple[Layer, BaseGeometry]]  # each layer with its geometry in the projection
Legend = list[tuple[Kind, Symbol, str]]  # legend entries: kind, symbol, text


def render_agreement_map(
    agreement: Agreement,
    out: Path,
    *,
    gazetteer: Gazetteer | None = None,
    title: str | None = None,
    dpi: int = 150,
) -> Path:
    """Draw ``agreement`` to ``out`` (.png or .svg) and return the path written.

    ``gazetteer`` supplies the reference towns (default: the built-in settlements of Ukraine,
    of which only those inside the map are shown); ``title`` replaces the agreement's title.
    The parent folder is created if needed. The agreement is only read.
    """
    figure_format(out)  # before drawing: a bad name fails at once
    figure = _draw(agreement, gazetteer, title)
    return save_figure(figure, Path(out), salt=agreement.digest, dpi=dpi)


def _draw(agreement: Agreement, gazetteer: Gazetteer | None, title: str | None) -> Figure:
    figure = Figure(figsize=FIGURE_SIZE_IN, dpi=100)
    renderer = FigureCanvasAgg(figure).get_renderer()
    page = layout(agreement)
    projection = map_projection(agreement)
    layers = [
        (ly, projection.geometry_to_xy(ly.geometry)) for ly in map_layers(agreement, projection)
    ]
    ax = figure.add_axes(page.map_rect)
    view = _frame(ax, page, layers)
    credits: list[str] = []
    basemap = _draw_basemap(ax, view, projection)
    if basemap:
        credits.append(BASEMAP_CREDIT)
    entries = _draw_layers(ax, view, page, layers)
    draw_graticule(ax, view, projection)
    furniture = [draw_scale_bar(ax, view, projection), draw_north_arrow(ax, view, projection)]
    placer = _placer(ax, renderer, layers, furniture)
    place_labels(placer, view, layers)
    inner = view.inset(0.03).lonlat_polygon(projection)  # no town hugging the frame
    towns = reference_places(gazetteer or Gazetteer.default(), inner, 3 * PLACES_SHOWN)
    if place_places(placer, ax, towns, projection, PLACES_SHOWN):
        credits.append(PLACES_CREDIT)
        entries.append((Kind.HUB, place_symbol(), "Reference towns (largest in view; GeoNames)"))
    if basemap:
        after = max((i + 1 for i, (k, _, _) in enumerate(entries) if k is Kind.PARTY), default=0)
        entries.insert(after, (Kind.PARTY, basemap_symbol(), "Oblasts of Ukraine (basemap)"))
    legend_panel(figure, renderer, page, [(s, t) for _, s, t in entries], agreement.notes)
    title_block(figure, agreement, title)
    _, scale_y, _, _ = scale_bar_km(view, projection)
    scale_lat = float(projection.to_lonlat(view.x0, scale_y)[1][0])
    footer(figure, agreement, credits, projection, scale_lat)
    return figure


def _frame(ax: Axes, page: Page, layers: Layers) -> View:
    """Fit the view to what the agreement regulates, and to the parties' whole areas if they
    are not much larger (a short line in a large country is shown close up)."""
    regulated = [xy for layer, xy in layers if layer.kind in REGULATED and not xy.is_empty]
    areas = [xy for layer, xy in layers if layer.kind is Kind.PARTY and not xy.is_empty]
    bounds = _bounds(regulated or areas)
    if regulated and areas:
        whole = _bounds(regulated + areas)
        if _area(whole) <= WHOLE_AREAS_UP_TO * _area(bounds):
            bounds = whole
    view = fit_view(bounds, page.map_aspect)
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)
    ax.set_autoscale_on(False)  # nothing drawn later may move the view
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(BACKGROUND)
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_zorder(40)
    return view


def _bounds(geometries: list[BaseGeometry]) -> tuple[float, float, float, float]:
    if not geometries:
        return (-1e5, -1e5, 1e5, 1e5)
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geometries))
    return (x0, y0, x1, y1)


def _area(bounds: tuple[float, float, float, float]) -> float:
    return max(bounds[2] - bounds[0], 1.0) * max(bounds[3] - bounds[1], 1.0)


def _draw_basemap(ax: Axes, view: View, projection: LocalProjection) -> bool:
    """The oblasts of Ukraine under everything, where they reach into the view."""
    oblasts = basemap_layers(view.lonlat_polygon(projection))
    for oblast in oblasts:
        xy = projection.geometry_to_xy(oblast)
        fill(ax, xy, 1, facecolor=LAND, edgecolor="none")
        stroke(ax, xy, 2.5, colors=BASEMAP_EDGE, linewidths=0.4)
    return bool(oblasts)


def _draw_layers(ax: Axes, view: View, page: Page, layers: Layers) -> Legend:
    """Draw every layer; return the legend entries in drawing order."""
    entries: Legend = []
    points_per_m = page.points_per_unit(view.width)
    for layer, xy in layers:
        if layer.kind is Kind.HUB_RING and not xy.intersects(view.box):
            continue  # a ring far larger than the view, or outside it
        symbol = draw_layer(ax, layer, xy)
        if layer.kind is Kind.AREA_ZONE and _size(xy) * points_per_m < SPECK_PT:
            mark_speck(ax, layer, xy)
        if symbol is None or not layer.legend:
            continue
        text = layer.legend
        if layer.kind is Kind.BAND_ZONE and layer.width_m * points_per_m < LINE_WIDTH_PT:
            text += " — too narrow to show at this scale"
        entries.append((layer.kind, symbol, text))
    return entries


def _size(geometry: BaseGeometry) -> float:
    x0, y0, x1, y1 = geometry.bounds
    return max(x1 - x0, y1 - y0)


def _placer(
    ax: Axes, renderer: RendererBase, layers: Layers, furniture: list[Artist]
) -> LabelPlacer:
    """A label placer that keeps labels off the line, the markers and the scale bar."""
    placer = LabelPlacer(ax, renderer, [xy for layer, xy in layers if layer.kind is Kind.LINE])
    for layer, xy in layers:
        if layer.kind in (Kind.SITE, Kind.HUB):
            placer.block_point(xy.x, xy.y, 5.0)
    for artist in furniture:
        placer.block(artist)
    return placer
