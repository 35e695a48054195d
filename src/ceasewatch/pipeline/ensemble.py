"""Simulation ensembles: one scenario under many seeds, each member run end to end and scored
against its own truth — ``ceasewatch ensemble``.

One simulated day says little about how well the mechanism does: a seed decides where the
sensors stand, what happens and what is heard. A member is one seed: the scenario is simulated
(with a deployment drawn from the same seed, or one given as a file), every stream is fused as
a log is fused (cell by cell, :func:`~ceasewatch.fusion.cell_fusion.fuse_in_cells`, in the
member's process), the incidents are adjudicated with coverage and complaints, and the run is
scored with :func:`~ceasewatch.sim.scoring.score.score`. Members are independent, so they run
in this process, on a local Dask cluster or on a scheduler's workers (:mod:`.dask_run`); the
summary is computed from the members in seed order, so it is the same whichever ran them.

The summary gives, per measure, each member's value, the mean, the standard deviation, the
smallest and largest, and a 95 % interval for the mean (Student's t over the members): the
spread a figure quoted from one run hides.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasewatch.errors import InputError

Progress = Callable[[str], None]

MEASURES: tuple[tuple[str, str, str, float | None], ...] = (
    ("events.f1", "event F1", "located sound events against the sources that made sound", 1.0),
    ("events.recall_detectable", "event recall (detectable)", "sources heard by 3+ sensors", 1.0),
    ("events.precision", "event precision", "", 1.0),
    ("location.error_m.median", "location error, median (m)", "matched events", None),
    ("location.ellipse.coverage", "ellipse coverage", "true origins inside the 95 % ellipse", 1.0),
    ("violations.precision", "violation precision", "", 1.0),
    ("violations.recall", "violation recall", "of every true violation", 1.0),
    ("violations.recall_observable", "violation recall (observable)", "of those seen", 1.0),
    ("attribution.accuracy", "attribution accuracy", "most likely party is the true one", 1.0),
    ("attribution.brier", "attribution Brier score", "lower is better", 2.0),
    ("coverage.mean_abs_error", "coverage error", "mean absolute, per sensor-hour", 1.0),
    ("complaints.accuracy", "complaint answers correct", "", 1.0),
)
"""Path in the score report, label, what it is over, largest possible value (all are ≥ 0)."""


@dataclass(frozen=True)
class Member:
    """One member's inputs (plain data, sent to a worker)."""

    scenario: str
    seed: int
    hours: float | None
    deployment: str  # dense or sparse (drawn from the seed), or "file" with ``sensors`` given
    agreement: str
    sensors: Any = None  # a Deployment read from a file by the client
    keep: str | None = None  # folder to keep the member's files in; temporary otherwise


@dataclass(frozen=True)
class MemberResult:
    seed: int
    measures: dict[str, float | None]
    digest: str  # the member's verdict set
    counts: dict[str, int]
    seconds: dict[str, float]


@dataclass(frozen=True)
class Ensemble:
    scenario: str
    hours: float | None
    members: tuple[MemberResult, ...]  # by seed
    executor: str
    seconds: float
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """SHA-256 over the members' seeds and verdict digests: the same for every executor."""
        text = json.dumps([[m.seed, m.digest] for m in self.members])
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "hours": self.hours,
            "seeds": [m.seed for m in self.members],
            "executor": self.executor,
            "seconds": round(self.seconds, 1),
            "digest": self.digest,
            "measures": self.summary,
            "members": [member_json(m) for m in self.members],
        }

    def text(self) -> str:
        seeds = [m.seed for m in self.members]
        lines = [
            f"ensemble: {self.scenario}, {len(seeds)} members (seeds {seeds_text(seeds)}), "
            f"{'the scenario' if self.hours is None else f'{self.hours:g}'} h each, on "
            f"{self.executor}, {self.seconds:.0f} s",
            f"  {'measure':<32} {'mean':>8} {'95% CI of mean':>19} {'sd':>7} {'min':>8} {'max':>8}",
        ]
        for path, label, _, _ in MEASURES:
            row = self.summary.get(path)
            if not row or row["n"] == 0:
                lines.append(f"  {label:<32} {'n/a':>8}")
                continue
            low, high = row["ci95"]
            lines.append(
                f"  {label:<32} {_num(row['mean']):>8} [{_num(low):>8}, {_num(high):>8}] "
                f"{_num(row['sd']):>7} {_num(row['min']):>8} {_num(row['max']):>8}"
                + (f"  (n={row['n']})" if row["n"] < len(seeds) else "")
            )
        lines.append(f"  digest: {self.digest}")
        return "\n".join(lines)


def member_json(member: MemberResult) -> dict[str, Any]:
    return {
        "seed": member.seed,
        "digest": member.digest,
        "measures": member.measures,
        "counts": member.counts,
        "seconds": member.seconds,
    }


def seeds_text(seeds: Sequence[int]) -> str:
    if seeds and list(seeds) == list(range(seeds[0], seeds[0] + len(seeds))) and len(seeds) > 2:
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(str(s) for s in seeds)


def parse_seeds(text: str, where: str = "--seeds") -> tuple[int, ...]:
    """``1-8``, ``3,5,9`` or a mix (``1-4,10``): distinct seeds in the order given."""
    seeds: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if "-" in part[1:]:
                low, high = (int(v) for v in part.split("-", 1))
                if high < low:
                    raise ValueError
                seeds.extend(range(low, high + 1))
            else:
                seeds.append(int(part))
        except ValueError:
            raise InputError(
                f"{where} {text!r}: {part!r} is not a seed or a range; give e.g. 1-8 or 3,5,9"
            ) from None
    if len(set(seeds)) != len(seeds):
        raise InputError(f"{where} {text!r}: a seed is given twice; give each once")
    if len(seeds) < 2:
        raise InputError(f"{where} {text!r}: an ensemble needs at least two seeds")
    return tuple(seeds)


