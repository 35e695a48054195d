"""``ceasewatch reprocess``: re-fuse and re-adjudicate an evidence log cell by cell (sector of
the line × time window), in this process, on a local Dask cluster or on a Dask scheduler."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ceasewatch.commands.adjudicate import AGREEMENT_HELP, AS_OF_HELP
from ceasewatch.commands.evidence import HomeOption, StoreOption
from ceasewatch.errors import CeasewatchError, InputError

if TYPE_CHECKING:
    from ceasewatch.pipeline.reprocess import Executor, Reprocessed


WorkersOption = Annotated[
    int, typer.Option(help="Dask worker processes on this machine; 0 runs the work in-process")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="an existing Dask scheduler (tcp://host:port) instead of --workers"),
]


def check_executor(workers: int, scheduler: str | None) -> None:
    """The errors of ``--workers``/``--scheduler``, shared by the commands that use Dask."""
    if workers < 0:
        raise InputError(f"--workers {workers}: give 0 (this process) or more workers")
    if scheduler is not None and workers:
        raise InputError("--scheduler runs on that cluster's workers: drop --workers")


def reprocess(
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
    log: Annotated[
        Path | None,
        typer.Option(help="instead of the store: a restricted export folder (log export)"),
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="with --log: the log's verifier key, to verify it first")
    ] = None,
    agreement: Annotated[str, typer.Option(help=AGREEMENT_HELP)] = "ua-2026",
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
    window_h: Annotated[
        float,
        typer.Option(
            help="hours in a cell's time window (from midnight UTC); another value "
            "than 6 gives another plan, and another digest than replay's"
        ),
    ] = 6.0,  # fmt: skip
    out: Annotated[
        Path | None,
        typer.Option(help="write the verdicts, events, incidents and cells.jsonl to this folder"),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
    quiet: Annotated[bool, typer.Option(help="no progress lines")] = False,
) -> None:
    """Re-fuse and re-adjudicate an evidence log partitioned by sector of the line × time window
    (with halos in space and time), in this process (--workers 0), on a local Dask cluster
    (--workers N) or on a running scheduler (--scheduler); prints the plan, the time of each
    phase and the verdict set's SHA-256: the same for every executor, and the same as
    ceasewatch replay's (docs/adr/0014-one-plan-for-every-fusion-of-a-log.md).

    Example: ceasewatch reprocess --home demo-output/state --workers 2 --out reprocessed
    """
    from ceasewatch.adjudication.run import write_verdicts
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import fail
    from ceasewatch.fusion.files import write_jsonl
    from ceasewatch.model.time import parse_ns
    from ceasewatch.pipeline.reprocess import (
        dask_executor,
        reprocess_export,
        reprocess_store,
        serial,
    )
    from ceasewatch.store.home import Home
    from ceasewatch.store.open import open_store

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    try:
        check_executor(workers, scheduler)
        if window_h <= 0:
            raise InputError(f"--window-h {window_h}: give a positive number of hours")
        if log is not None and (home_dir is not None or store_url is not None):
            raise InputError("--log reads an export folder: give it without --home/--store")
        chosen = resolve(agreement)
        as_of_ns = None if as_of is None else parse_ns(as_of, where="--as-of")
        with ExitStack() as stack:
            executor: Executor = serial
            name = "this process"
            if scheduler is not None or workers:
                executor = stack.enter_context(dask_executor(workers, scheduler))
                plural = "s" if workers != 1 else ""
                name = (f"the Dask scheduler at {scheduler}" if scheduler is not None
                        else f"a local Dask cluster of {workers} worker{plural}")  # fmt: skip
            if log is not None:
                done = reprocess_export(log, chosen, executor, key=key, executor_name=name,
                                        as_of_ns=as_of_ns, window_s=window_h * 3600.0,
                                        progress=say)  # fmt: skip
            else:
                store = open_store(Home.from_env(home_dir).store_url(store_url))
                try:
                    done = reprocess_store(store, chosen, executor, executor_name=name,
                                           as_of_ns=as_of_ns, window_s=window_h * 3600.0,
                                           progress=say)  # fmt: skip
                finally:
                    store.close()
        typer.echo(done.verdicts.text())
        typer.echo(done.text())
        if out is not None:
            written = write_verdicts(done.verdicts, out)
            write_jsonl(out / "events.jsonl", done.fusion.fused.events)
            write_jsonl(out / "incidents.jsonl", done.fusion.fused.incidents_json())
            _write_cells(out / "cells.jsonl", done)
            typer.echo(f"  wrote: {', '.join(str(p) for p in written)}, events.jsonl, "
                       "incidents.jsonl, cells.jsonl")  # fmt: skip
    except CeasewatchError as error:
        fail(error)


def _write_cells(path: Path, done: Reprocessed) -> None:
    from ceasewatch.model.time import format_ns

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        for result in done.cells:
            cell = result.cell
            row = {
                "cell": cell.key,
                "sector": cell.sector,
                "start": format_ns(cell.start_ns, 0),
                "end": format_ns(cell.end_ns, 0),
                "sensors": cell.sensors,
                "picks": cell.picks,
                "events": len(result.events),
                "seconds": round(result.duration_s, 3),
            }
            file.write(json.dumps(row) + "\n")
