"""``ceasewatch alert``: the escalation book → notifications → webhook, log file, e-mail."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.errors import CeasewatchError, InputError


def alert(
    folder: Annotated[
        Path,
        typer.Argument(
            help="a state folder (reads DIR/adjudication) or the folder adjudicate wrote "
            "escalation.jsonl and violations.jsonl into"
        ),
    ],
    webhook: Annotated[
        str | None, typer.Option(help="POST signed JSON here (loopback only by default)")
    ] = None,
    secret_file: Annotated[
        Path | None, typer.Option(help="the webhook's shared HMAC secret (mode 600)")
    ] = None,
    log: Annotated[
        Path | None, typer.Option(help="append notifications to this JSONL file")
    ] = None,
    smtp: Annotated[
        str | None, typer.Option(help="send e-mail through this SMTP server, host:port")
    ] = None,
    mail_to: Annotated[
        list[str] | None,
        typer.Option(help="ADDRESS (everyone) or RECIPIENT=ADDRESS; repeat for more"),
    ] = None,
    mail_from: Annotated[str, typer.Option(help="the From address")] = "ceasewatch@localhost",
    as_of: Annotated[
        str | None,
        typer.Option(help="RFC 3339 instant or 'now'; default: the escalation book's as_of"),
    ] = None,
    agreement: Annotated[
        str | None,
        typer.Option(help="agreement id or path; default: the one escalation.jsonl names"),
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option(help="the delivery ledger; default: alert-ledger.sqlite in the folder"),
    ] = None,
    at_once_from: Annotated[
        str, typer.Option(help="the lowest severity told at once (low, medium, high, critical)")
    ] = "high",
    attempts: Annotated[int, typer.Option(help="tries per notification and sink")] = 5,
    backoff: Annotated[float, typer.Option(help="first wait between tries, seconds")] = 1.0,
    allow_remote: Annotated[
        bool, typer.Option(help="allow a webhook or SMTP host that is not loopback")
    ] = False,
) -> None:
    """Tell the agreement's recipients about violations as its escalation ladder says: the
    coordination cell at once for high and critical matters, the guarantors when a matter is
    unanswered at 24 h, escalation at 72 h (ua-2026). Sends through a signed webhook, a log file
    and/or e-mail; a ledger makes sure nothing is sent twice across runs and that failed
    deliveries are tried again on the next run. With no sink, prints what is due and records
    nothing. Exit 1 when a delivery failed.

    Example: ceasewatch alert state --webhook http://127.0.0.1:8080/hook --secret-file hook.key
    """
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.alert import AlertPolicy, Ledger, deliver, notifications
    from ceasewatch.alert.base import Sink
    from ceasewatch.alert.inputs import LEDGER, host_port, read_inputs, read_secret
    from ceasewatch.alert.inputs import mail_to as addresses
    from ceasewatch.alert.retry import Backoff
    from ceasewatch.alert.sinks import Email, LogFile
    from ceasewatch.alert.webhook import Webhook
    from ceasewatch.commands.evidence import fail
    from ceasewatch.model.time import parse_ns

    try:
        inputs = read_inputs(folder)
        if not inputs.rows:
            typer.echo(f"{inputs.folder}: no matters on the ladder; nothing to send")
            return
        law = resolve(agreement or inputs.agreement_ref)
        when = as_of or inputs.as_of
        if when is None:
            raise InputError("--as-of: escalation.jsonl states no as_of; give --as-of")
        as_of_ns = time.time_ns() if when == "now" else parse_ns(when, where="--as-of")
        due = notifications(
            inputs.rows,
            inputs.violations,
            law,
            as_of_ns=as_of_ns,
            policy=AlertPolicy(at_once_from=at_once_from),
            source=str(inputs.folder / "escalation.jsonl"),
        )
        tries = Backoff(max_attempts=attempts, backoff_s=backoff)
        sinks: list[Sink] = []
        if webhook is not None:
            if secret_file is None:
                raise InputError("--webhook needs --secret-file F (the shared HMAC secret)")
            sinks.append(
                Webhook(webhook, read_secret(secret_file), tries, allow_remote=allow_remote)
            )
        if log is not None:
            sinks.append(LogFile(log))
        if smtp is not None:
            host, port = host_port(smtp)
            sinks.append(
                Email(
                    host,
                    port,
                    addresses(mail_to or []),
                    mail_from,
                    tries,
                    allow_remote=allow_remote,
                )
            )
        elif mail_to:
            raise InputError("--mail-to needs --smtp host:port")
        if not sinks:
            for note in due:
                typer.echo(f"{note.notification_id} → {note.recipient}: {note.subject}")
            typer.echo(f"{len(due)} due; no sink given (--webhook, --log, --smtp): nothing sent")
            return
        with Ledger(ledger or inputs.folder / LEDGER) as book:
            report = deliver(due, sinks, book)
    except CeasewatchError as error:
        fail(error)
    typer.echo(f"{len(due)} notifications due at {format_as_of(as_of_ns)}")
    typer.echo(report.text())
    if not report.ok:
        raise typer.Exit(1)


def format_as_of(t_ns: int) -> str:
    from ceasewatch.model.time import format_ns

    return format_ns(t_ns, 0)
