"""``ceasewatch serve`` (the API and dashboard over a state folder) and ``ceasewatch token
create`` (a signed access token for testing and set-up)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.commands.evidence import fail, state_store_url
from ceasewatch.errors import CeasewatchError, InputError

token_app = typer.Typer(help="Access tokens for the API.", no_args_is_help=True)

State = Annotated[
    Path,
    typer.Option(
        "--state", help="The state folder (the store and adjudication/), e.g. demo-output/state."
    ),
]


def serve(
    state: State = Path("demo-output/state"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    store_url: Annotated[
        str | None, typer.Option("--store", help="Store URL, if not STATE/evidence.sqlite.")
    ] = None,
) -> None:
    """Serve the API (OpenAPI at /openapi.json, documentation at /docs) over a state folder,
    on localhost unless told.

    Example: ceasewatch serve --state demo-output/state --port 8765
    """
    try:
        app = build_app(state, store_url)
    except CeasewatchError as error:
        fail(error)
        return
    import uvicorn

    typer.echo(f"serving {state} on http://{host}:{port}/ (API under /api, docs at /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def build_app(state: Path, store_url: str | None = None):  # type: ignore[no-untyped-def]
    from ceasewatch.api.app import Settings, create_app
    from ceasewatch.api.catalog import Catalog
    from ceasewatch.api.tokens import TokenKey
    from ceasewatch.store.open import open_store

    if not state.is_dir():
        raise InputError(
            f"--state {state}: no such folder; run ceasewatch demo first, or give "
            "the folder that holds evidence.sqlite and adjudication/"
        )
    store = open_store(state_store_url(state, store_url))
    key = TokenKey.load_or_create(state / "keys")
    return create_app(Settings(Catalog(state, store), key))


@token_app.command("create")
def create(
    role: Annotated[
        str, typer.Option("--role", help="operator, analyst, contributor, party or public.")
    ],
    party: Annotated[str | None, typer.Option("--party", help="For a party token: RU, UA…")] = None,
    contributor: Annotated[
        str | None, typer.Option("--contributor", help="For a contributor token: UK, FR…")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Who: an analyst's name.")
    ] = None,
    ttl_s: Annotated[int, typer.Option("--ttl", help="Seconds it lives (≤ 86400).")] = 900,
    state: State = Path("demo-output/state"),
) -> None:
    """Print a signed token for a role, valid for --ttl seconds, made with the state folder's
    token key (created on first use).

    Example: ceasewatch token create --role party --party RU --state demo-output/state
    """
    from ceasewatch.api.tokens import Principal, Role, TokenKey

    try:
        try:
            chosen = Role(role)
        except ValueError:
            raise InputError(
                f"--role {role!r}: use one of {', '.join(r.value for r in Role)}"
            ) from None
        who = subject or (party or contributor or chosen.value)
        principal = Principal(
            chosen,
            who,
            party=party if chosen is Role.PARTY else None,
            contributor=contributor if chosen is Role.CONTRIBUTOR else None,
        )
        token = TokenKey.load_or_create(state / "keys").issue(principal, int(time.time()), ttl_s)
    except CeasewatchError as error:
        fail(error)
        return
    typer.echo(token)
