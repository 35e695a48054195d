"""The two plots of a score: the attribution reliability diagram and the location error along
the line. Both are A4 wide (8.27 in) with type sized for print; colours are Okabe–Ito and
every series also differs by marker, so a grey print still reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ceasewatch.sim.score_attribution import AttributionScore
from ceasewatch.sim.score_line import AlongLine
from ceasewatch.sim.score_location import LocationScore
from ceasewatch.sim.score_report import NotAvailable

WIDTH_IN = 8.27
BLUE, ORANGE, VERMILION, GREY, INK = "#0072B2", "#E69F00", "#D55E00", "#8C8C8C", "#222222"
BAND = ("#F2F2F2", "#FFFFFF")


def save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=150, metadata={"Software": None})
    return path


def _placeholder(title: str, reason: str) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, 2.0))
    figure.text(0.04, 0.72, title, fontsize=12, fontweight="bold")
    figure.text(0.04, 0.40, f"Not available: {reason}.", fontsize=10, color=INK)
    return figure


def calibration_figure(attribution: AttributionScore | NotAvailable) -> Figure:
    """Reliability diagram: observed frequency against mean predicted probability per bin."""
    title = "Attribution calibration"
    if isinstance(attribution, NotAvailable):
        return _placeholder(title, attribution.reason)
    figure = Figure(figsize=(WIDTH_IN, 7.4))
    grid = figure.add_gridspec(
        2, 1, height_ratios=(3.2, 1.0), hspace=0.08, left=0.1, right=0.97, top=0.84, bottom=0.08
    )
    ax = figure.add_subplot(grid[0])
    counts_ax = figure.add_subplot(grid[1], sharex=ax)
    bins = [b for b in attribution.bins if b.forecasts]
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", linewidth=1.2, label="perfect calibration")
    for b in attribution.bins:
        if b.forecasts and b.observed is not None:
            ax.bar(
                (b.low + b.high) / 2,
                b.observed,
                width=(b.high - b.low) * 0.92,
                color=BLUE,
                alpha=0.25,
                edgecolor=BLUE,
                linewidth=0.6,
            )
    predicted = [b.mean_predicted or 0.0 for b in bins]
    observed = [b.observed or 0.0 for b in bins]
    ax.plot(
        predicted,
        observed,
        marker="o",
        color=BLUE,
        linewidth=1.6,
        markersize=6,
        label="observed share (bar: bin, dot: mean prediction in the bin)",
    )
    for b in bins:
        assert b.mean_predicted is not None and b.observed is not None
        above = b.observed < 0.85
        ax.annotate(
            f"n={b.forecasts:,}",
            (b.mean_predicted, b.observed),
            xytext=(0, 8 if above else -14),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            color=INK,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("observed share: the party was responsible", fontsize=9)
    ax.tick_params(labelsize=8, labelbottom=False)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    centres = [(b.low + b.high) / 2 for b in attribution.bins]
    heights = [b.forecasts for b in attribution.bins]
    counts_ax.bar(centres, heights, width=0.092, color=ORANGE, edgecolor=INK, linewidth=0.4)
    counts_ax.set_yscale(
        "log" if max(heights) > 50 * max(1, min(h for h in heights if h)) else "linear"
    )
    counts_ax.set_ylabel("forecasts\nin bin", fontsize=9)
    counts_ax.set_xlabel("predicted probability that the party was responsible", fontsize=9)
    counts_ax.set_xticks(np.linspace(0, 1, 11))
    counts_ax.tick_params(labelsize=8)
    counts_ax.grid(alpha=0.3, axis="y")
    ece = "n/a" if attribution.ece is None else f"{attribution.ece:.3f}"
    accuracy = "n/a" if attribution.accuracy is None else f"{attribution.accuracy:.3f}"
    figure.text(0.1, 0.955, title, fontsize=13, fontweight="bold")
    figure.text(
        0.1,
        0.915,
        f"ECE {ece} (10 bins, weighted by count) · accuracy of the most likely party {accuracy}"
        f" · {attribution.violations:,} true violations, {attribution.forecasts:,} forecasts",
        fontsize=9,
    )
    figure.text(
        0.1,
        0.885,
        "Each violation gives one forecast per party: the probability it assigned to that party. "
        "Honest forecasts lie on the diagonal.",
        fontsize=8,
        color="#555555",
    )
    return figure


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
    for index, span in enumerate(along.sectors):
        for axis in (ax, rug):
            axis.axvspan(span.start_km, span.end_km, color=BAND[index % 2], zorder=0, linewidth=0)
        if span.end_km - span.start_km > length / 40:
            ax.text(
                (span.start_km + span.end_km) / 2,
                1.01,
                span.name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
                rotation=30,
                color="#444444",
            )
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
    ax.tick_params(labelsize=8, labelbottom=False)
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="upper right", fontsize=8, frameon=True, framealpha=0.9)
    _missed(rug, along)
    rug.set_xlabel(f"km along the {along.line_name.lower()} from its start", fontsize=9)
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
