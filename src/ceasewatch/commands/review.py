"""``ceasewatch review``: the analysts' review of violations — claim, confirm, dispute, dismiss,
release, list. Thin: each command reads the violations of a state folder
(``DIR/adjudication/violations.jsonl``), opens its store, reads the clock, and calls
:mod:`ceasewatch.adjudication.review`; every decision is a ``review`` entry of the evidence log.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ceasewatch.commands.evidence import fail, state_store_url
from ceasewatch.errors import CeasewatchError, InputError

review_app = typer.Typer(
    help="The analysts' review of violations: claim, confirm, dispute, dismiss, release, list.",
    no_args_is_help=True,
)

ViolationArg = Annotated[str, typer.Argument(help="The violation's id (vi-…).", show_default=False)]
AnalystOption = Annotated[
    str, typer.Option("--analyst", help="Your name, as recorded in the log.", show_default=False)
]
StateOption = Annotated[
    Path,
    typer.Option(
        "--state",
        help="The state folder: DIR/adjudication/violations.jsonl, the store DIR/evidence.sqlite.",
        show_default=False,
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="The store's URL when it is not DIR/evidence.sqlite (postgresql://…).",
        show_default=False,
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option("--reason", help="Why (required; kept in the evidence log).", show_default=False),
]


def _open(state: Path, store_url: str | None):  # type: ignore[no-untyped-def]
    from ceasewatch.adjudication.review import read_violations
    from ceasewatch.evidence.log import EvidenceLog
    from ceasewatch.store.open import open_store

    violations = read_violations(state / "adjudication" / "violations.jsonl")
    return violations, EvidenceLog(open_store(state_store_url(state, store_url)), salts=os.urandom)


def _act(
    action: str,
    violation_id: str,
    analyst: str,
    state: Path,
    store_url: str | None,
    *,
    reason: str | None = None,
    hours: float | None = None,
    assignee: str | None = None,
) -> None:
    from ceasewatch.adjudication.review import submit
    from ceasewatch.model.time import NS_PER_S

    try:
        if hours is not None and not hours > 0:
            raise InputError(f"{violation_id}: --hours must be a positive number of hours")
        violations, log = _open(state, store_url)
        try:
            now_ns = time.time_ns()
            done = submit(
                log,
                violations,
                action,
                violation_id,
                analyst=analyst,
                at_ns=now_ns,
                reason=reason,
                until_ns=None if hours is None else now_ns + int(hours * 3600 * NS_PER_S),
                assignee=assignee,
            )
        finally:
            log.store.close()
    except CeasewatchError as error:
        fail(error)
    line = f"{violation_id}: {done.note} (log entry {done.review.index})"
    shown = done.state.status
    if done.review.action not in ("claim", "release"):
        line += f"; status {shown}"
        if done.state.awaiting_second:
            line += ", waiting for a second analyst"
    typer.echo(line)


@review_app.command("claim")
def claim(
    violation_id: ViolationArg,
    analyst: AnalystOption,
    state: StateOption,
    hours: Annotated[float, typer.Option("--hours", help="How long the claim holds.")] = 4.0,
    for_: Annotated[
        str | None,
        typer.Option("--for", help="Assign it to another analyst instead of yourself."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Claim a violation for review (or assign it --for another analyst) until the claim
    expires, so that two analysts do not do the same work. Refused, naming the holder and the
    expiry, while someone else holds it.

    Example: ceasewatch review claim vi-3f1c0a9e --analyst anna --state runs/peak/state
    """
    _act("claim", violation_id, analyst, state, store, hours=hours, assignee=for_)


@review_app.command("release")
def release(
    violation_id: ViolationArg,
    analyst: AnalystOption,
    state: StateOption,
    store: StoreOption = None,
) -> None:
    """Give a claimed violation back before its claim expires (its holder, or who assigned it).

    Example: ceasewatch review release vi-3f1c0a9e --analyst anna --state runs/peak/state
    """
    _act("release", violation_id, analyst, state, store)


