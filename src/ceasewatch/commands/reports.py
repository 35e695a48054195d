"""Commands over open-source reports: ``ceasewatch reports viina``."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.commands.evidence import fail
from ceasewatch.errors import CeasewatchError, InputError

reports_app = typer.Typer(
    help="Open-source reports: ingest news-event files and collapse duplicates.",
    no_args_is_help=True,
)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date. Fix: write it as 2025-03-01") from None


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


@reports_app.command("viina")
def viina(
    files: Annotated[list[Path], typer.Argument(help="VIINA 2.0 CSV files (viina_incidents_*).")],
    from_day: Annotated[
        str | None, typer.Option("--from", help="First day kept (YYYY-MM-DD, UTC).")
    ] = None,
    to_day: Annotated[
        str | None, typer.Option("--to", help="Last day kept (YYYY-MM-DD, UTC, inclusive).")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for open-reports.jsonl and events.jsonl.")
    ] = Path("viina-output"),
) -> None:
    """Read VIINA news-event files into open-reports.jsonl (which ceasewatch ingest appends to
    the log), collapse near-duplicates into events.jsonl and print how many raw reports became
    how many distinct events.

    Example: ceasewatch reports viina viina_incidents_202503.csv --from 2025-03-01 --to 2025-03-07
    """
    from ceasewatch.fusion.report_dedup import distinct_events
    from ceasewatch.fusion.report_places import PlaceIndex
    from ceasewatch.ingest.viina import PlaceNames, read_files
    from ceasewatch.model.places import Gazetteer

    try:
        first, last = _day(from_day, "--from"), _day(to_day, "--to")
        if first and last and last < first:
            raise InputError(f"--to {last} is before --from {first}. Fix: swap the two dates")
        gazetteer = Gazetteer.default()
        batch = read_files(files, PlaceNames(gazetteer))
    except CeasewatchError as error:
        fail(error)
    reports = [
        r
        for r in batch.reports
        if (first is None or str(r["t_start"])[:10] >= first.isoformat())
        and (last is None or str(r["t_start"])[:10] <= last.isoformat())
    ]
    events = distinct_events(reports, places=PlaceIndex.from_gazetteer(gazetteer))
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "open-reports.jsonl", reports)
    _write_jsonl(out / "events.jsonl", events)
    for rejected in batch.rejected:
        typer.echo(f"rejected {rejected}", err=True)
    typer.echo(
        f"{len(reports)} raw reports became {len(events)} distinct events "
        f"({len(batch.rejected)} rows rejected); wrote {out / 'open-reports.jsonl'} and "
        f"{out / 'events.jsonl'}"
    )
    raw_by = Counter((str(r["category"]), str(r["oblast"] or "?")) for r in reports)
    ev_by = Counter((str(e["category"]), str(e["oblast"] or "?")) for e in events)
    typer.echo("by type: " + ", ".join(
        f"{c} {sum(n for (k, _o), n in raw_by.items() if k == c)}→"
        f"{sum(n for (k, _o), n in ev_by.items() if k == c)}"
        for c in sorted({k for k, _o in raw_by})
    ))  # fmt: skip
    oblasts = Counter(str(r["oblast"] or "?") for r in reports)
    ev_oblasts = Counter(str(e["oblast"] or "?") for e in events)
    typer.echo("by oblast: " + ", ".join(
        f"{o} {n}→{ev_oblasts.get(o, 0)}" for o, n in oblasts.most_common()
    ))  # fmt: skip
