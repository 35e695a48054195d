"""Commands of a witness: a party's own server that cosigns only consistent checkpoints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.commands.evidence import HomeOption, fail
from ceasewatch.errors import CeasewatchError, InputError

witness_app = typer.Typer(
    help="Run a witness (C2SP tlog-witness): cosign only checkpoints consistent with the last.",
    no_args_is_help=True,
)


def _signer(home_dir: Path | None, name: str | None):  # type: ignore[no-untyped-def]
    from ceasewatch.evidence.cosignature import CosignerSigner
    from ceasewatch.store.home import Home, write_private

    home = Home.from_env(home_dir)
    path = home.key_path("witness")
    if path.exists():
        signer = CosignerSigner.from_private_key_text(path.read_text(encoding="utf-8").strip())
        if name is not None and signer.name != name:
            raise InputError(f"the witness key {path} is named {signer.name!r}, not {name!r}")
        return home, signer
    if name is None:
        raise InputError("this home has no witness key yet: give --name, e.g. --name ru-witness")
    signer = CosignerSigner.generate(name, os.urandom(32))
    write_private(path, signer.private_key_text() + "\n")
    return home, signer


@witness_app.command("key")
def witness_key(
    name: Annotated[
        str | None, typer.Option("--name", help="The witness's name (first use only).")
    ] = None,
    home_dir: HomeOption = None,
) -> None:
    """Print the witness's verifier key (created on first use, kept in HOME/keys).

    Example: ceasewatch witness key --name ru-witness --home ~/ru-witness
    """
    try:
        _home, signer = _signer(home_dir, name)
    except CeasewatchError as error:
        fail(error)
    typer.echo(signer.verifier_key())


@witness_app.command("serve")
def witness_serve(
    log_key: Annotated[
        list[str],
        typer.Option("--log-key", help="Verifier key (or file) of a log to witness; repeatable."),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="The witness's name (first use only).")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 7380,
    home_dir: HomeOption = None,
) -> None:
    """Serve POST /add-checkpoint: cosign a log's checkpoint only if it is consistent with the
    last one this witness cosigned (state kept in HOME/witness).

    Example: ceasewatch witness serve --log-key log.vkey --name ru-witness --port 7380
    """
    from ceasewatch.commands.evidence import key_text
    from ceasewatch.evidence.note import Verifier
    from ceasewatch.evidence.witness import FileWitnessState, Witness
    from ceasewatch.evidence.witness_http import serve

    try:
        home, signer = _signer(home_dir, name)
        logs = {}
        for text in log_key:
            verifier = Verifier.from_key(key_text(text))
            logs[verifier.name] = verifier
        witness = Witness(signer, logs, FileWitnessState(home.root / "witness"))
        server = serve(host, port, witness)
    except OSError as error:
        fail(InputError(f"cannot listen on {host}:{port}: {error.strerror}"))
    except CeasewatchError as error:
        fail(error)
    typer.echo(f"witness {signer.name} on {server.url} for {', '.join(sorted(logs))}")
    typer.echo(signer.verifier_key())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
