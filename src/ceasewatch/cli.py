"""The ``ceasewatch`` command: thin commands over the library.

Every command calls one stage. Errors a user can cause (``CeasewatchError``) print one line per
problem and exit with code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch import __version__
from ceasewatch.commands import adjudicate as adjudicate_commands
from ceasewatch.commands import alert as alert_commands
from ceasewatch.commands import ensemble as ensemble_commands
from ceasewatch.commands import evidence as evidence_commands
from ceasewatch.commands import firms as firms_commands
from ceasewatch.commands import fuse as fuse_commands
from ceasewatch.commands import fuse_stream as fuse_stream_commands
from ceasewatch.commands import line as line_commands
from ceasewatch.commands import report as report_commands
from ceasewatch.commands import reports as reports_commands
from ceasewatch.commands import reprocess as reprocess_commands
from ceasewatch.commands import review as review_commands
from ceasewatch.commands import serve as serve_commands
from ceasewatch.commands import store as store_commands
from ceasewatch.commands import stream as stream_commands
from ceasewatch.commands import witness as witness_commands
from ceasewatch.errors import AgreementError, CeasewatchError, InputError, Problem

app = typer.Typer(
    help="ceasewatch — continuous ceasefire monitoring and verification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
agreement_app = typer.Typer(help="Check, list and draw agreements.", no_args_is_help=True)
app.add_typer(agreement_app, name="agreement")
app.command("ingest")(evidence_commands.ingest)
app.command("verify")(evidence_commands.verify)
app.command("publish")(stream_commands.publish)
app.command("consume")(stream_commands.consume)
app.command("gaps")(stream_commands.gaps)
app.command("fuse")(fuse_commands.fuse)
app.command("fuse-stream")(fuse_stream_commands.fuse_stream)
app.command("adjudicate")(adjudicate_commands.adjudicate)
app.command("replay")(adjudicate_commands.replay)
app.command("reprocess")(reprocess_commands.reprocess)
app.command("ensemble")(ensemble_commands.ensemble)
app.command("alert")(alert_commands.alert)
app.command("report")(report_commands.report)
app.add_typer(evidence_commands.log_app, name="log")
app.add_typer(witness_commands.witness_app, name="witness")
app.add_typer(review_commands.review_app, name="review")
app.command("serve")(serve_commands.serve)
app.add_typer(serve_commands.token_app, name="token")
app.add_typer(store_commands.store_app, name="store")
app.add_typer(firms_commands.firms_app, name="firms")
app.command("find")(store_commands.find)
app.add_typer(line_commands.line_app, name="line")
app.add_typer(reports_commands.reports_app, name="reports")

AgreementRef = Annotated[
    str | None,
    typer.Option(
        "--agreement",
        "-a",
        help="Built-in id (ua-2026, ua-2026@1), document path or history folder. Default: ua-2026.",
    ),
]


def _fail(error: CeasewatchError) -> None:
    if isinstance(error, AgreementError):
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        count = len(error.problems)
        typer.echo(f"{count} problem{'s' if count != 1 else ''}.", err=True)
    else:
        typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(f"ceasewatch {__version__}")
        raise typer.Exit(0)


@agreement_app.command("check")
def agreement_check(
    paths: Annotated[list[Path], typer.Argument(help="Agreement documents or history folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON.")] = False,
) -> None:
    """Validate agreement documents; report every problem with file, line and column.

    Exit 0 when all are valid, 2 when any is not.

    Example: ceasewatch agreement check my-agreement/v1/agreement.yaml
    """
    from ceasewatch.agreement.catalog import resolve

    failed = False
    report: list[dict[str, object]] = []
    for path in paths:
        try:
            agreement = resolve(str(path))
        except AgreementError as error:
            failed = True
            report.append(
                {
                    "path": str(path),
                    "valid": False,
                    "problems": [p.to_dict() for p in error.problems],
                }
            )
            if not as_json:
                for problem in error.problems:
                    typer.echo(str(problem), err=True)
                typer.echo(
                    f"{path}: {len(error.problems)} problem"
                    f"{'s' if len(error.problems) != 1 else ''}.",
                    err=True,
                )
            continue
        except CeasewatchError as error:
            failed = True
            problem = Problem(
                str(path),
                "not-found",
                f"{error}.",
                "check the path, the folder or the built-in id (ceasewatch agreement list).",
            )
            report.append({"path": str(path), "valid": False, "problems": [problem.to_dict()]})
            if not as_json:
                typer.echo(f"error: {error}", err=True)
            continue
        lengths = ", ".join(f"{line.id} {line.length_m / 1000:,.1f} km" for line in agreement.lines)
        report.append(
            {
                "path": str(path),
                "valid": True,
                "id": agreement.id,
                "version": agreement.version,
                "digest": agreement.digest,
            }
        )
        if not as_json:
            typer.echo(
                f"OK {path}: {agreement.label}, {agreement.digest}; "
                f"{len(agreement.parties)} parties, lines: {lengths or 'none'}, "
                f"{len(agreement.zones)} zones, {len(agreement.rules)} rules"
            )
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    raise typer.Exit(2 if failed else 0)


@agreement_app.command("list")
def agreement_list() -> None:
    """List the built-in agreements with their latest version.

    Example: ceasewatch agreement list
    """
    from ceasewatch.agreement.catalog import builtin_ids, resolve

    try:
        for ident in builtin_ids():
            agreement = resolve(ident)
            typer.echo(f"{agreement.label:16} {agreement.title}")
    except CeasewatchError as error:
        _fail(error)


@agreement_app.command("show")
def agreement_show(
    reference: Annotated[
        str | None, typer.Argument(help="Id, document or folder; default ua-2026.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Map file to write (.png or .svg). Default: <id>-v<N>.png"
        ),
    ] = None,
) -> None:
    """Print an agreement's summary and draw it on a map (line, bands, hubs, sites).

    Example: ceasewatch agreement show minsk-2 --out minsk.svg
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.agreement.locate import Locator
    from ceasewatch.agreement.summary import summarize
    from ceasewatch.report.agreement_map import render_agreement_map

    try:
        agreement = resolve(reference)
        typer.echo(summarize(agreement, Locator(agreement)))
        target = out or Path(f"{agreement.id}-v{agreement.version}.png")
        written = render_agreement_map(agreement, target)
    except CeasewatchError as error:
        _fail(error)
    typer.echo(f"map: {written}")


