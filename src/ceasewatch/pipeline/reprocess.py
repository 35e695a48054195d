"""Re-fusion and re-adjudication of an evidence log, cell by cell: ``ceasewatch reprocess``.

The log is read back (:func:`~ceasewatch.fusion.from_log.read_log`), the acoustic picks are
cut into cells of sector × time window with halos (:mod:`.partition`), the cells are fused in
this process, on a local Dask cluster or on a Dask scheduler, and joined in plan order; the
other streams are merged and the incidents adjudicated in this process, as ``ceasewatch
replay`` does. The plan never depends on the executor, so every executor gives the same
verdict digest (docs/adr/0012-reprocess-on-dask.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.adjudicate import Settings as AdjudicationSettings
from ceasewatch.adjudication.review import read_reviews
from ceasewatch.adjudication.review_state import Review
from ceasewatch.adjudication.run import Verdicts, run_adjudication
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.evidence.base import LogStore
from ceasewatch.evidence.export_store import ExportStore
from ceasewatch.evidence.verify import verify_export
from ceasewatch.fusion.acoustic.array import array_from_features
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import pick_table
from ceasewatch.fusion.acoustic.run import AcousticResult
from ceasewatch.fusion.from_log import CROSS_STREAMS, LogFusion, LogRecords, read_log
from ceasewatch.fusion.incidents import fuse_sources
from ceasewatch.pipeline.partition import (
    WINDOW_S,
    CellJob,
    CellResult,
    Plan,
    fuse_cell,
    join_cells,
    plan_cells,
)

Progress = Callable[[str], None]
Done = Callable[[CellResult], None]
Executor = Callable[[Sequence[CellJob], Done], list[CellResult]]
"""Runs every job and calls ``done`` as each finishes; the order of the list does not matter."""

SCALE_HINT = "pip install 'ceasewatch[scale]'"


@dataclass(frozen=True)
class Reprocessed:
    plan: Plan
    cells: tuple[CellResult, ...]  # in plan order
    fusion: LogFusion
    verdicts: Verdicts
    executor: str
    phases_s: dict[str, float] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return self.verdicts.verdicts.digest

    def text(self) -> str:
        phases = ", ".join(f"{name} {s:.1f} s" for name, s in self.phases_s.items())
        acoustic = self.fusion.acoustic
        return "\n".join([
            f"reprocessed on {self.executor}",
            "  " + self.plan.text().replace("\n", "\n  "),
            f"  acoustic: {len(acoustic.events):,} events from {acoustic.picks:,} picks; "
            f"incidents: {len(self.fusion.fused.incidents):,}",
            f"  time: {phases}",
            f"  digest: {self.digest}",
        ])  # fmt: skip


def serial(jobs: Sequence[CellJob], done: Done) -> list[CellResult]:
    """The in-process executor (``--workers 0``)."""
    results = []
    for job in jobs:
        results.append(fuse_cell(job))
        done(results[-1])
    return results


@contextmanager
def dask_executor(workers: int = 0, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor on a local cluster of ``workers`` processes, or on ``scheduler``'s."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:
        raise InputError(
            f"--workers/--scheduler need Dask distributed, which is not installed ({error}); "
            f"install it with {SCALE_HINT}, or use --workers 0 to run in this process"
        ) from error
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as error:
            raise InputError(
                f"--scheduler {scheduler}: no Dask scheduler answers there ({error}); "
                "start one (dask scheduler) or give its tcp://host:port"
            ) from error
        cluster = None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)  # fmt: skip
        client = Client(cluster)

    def run(jobs: Sequence[CellJob], done: Done) -> list[CellResult]:
        if not jobs:
            return []
        sent = client.scatter(list(jobs), hash=False)  # straight to the workers
        futures = client.map(fuse_cell, sent, pure=False)
        results = []
        for future in as_completed(futures):
            results.append(future.result())
            done(results[-1])
        return results

    try:
        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def reprocess_store(
    store: LogStore,
    agreement: Agreement,
    executor: Executor = serial,
    *,
    executor_name: str = "this process",
    progress: Progress | None = None,
    **options: Any,
) -> Reprocessed:
    """Read what ``store`` holds and reprocess it (see :func:`reprocess`)."""
    say = progress or (lambda _m: None)
    say("reading the log")
    started = time.perf_counter()
    records = read_log(store)
    reviews = read_reviews(store, 0)
    read_s = time.perf_counter() - started
    return reprocess(records, reviews, agreement, executor, executor_name=executor_name,
                     progress=say, read_s=read_s, **options)  # fmt: skip


def reprocess_export(
    directory: Path,
    agreement: Agreement,
    executor: Executor = serial,
    *,
    key: str | None = None,
    executor_name: str = "this process",
    progress: Progress | None = None,
    **options: Any,
) -> Reprocessed:
    """Verify (with ``key``), read and reprocess a restricted export folder."""
    say = progress or (lambda _m: None)
    if key is not None:
        say("verifying the export")
        finding = verify_export(directory, key)
        if not finding.ok:
            raise InputError(f"{directory} does not verify: {finding.message}; nothing reprocessed")
    store = ExportStore(directory)
    say("reading the log")
    started = time.perf_counter()
    records = read_log(store)
    sealed = [s for s in records.sensors if isinstance(s.get("geometry"), dict)
              and "seal" in s["geometry"]]  # fmt: skip
    if sealed and not store.reader.has_restricted:
        raise InputError(
            f"{directory} is a public export: the positions of {len(sealed):,} sensors are sealed; "
            "reprocess a restricted export (ceasewatch log export DIR --restricted)"
        )
    reviews = read_reviews(store, 0)
    read_s = time.perf_counter() - started
    return reprocess(records, reviews, agreement, executor, executor_name=executor_name,
                     progress=say, read_s=read_s, **options)  # fmt: skip


def reprocess(
    records: LogRecords,
    reviews: Sequence[Review],
    agreement: Agreement,
    executor: Executor = serial,
    *,
    executor_name: str = "this process",
    window_s: float = WINDOW_S,
    settings: Settings | None = None,
    adjudication: AdjudicationSettings | None = None,
    as_of_ns: int | None = None,
    progress: Progress | None = None,
    read_s: float = 0.0,
) -> Reprocessed:
    """Plan, fuse the cells on ``executor``, join them, merge the other streams, adjudicate."""
    say = progress or (lambda _m: None)
    settings = settings or Settings()
    phases = {"read": read_s}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    array = array_from_features(records.sensors, where="the sensor registry in the log")
    table = pick_table(records.stream("picks"), array.index)
    plan, jobs = plan_cells(array, table, records.sensors, records.stream("picks"), agreement,
                            settings, window_s)  # fmt: skip
    say(plan.text())
    lap("plan")
    count = len(jobs)
    finished: list[CellResult] = []

    def done(result: CellResult) -> None:
        finished.append(result)
        say(f"cell {len(finished)}/{count} {result.cell.key}: {len(result.events):,} events, "
            f"{result.cell.picks:,} picks, {result.duration_s:.1f} s")  # fmt: skip

    results = sorted(executor(jobs, done), key=lambda r: r.index)
    if [r.index for r in results] != list(range(count)):
        raise InputError(f"the executor returned {len(results)} of {count} cells; run again")
    lap("cells")
    events, skews = join_cells(results, agreement)
    explained = sum(len(e.pick_ids) for e in events)
    acoustic = AcousticResult(events, skews, len(table), len(table) - explained,
                              table.unknown_sensor, table.duplicates)  # fmt: skip
    others = sum(len(records.stream(s)) for s in (*CROSS_STREAMS, "notifications"))
    say(f"{len(events):,} acoustic events; merging {others:,} records of other streams")
    fused = fuse_sources(
        events,
        {name: records.stream(name) for name in CROSS_STREAMS},
        agreement=agreement,
        notifications=records.stream("notifications"),
    )
    fusion = LogFusion(records.size, records.root,
                       (agreement.id, agreement.version, agreement.digest),
                       settings.speed_mps, acoustic, fused)  # fmt: skip
    lap("join and merge")
    say("adjudicating")
    verdicts = run_adjudication(
        fused.incidents_json(),
        agreement,
        {s: records.stream(s) for s in ("detections", "tracks", "complaints", "status")},
        as_of_ns=as_of_ns,
        settings=adjudication,
        inputs=fusion.inputs,
        sensors=records.sensors,
        reviews=list(reviews),
        progress=lambda m: say(f"adjudicating: {m}"),
    )
    lap("adjudicate")
    return Reprocessed(plan, tuple(results), fusion, verdicts, executor_name, phases)
