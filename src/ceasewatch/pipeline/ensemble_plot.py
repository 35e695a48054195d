"""The ensemble's picture: one row per measure, every member a dot, the mean a bar, and the 95 %
interval of the mean a band — how far one run's figure can sit from the typical one."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from ceasewatch.pipeline.ensemble import MEASURES, Ensemble
from ceasewatch.report.figure_file import save_figure

DOT = "#1f5fa8"
MEAN = "#111111"
BAND = "#f2b134"


def draw_ensemble(ensemble: Ensemble, out: Path) -> Path:
    """Write the figure to ``out`` (.png or .svg)."""
    rows = [(path, label, top) for path, label, _, top in MEASURES if ensemble.summary[path]["n"]]
    figure = Figure(figsize=(8.0, 0.55 * len(rows) + 1.1), layout="constrained")
    seeds = [m.seed for m in ensemble.members]
    figure.suptitle(
        f"{ensemble.scenario}: {len(seeds)} seeds, each simulated, fused, adjudicated and scored",
        fontsize=10,
    )
    axes = figure.subplots(len(rows), 1, squeeze=False)[:, 0]
    for ax, (path, label, top) in zip(axes, rows, strict=True):
        row = ensemble.summary[path]
        values = [m.measures[path] for m in ensemble.members if m.measures.get(path) is not None]
        low, high = row["ci95"]
        if low is not None:
            ax.axvspan(low, high, color=BAND, alpha=0.45, lw=0)
        ax.scatter(values, [0.0] * len(values), s=16, color=DOT, alpha=0.75, zorder=3)
        ax.axvline(row["mean"], color=MEAN, lw=1.6, zorder=4)
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        if top == 1.0:  # shares: all on one scale, so rows compare at a glance
            ax.set_xlim(-0.02, 1.02)
        else:
            ax.set_xlim(0.0, 1.1 * max(row["max"], high or 0.0) or 1.0)
        interval = "" if low is None else f" [{low:.3g}, {high:.3g}]"
        ax.text(1.01, 0.5, f"{row['mean']:.3g}{interval}", transform=ax.transAxes, fontsize=7,
                va="center", ha="left")  # fmt: skip
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xlabel("dots: members; black: mean; band: 95 % interval of the mean", fontsize=8)
    return save_figure(figure, out, salt=f"ensemble-{ensemble.digest}", dpi=130)
