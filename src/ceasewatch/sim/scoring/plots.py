"""The two plots of a score: the attribution reliability diagram and the location error along
the line. Both are A4 wide (8.27 in) with type sized for print; colours are Okabe–Ito and
every series also differs by marker, so a grey print still reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ceasewatch.sim.scoring.attribution import AttributionScore
from ceasewatch.sim.scoring.line import AlongLine
from ceasewatch.sim.scoring.location import LocationScore
from ceasewatch.sim.scoring.report import NotAvailable

WIDTH_IN = 8.27
BLUE, ORANGE, VERMILION, GREY, INK = "#0072B2", "#E69F00", "#D55E00", "#8C8C8C", "#222222"
BAND = ("#EDEDED", "#FFFFFF")
FEW = 10  # bins with fewer forecasts are drawn faintly


def save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=150, metadata={"Software": None})
    return path


def _placeholder(title: str, reason: str) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, 2.0))
    figure.text(0.04, 0.72, title, fontsize=12, fontweight="bold")
    figure.text(0.04, 0.40, f"Not available: {reason}.", fontsize=10, color=INK)
    return figure


def calibration_figure(attribution: AttributionScore | NotAvailable) -> Figure:
    """Reliability diagram: observed frequency against mean predicted probability per bin,
    with the diagonal, the gap to it, and the number of forecasts in each bin below."""
    title = "Attribution calibration"
    if isinstance(attribution, NotAvailable):
        return _placeholder(title, attribution.reason)
    figure = Figure(figsize=(WIDTH_IN, 7.6))
    grid = figure.add_gridspec(
        2, 1, height_ratios=(3.2, 1.0), hspace=0.08, left=0.1, right=0.97, top=0.79, bottom=0.08
    )
    ax = figure.add_subplot(grid[0])
    counts_ax = figure.add_subplot(grid[1], sharex=ax)
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", linewidth=1.2, label="perfect calibration")
    filled = [b for b in attribution.bins if b.forecasts]
    for b in filled:
        few = b.forecasts < FEW
        predicted, observed = b.mean_predicted or 0.0, b.observed or 0.0
        ax.bar(
            (b.low + b.high) / 2,
            observed,
            width=(b.high - b.low) * 0.92,
            color=BLUE,
            alpha=0.08 if few else 0.22,
            edgecolor=BLUE,
            linewidth=0.6,
            linestyle=":" if few else "-",
        )
        ax.plot(
            [predicted, predicted],
            [predicted, observed],
            color=VERMILION,
            linewidth=1.4,
            zorder=2,
        )
        if few:
            ax.annotate(
                f"only {b.forecasts}",
                (predicted, observed),
                xytext=(7, -3),
                textcoords="offset points",
                fontsize=7,
                color=INK,
            )
    ax.plot(
        [b.mean_predicted or 0.0 for b in filled],
        [b.observed or 0.0 for b in filled],
        marker="o",
        color=BLUE,
        linewidth=1.6,
        markersize=6,
        label="observed share per bin (at the bin's mean forecast)",
    )
    ax.plot([], [], color=VERMILION, linewidth=1.4, label="gap to the diagonal")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("observed share: that party was responsible", fontsize=9)
    ax.tick_params(labelsize=8, labelbottom=False)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    _bin_counts(counts_ax, attribution)
    ece = "n/a" if attribution.ece is None else f"{attribution.ece:.3f}"
    accuracy = "n/a" if attribution.accuracy is None else f"{attribution.accuracy:.3f}"
    figure.text(0.1, 0.958, title, fontsize=13, fontweight="bold")
    figure.text(
        0.1,
        0.922,
        f"ECE {ece} (10 bins, weighted by count) · most likely party right in {accuracy} "
        f"of {attribution.violations:,} true violations",
        fontsize=9,
    )
    figure.text(
        0.1,
        0.868,
        "Each violation gives one forecast per party: the probability it assigned to that party.\n"
        "Dots below the diagonal are over-confident, above it under-confident.",
        fontsize=8,
        color="#555555",
        linespacing=1.5,
    )
    return figure


def _bin_counts(ax: Axes, attribution: AttributionScore) -> None:
    centres = [(b.low + b.high) / 2 for b in attribution.bins]
    heights = [b.forecasts for b in attribution.bins]
    ax.bar(centres, heights, width=0.092, color=ORANGE, edgecolor=INK, linewidth=0.4)
    for centre, height in zip(centres, heights, strict=True):
        if height:
            ax.text(centre, height, f"{height:,}", ha="center", va="bottom", fontsize=7)
    nonzero = [h for h in heights if h]
    if max(nonzero) > 50 * min(nonzero):
        ax.set_yscale("log")
        ax.set_ylim(0.5, max(nonzero) * 6)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    else:
        ax.set_ylim(0, max(nonzero) * 1.3)
    ax.set_ylabel("forecasts\nin bin", fontsize=9)
    ax.set_xlabel("forecast: probability that the party was responsible", fontsize=9)
    ax.set_xticks(np.linspace(0, 1, 11))
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3, axis="y")


def errors_figure(
    along: AlongLine | None, location: LocationScore | NotAvailable, agreement: str
) -> Figure:
    """Location error of true positives against km along the line; missed sources below."""
    title = "Location error along the line"
    if along is None:
        return _placeholder(title, f"{agreement} has no line")
    figure = Figure(figsize=(WIDTH_IN, 5.4))
    grid = figure.add_gridspec(
        2, 1, height_ratios=(4.0, 0.75), hspace=0.06, left=0.1, right=0.97, top=0.8, bottom=0.11
    )
    ax = figure.add_subplot(grid[0])
    rug = figure.add_subplot(grid[1], sharex=ax)
    length = along.length_km
    _sectors(ax, rug, along)
    found_km = np.asarray(along.found_km)
    error = np.maximum(np.asarray(along.found_error_m), 0.1)
    if error.size:
        ax.scatter(
            found_km,
            error,
            s=9,
            color=BLUE,
            alpha=0.55,
            linewidths=0,
            zorder=3,
            label=f"found ({error.size:,} true positives)",
        )
        _running_median(ax, found_km, error, length)
        ax.set_yscale("log")
        ax.set_ylim(max(0.1, error.min() / 2), error.max() * 2)
        plain_numbers = FuncFormatter(_plain_number)
        ax.yaxis.set_major_formatter(plain_numbers)
        if error.max() / error.min() < 100:
            ax.yaxis.set_minor_formatter(plain_numbers)
    else:
        ax.text(0.5, 0.5, "no true positives", transform=ax.transAxes, ha="center", color=INK)
    if not isinstance(location, NotAvailable) and location.error_m.median is not None:
        ax.axhline(
            location.error_m.median,
            color=VERMILION,
            linestyle=":",
            linewidth=1.2,
            label=f"overall median {location.error_m.median:,.0f} m",
            zorder=4,
        )
    ax.set_xlim(0, length)
    ax.set_ylabel("location error (m, log scale)", fontsize=9)
    ax.tick_params(which="both", labelsize=8, labelbottom=False)
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="lower left", fontsize=7.5, ncol=3, frameon=True, framealpha=0.9)
    _missed(rug, along)
    start = f"{_degrees(along.start[0], 'E', 'W')}, {_degrees(along.start[1], 'N', 'S')}"
    rug.set_xlabel(f"km along “{along.line_name}” from its end at {start}", fontsize=9)
    rug.tick_params(labelsize=8)
    figure.text(0.1, 0.95, f"{title} ({agreement})", fontsize=13, fontweight="bold")
    summary = "no true positives"
    if not isinstance(location, NotAvailable):
        spread = location.error_m
        summary = (
            f"{spread.n:,} found: median {spread.median:,.0f} m, p90 {spread.p90:,.0f} m, "
            f"max {spread.max:,.0f} m"
        )
    figure.text(0.1, 0.91, f"{summary} · {len(along.missed_km):,} truth sources missed", fontsize=9)
    figure.text(
        0.1,
        0.875,
        "Each dot is a found event at its true place along the line (sectors shaded); "
        "ticks below mark the sources no event found.",
        fontsize=8,
        color="#555555",
    )
    return figure


def _plain_number(value: float, _position: object = None) -> str:
    """Log-axis labels as plain numbers; minor ticks only at 2, 3 and 5 times a power of 10."""
    if value <= 0:
        return ""
    leading = round(value / 10 ** np.floor(np.log10(value)), 6)
    if leading not in (1, 2, 3, 5):
        return ""
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):.2f}° {positive if value >= 0 else negative}"


def _sectors(ax: Axes, rug: Axes, along: AlongLine) -> None:
    """Shade each sector's stretches of the line (one shade per sector, alternating in order
    of appearance), and name each sector once, over its longest stretch, where there is room."""
    shade: dict[str, str] = {}
    for span in along.sectors:
        shade.setdefault(span.sector_id, BAND[len(shade) % 2])
        for axis in (ax, rug):
            axis.axvspan(span.start_km, span.end_km, color=shade[span.sector_id], zorder=0, lw=0)
            axis.axvline(span.start_km, color="#C8C8C8", linewidth=0.6, zorder=1)
    longest: dict[str, tuple[float, float, str]] = {}
    for span in along.sectors:
        width = span.end_km - span.start_km
        if width > longest.get(span.sector_id, (0.0, 0.0, ""))[0] - 0.0:
            longest[span.sector_id] = (width, (span.start_km + span.end_km) / 2, span.name)
    km_per_char = along.length_km / (ax.get_position().width * WIDTH_IN * 72 / (7 * 0.6))
    taken: list[tuple[float, float]] = []
    for _, centre, name in sorted(longest.values(), key=lambda item: -item[0]):
        half = len(name) * km_per_char / 2 + along.length_km / 200
        if any(centre - half < right and left < centre + half for left, right in taken):
            continue
        taken.append((centre - half, centre + half))
        ax.text(
            centre,
            1.012,
            name,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7,
            color="#444444",
        )


def _running_median(ax: Axes, km: np.ndarray, error: np.ndarray, length: float) -> None:
    """Median error in windows of 1/25 of the line, where a window holds 5 or more events."""
    edges = np.linspace(0, length, 26)
    centres, medians = [], []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (km >= low) & (km < high)
        if inside.sum() >= 5:
            centres.append((low + high) / 2)
            medians.append(float(np.median(error[inside])))
    if centres:
        ax.plot(
            centres,
            medians,
            color=INK,
            linewidth=1.6,
            marker="s",
            markersize=3.5,
            zorder=5,
            label=f"median per {length / 25:,.0f} km",
        )


def _missed(rug: Axes, along: AlongLine) -> None:
    km = np.asarray(along.missed_km)
    detectable = np.asarray(along.missed_detectable, dtype=bool)
    for mask, y, colour in ((detectable, 1.0, VERMILION), (~detectable, 0.0, GREY)):
        rug.scatter(
            km[mask] if km.size else [],
            np.full(int(mask.sum()), y),
            marker="|",
            s=60,
            color=colour,
            linewidths=1.0,
        )
        rug.text(
            1.0,
            y,
            f" {int(mask.sum()):,}",
            transform=rug.get_yaxis_transform(),
            va="center",
            fontsize=7,
            color=colour,
        )
    rug.set_yticks([1.0, 0.0], ["missed,\ndetectable", "missed, not\ndetectable"], fontsize=7)
    rug.set_ylim(-0.6, 1.6)
    rug.grid(False)
