"""Re-fusion and re-adjudication of an evidence log, cell by cell: ``ceasewatch reprocess``.

The log is read back (:func:`~ceasewatch.fusion.from_log.read_log`), the acoustic picks are
cut into cells of sector × time window with halos (:mod:`ceasewatch.fusion.cells`) as every
fusion of a log cuts them; here the cells are fused in this process, on a local Dask cluster
or on a Dask scheduler, and joined in plan order; the other streams are merged and the
incidents adjudicated in this process, as ``ceasewatch replay`` does. The plan never depends
on the executor, so every executor, and ``replay``, gives the same verdict digest
(docs/adr/0012-reprocess-on-dask.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.adjudicate import Settings as AdjudicationSettings
from ceasewatch.adjudication.replay import adjudicate_log
from ceasewatch.adjudication.review import read_reviews
from ceasewatch.adjudication.review_state import Review
from ceasewatch.adjudication.run import Verdicts
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.evidence.base import LogStore
from ceasewatch.evidence.export_store import ExportStore
from ceasewatch.evidence.verify import verify_export
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.cell_fusion import Done, Executor, fuse_cell, largest_first, serial
from ceasewatch.fusion.cells import WINDOW_S, CellJob, CellResult, Plan
from ceasewatch.fusion.from_log import LogFusion, LogRecords, fuse_log, read_log
from ceasewatch.pipeline.dask_run import dask_map

Progress = Callable[[str], None]


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


@contextmanager
def dask_executor(workers: int = 0, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor on a local cluster of ``workers`` processes, or on ``scheduler``'s."""
    with dask_map(workers, scheduler) as run:

        def cells(jobs: Sequence[CellJob], done: Done) -> list[CellResult]:
            return run(fuse_cell, largest_first(jobs), done)

        yield cells


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

    fusion = fuse_log(records, agreement, settings, say, executor, window_s=window_s)
    assert fusion.cells is not None  # fuse_log always fuses cell by cell
    lap("fuse")
    phases["cells"] = fusion.cells.cells_s
    phases["plan, join and merge"] = phases.pop("fuse") - fusion.cells.cells_s
    say("adjudicating")
    verdicts = adjudicate_log(
        records,
        fusion,
        agreement,
        reviews,
        as_of_ns=as_of_ns,
        settings=adjudication,
        progress=lambda m: say(f"adjudicating: {m}"),
    )
    lap("adjudicate")
    cells = fusion.cells
    return Reprocessed(cells.plan, cells.cells, fusion, verdicts, executor_name, phases)
