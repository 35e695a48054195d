"""``ceasewatch report``: a numbered daily or period report, HTML and PDF, in one edition."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.errors import CeasewatchError, InputError


def report(
    state: Annotated[
        Path | None,
        typer.Option(help="state folder: reads DIR/adjudication and the log's latest checkpoint"),
    ] = None,
    adjudication: Annotated[
        Path | None,
        typer.Option(help="instead of --state: the folder ceasewatch adjudicate wrote"),
    ] = None,
    day: Annotated[str | None, typer.Option(help="the UTC day to report, YYYY-MM-DD")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="instead of --day: start of the period (RFC 3339)")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="end of the period (RFC 3339)")] = None,
    cutoff: Annotated[
        str | None,
        typer.Option(help="cut-off time (RFC 3339): later violations wait for the next report"),
    ] = None,
    edition: Annotated[
        str, typer.Option(help="public | full | party:<ID> (e.g. party:RU)")
    ] = "public",
    out: Annotated[Path, typer.Option(help="folder for report-<n>-<edition>.html and .pdf")] = Path(
        "reports"
    ),
    agreement: Annotated[
        str, typer.Option(help="agreement id, folder or file (e.g. ua-2026, ua-2026@1)")
    ] = "ua-2026",
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="with --adjudication: a checkpoint file of the log the report is from"),
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="with --state: the store's URL when it is not "
            "DIR/evidence.sqlite (default: $CEASEWATCH_STORE)",
        ),
    ] = None,  # fmt: skip
) -> None:
    """Write a numbered daily or period report (HTML and PDF) in one edition, with a cut-off
    time and the log checkpoint it was made from: summary, counts by sector (with each sector's
    coverage), type and party, notable incidents in words, complaints and their outcome,
    escalation, a map and a trend plot. Every edition comes from one record by one redaction
    policy (docs/reports.md).

    Example: ceasewatch report --state demo/state --day 2026-02-18 --edition public --out reports
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import fail
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.model.time import parse_ns
    from ceasewatch.report.daily_inputs import read_adjudication
    from ceasewatch.report.daily_record import build_record, day_window
    from ceasewatch.report.daily_render import write_edition
    from ceasewatch.report.editions import edition as make_edition
    from ceasewatch.report.editions import edition_slug

    try:
        folder, note = _sources(state, adjudication, checkpoint, store_url)
        if day is not None and (start or end):
            raise InputError("give either --day or --from/--to, not both")
        if day is not None:
            start_ns, end_ns = day_window(day)
        elif start and end:
            start_ns, end_ns = parse_ns(start, where="--from"), parse_ns(end, where="--to")
        else:
            raise InputError("give --day YYYY-MM-DD, or --from T --to T")
        cutoff_ns = parse_ns(cutoff, where="--cutoff") if cutoff else None
        law = resolve(agreement)
        record = build_record(
            read_adjudication(folder),
            law,
            start_ns,
            end_ns,
            cutoff_ns=cutoff_ns,
            checkpoint=note,
            gazetteer=Gazetteer.default(),
        )
        chosen = make_edition(record, edition)
        html, pdf = write_edition(chosen, law, out, edition_slug(edition))
    except CeasewatchError as error:
        fail(error)
        return
    typer.echo(f"report {record.number} ({edition}): {html}, {pdf}")


def _sources(
    state: Path | None,
    adjudication: Path | None,
    checkpoint: Path | None,
    store_url: str | None = None,
) -> tuple[Path, str | None]:
    """The adjudication folder and the checkpoint text to report from."""
    if (state is None) == (adjudication is None):
        raise InputError("give --state DIR or --adjudication FOLDER (one of them)")
    note = None
    if checkpoint is not None:
        try:
            note = checkpoint.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{checkpoint}: cannot read the checkpoint ({exc})") from exc
    if adjudication is not None:
        return adjudication, note
    assert state is not None
    from ceasewatch.store.open import open_store

    database = store_url or os.environ.get("CEASEWATCH_STORE")
    if database is None and (state / "evidence.sqlite").is_file():
        database = str(state / "evidence.sqlite")
    if note is None and database is not None:
        store = open_store(database)
        try:
            with store.read() as log:
                row = log.latest_checkpoint()
        finally:
            store.close()
        note = None if row is None else row.note.decode("utf-8", errors="replace")
    return state / "adjudication", note