def _uncertainty(sigma_m: float | None, ellipse: str | None):  # type: ignore[no-untyped-def]
    from ceasewatch.model.geo import Uncertainty

    if sigma_m is not None and ellipse is not None:
        raise InputError("give --sigma-m or --ellipse-m, not both")
    if ellipse is not None:
        try:
            major, minor, azimuth = (float(v) for v in ellipse.split(","))
            return Uncertainty(major, minor, azimuth)
        except ValueError as exc:
            raise InputError(
                f"--ellipse-m {ellipse!r}: write three numbers "
                "SIGMA_MAJOR_M,SIGMA_MINOR_M,AZIMUTH_DEG, e.g. 800,300,45"
            ) from exc
    if sigma_m is None:
        return Uncertainty.exact()
    if not sigma_m >= 0 or sigma_m == float("inf"):
        raise InputError(f"--sigma-m {sigma_m}: give a finite number of metres, 0 or more")
    return Uncertainty.circular(sigma_m)


@app.command("where")
def where(
    lon: Annotated[float, typer.Argument(help="Longitude, degrees (WGS84).")],
    lat: Annotated[float, typer.Argument(help="Latitude, degrees (WGS84).")],
    agreement_ref: AgreementRef = None,
    sigma_m: Annotated[
        float | None, typer.Option("--sigma-m", help="One-sigma circular position error, metres.")
    ] = None,
    ellipse: Annotated[
        str | None,
        typer.Option(
            "--ellipse-m", help="One-sigma error ellipse: SIGMA_MAJOR_M,SIGMA_MINOR_M,AZIMUTH_DEG."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who controls a point, how far it is from the line, which zones it is in (with
    probabilities), and where it is in words.

    Example: ceasewatch where 37.99 48.33 --sigma-m 500
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.agreement.locate import Locator
    from ceasewatch.model.places import Gazetteer

    try:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            swap = " (longitude comes first)" if -90 <= lon <= 90 < abs(lat) <= 180 else ""
            raise InputError(f"{lon} {lat} is not a longitude and latitude{swap}")
        uncertainty = _uncertainty(sigma_m, ellipse)
        agreement = resolve(agreement_ref)
        locator = Locator(agreement, Gazetteer.default())
        answer = locator.locate(lon, lat, uncertainty)
    except CeasewatchError as error:
        _fail(error)
    if as_json:
        payload = {
            "agreement": {
                "id": agreement.id,
                "version": agreement.version,
                "digest": agreement.digest,
            },
            **answer.to_dict(),
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    from ceasewatch.agreement.describe import describe_location

    typer.echo(describe_location(answer, agreement))


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo's files.")] = Path(
        "demo-output"
    ),
    scenario_name: Annotated[
        str,
        typer.Option(
            "--scenario", "-s", help="quiet-day, peak-day, escalation, jamming or complaints."
        ),
    ] = "peak-day",
    seed: Annotated[int, typer.Option("--seed", help="The simulation's seed.")] = 7,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the API and dashboard on localhost.")
    ] = False,
    port: Annotated[int, typer.Option("--port", help="The port for --serve.")] = 8765,
    with_real_data: Annotated[
        bool,
        typer.Option(
            "--with-real-data",
            help="Then run the real-world channels (control maps, excess fire, news reports) "
            "on the shared data folder into OUT/real-data.",
        ),
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="The shared data folder for --with-real-data (default: $CEASEWATCH_DATA, "
            "else ../shared/data).",
        ),
    ] = None,
) -> None:
    """Run the demonstration on the embedded default: the default agreement's summary and map,
    then a simulated scenario (peak-day unless told) ingested into an embedded evidence log,
    checkpointed, exported and verified offline, fused from the store into events and
    incidents, adjudicated into violations, complaint answers, coverage and the escalation
    ladder, and written up as the report (public and full editions, HTML and PDF) and the alerts
    due. Prints a one-screen summary; every stage's details go to OUT/demo.txt. With --serve it
    then serves the API and dashboard over OUT/state on 127.0.0.1 until interrupted. With
    --with-real-data it ends with the real-world channels on the shared data folder: the last
    month's control-map changes, excess fire of 2022 against 2021 and a month of VIINA news
    reports, written with their report (channels.html, channels.pdf) into OUT/real-data.

    Example: ceasewatch demo --scenario peak-day --out demo-output
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.agreement.locate import Locator
    from ceasewatch.agreement.summary import summarize
    from ceasewatch.commands.progress import stage_progress
    from ceasewatch.pipeline.demo import REAL_STAGES, STAGES, run_demo
    from ceasewatch.pipeline.real_data import find_data
    from ceasewatch.pipeline.summary import summary_lines
    from ceasewatch.report.agreement_map import render_agreement_map

    try:
        real_data = find_data(data) if with_real_data else None
        agreement = resolve(None)
        typer.echo(summarize(agreement, Locator(agreement)))
        out.mkdir(parents=True, exist_ok=True)
        written = render_agreement_map(agreement, out / f"{agreement.id}-v{agreement.version}.png")
        typer.echo(f"map: {written}\n")
        with stage_progress(REAL_STAGES if real_data else STAGES) as (stage, say):
            result = run_demo(
                agreement,
                out,
                scenario_name=scenario_name,
                seed=seed,
                stage=stage,
                say=say,
                real_data=real_data,
            )
    except CeasewatchError as error:
        _fail(error)
    except OSError as error:
        typer.echo(f"error: cannot write to {out}: {error.strerror}", err=True)
        raise typer.Exit(2) from error
    typer.echo("\n".join(summary_lines(result)))
    if serve:
        _serve_demo(out / "state", port)


def _serve_demo(state: Path, port: int) -> None:
    """Serve the demo's state, with an analyst's token printed to paste into the dashboard."""
    import time

    from ceasewatch.api.tokens import Principal, Role
    from ceasewatch.commands.serve import build_app

    try:
        app = build_app(state)
    except CeasewatchError as error:
        _fail(error)
    key = app.state.settings.key
    token = key.issue(Principal(Role.ANALYST, "demo-analyst"), int(time.time()), 8 * 3600)
    typer.echo(f"\nserving on http://127.0.0.1:{port}/ (API under /api, docs at /docs); "
               "Ctrl-C stops it")  # fmt: skip
    typer.echo(f"an analyst's token for 8 h (paste it in the dashboard):\n{token}")
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@app.command("simulate")
def simulate(
    scenario_name: Annotated[
        str,
        typer.Option(
            "--scenario", "-s", help="quiet-day, peak-day, escalation, jamming or complaints."
        ),
    ] = "quiet-day",
    seed: Annotated[int, typer.Option("--seed", help="The seed: same seed, same bytes.")] = 1,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write.")] = Path("sim-output"),
    hours: Annotated[
        float | None, typer.Option("--hours", help="Override the scenario's duration.")
    ] = None,
    deployment: Annotated[
        str, typer.Option("--deployment", "-d", help="dense, sparse, or a deployment YAML file.")
    ] = "dense",
    agreement_ref: AgreementRef = None,
) -> None:
    """Simulate a scenario on the real line: what real sources would send, plus the truth.

    Example: ceasewatch simulate --scenario peak-day --seed 7 --out runs/peak
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.sim.run import SIMULATION_STEPS
    from ceasewatch.sim.run import simulate as run_simulation
    from ceasewatch.sim.scenarios import scenario

    try:
        chosen = scenario(scenario_name)
        agreement = resolve(agreement_ref)
        sensors = _deployment(deployment, agreement, seed)
        with Progress(
            TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(), transient=True
        ) as progress:
            task = progress.add_task("simulating", total=SIMULATION_STEPS)

            def advance(name: str) -> None:
                progress.update(task, advance=1, description=f"simulating: {name}")

            summary = run_simulation(
                agreement, chosen, seed, out, deployment=sensors, hours=hours, step=advance
            )
    except CeasewatchError as error:
        _fail(error)
    typer.echo(summary.text())


