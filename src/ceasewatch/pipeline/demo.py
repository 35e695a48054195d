"""The whole demo as one run: each stage of :mod:`.stages` in turn, timed, with progress.

``ceasewatch demo`` and ``bench/pipeline.py`` both run :func:`run_demo`, so the benchmark times
what a user runs. The stages' detailed texts go to ``OUT/demo.txt``; the terminal gets the
one-screen summary of :mod:`.summary`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ceasewatch.agreement import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns
from ceasewatch.pipeline.real_data import STAGE as REAL_STAGE
from ceasewatch.pipeline.real_data import RealData, find_data, real_data_demo
from ceasewatch.pipeline.stages import (
    DEMO_SCENARIO,
    DEMO_SEED,
    AdjudicationDemo,
    EvidenceDemo,
    ReadableDemo,
    StoreFusion,
    adjudication_demo,
    evidence_demo,
    fusion_demo,
    readable_demo,
)
from ceasewatch.sim.scenarios import Scenario, scenario

STAGES = ("simulate and log", "fuse", "adjudicate", "report and alert")
REAL_STAGES = (*STAGES, REAL_STAGE)  # with --with-real-data
DETAILS = "demo.txt"


@dataclass(frozen=True)
class Demo:
    """What one demo run made, and how long each stage took."""

    scenario: Scenario
    seed: int
    out: Path
    agreement: str  # "ua-2026 version 1"
    evidence: EvidenceDemo
    fusion: StoreFusion
    adjudication: AdjudicationDemo
    readable: ReadableDemo
    stages_s: dict[str, float] = field(default_factory=dict)
    real: RealData | None = None  # the real-world channels, with --with-real-data

    @property
    def total_s(self) -> float:
        return sum(self.stages_s.values())

    def details(self) -> str:
        """Every stage's own account, as ``OUT/demo.txt`` keeps it."""
        head = f"ceasewatch demo: {self.scenario.name}, seed {self.seed}, {self.agreement}"
        texts = (self.evidence.text(), self.fusion.text(), self.adjudication.text(),
                 self.readable.text(), *([self.real.text()] if self.real else []))  # fmt: skip
        timing = ", ".join(f"{name} {s:.1f} s" for name, s in self.stages_s.items())
        return "\n".join([head, *texts, "", f"time: {timing}"]) + "\n"


def report_window(chosen: Scenario) -> tuple[int, int]:
    """The report's window for a scenario: its day when it is one UTC day, else whole days
    from its start to its end (a period report)."""
    start_ns = parse_ns(chosen.start, where=f"scenario {chosen.name} start")
    day_ns = 86_400 * NS_PER_S
    first = start_ns - start_ns % day_ns
    end_ns = start_ns + int(chosen.hours * 3_600 * NS_PER_S)
    last = -(-end_ns // day_ns) * day_ns
    return first, max(last, first + day_ns)


def run_demo(
    agreement: Agreement,
    out: Path,
    *,
    scenario_name: str = DEMO_SCENARIO,
    seed: int = DEMO_SEED,
    stage: Callable[[str], None] | None = None,
    say: Callable[[str], None] | None = None,
    real_data: Path | None = None,
) -> Demo:
    """Run every stage under ``out``; ``stage`` hears each stage's name as it starts, ``say``
    each step within it. With ``real_data`` (the shared data folder) the real-world channels
    run last, into ``out/real-data``. Writes ``out/demo.txt``."""
    chosen = scenario(scenario_name)  # NotFoundError names the scenarios there are
    if real_data is not None:
        find_data(real_data)  # a missing folder or file fails here, before anything is removed
    on_stage = stage or (lambda _name: None)
    step = say or (lambda _message: None)
    with _batch_gc():
        demo = _run(agreement, out, chosen, seed, on_stage, step, real_data)
    try:
        (out / DETAILS).write_text(demo.details(), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out / DETAILS}: cannot write ({exc.strerror})") from exc
    return demo


@contextmanager
def _batch_gc() -> Iterator[None]:
    """Collect cycles less often while the demo runs: it keeps ~10⁵ records alive, and the
    default thresholds would walk them thousands of times (about 5 % of the run, measured)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run(
    agreement: Agreement,
    out: Path,
    chosen: Scenario,
    seed: int,
    on_stage: Callable[[str], None],
    step: Callable[[str], None],
    real_data: Path | None = None,
) -> Demo:
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def enter(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        if times:
            times[next(reversed(times))] = now - clock
        clock = now
        times[name] = 0.0
        on_stage(name)

    enter(STAGES[0])
    evidence = evidence_demo(agreement, out, step, scenario_name=chosen.name, seed=seed)
    enter(STAGES[1])
    fused = fusion_demo(agreement, out, step)
    enter(STAGES[2])
    judged = adjudication_demo(agreement, out, fused, step)
    enter(STAGES[3])
    readable = readable_demo(agreement, out, report_window(chosen), step)
    real = None
    if real_data is not None:
        enter(REAL_STAGE)
        real = real_data_demo(agreement, out, real_data, step)
    times[next(reversed(times))] = time.perf_counter() - clock
    return Demo(chosen, seed, out, f"{agreement.id} version {agreement.version}", evidence,
                fused, judged, readable, times, real)  # fmt: skip


def scenario_span(chosen: Scenario) -> str:
    """The scenario's time span in words: "2026-02-18 00:00 UTC, 24 h"."""
    start_ns = parse_ns(chosen.start, where=f"scenario {chosen.name} start")
    text = format_ns(start_ns, 0)
    return f"{text[:10]} {text[11:16]} UTC, {chosen.hours:g} h"