def run_member(member: Member) -> MemberResult:
    """A worker's task: simulate, fuse, adjudicate and score one seed."""
    if member.keep is not None:
        return _member_in(member, Path(member.keep) / f"seed-{member.seed}")
    with tempfile.TemporaryDirectory(prefix=f"ceasewatch-member-{member.seed}-") as folder:
        return _member_in(member, Path(folder))


def _member_in(member: Member, folder: Path) -> MemberResult:
    from ceasewatch.adjudication.run import run_adjudication, write_verdicts
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.fusion.acoustic.array import array_from_features
    from ceasewatch.fusion.acoustic.model import Settings
    from ceasewatch.fusion.cell_fusion import fuse_in_cells, serial
    from ceasewatch.fusion.files import read_firms, read_jsonl, write_jsonl
    from ceasewatch.fusion.incidents import fuse_sources
    from ceasewatch.sim.deployment import generate
    from ceasewatch.sim.run import simulate
    from ceasewatch.sim.scenarios import scenario
    from ceasewatch.sim.scoring.score import score

    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 2)
        clock = now

    agreement = resolve(member.agreement)
    sensors = member.sensors or generate(agreement, member.deployment, seed=member.seed)
    sim, run = folder / "sim", folder / "run"
    simulate(agreement, scenario(member.scenario), member.seed, sim, deployment=sensors,
             hours=member.hours)  # fmt: skip
    lap("simulate")
    features = json.loads((sim / "sensors.geojson").read_text(encoding="utf-8"))["features"]
    array = array_from_features(features, where=f"seed {member.seed}'s sensors")
    picks = read_jsonl(sim / "picks.jsonl")
    cells = fuse_in_cells(array, features, picks, agreement, Settings(), serial)
    streams = ("tracks", "detections", "reports", "complaints")
    records: dict[str, Any] = {s: read_jsonl(sim / f"{s}.jsonl") for s in streams}
    records["firms"] = read_firms(sim / "firms.csv")
    fused = fuse_sources(cells.acoustic.events, records, agreement=agreement,
                         notifications=read_jsonl(sim / "notifications.jsonl"))  # fmt: skip
    write_jsonl(run / "events.jsonl", fused.events)
    write_jsonl(run / "incidents.jsonl", fused.incidents_json())
    lap("fuse")
    records["status"] = read_jsonl(sim / "status.jsonl")
    verdicts = run_adjudication(fused.incidents_json(), agreement, records, sensors=features)
    write_verdicts(verdicts, run)
    lap("adjudicate")
    report = score(sim / "truth", run, agreement=agreement).to_dict()
    (run / "score.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    lap("score")
    measures = {path: _at(report, path) for path, _, _, _ in MEASURES}
    counts = {
        "picks": len(picks),
        "acoustic_events": len(cells.acoustic.events),
        "events": len(fused.events),  # from every source
        "incidents": len(fused.incidents),
        "violations": len(verdicts.adjudication.violations),
    }
    return MemberResult(member.seed, measures, verdicts.verdicts.digest, counts, seconds)


def _at(report: Mapping[str, Any], path: str) -> float | None:
    value: Any = report
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def summarise(members: Sequence[MemberResult]) -> dict[str, dict[str, Any]]:
    """Per measure over the members that have it: n, mean, sd, min, max, and the 95 % interval
    of the mean (Student's t, cut to the measure's possible range: with few members a share
    near 0 or 1 would otherwise get an interval past it)."""
    from scipy.stats import t as student

    summary: dict[str, dict[str, Any]] = {}
    for path, label, over, top in MEASURES:
        values = [v for m in members if (v := m.measures.get(path)) is not None]
        n = len(values)
        row: dict[str, Any] = {"label": label, "over": over, "n": n}
        if n:
            mean = math.fsum(values) / n
            sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
            half = float(student.ppf(0.975, n - 1)) * sd / math.sqrt(n) if n > 1 else math.inf
            row |= {"mean": mean, "sd": sd, "min": min(values), "max": max(values),
                    "ci95": [max(0.0, mean - half), min(top or math.inf, mean + half)]
                    if n > 1 else [None, None]}  # fmt: skip
        summary[path] = row
    return summary


def run_ensemble(
    members: Sequence[Member],
    mapper: Callable[..., list[Any]] | None = None,
    *,
    executor: str = "this process",
    progress: Progress | None = None,
) -> Ensemble:
    """Run every member (with ``mapper(task, jobs, done)``, in this process by default)."""
    say = progress or (lambda _m: None)
    if not members:
        raise InputError("an ensemble needs members; give --seeds")
    started = time.perf_counter()
    finished: list[MemberResult] = []

    def done(result: MemberResult) -> None:
        finished.append(result)
        say(f"member {len(finished)}/{len(members)}: seed {result.seed}, "
            f"{result.counts['violations']:,} violations, "
            f"event F1 {_num(result.measures.get('events.f1'))}, "
            f"{sum(result.seconds.values()):.0f} s")  # fmt: skip

    run = mapper or _in_process
    results = sorted(run(run_member, list(members), done), key=lambda r: r.seed)
    if [r.seed for r in results] != sorted(m.seed for m in members):
        raise InputError(f"the executor returned {len(results)} of {len(members)} members")
    first = members[0]
    return Ensemble(first.scenario, first.hours, tuple(results), executor,
                    time.perf_counter() - started, summarise(results))  # fmt: skip


def _in_process(task: Callable[[Any], Any], jobs: Sequence[Any], done: Callable[[Any], None]
                ) -> list[Any]:  # fmt: skip
    results = []
    for job in jobs:
        results.append(task(job))
        done(results[-1])
    return results


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"
