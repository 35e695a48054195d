"""The page around an agreement map: A4 landscape, title block, legend panel with the
agreement's notes, and a footer that credits every data source drawn."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from ceasewatch import __version__
from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import LocalProjection
from ceasewatch.report.map_layers import BASEMAP_CREDIT, PLACES_CREDIT
from ceasewatch.report.map_style import Symbol

FIGURE_SIZE_IN = (11.7, 8.3)
"""A4 landscape (297 × 210 mm), so a printout is at the scale the labels were sized for."""
LEFT, MAP_WIDTH, TOP = 0.06, 0.65, 0.875
PANEL_LEFT, PANEL_WIDTH = 0.735, 0.25
FOOTER_PT, FOOTER_CHARS, FOOTER_SPACING = 6.0, 215, 1.3
TICK_ROOM = 0.04  # between the footer and the map: the graticule's degree labels


@dataclass(frozen=True)
class Page:
    """Where the map and the legend panel go (fractions of the figure)."""

    map_rect: tuple[float, float, float, float]
    panel_rect: tuple[float, float, float, float]

    @property
    def map_aspect(self) -> float:
        """Width / height of the map on paper."""
        _, _, width, height = self.map_rect
        return (width * FIGURE_SIZE_IN[0]) / (height * FIGURE_SIZE_IN[1])

    def points_per_unit(self, view_width: float) -> float:
        """Points on paper per projected metre."""
        return self.map_rect[2] * FIGURE_SIZE_IN[0] * 72.0 / view_width


def layout(agreement: Agreement) -> Page:
    """Leave the footer room for every source (and the basemap and places credits)."""
    text = footer_text(agreement, [BASEMAP_CREDIT, PLACES_CREDIT], "Transverse Mercator", 0.0)
    lines = text.count("\n") + 1
    footer = 0.012 + lines * FOOTER_PT * FOOTER_SPACING / 72.0 / FIGURE_SIZE_IN[1]
    bottom = footer + TICK_ROOM
    return Page(
        (LEFT, bottom, MAP_WIDTH, TOP - bottom), (PANEL_LEFT, bottom, PANEL_WIDTH, TOP - bottom)
    )


def legend_panel(
    figure: Figure,
    renderer: RendererBase,
    page: Page,
    symbols: list[tuple[Symbol, str]],
    notes: tuple[str, ...],
) -> Axes:
    """The legend in the side panel; under it as many of the agreement's notes as fit."""
    panel = figure.add_axes(page.panel_rect)
    panel.axis("off")
    legend = panel.legend(
        [symbol for symbol, _ in symbols],
        [textwrap.fill(text, 46, subsequent_indent="  ") for _, text in symbols],
        loc="upper left",
        bbox_to_anchor=(0.0, 1.0),
        borderaxespad=0.0,
        frameon=False,
        fontsize=7,
        title="Legend",
        title_fontproperties={"size": 8.5, "weight": "bold"},
        alignment="left",
        handlelength=3.0,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)},
        labelspacing=0.7,
    )
    bottom = legend.get_window_extent(renderer).y0
    floor = panel.get_window_extent(renderer).y0
    y = panel.transAxes.inverted().transform((0, bottom))[1] - 0.03
    shown: list[str] = []
    for note in notes:
        text = textwrap.fill("• " + textwrap.shorten(note, 420, placeholder=" […]"), 56)
        trial = panel.text(
            0.0,
            y,
            "\n".join(["Notes", *shown, text]),
            fontsize=6.5,
            va="top",
            color="#333333",
            transform=panel.transAxes,
            linespacing=1.35,
        )
        fits = trial.get_window_extent(renderer).y0 >= floor
        trial.remove()
        if not fits:
            break
        shown.append(text)
    if shown:
        panel.text(
            0.0,
            y,
            "\n".join(["Notes", *shown]),
            fontsize=6.5,
            va="top",
            color="#333333",
            transform=panel.transAxes,
            linespacing=1.35,
        )
    return panel


def title_block(figure: Figure, agreement: Agreement, title: str | None) -> None:
    """Title; id, version and dates; the digest that identifies exactly this text."""
    heading = textwrap.shorten(title or agreement.title, 110, placeholder="…")
    figure.text(LEFT, 0.965, heading, fontsize=13, fontweight="bold", va="top")
    facts = [
        f"{agreement.id} version {agreement.version}",
        f"in force from {_date(agreement.effective_from)}",
    ]
    if agreement.signed:
        facts.append(f"signed {_date(agreement.signed)}")
    if agreement.supersedes:
        facts.append(f"supersedes version {agreement.supersedes.version}")
    figure.text(LEFT, 0.928, " · ".join(facts), fontsize=9, va="top")
    algorithm, _, hexdigest = agreement.digest.partition(":")
    short = f"{algorithm}:{hexdigest[:16]}…" if hexdigest else agreement.digest[:24]
    figure.text(
        LEFT, 0.905, f"digest {short}", fontsize=7.5, va="top", color="#555555", family="monospace"
    )


def _date(instant: datetime) -> str:
    if instant.hour == instant.minute == instant.second == 0:
        return instant.strftime("%Y-%m-%d")
    return instant.strftime("%Y-%m-%d %H:%M UTC")


def footer_text(agreement: Agreement, credits: list[str], projection: str, lat: float) -> str:
    parts = [f"Sources: {' '.join(agreement.sources)}" if agreement.sources else ""]
    if credits:
        joined = "; ".join(credits)
        parts.append(joined[0].upper() + joined[1:] + ".")
    parts.append(
        f"Projection: {projection or 'Lambert conformal conic'} fitted to the agreement; scale "
        f"bar measured on the WGS84 ellipsoid at {lat:.1f}°. Drawn by ceasewatch {__version__}."
    )
    return textwrap.fill(" ".join(p for p in parts if p), FOOTER_CHARS)


def footer(
    figure: Figure,
    agreement: Agreement,
    credits: list[str],
    projection: LocalProjection,
    scale_lat: float,
) -> None:
    kind = "Lambert conformal conic" if "+proj=lcc" in projection.proj4 else "Transverse Mercator"
    figure.text(
        LEFT,
        0.012,
        footer_text(agreement, credits, kind, scale_lat),
        fontsize=FOOTER_PT,
        va="bottom",
        color="#444444",
        linespacing=FOOTER_SPACING,
    )
