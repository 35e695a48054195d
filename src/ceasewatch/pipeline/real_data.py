"""The demo's optional last stage, "real-world channels": the three channels run on the public
data in the shared data folder (``--data``, else ``$CEASEWATCH_DATA``, else ``../shared/data``
beside the current folder or the repository), written under ``OUT/real-data/`` with the
channels report (HTML and PDF).

:func:`find_data` settles the folder before the demo touches ``OUT``, so a missing folder is
reported before anything is removed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ceasewatch.errors import InputError
from ceasewatch.pipeline.real_channels import (
    FIRE_FILES,
    LINE_FILES,
    REPORTS_FILE,
    fire_channel,
    line_channel,
    reports_channel,
)

if TYPE_CHECKING:  # the report loads matplotlib and WeasyPrint: only when the stage runs
    from ceasewatch.agreement import Agreement
    from ceasewatch.report.channels import Channels

STAGE = "real-world channels"
DATA_ENV = "CEASEWATCH_DATA"
FOLDER = "real-data"
NEEDED = (*LINE_FILES, *FIRE_FILES, REPORTS_FILE)
_REPO = Path(__file__).resolve().parents[3]


def default_places(cwd: Path | None = None) -> tuple[Path, ...]:
    """Where the data folder is looked for when --data is not given, in order."""
    given = os.environ.get(DATA_ENV)
    if given:
        return (Path(given),)
    here = (cwd or Path.cwd()) / ".." / "shared" / "data"
    return tuple(dict.fromkeys((here.resolve(), (_REPO.parent / "shared" / "data").resolve())))


def find_data(given: Path | None = None, cwd: Path | None = None) -> Path:
    """The shared data folder holding every file the stage reads, or an InputError naming the
    folder(s) tried, the first missing file and the fix."""
    places = (given,) if given is not None else default_places(cwd)
    for place in places:
        if place.is_dir() and all((place / name).is_file() for name in NEEDED):
            return place
    tried = places[0]
    missing = next((n for n in NEEDED if not (tried / n).is_file()), NEEDED[0])
    where = " or ".join(str(p) for p in places)
    if given is None and os.environ.get(DATA_ENV):
        where += f" (from ${DATA_ENV})"
    what = "no such folder" if not tried.is_dir() else f"no {missing} in it"
    raise InputError(
        f"--with-real-data: the shared data folder {where}: {what}. Fix: pass --data DIR "
        f"or set {DATA_ENV} to the folder holding loc/, firms/ and reports/viina/"
    )


@dataclass(frozen=True)
class RealData:
    """What the real-world channels stage made, and how long each channel took."""

    data: Path
    out: Path
    channels: Channels
    report: tuple[Path, Path]  # channels.html, channels.pdf
    steps_s: dict[str, float] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str]]:
        """One (label, text) per channel: the headline figure and the source."""
        from ceasewatch.report.channels import FIRE_CREDIT, LINE_CREDIT, REPORTS_CREDIT, share

        line, fire, news = self.channels.line, self.channels.fire, self.channels.reports
        gains = ", ".join(f"{p} {km2:,.1f} km²" for p, km2 in line.gained_km2)
        return [
            ("ground", f"{line.t_to[:7]}: gained {gains}; {LINE_CREDIT}"),
            ("fire", f"{fire.year} vs {fire.baseline}: {fire.excess:,} excess cell-days, "
             f"{share(fire.near_excess, fire.excess)} within {fire.within_km:g} km of the line; "
             f"{FIRE_CREDIT}"),
            ("news", f"{news.month}: {news.raw:,} reports → {news.distinct:,} distinct events; "
             f"{REPORTS_CREDIT}"),
        ]  # fmt: skip

    def text(self) -> str:
        """The stage's full account, as OUT/demo.txt keeps it."""
        from ceasewatch.report.channels import share

        line, fire, news = self.channels.line, self.channels.fire, self.channels.reports
        gains = ", ".join(f"{p} {km2:,.1f} km²" for p, km2 in line.gained_km2)
        out = [
            "", f"real-world channels (data: {self.data})",
            *(f"  {label}: {text}" for label, text in self.rows()),
            f"  ground: maps {line.t_from} → {line.t_to}: gained {gains} in "
            f"{len(line.changes)} areas ≥ {line.min_area_km2:g} km²; net {line.net_km2:+,.1f} "
            f"km², residual {line.residual_km2:+,.1f} km² (slivers and pieces under "
            f"{line.min_area_km2:g} km²); only the last pair of monthly maps (the whole "
            "2024-07 → 2025-12 series takes about a minute: bench/line_changes.py)",
        ]  # fmt: skip
        out += [f"    {c.change_id}  {c.party_gained} {c.area_km2:8.2f} km²  "
                f"{c.place or '—'} ({c.oblast or '—'})" for c in line.changes]  # fmt: skip
        out += [
            f"  fire: within {fire.within_km:g} km of the {fire.line_label}: {fire.near_excess:,} "
            f"of {fire.near_cell_days:,} cell-days in excess "
            f"({share(fire.near_excess, fire.near_cell_days)}); elsewhere {fire.far_excess:,} "
            f"of {fire.far_cell_days:,} ({share(fire.far_excess, fire.far_cell_days)})",
            "  news by type (raw → distinct): "
            + ", ".join(f"{k} {raw:,}→{d:,}" for k, raw, d in news.by_type),
            f"  news against the sensors: no sensor incidents for {news.month[:4]} in this demo; "
            + ", ".join(f"{s} {n:,}" for s, n in news.findings),
            f"  report: {self.report[0]}, {self.report[1]}",
            "  time: " + ", ".join(f"{k} {s:.1f} s" for k, s in self.steps_s.items()),
        ]
        return "\n".join(out)


def real_data_demo(
    agreement: Agreement, out: Path, data: Path, step: Callable[[str], None] | None = None
) -> RealData:
    """Run the three channels on ``data`` into ``out/real-data`` (made afresh) and write the
    channels report there."""
    from ceasewatch.report.channels import Channels, write_channels

    say = step or (lambda _message: None)
    folder = out / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name], clock = now - clock, now

    say("control maps: 2025-12-01 → 2025-12-31")
    line = line_channel(data, folder)
    done("control maps")
    say("excess fire: 2022 against 2021")
    fire = fire_channel(data, folder, agreement)
    done("excess fire")
    say("news reports: VIINA 2025-08")
    news = reports_channel(data, folder)
    done("news reports")
    say("channels report")
    channels = Channels(line, fire, news)
    report = write_channels(channels, folder)
    done("report")
    return RealData(data, folder, channels, report, times)