@review_app.command("confirm")
def confirm(
    violation_id: ViolationArg,
    analyst: AnalystOption,
    state: StateOption,
    reason: ReasonOption = None,
    store: StoreOption = None,
) -> None:
    """Confirm a violation: it becomes verified — for high and critical severity only once a
    second, different analyst has confirmed it too.

    Example: ceasewatch review confirm vi-3f1c --analyst anna --reason "crater seen" --state st
    """
    _act("confirm", violation_id, analyst, state, store, reason=reason)


@review_app.command("dispute")
def dispute(
    violation_id: ViolationArg,
    analyst: AnalystOption,
    state: StateOption,
    reason: ReasonOption = None,
    store: StoreOption = None,
) -> None:
    """Dispute a violation (the automatic verdict is contested); for high and critical
    severity a second analyst must agree.

    Example: ceasewatch review dispute vi-3f1c --analyst bob --reason "UA-side launch" --state st
    """
    _act("dispute", violation_id, analyst, state, store, reason=reason)


@review_app.command("dismiss")
def dismiss(
    violation_id: ViolationArg,
    analyst: AnalystOption,
    state: StateOption,
    reason: ReasonOption = None,
    store: StoreOption = None,
) -> None:
    """Dismiss a violation (not a violation: clutter, a false alarm); for high and critical
    severity a second analyst must agree.

    Example: ceasewatch review dismiss vi-3f1c --analyst anna --reason "quarry blast" --state st
    """
    _act("dismiss", violation_id, analyst, state, store, reason=reason)


@review_app.command("list")
def list_(
    state: StateOption,
    mine: Annotated[
        str | None, typer.Option("--mine", help="Only the violations this analyst holds now.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the states as JSON.")] = False,
    store: StoreOption = None,
) -> None:
    """List every violation with its automatic and human status, the votes waiting for a
    second analyst, who holds it, and whether its review is stale; reviews of violations the
    current adjudication no longer produces are listed as orphaned.

    Example: ceasewatch review list --state runs/peak/state --mine anna
    """
    from ceasewatch.adjudication.review import read_reviews, review_states
    from ceasewatch.model.time import format_ns

    try:
        violations, log = _open(state, store)
        try:
            states = review_states(read_reviews(log.store), violations)
        finally:
            log.store.close()
    except CeasewatchError as error:
        fail(error)
    now_ns = time.time_ns()
    shown = [s for s in states.values() if mine is None or s.assignee(now_ns) == mine]
    if as_json:
        typer.echo(json.dumps([s.to_json(now_ns) for s in shown], indent=2, ensure_ascii=False))
        return
    by_id = {str(v["violation_id"]): v for v in violations}
    rows: list[list[Any]] = [["violation", "time", "rule", "P", "most likely", "place",
                              "severity", "status", "auto", "human", "held by"]]  # fmt: skip
    for s in shown:
        held = "-"
        if s.claim is not None and s.assignee(now_ns) is not None:
            held = f"{s.claim.holder} until {format_ns(s.claim.until_ns, 0)}"
        shown_cells = (s.severity, s.status, s.auto_status, s.human_status)
        rows.append([s.violation_id, *_what(by_id.get(s.violation_id)),
                     *(cell or "-" for cell in shown_cells), held])  # fmt: skip
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    progress = ["review", *(s.progress for s in shown)]
    for row, words in zip(rows, progress, strict=True):
        line = zip([*row, words], [*widths, 0], strict=True)
        typer.echo("  ".join(str(cell).ljust(width) for cell, width in line).rstrip())
    orphans = sum(1 for s in shown if s.orphaned)
    stale = sum(1 for s in shown if s.stale)
    count = len(shown) - orphans
    typer.echo(
        f"{count:,} violation{'' if count == 1 else 's'}, {stale:,} stale, {orphans:,} orphaned"
    )


def _what(violation: dict[str, Any] | None) -> list[str]:
    """When, which rule, how likely, who most likely and where: what an analyst picks by."""
    if violation is None:
        return ["-"] * 5
    who = violation.get("responsible") or {}
    party, p = max(who.items(), key=lambda kv: kv[1]) if who else ("-", None)
    return [
        str(violation.get("t", "-"))[:16].replace("T", " "),
        str(violation.get("rule_id", "-")),
        f"{float(violation.get('p_occurred', 0)):.2f}",
        party if p is None else f"{party} {float(p):.2f}",
        str(violation.get("place") or "-"),
    ]
