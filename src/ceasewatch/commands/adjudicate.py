"""``ceasewatch adjudicate`` (fused incidents → violations) and ``ceasewatch replay`` (an exported
log and an agreement → the same verdicts, their digest, and the difference an amendment makes)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.commands.fuse import Complaints, Detections, Tracks
from ceasewatch.errors import CeasewatchError, InputError

AGREEMENT_HELP = "agreement id, folder or file (e.g. ua-2026, ua-2026@1, path/agreement.yaml)"
LINE_CHANGES_FIX = "write the changes with ceasewatch line diff OLD NEW --json FILE"
AS_OF_HELP = (
    "the time the verdicts are made at (RFC 3339); default: the latest time the inputs state"
)


def adjudicate(
    incidents: Annotated[
        Path | None,
        typer.Option(help="incidents.jsonl from ceasewatch fuse (events.jsonl beside it)"),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            help="instead of files: fuse and adjudicate what the store in this state folder "
            "holds (DIR/evidence.sqlite), with the analysts' review decisions in its log"
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(help="with --state: the store's URL when it is not DIR/evidence.sqlite"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="folder for violations.jsonl and the rest; default: the incidents' own, or "
            "DIR/adjudication with --state"
        ),
    ] = None,
    agreement: Annotated[str, typer.Option(help=AGREEMENT_HELP)] = "ua-2026",
    detections: Detections = None,
    tracks: Tracks = None,
    complaints: Complaints = None,
    status: Annotated[
        Path | None, typer.Option(help="sensor status.jsonl (heartbeats, jamming): coverage")
    ] = None,
    sensors: Annotated[
        Path | None, typer.Option(help="the sensor registry (sensors.geojson), with --status")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
    line_changes: Annotated[
        Path | None,
        typer.Option(
            help="changes of the line of control (ceasewatch line diff --json): ground taken "
            "across the line, judged under the rules that forbid crossing"
        ),
    ] = None,
) -> None:
    """Adjudicate fused incidents under an agreement: for each rule an incident may break, did it
    occur (p_occurred), who is responsible (a probability per party and unknown) and was it
    deliberate (null unless evidence supports it), with reasons and evidence ids; writes
    violations.jsonl (FORMATS.md), indeterminate.jsonl and the verdict set's digest. With
    --status and --sensors: coverage per sensor, sector and 10 km of line, and counts by sector
    under it; with --complaints: the answers and each party's record; always the escalation
    ladder and ACLED/UCDP-style tables. With --state it reads everything from the store's log,
    as the operator's pipeline does, and writes into DIR/adjudication (where ceasewatch review
    finds it).

    Example: ceasewatch adjudicate --incidents run/incidents.jsonl --detections sim/detections.jsonl
    """
    from ceasewatch.adjudication.run import run_adjudication, write_verdicts
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import fail
    from ceasewatch.fusion.files import read_jsonl
    from ceasewatch.model.time import parse_ns

    if state is not None:
        _from_state(state, store, out, agreement, as_of, line_changes)
        return
    try:
        if incidents is None:
            raise InputError("give --incidents FILE (from ceasewatch fuse) or --state DIR")
        if not incidents.is_file():
            raise InputError(f"{incidents}: no such file; give the incidents.jsonl of a fuse run")
        if (status is None) != (sensors is None):
            raise InputError(
                "--status and --sensors go together: coverage needs the status reports and the "
                "registry of the sensors that sent them"
            )
        records = {
            name: read_jsonl(path)
            for name, path in (
                ("detections", detections),
                ("tracks", tracks),
                ("complaints", complaints),
                ("status", status),
            )
            if path is not None
        }
        registry = None if sensors is None else _features(sensors)
        changes = () if line_changes is None else read_jsonl(line_changes, LINE_CHANGES_FIX)
        result = run_adjudication(
            read_jsonl(incidents),
            resolve(agreement),
            records,
            as_of_ns=None if as_of is None else parse_ns(as_of, where="--as-of"),
            inputs={"incidents": str(incidents)}
            | ({} if line_changes is None else {"line_changes": str(line_changes)}),
            sensors=registry,
            line_changes=changes,
        )
        written = write_verdicts(result, out or incidents.parent)
    except CeasewatchError as error:
        fail(error)
    typer.echo(result.text())
    typer.echo(f"  wrote: {', '.join(str(p) for p in written)}")


def _from_state(
    state: Path,
    store_url: str | None,
    out: Path | None,
    agreement: str,
    as_of: str | None,
    line_changes: Path | None,
) -> None:
    from ceasewatch.adjudication.replay import replay_store
    from ceasewatch.adjudication.run import write_verdicts
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import fail, state_store_url
    from ceasewatch.fusion.files import read_jsonl
    from ceasewatch.model.time import parse_ns
    from ceasewatch.store.open import open_store

    try:
        changes = () if line_changes is None else read_jsonl(line_changes, LINE_CHANGES_FIX)
        opened = open_store(state_store_url(state, store_url))
        try:
            replayed = replay_store(
                opened,
                resolve(agreement),
                as_of_ns=None if as_of is None else parse_ns(as_of, where="--as-of"),
                progress=lambda m: print(m, file=sys.stderr),
                line_changes=changes,
            )
        finally:
            opened.close()
        written = write_verdicts(replayed.verdicts, out or state / "adjudication")
    except CeasewatchError as error:
        fail(error)
    typer.echo(replayed.verdicts.text())
    typer.echo(f"  wrote: {', '.join(str(p) for p in written)}")


def _features(path: Path) -> list[dict[str, object]]:
    import json

    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(
            f"{path}: cannot read the sensor registry ({error}); give sensors.geojson"
        ) from error
    features = body.get("features") if isinstance(body, dict) else None
    if not isinstance(features, list):
        raise InputError(f"{path}: not a GeoJSON FeatureCollection; give sensors.geojson")
    return features


def replay(
    log: Annotated[
        Path, typer.Option(help="an export folder (ceasewatch log export DIR --restricted)")
    ],
    agreement: Annotated[str, typer.Option(help=AGREEMENT_HELP)] = "ua-2026",
    key: Annotated[
        str | None, typer.Option(help="the log's verifier key: verify the export first")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="another agreement version: replay under both and show the difference"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="write the replayed verdicts (and events) to this folder")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
    quiet: Annotated[bool, typer.Option(help="no progress lines")] = False,
) -> None:
    """Recompute every verdict from an exported evidence log and an agreement version: read the
    log back, fuse it, adjudicate it with this software, and print the SHA-256 of the canonical
    verdict set. With --compare, re-adjudicate the same history under another agreement version
    and print what changes.

    Example: ceasewatch replay --log export --agreement ua-2026@1 --compare path/v2/agreement.yaml
    """
    from ceasewatch.adjudication.replay import replay_export
    from ceasewatch.adjudication.run import write_verdicts
    from ceasewatch.adjudication.verdicts import diff
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import fail
    from ceasewatch.fusion.files import write_jsonl
    from ceasewatch.model.time import parse_ns

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr)

    try:
        as_of_ns = None if as_of is None else parse_ns(as_of, where="--as-of")
        first = replay_export(log, resolve(agreement), key=key, progress=say, as_of_ns=as_of_ns)
        if first.verified:
            typer.echo(first.verified)
        typer.echo(first.verdicts.text())
        if out is not None:
            write_verdicts(first.verdicts, out)
            write_jsonl(out / "events.jsonl", first.fusion.fused.events)
            write_jsonl(out / "incidents.jsonl", first.fusion.fused.incidents_json())
        if compare is not None:
            second = replay_export(log, resolve(compare), progress=say, as_of_ns=as_of_ns)
            typer.echo(second.verdicts.text())
            change = diff(first.verdicts.verdicts, second.verdicts.verdicts)
            typer.echo(change.text(first.verdicts.verdicts, second.verdicts.verdicts))
    except CeasewatchError as error:
        fail(error)
