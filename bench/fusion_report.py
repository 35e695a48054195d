"""The goals, the table and the picture of the fusion benchmark (``bench/fusion.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PEERS = ("pyocto", "gamma")
COLOURS = {
    "ceasewatch": "#0072B2",
    "pyocto": "#E69F00",
    "gamma": "#009E73",
    "dbscan": "#999999",
    "oracle": "#CC79A7",
}
LABELS = {
    "ceasewatch": "ceasewatch",
    "pyocto": "PyOcto",
    "gamma": "GaMMA",
    "dbscan": "DBSCAN in time",
    "oracle": "oracle locator",
}
COVERAGE_BAND = (0.93, 0.97)
ERROR_FACTOR = 1.2
SPEED_FACTOR = 5.0
PEAK_DAY_WALL_S = 20.0


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}"


def line(r: dict[str, Any]) -> str:
    if r["status"] != "ok":
        return f"{r['status']}: {str(r['error']).splitlines()[0][:160]}"
    return (
        f"F1 {_fmt(r['f1'])} (P {_fmt(r['precision'])}, R {_fmt(r['recall'])}), "
        f"median {_fmt(r['error_m_median'], 1)} m, {r['wall_s']} s, {r['picks_per_s']:,} picks/s"
    )


def _ok(r: dict[str, Any] | None) -> bool:
    return bool(r) and r["status"] == "ok"  # type: ignore[index]


def goals(results: dict[str, Any], timeout_s: float, scenarios: dict[str, Any]) -> dict[str, Any]:
    """Each goal with, per scenario, whether ceasewatch met it and the numbers behind it."""
    f1: dict[str, Any] = {}
    error: dict[str, Any] = {}
    coverage: dict[str, Any] = {}
    speed: dict[str, Any] = {}
    for name, by_method in results.items():
        cw = by_method.get("ceasewatch")
        peers = {p: by_method[p] for p in PEERS if p in by_method}
        finished = {p: r for p, r in peers.items() if _ok(r)}
        if _ok(cw) and finished:
            best = max(finished, key=lambda p: finished[p]["f1"] or 0.0)
            f1[name] = {
                "met": (cw["f1"] or 0.0) >= (finished[best]["f1"] or 0.0),
                "ceasewatch": cw["f1"],
                "best_peer": best,
                "best_peer_f1": finished[best]["f1"],
            }
        elif _ok(cw) and peers:
            f1[name] = {
                "met": True,
                "ceasewatch": cw["f1"],
                "best_peer": None,
                "note": "no peer finished within its time cap",
            }
        else:
            f1[name] = {"met": None, "note": "ceasewatch or the peers did not run"}
        oracle = by_method.get("oracle")
        if _ok(cw) and _ok(oracle) and cw["error_m_median"] is not None:
            limit = ERROR_FACTOR * oracle["error_m_median"]
            error[name] = {
                "met": cw["error_m_median"] <= limit,
                "ceasewatch_m": cw["error_m_median"],
                "oracle_m": oracle["error_m_median"],
                "limit_m": round(limit, 1),
            }
        else:
            error[name] = {"met": None, "note": "ceasewatch or the oracle has no location"}
        got = cw.get("ellipse_coverage") if _ok(cw) else None  # type: ignore[union-attr]
        coverage[name] = {
            "met": None if got is None else COVERAGE_BAND[0] <= got <= COVERAGE_BAND[1],
            "coverage": got,
            "stated_p": cw.get("ellipse_stated_p") if _ok(cw) else None,  # type: ignore[union-attr]
        }
        speed[name] = _speed(cw, peers, scenarios[name]["picks"], timeout_s)
    peak = results.get("peak-day", {}).get("ceasewatch")
    return {
        "f1_ge_best_peer": _goal("ceasewatch F1 >= best peer F1 on every scenario", f1),
        "median_error_le_1_2_oracle": _goal("ceasewatch median error <= 1.2 x oracle", error),
        "ellipse_coverage_in_band": _goal(
            "ceasewatch 95 % ellipse coverage in [0.93, 0.97]", coverage
        ),
        "picks_per_s_ge_5x_best_peer": _goal("ceasewatch picks/s >= 5 x best peer picks/s", speed),
        "peak_day_wall_lt_20_s": {
            "goal": "ceasewatch peak-day wall < 20 s",
            "met": (peak["wall_s"] < PEAK_DAY_WALL_S) if _ok(peak) else None,
            "wall_s": peak["wall_s"] if _ok(peak) else None,  # type: ignore[index]
        },
    }


def _speed(
    cw: dict[str, Any] | None, peers: dict[str, Any], picks: int, timeout_s: float
) -> dict[str, Any]:
    """A peer that timed out did fewer than picks/timeout picks per second: that bound is used."""
    rates = {p: r["picks_per_s"] for p, r in peers.items() if _ok(r)}
    bounds = {
        p: round(picks / timeout_s, 1) for p, r in peers.items() if r["status"] == "timed_out"
    }
    if not _ok(cw) or not (rates or bounds):
        return {"met": None, "note": "ceasewatch or the peers did not run"}
    best = max({**bounds, **rates}.items(), key=lambda kv: kv[1])
    return {
        "met": cw["picks_per_s"] >= SPEED_FACTOR * best[1],  # type: ignore[index]
        "ceasewatch": cw["picks_per_s"],
        "best_peer": best[0],  # type: ignore[index]
        "best_peer_picks_per_s": best[1],
        "upper_bound": best[0] in bounds,
    }


def _goal(text: str, by_scenario: dict[str, Any]) -> dict[str, Any]:
    verdicts = [v["met"] for v in by_scenario.values()]
    met = None if not verdicts or None in verdicts else all(verdicts)
    return {"goal": text, "met": met, "by_scenario": by_scenario}


def table(results: dict[str, Any]) -> str:
    head = (
        "scenario",
        "method",
        "F1",
        "F1 det",
        "P",
        "R",
        "med m",
        "p90 m",
        "ellipse",
        "wall s",
        "picks/s",
        "RSS MB",
    )
    rows = [head]
    for name, by_method in results["results"].items():
        for method, r in by_method.items():
            if r["status"] != "ok":
                rows.append((name, method, r["status"].replace("_", " "), *[""] * 9))
                continue
            cover = r["ellipse_coverage"]
            rows.append(
                (
                    name,
                    method,
                    _fmt(r["f1"]),
                    _fmt(r["f1_detectable"]),
                    _fmt(r["precision"]),
                    _fmt(r["recall"]),
                    _fmt(r["error_m_median"], 1),
                    _fmt(r["error_m_p90"], 1),
                    "—" if cover is None else f"{cover:.3f}",
                    f"{r['wall_s']:.1f}",
                    f"{r['picks_per_s']:,.0f}",
                    str(r.get("peak_rss_mb", "—")),
                )
            )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    text = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    goals_text = [
        f"goal {'MET' if g['met'] else ('not met' if g['met'] is False else 'n/a')}: {g['goal']}"
        for g in results.get("goals", {}).values()
    ]
    return "\n".join([*text, "", *goals_text])


def plot(results: dict[str, Any], path: Path) -> None:
    """F1 and median location error per scenario and method, as grouped bars."""
    names = list(results["results"])
    methods = [m for m in LABELS if any(m in results["results"][n] for n in names)]
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.2))
    width = 0.8 / max(len(methods), 1)
    labelled: set[str] = set()
    for k, method in enumerate(methods):
        xs = [i + (k - (len(methods) - 1) / 2) * width for i in range(len(names))]
        for ax, key in zip(axes, ("f1", "error_m_median"), strict=True):
            for x, name in zip(xs, names, strict=True):
                r = results["results"][name].get(method)
                if r is None:
                    continue
                value = r.get(key) if r["status"] == "ok" else None
                if value is None:
                    mark = {"timed_out": "timed out", "failed": "failed"}.get(r["status"], "n/a")
                    ax.text(
                        x,
                        0.02,
                        mark,
                        rotation=90,
                        ha="center",
                        va="bottom",
                        fontsize=7,
                        transform=ax.get_xaxis_transform(),
                        color=COLOURS[method],
                    )
                    continue
                label = None if method in labelled else LABELS[method]
                labelled.add(method)
                ax.bar(x, value, width, color=COLOURS[method], label=label)
                text = f"{value:.2f}" if key == "f1" else f"{value:,.0f}"
                ax.text(x, value, text, ha="center", va="bottom", fontsize=6.5, rotation=90)
    axes[0].set_ylabel("F1 (events)")
    axes[0].set_ylim(0, 1.12)
    axes[1].set_ylabel("median location error of true positives (m)")
    axes[1].set_yscale("log")
    axes[1].set_ylim(bottom=1.0)
    for ax in axes:
        ax.set_xticks(range(len(names)), names)
        ax.grid(axis="y", alpha=0.3)
    found: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(label, handle)
    fig.legend(
        list(found.values()),
        list(found),
        loc="upper center",
        ncol=len(methods),
        frameon=False,
        bbox_to_anchor=(0.5, 0.93),
    )
    fig.suptitle("Acoustic association and location (bench/fusion.py)", y=0.98, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.86))
    fig.savefig(path, dpi=150)
    plt.close(fig)
