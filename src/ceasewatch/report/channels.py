"""The real-world channels report: ground that changed hands on the control maps, excess fire
seen by satellite, and open-source news reports — one section each, with its picture, its
headline figures, what it can and cannot show, and its source credited.

A pure renderer: it takes the figures (:class:`Channels`) and PNG bytes, and returns HTML; the
PDF is made from the same HTML by :func:`ceasewatch.report.daily_render.render_pdf` (the daily
report's CSS and its local-only fetcher).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from ceasewatch import __version__
from ceasewatch.errors import InputError
from ceasewatch.report.channels_template import TEMPLATE
from ceasewatch.report.daily_render import render_pdf
from ceasewatch.report.daily_template import CSS
from ceasewatch.report.map_layers import BASEMAP_CREDIT, PLACES_CREDIT

LINE_CREDIT = "DeepStateMap via cyterat/deepstate-map-data"
FIRE_CREDIT = "NASA FIRMS / LANCE"
REPORTS_CREDIT = "VIINA 2.0 (Zhukov & Ayers), ODbL 1.0"
CREDITS = (LINE_CREDIT, FIRE_CREDIT, REPORTS_CREDIT)
SOURCES = (
    f"Control maps: {LINE_CREDIT} (no explicit open-data licence; attribute DeepStateMap, "
    "monitoring and research use).",
    f"Fire detections: {FIRE_CREDIT} (open data; cite NASA FIRMS).",
    f"News-event reports: {REPORTS_CREDIT}, https://github.com/zhukovyuri/VIINA; what is "
    "derived from them (open-reports.jsonl, events.jsonl) is shared under the same licence.",
    BASEMAP_CREDIT + "; " + PLACES_CREDIT + "; maps and plots drawn with matplotlib.",
)


@dataclass(frozen=True)
class ChangeRow:
    """One area that changed hands, as the table prints it."""

    change_id: str
    party_gained: str
    area_km2: float
    place: str  # "3 km SE of Pokrovsk", "" when no settlement is near
    oblast: str
    depth_km: float


@dataclass(frozen=True)
class LineChannel:
    """Ground that changed hands between two control maps."""

    t_from: str  # "2025-12-01"
    t_to: str
    gained_km2: tuple[tuple[str, float], ...]  # (party, area of its reported gains)
    net_km2: float  # occupier gains minus the other party's, reported changes only
    residual_km2: float  # slivers and pieces under min_area_km2
    min_area_km2: float
    changes: tuple[ChangeRow, ...]  # every reported change, largest first
    map_png: bytes


@dataclass(frozen=True)
class FireChannel:
    """Excess fire of one year scored against a baseline year, near the line and elsewhere."""

    baseline: str  # "2021"
    year: str  # "2022"
    threshold: float  # p_excess at or above which a cell-day is in excess
    within_km: float  # "near the line"
    line_label: str  # which line splits near from elsewhere
    near_cell_days: int  # cell-days with fire within within_km of the line
    near_excess: int
    far_cell_days: int
    far_excess: int
    map_png: bytes
    series_png: bytes
    line_of_year: bool = False  # the line splitting near from elsewhere is the scored year's
    days_raised: int = 0  # days the baseline was raised by the control area's burning
    factor_max: float = 1.0  # the largest such factor

    @property
    def cell_days(self) -> int:
        return self.near_cell_days + self.far_cell_days

    @property
    def excess(self) -> int:
        return self.near_excess + self.far_excess


@dataclass(frozen=True)
class ReportsChannel:
    """One month of news-event reports collapsed into distinct events."""

    month: str  # "2025-08"
    raw: int
    distinct: int
    rejected: int
    by_type: tuple[tuple[str, int, int], ...]  # (category, raw reports, distinct events)
    findings: tuple[tuple[str, int], ...]  # corroboration status → events
    incidents: int  # sensor incidents the events were checked against


@dataclass(frozen=True)
class Channels:
    line: LineChannel
    fire: FireChannel
    reports: ReportsChannel


def share(part: int, whole: int) -> str:
    """'8.2%' of a count, '—' when the whole is empty."""
    return "—" if whole == 0 else f"{100.0 * part / whole:.1f}%"


def render_channels_html(channels: Channels) -> str:
    """The channels report as one self-contained HTML document."""
    from jinja2 import Environment

    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(TEMPLATE).render(
        c=channels,
        css=CSS,
        share=share,
        line_map_uri=_data_uri(channels.line.map_png),
        fire_map_uri=_data_uri(channels.fire.map_png),
        fire_series_uri=_data_uri(channels.fire.series_png),
        credits=CREDITS,
        sources=SOURCES,
        version=__version__,
    )


def write_channels(channels: Channels, out: Path) -> tuple[Path, Path]:
    """Write channels.html and channels.pdf into ``out``; return both paths."""
    html = render_channels_html(channels)
    pdf = render_pdf(html)
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path, pdf_path = out / "channels.html", out / "channels.pdf"
        html_path.write_text(html, encoding="utf-8")
        pdf_path.write_bytes(pdf)
    except OSError as exc:
        raise InputError(
            f"{out}: cannot write the channels report ({exc}); choose a writable folder"
        ) from exc
    return html_path, pdf_path


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
