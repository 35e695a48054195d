"""Commands of the NATS JetStream transport: publish a file, consume into the log, gaps.

Thin: each calls one function of :mod:`ceasewatch.ingest.jetstream` or
:mod:`ceasewatch.ingest.sequences`. The consumer's sequences live in HOME/stream-sequences.sqlite.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.commands.evidence import HomeOption, StoreOption, _open, fail
from ceasewatch.errors import CeasewatchError

NatsOption = Annotated[str, typer.Option("--nats", help="The NATS server's URL.")]
StreamOption = Annotated[str, typer.Option("--stream", help="The JetStream stream's name.")]
PrefixOption = Annotated[
    str,
    typer.Option("--prefix", help="Subject prefix: records go on PREFIX.<source>.<contributor>."),
]
DurableOption = Annotated[
    str, typer.Option("--durable", help="The durable consumer's name (one per consuming store).")
]
NATS_URL = "nats://127.0.0.1:4222"
SEQUENCES = "stream-sequences.sqlite"


def publish(
    path: Annotated[Path, typer.Argument(help="A JSON Lines file, one record a line.")],
    source: Annotated[str, typer.Option("--source", help="The format: picks, tracks, …")],
    contributor: Annotated[str, typer.Option("--contributor", help="Who sends, e.g. UK.")],
    nats_url: NatsOption = NATS_URL,
    stream: StreamOption = "CEASEWATCH",
    prefix: PrefixOption = "ceasewatch",
    state: Annotated[
        Path | None,
        typer.Option(
            "--state", help="Sequence state file. Default: .ceasewatch-seq.json beside FILE."
        ),
    ] = None,
) -> None:
    """Publish a file's records to NATS JetStream, one message each, numbered per contributor
    and source; records JetStream already holds are dropped as repeats.

    Example: ceasewatch publish runs/peak/picks.jsonl --source picks --contributor UK
    """
    from ceasewatch.ingest.jetstream import publish_file

    try:
        result = publish_file(
            nats_url, path, source, contributor, stream=stream, prefix=prefix, state=state
        )
    except CeasewatchError as error:
        fail(error)
    typer.echo(
        f"{path.name}: {result.sent} sent, {result.duplicate} repeats dropped, "
        f"last sequence {result.last_seq}"
    )


def consume(
    nats_url: NatsOption = NATS_URL,
    stream: StreamOption = "CEASEWATCH",
    prefix: PrefixOption = "ceasewatch",
    durable: DurableOption = "ceasewatch-ingest",
    max_messages: Annotated[
        int | None, typer.Option("--max-messages", help="Stop after this many messages.")
    ] = None,
    idle_s: Annotated[
        float, typer.Option("--idle-s", help="Stop when nothing came for this many seconds.")
    ] = 2.0,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="Never stop for want of messages: run until SIGTERM or "
            "Ctrl-C, which finish the batch in hand (the service's way).",
        ),
    ] = False,  # fmt: skip
    batch: Annotated[
        int, typer.Option("--batch", min=1, help="Messages fetched and committed together.")
    ] = 500,
    ack_wait_s: Annotated[
        float,
        typer.Option(
            "--ack-wait-s",
            min=0.5,
            help="Seconds before an unacknowledged message is redelivered (set when the "
            "durable consumer is made).",
        ),
    ] = 30.0,
    home_dir: HomeOption = None,
    store_url: StoreOption = None,
) -> None:
    """Consume records from NATS JetStream into the evidence log, acknowledging each batch only
    after it is durable, with a receipt entry per batch in the same transaction; redeliveries
    append nothing. Exit 1 when some were rejected.

    Example: ceasewatch consume --nats nats://127.0.0.1:4222 --follow
    """
    from ceasewatch.ingest.jetstream import consume as run_consume
    from ceasewatch.ingest.sequences import SeenSequences

    try:
        home, log = _open(home_dir, store_url)
        home.root.mkdir(parents=True, exist_ok=True)
        seen = SeenSequences(home.root / SEQUENCES)
        try:
            result = run_consume(
                nats_url,
                log,
                seen=seen,
                clock_ns=time.time_ns,
                stream=stream,
                prefix=prefix,
                durable=durable,
                batch=batch,
                ack_wait_s=ack_wait_s,
                max_messages=max_messages,
                idle_s=idle_s,
                quarantine_dir=home.quarantine,
                follow=follow,
            )
        finally:
            seen.close()
    except CeasewatchError as error:
        fail(error)
    typer.echo(
        f"{stream}: {result.new} new, {result.duplicate} duplicates, {result.revision} changed, "
        f"{len(result.rejected)} rejected; {result.acked} acknowledged, "
        f"{result.receipts} receipts"
    )
    for rejected in result.rejected[:20]:
        typer.echo(f"  {rejected.describe('seq')}", err=True)
    raise typer.Exit(1 if result.rejected else 0)


def gaps(
    home_dir: HomeOption = None,
    nats_url: Annotated[
        str | None,
        typer.Option("--nats", help="Also print the durable consumer's state on this NATS server."),
    ] = None,
    stream: StreamOption = "CEASEWATCH",
    durable: DurableOption = "ceasewatch-ingest",
) -> None:
    """Print, per contributor and source, the highest sequence consumed and the missing ones
    (for the contributor to resend); with --nats, also what the consumer has pending.

    Example: ceasewatch gaps --nats nats://127.0.0.1:4222
    """
    from ceasewatch.ingest.jetstream import consumer_state
    from ceasewatch.ingest.sequences import SeenSequences
    from ceasewatch.store.home import Home

    try:
        state = None
        if nats_url is not None:
            state = consumer_state(nats_url, stream=stream, durable=durable)
        home = Home.from_env(home_dir)
        home.root.mkdir(parents=True, exist_ok=True)
        seen = SeenSequences(home.root / SEQUENCES)
        try:
            report = seen.gaps()
        finally:
            seen.close()
    except CeasewatchError as error:
        fail(error)
    for gap in report:
        typer.echo(gap.describe())
    if not report:
        typer.echo("no sequences consumed yet")
    if state is not None:
        typer.echo(state.describe())