def _deployment(spec: str, agreement, seed: int):  # type: ignore[no-untyped-def]
    from ceasewatch.sim.deployment import generate, load_deployment

    if spec in ("dense", "sparse"):
        return generate(agreement, spec, seed=seed)
    if not Path(spec).is_file():
        raise InputError(
            f"--deployment {spec!r}: give dense, sparse or the path of a "
            "deployment YAML file (docs/deployment.md)"
        )
    return load_deployment(spec, agreement)


@app.command("plan")
def plan(
    deployment: Annotated[
        str, typer.Option("--deployment", "-d", help="dense, sparse, or a deployment YAML file.")
    ] = "dense",
    out: Annotated[Path, typer.Option("--out", "-o", help="Map to write (.png or .svg).")] = Path(
        "plan.png"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of a generated deployment.")] = 1,
    agreement_ref: AgreementRef = None,
) -> None:
    """Where sensors should go: along the line, the chance that an explosion is heard by at
    least 3 acoustic sensors and the expected location error, per sector and on a map.

    Example: ceasewatch plan --deployment sparse --out plan-sparse.png
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.sim.planning import run_plan

    try:
        agreement = resolve(agreement_ref)
        text, written = run_plan(agreement, _deployment(deployment, agreement, seed), out)
    except CeasewatchError as error:
        _fail(error)
    typer.echo(text)
    typer.echo(f"map: {written}")


@app.command("score")
def score(
    truth: Annotated[Path, typer.Option("--truth", help="The simulator's truth folder.")],
    run: Annotated[
        Path,
        typer.Option("--run", help="The pipeline run's folder (events.jsonl, violations.jsonl)."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Where to write score.json and the plots. Default: the run folder."
        ),
    ] = None,
) -> None:
    """Score a pipeline run against the simulator's truth: association, location, violations,
    attribution and its calibration, coverage, time to alert.

    Example: ceasewatch score --truth runs/peak/truth --run runs/peak-pipeline
    """
    from ceasewatch.sim.scoring import run_score

    try:
        text, written = run_score(truth, run, out or run)
    except CeasewatchError as error:
        _fail(error)
    typer.echo(text)
    typer.echo(f"score: {written}")


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # e.g. `ceasewatch where … | head -1`
        sys.stderr.close()


if __name__ == "__main__":
    main()
