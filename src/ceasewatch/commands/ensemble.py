"""``ceasewatch ensemble``: one scenario under many seeds, each simulated, fused, adjudicated and
scored against its truth, in this process, on a local Dask cluster or on a Dask scheduler."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from ceasewatch.commands.adjudicate import AGREEMENT_HELP
from ceasewatch.commands.reprocess import SchedulerOption, WorkersOption, check_executor
from ceasewatch.errors import CeasewatchError, InputError


def ensemble(
    scenario_name: Annotated[
        str,
        typer.Option("--scenario", help="quiet-day, peak-day, escalation, jamming or complaints"),
    ] = "quiet-day",
    seeds: Annotated[str, typer.Option(help="the members' seeds: 1-8, 3,5,9 or 1-4,10")] = "1-8",
    hours: Annotated[
        float | None, typer.Option(help="hours simulated per member (default: the scenario's)")
    ] = None,
    deployment: Annotated[
        str,
        typer.Option(
            help="dense or sparse (each member draws its own from its seed), or a "
            "deployment YAML file (the same for every member)"
        ),
    ] = "dense",  # fmt: skip
    agreement: Annotated[str, typer.Option(help=AGREEMENT_HELP)] = "ua-2026",
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path, typer.Option(help="folder for ensemble.json, members.jsonl and ensemble.png")
    ] = Path("ensemble"),
    keep_runs: Annotated[
        bool,
        typer.Option(
            help="keep each member's simulation and run in OUT/seed-N (on the worker's disk)"
        ),
    ] = False,  # fmt: skip
    quiet: Annotated[bool, typer.Option(help="no progress lines")] = False,
) -> None:
    """Run one scenario under many seeds — each member simulated on the real line, fused cell by
    cell, adjudicated and scored against its own truth — and summarise every score over the
    members: mean, spread and a 95 % interval of the mean, with a picture. Members run in this
    process (--workers 0), on a local Dask cluster (--workers N) or on a running scheduler
    (--scheduler); the ensemble's digest is the same for every executor.

    Example: ceasewatch ensemble --scenario quiet-day --seeds 1-8 --hours 6 --workers 2
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import fail
    from ceasewatch.pipeline.dask_run import dask_map, executor_name
    from ceasewatch.pipeline.ensemble import Member, member_json, parse_seeds, run_ensemble
    from ceasewatch.pipeline.ensemble_plot import draw_ensemble
    from ceasewatch.sim.scenarios import scenario

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    try:
        check_executor(workers, scheduler)
        if hours is not None and hours <= 0:
            raise InputError(f"--hours {hours}: give a positive number of hours")
        chosen_seeds = parse_seeds(seeds)
        scenario(scenario_name)  # an unknown name fails here, before any work
        law = resolve(agreement)
        sensors: Any = None
        if deployment not in ("dense", "sparse"):
            sensors = _deployment_file(deployment, law)
        members = [
            Member(scenario_name, seed, hours, deployment, agreement, sensors,
                   str(out.resolve()) if keep_runs else None)
            for seed in chosen_seeds
        ]  # fmt: skip
        with ExitStack() as stack:
            mapper = None
            if scheduler is not None or workers:
                mapper = stack.enter_context(dask_map(workers, scheduler))
            name = executor_name(workers, scheduler)
            say(f"{len(members)} members of {scenario_name} on {name}")
            done = run_ensemble(members, mapper, executor=name, progress=say)
        out.mkdir(parents=True, exist_ok=True)
        (out / "ensemble.json").write_text(json.dumps(done.to_json(), indent=1) + "\n", "utf-8")
        with (out / "members.jsonl").open("w", encoding="utf-8") as file:
            for member in done.members:
                file.write(json.dumps(member_json(member)) + "\n")
        picture = draw_ensemble(done, out / "ensemble.png")
        typer.echo(done.text())
        typer.echo(f"  wrote: {out / 'ensemble.json'}, {out / 'members.jsonl'}, {picture}")
    except CeasewatchError as error:
        fail(error)


def _deployment_file(spec: str, law: Any) -> Any:
    from ceasewatch.sim.deployment import load_deployment

    if not Path(spec).is_file():
        raise InputError(
            f"--deployment {spec!r}: give dense, sparse or the path of a deployment YAML file "
            "(docs/deployment.md)"
        )
    return load_deployment(spec, law)
