"""Commands of the evidence stage: ingest, the log, offline verification.

Thin: each opens the home and store and calls one function of ``ingest`` or ``evidence``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.errors import CeasewatchError, InputError

log_app = typer.Typer(
    help="The evidence log: key, status, checkpoints, export.", no_args_is_help=True
)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="State folder (store, keys, quarantine). Default: $CEASEWATCH_HOME or ~/.ceasewatch.",
        show_default=False,
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="sqlite file path or postgresql://USER@HOST/DB. Default: $CEASEWATCH_STORE or "
        "HOME/evidence.sqlite.",
        show_default=False,
    ),
]

WitnessOption = Annotated[
    list[str] | None,
    typer.Option("--witness", help="URL of a witness to cosign (repeatable)."),
]


def fail(error: CeasewatchError) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2)


def state_store_url(state: Path, store_url: str | None) -> str:
    """The store of a state folder: ``--store URL`` when given, else ``$CEASEWATCH_STORE`` when
    set (as for ``--home``), else ``DIR/evidence.sqlite``, which must exist (the fix is to ingest
    into it, or to name the store)."""
    if store_url is not None:
        return store_url
    if env := os.environ.get("CEASEWATCH_STORE"):
        return env
    path = state / "evidence.sqlite"
    if not path.is_file():
        raise InputError(
            f"{state}: no store there (evidence.sqlite); give the state folder ingest used "
            f"(ceasewatch ingest --home {state} …), or --store URL ($CEASEWATCH_STORE)"
        )
    return str(path)


def _open(home_dir: Path | None, store_url: str | None):  # type: ignore[no-untyped-def]
    from ceasewatch.evidence.log import EvidenceLog
    from ceasewatch.store.home import Home
    from ceasewatch.store.open import open_store

    home = Home.from_env(home_dir)
    store = open_store(home.store_url(store_url))
    return home, EvidenceLog(store, salts=os.urandom)


def _log_signer(home, log):  # type: ignore[no-untyped-def]
    return home.signer("log", log.origin())


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest, in any of the formats.")],
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="picks, tracks, detections, firms, reports, complaints, sensors or "
            "notifications. Default: detected from the name and content.",
        ),
    ] = None,
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
    quarantine: Annotated[
        Path | None,
        typer.Option("--quarantine", help="Folder for rejected records. Default: HOME/quarantine."),
    ] = None,
    ack_file: Annotated[
        Path | None,
        typer.Option(
            "--ack-file",
            help="Append one line per durable record (kind, id, status, entry) after each "
            "committed batch.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Validate files and append their records to the evidence log. A bad record is rejected
    alone into the quarantine; re-sending a file is harmless. Exit 0 when every record is in
    the log, 1 when some were rejected or came back changed, 2 when nothing could be read.

    Example: ceasewatch ingest runs/peak/*.jsonl runs/peak/firms.csv runs/peak/sensors.geojson
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from ceasewatch.ingest.run import ingest_file

    try:
        home, log = _open(home_dir, store_url)
        acks = _AckWriter(ack_file) if ack_file else None
        results = []
        with Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            disable=as_json or not sys.stderr.isatty(),
            console=_stderr_console(),
        ) as progress:
            for path in paths:
                task = progress.add_task(path.name[:24], total=None)

                def advance(done: int, total: int, task: TaskID = task) -> None:
                    progress.update(task, completed=done, total=total)

                result = ingest_file(
                    log,
                    path,
                    kind=format_,
                    clock_ns=time.time_ns,
                    quarantine_dir=quarantine or home.quarantine,
                    on_ack=acks.write if acks else None,
                    on_progress=advance,
                )
                results.append(result)
                if not as_json:
                    _print_result(result)
    except CeasewatchError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps([_result_dict(r) for r in results], indent=2))
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


class _AckWriter:
    """Acknowledgements on disk: appended and fsynced after each committed batch."""

    def __init__(self, path: Path) -> None:
        _drop_torn_line(path)
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept for the run

    def write(self, acked) -> None:  # type: ignore[no-untyped-def]
        self.handle.write(
            "".join(
                f"{a.kind}\t{a.record_id}\t{a.outcome.status}\t{a.outcome.index}\n" for a in acked
            )
        )
        self.handle.flush()
        os.fsync(self.handle.fileno())


def _drop_torn_line(path: Path) -> None:
    """A run killed while writing leaves a last line without its newline: it was never a whole
    acknowledgement (its records are in the log; the next run reports them as duplicates), and
    appending after it would merge two lines. Cut it off before appending."""
    try:
        with open(path, "rb+") as handle:
            data = handle.read()
            if data and not data.endswith(b"\n"):
                handle.truncate(data.rfind(b"\n") + 1)
                handle.flush()
                os.fsync(handle.fileno())
    except FileNotFoundError:
        return


def _print_result(result) -> None:  # type: ignore[no-untyped-def]
    typer.echo(result.summary())
    if result.kind != "sensors":
        for revision in result.revisions[:20]:
            typer.echo(
                f"  line {revision.line}: {revision.record_id} was already entry "
                f"{revision.revision_of} with other content; both kept (entry {revision.index})",
                err=True,
            )
    for rejected in result.rejected[:20]:
        typer.echo(f"  {rejected}", err=True)
    more = len(result.rejected) - 20
    if more > 0:
        typer.echo(f"  … and {more} more", err=True)
    if result.quarantine is not None:
        typer.echo(f"  rejected records: {result.quarantine.rejected} (fix and resend)", err=True)
        typer.echo(f"  reasons: {result.quarantine.errors}", err=True)


def _result_dict(result) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "name": result.name,
        "format": result.kind,
        "new": result.counts["new"],
        "duplicate": result.counts["duplicate"],
        "revision": result.counts["revision"],
        "rejected": [
            {"line": r.line, "field": r.field, "reason": r.reason, "fix": r.fix}
            for r in result.rejected
        ],
        "quarantine": None if result.quarantine is None else str(result.quarantine.rejected),
        "receipt": result.receipt_index,
    }


@log_app.command("key")
def log_key(home_dir: HomeOption = None, store_url: StoreOption = None) -> None:
    """Print the log's verifier key (the key is created on first use, kept in HOME/keys).

    Example: ceasewatch log key > log.vkey
    """
    try:
        home, log = _open(home_dir, store_url)
        typer.echo(_log_signer(home, log).verifier_key())
    except CeasewatchError as error:
        fail(error)


@log_app.command("status")
def log_status(home_dir: HomeOption = None, store_url: StoreOption = None) -> None:
    """Print the store, the log's size and its latest checkpoint.

    Example: ceasewatch log status
    """
    try:
        _home, log = _open(home_dir, store_url)
        latest = log.latest_checkpoint()
        typer.echo(f"store      {log.store.url}")
        typer.echo(f"origin     {log.origin() or '(no checkpoint yet)'}")
        typer.echo(f"entries    {log.size():,}")
        if latest is not None:
            typer.echo(f"checkpoint size {latest.size:,}, root {latest.root.hex()}")
    except CeasewatchError as error:
        fail(error)


@log_app.command("checkpoint")
def log_checkpoint(
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
    witness: WitnessOption = None,
) -> None:
    """Sign a checkpoint of the log now, collect witness cosignatures, and print it.

    Example: ceasewatch log checkpoint --witness http://127.0.0.1:7380
    """
    from ceasewatch.evidence.publish import publish_once

    try:
        home, log = _open(home_dir, store_url)
        note, problems = publish_once(
            log, _log_signer(home, log), time.time_ns(), home.checkpoints, witness or []
        )
    except CeasewatchError as error:
        fail(error)
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    sys.stdout.write(note.decode("utf-8"))


@log_app.command("publish")
def log_publish(
    interval_s: Annotated[float, typer.Option("--interval-s", help="Seconds between checkpoints.")],
    count: Annotated[
        int | None,
        typer.Option("--count", help="Stop after this many; default: run until stopped."),
    ] = None,
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
    witness: WitnessOption = None,
) -> None:
    """Publish a checkpoint at a fixed interval (whenever the log grew), cosigned by the
    witnesses, into HOME/checkpoints.

    Example: ceasewatch log publish --interval-s 300 --witness http://127.0.0.1:7380
    """
    from ceasewatch.evidence.publish import publish_once

    if not interval_s > 0:
        fail(InputError("--interval-s: give a positive number of seconds"))
    try:
        home, log = _open(home_dir, store_url)
        signer = _log_signer(home, log)
        made = 0
        while count is None or made < count:
            note, problems = publish_once(
                log, signer, time.time_ns(), home.checkpoints, witness or []
            )
            for problem in problems:
                typer.echo(f"warning: {problem}", err=True)
            typer.echo(note.decode("utf-8").split("\n")[1] + " entries checkpointed")
            made += 1
            if count is None or made < count:
                time.sleep(interval_s)
    except CeasewatchError as error:
        fail(error)


@log_app.command("export")
def log_export(
    out: Annotated[Path, typer.Argument(help="A new folder to write the export into.")],
    restricted: Annotated[
        bool,
        typer.Option(
            "--restricted", help="Include sealed values (sensor positions, raw bytes) and salts."
        ),
    ] = False,
    recipient: Annotated[
        str, typer.Option("--to", help="Who receives the export (recorded in the log).")
    ] = "public",
    actor: Annotated[
        str, typer.Option("--actor", help="Who makes it (recorded in the log).")
    ] = "operator",
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
) -> None:
    """Export the log as a C2SP tlog-tiles folder that anyone can verify offline; the export
    is recorded in the log as a custody event first.

    Example: ceasewatch log export exports/2026-02-18 --to RU-liaison
    """
    from ceasewatch.evidence.export import export_log

    try:
        home, log = _open(home_dir, store_url)
        done = export_log(
            log,
            out,
            _log_signer(home, log),
            time.time_ns(),
            actor=actor,
            recipient=recipient,
            restricted=restricted,
        )
    except CeasewatchError as error:
        fail(error)
    typer.echo(
        f"exported {done.checkpoint.size:,} entries to {out} (custody entry {done.custody_index})"
    )
    typer.echo(f"verify: ceasewatch verify {out} --key '{_log_signer(home, log).verifier_key()}'")


@log_app.command("show")
def log_show(
    index: Annotated[int, typer.Argument(help="0-based entry index.")],
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
) -> None:
    """Print one entry of the log as JSON, with its inclusion proof in the latest checkpoint.

    Example: ceasewatch log show 0
    """
    import base64

    try:
        _home, log = _open(home_dir, store_url)
        with log.store.read() as reader:
            if not 0 <= index < reader.size():
                raise InputError(f"entry {index}: the log has {reader.size()} entries (0-based)")
            entry = reader.entry(index)
        latest = log.latest_checkpoint()
        payload: dict[str, object] = {"index": index, "entry": json.loads(entry.leaf)}
        if latest is not None and index < latest.size:
            payload["checkpoint_size"] = latest.size
            payload["inclusion_proof"] = [
                base64.b64encode(h).decode() for h in log.inclusion_proof(index, latest.size)
            ]
    except CeasewatchError as error:
        fail(error)
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def verify(
    directory: Annotated[Path, typer.Argument(help="An export folder (ceasewatch log export).")],
    key: Annotated[str, typer.Option("--key", help="The log's verifier key, or a file with it.")],
    since: Annotated[
        Path | None,
        typer.Option("--since", help="A checkpoint you kept: the export must be consistent."),
    ] = None,
    witness_key: Annotated[
        list[str] | None,
        typer.Option("--witness-key", help="A witness verifier key that must have cosigned."),
    ] = None,
) -> None:
    """Verify an exported log offline: signature, every entry, every tile, consistency. Exit 0
    when all is consistent, 1 naming the first bad entry, 2 for bad arguments.

    Example: ceasewatch verify exports/2026-02-18 --key log.vkey --since kept-checkpoint
    """
    from ceasewatch.evidence.verify import verify_export

    try:
        if not directory.is_dir():
            raise InputError(f"{directory} is not a folder; give the folder of an export")
        held = since.read_bytes() if since is not None else None
        finding = verify_export(
            directory,
            key_text(key),
            since=held,
            witness_keys=[key_text(k) for k in witness_key or []],
        )
    except OSError as error:
        fail(InputError(f"cannot read {error.filename}: {error.strerror}"))
    except CeasewatchError as error:
        fail(error)
    typer.echo(str(finding), err=not finding.ok)
    raise typer.Exit(0 if finding.ok else 1)


def key_text(value: str) -> str:
    """A key given inline, or the path of a file holding it."""
    path = Path(value)
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return value.strip()


@log_app.command("check")
def log_check(home_dir: HomeOption = None, store_url: StoreOption = None) -> None:
    """Check the store against itself: dense entries, tree nodes, idempotency keys, and every
    signed checkpoint still a prefix of the tree. Exit 0 when sound, 1 with each problem.

    Example: ceasewatch log check --store postgresql://postgres@127.0.0.1/ceasewatch
    """
    from ceasewatch.evidence.integrity import check_log

    try:
        _home, log = _open(home_dir, store_url)
        problems = check_log(log, progress=lambda text: typer.echo(text, err=True))
    except CeasewatchError as error:
        fail(error)
    for problem in problems:
        typer.echo(f"problem: {problem}")
    if not problems:
        typer.echo(f"OK: {log.size():,} entries, tree, keys and checkpoints are consistent")
    raise typer.Exit(1 if problems else 0)
