"""``ceasewatch store upgrade|status`` (the server store's schema) and ``ceasewatch find`` (kept
incidents and events by place and time, answered by the store's spatial index)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ceasewatch.commands.evidence import HomeOption, StoreOption, fail
from ceasewatch.errors import CeasewatchError, InputError

store_app = typer.Typer(
    help="The store's schema: upgrade a server store, show its revision and partitions.",
    no_args_is_help=True,
)


def _url(home_dir: Path | None, store_url: str | None) -> str:
    from ceasewatch.store.home import Home

    return Home.from_env(home_dir).store_url(store_url)


@store_app.command("upgrade")
def upgrade(home_dir: HomeOption = None, store_url: StoreOption = None) -> None:
    """Bring a PostgreSQL store to this version's schema (Alembic migrations, in one
    transaction). Back it up first (docs/operations.md). An embedded SQLite store needs no
    upgrade: it is brought up to date when opened.

    Example: ceasewatch store upgrade --store postgresql://ceasewatch@db.internal/ceasewatch
    """
    from ceasewatch.store.migrate import upgrade as migrate
    from ceasewatch.store.postgres import split_url

    try:
        url = _url(home_dir, store_url)
        if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise InputError(f"{url} is an embedded store: it is upgraded when opened")
        conninfo, schema = split_url(url.replace("postgresql+psycopg://", "postgresql://", 1))
        before, after = migrate(conninfo, schema)
    except CeasewatchError as error:
        fail(error)
    if before == after:
        typer.echo(f"{url}: already at revision {after}; nothing to do")
    else:
        typer.echo(f"{url}: upgraded from revision {before or '(empty)'} to {after}")


@store_app.command("status")
def status(
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The store's schema revision, its partitions (the log by position, the places by month)
    with their estimated rows, and its size on disk.

    Example: ceasewatch store status --store postgresql://postgres@127.0.0.1/ceasewatch
    """
    from ceasewatch.store.open import open_store

    try:
        url = _url(home_dir, store_url)
        store = open_store(url)
    except CeasewatchError as error:
        fail(error)
    found = _status(store)
    store.close()
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    typer.echo(f"store     {url}")
    typer.echo(f"schema    {found['revision']} (this ceasewatch: {found['head']})")
    typer.echo(f"size      {found['size_bytes'] / 2**20:,.1f} MiB")
    for table, name, rows in found["partitions"]:
        typer.echo(f"  {table:<8} {name:<18} ~{rows:,} rows")


def _status(store: Any) -> dict[str, Any]:
    from ceasewatch.store.migrate import status
    from ceasewatch.store.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        with store.read() as reader:
            found = status(reader.cur)
        return {
            "revision": found.revision,
            "head": found.head,
            "size_bytes": found.size_bytes,
            "partitions": [list(p) for p in found.partitions],
        }
    with store.read() as reader:
        revision = reader.meta("schema")
    size = store.path.stat().st_size if hasattr(store, "path") else 0
    return {"revision": revision, "head": revision, "size_bytes": size, "partitions": []}


def find(
    near: Annotated[
        str | None,
        typer.Option(help="LON,LAT or a settlement's name (Latin or Cyrillic)."),
    ] = None,
    within_km: Annotated[float, typer.Option(help="How far from --near, km.")] = 5.0,
    area: Annotated[
        str | None,
        typer.Option(
            help="A polygon of the agreement's map (zone/ID, sector/ID, party/ID, "
            "site-radius/ID) or a GeoJSON file."
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this UTC time (RFC 3339).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this UTC time (RFC 3339).")] = None,
    kind: Annotated[str, typer.Option(help="incidents or events.")] = "incidents",
    run_id: Annotated[
        str | None, typer.Option("--run", help="A fusion run id. Default: the latest.")
    ] = None,
    agreement_ref: Annotated[
        str | None, typer.Option("--agreement", help="Agreement for --area (default ua-2026).")
    ] = None,
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Find kept incidents (or events) near a place or inside an area of the agreement's map,
    in a time range: answered by the store's spatial index (PostGIS on a server store).

    Example: ceasewatch find --near Horlivka --within-km 10 --since 2026-02-18T00:00:00Z
    """
    from ceasewatch.commands.find_query import run_find

    try:
        rows, words = run_find(
            _url(home_dir, store_url),
            near=near,
            within_km=within_km,
            area=area,
            since=since,
            until=until,
            kind=kind,
            run_id=run_id,
            agreement_ref=agreement_ref,
        )
    except CeasewatchError as error:
        fail(error)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    typer.echo(words)
