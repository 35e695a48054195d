"""Which notifications are due: the escalation book and the agreement's ladder → notifications.

Pure: no clock (``as_of_ns`` is an argument), no I/O; the same rows and violations give the same
tuple of notifications whatever their order. The rules (docs/alerts.md):

- a matter (an ``escalation.jsonl`` row) gets the ladder's steps that are **due at or before
  ``as_of_ns``** (its first time + the step's ``after_h``): the book may be older than the alert
  run, so steps past the book's ``next`` are taken from the agreement's ladder;
- an **answered** matter gets nothing: analysts have settled each of its violations;
- a matter **held at the first step** (low severity, ``held_at_first_step``) never climbs;
- an **at-once** step (``after_h`` 0) is sent at once only from ``AlertPolicy.at_once_from``
  (``high`` by default: high and critical). Below it, the at-once recipients are told with the
  matter's next step that is reached instead — e.g. a medium matter unanswered at 24 h goes to
  the coordination cell together with the guarantors — and a low matter alerts nobody (it is
  counted in reports);
- one notification per recipient of each step; its id is derived from the matter's anchor
  violation, the step and the recipient (:func:`~ceasewatch.alert.base.notification_id`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ceasewatch.adjudication.escalation import ANSWERED, NS_PER_H, SEVERITY_ORDER
from ceasewatch.agreement.types import Agreement, EscalationStep
from ceasewatch.alert.base import Notification, notification_id
from ceasewatch.alert.words import Matter, matter_subject, matter_text
from ceasewatch.errors import InputError
from ceasewatch.model.time import parse_ns


@dataclass(frozen=True)
class AlertPolicy:
    """Settings of the policy. ``at_once_from``: the lowest severity told at once."""

    at_once_from: str = "high"

    def __post_init__(self) -> None:
        if self.at_once_from not in SEVERITY_ORDER:
            raise InputError(
                f"at_once_from {self.at_once_from!r} is not a severity; use one of "
                f"{', '.join(SEVERITY_ORDER)}"
            )


def notifications(
    rows: Iterable[Mapping[str, Any]],
    violations: Iterable[Mapping[str, Any]],
    agreement: Agreement,
    *,
    as_of_ns: int,
    policy: AlertPolicy | None = None,
    source: str = "escalation.jsonl",
) -> tuple[Notification, ...]:
    """The notifications due at ``as_of_ns``, sorted by due time, anchor, step and recipient.

    ``rows`` are ``escalation.jsonl`` rows made under ``agreement``; ``violations`` are
    ``violations.jsonl`` rows, used for the words (what, how sure, status). Raises InputError
    (naming ``source`` and the matter) for a row that is malformed or made under another
    agreement or ladder.
    """
    policy = policy or AlertPolicy()
    by_id = _violations_by_id(violations)
    names = {str(r.id): r.name for r in agreement.recipients}
    out: dict[str, Notification] = {}
    for row in _unique_rows(rows, source):
        matter = _matter(row, agreement, by_id, source)
        for step, recipients in _due(row, matter, agreement, as_of_ns, policy, source):
            for recipient in recipients:
                note = _notification(matter, step, recipient, names, agreement)
                out.setdefault(note.notification_id, note)
    return tuple(sorted(out.values(), key=lambda n: (n.sort_key, n.notification_id)))


def _due(
    row: Mapping[str, Any],
    matter: Matter,
    agreement: Agreement,
    as_of_ns: int,
    policy: AlertPolicy,
    source: str,
) -> list[tuple[int, tuple[str, ...]]]:
    """(step index, recipients) of the steps to notify for one matter, in ladder order."""
    _check_steps(row, agreement.escalation, matter.cluster_id, source)
    if str(row["state"]) == ANSWERED:
        return []
    ladder = (
        agreement.escalation[:1] if bool(row.get("held_at_first_step")) else agreement.escalation
    )
    reached = [
        (index, step)
        for index, step in enumerate(ladder)
        if matter.first_ns + round(step.after_h * NS_PER_H) <= as_of_ns
    ]
    told_at_once = SEVERITY_ORDER.index(matter.severity) >= SEVERITY_ORDER.index(
        policy.at_once_from
    )
    due: list[tuple[int, tuple[str, ...]]] = []
    deferred: list[str] = []
    for index, step in reached:
        recipients = [str(r) for r in step.notify]
        if step.after_h == 0 and not told_at_once:
            deferred += recipients
            continue
        due.append((index, tuple(dict.fromkeys([*deferred, *recipients]))))
        deferred = []
    return due


def _notification(
    matter: Matter, index: int, recipient: str, names: Mapping[str, str], agreement: Agreement
) -> Notification:
    step = agreement.escalation[index]
    told = [names.get(str(r), str(r)) for r in step.notify]
    return Notification(
        notification_id=notification_id(matter.anchor_id, index, recipient),
        recipient=recipient,
        recipient_name=names.get(recipient, recipient),
        cluster_id=matter.cluster_id,
        anchor_id=matter.anchor_id,
        step=index,
        due_ns=matter.first_ns + round(step.after_h * NS_PER_H),
        severity=matter.severity,
        escalate=step.escalate,
        subject=matter_subject(matter, index, step, len(agreement.escalation)),
        text=matter_text(matter, index, step, len(agreement.escalation), told),
        violation_ids=matter.violation_ids,
        agreement=agreement.label,
    )


def _matter(
    row: Mapping[str, Any],
    agreement: Agreement,
    violations: Mapping[str, Mapping[str, Any]],
    source: str,
) -> Matter:
    cluster = str(row.get("cluster_id", "?"))
    where = f"{source}: matter {cluster}"
    try:
        digest = str(row["agreement_digest"])
        if digest != agreement.digest:
            raise InputError(
                f"{where} was made under {row.get('agreement')} ({digest}), not under "
                f"{agreement.label} ({agreement.digest}); give the agreement adjudicate used "
                "(--agreement) or adjudicate again"
            )
        severity = str(row["severity"])
        if severity not in SEVERITY_ORDER:
            raise InputError(f"{where}: severity {severity!r} is not one of {SEVERITY_ORDER}")
        ids = tuple(sorted(str(v) for v in row["violation_ids"]))
        lon, lat = (float(x) for x in row["position"])
        sector = row.get("sector")
        sectors = {str(s.id): s.name for s in agreement.sectors}
        parties = {str(p.id): p.name for p in agreement.parties}
        rules = {str(r.id): r.title for r in agreement.rules}
        rule_id, party = str(row["rule_id"]), str(row["party"])
        return Matter(
            cluster_id=str(row["cluster_id"]),
            anchor_id=str(row["anchor_id"]),
            rule_id=rule_id,
            rule_title=rules.get(rule_id, rule_id),
            party=party,
            party_name=parties.get(party, party),
            sector_name=None if sector is None else sectors.get(str(sector), str(sector)),
            violation_ids=ids,
            first_ns=parse_ns(str(row["first"]), where=f"{where}: first"),
            last_ns=parse_ns(str(row["last"]), where=f"{where}: last"),
            lon=lon,
            lat=lat,
            place=None if row.get("place") is None else str(row["place"]),
            severity=severity,
            state=str(row["state"]),
            members=tuple(violations[v] for v in ids if v in violations),
        )
    except KeyError as error:
        raise InputError(
            f"{where}: the field {error.args[0]!r} is missing; give the escalation.jsonl that "
            "ceasewatch adjudicate wrote"
        ) from error
    except (TypeError, ValueError) as error:
        raise InputError(
            f"{where}: malformed ({error}); give the escalation.jsonl that ceasewatch adjudicate "
            "wrote"
        ) from error


def _check_steps(
    row: Mapping[str, Any], ladder: tuple[EscalationStep, ...], cluster: str, source: str
) -> None:
    """The steps the book says were reached must be the agreement's own."""
    for step in row.get("steps") or []:
        try:
            index, notify = int(step["step"]), [str(r) for r in step["notify"]]
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                f"{source}: matter {cluster}: a malformed step {step!r}; give the "
                "escalation.jsonl that ceasewatch adjudicate wrote"
            ) from error
        if index >= len(ladder) or [str(r) for r in ladder[index].notify] != notify:
            raise InputError(
                f"{source}: matter {cluster}: step {index} notifies {step['notify']}, which is "
                "not the agreement's ladder; give the agreement adjudicate used (--agreement)"
            )


def _unique_rows(rows: Iterable[Mapping[str, Any]], source: str) -> list[Mapping[str, Any]]:
    by_id: dict[str, Mapping[str, Any]] = {}
    for n, row in enumerate(rows, start=1):
        if "cluster_id" not in row:
            raise InputError(
                f"{source}: row {n} has no cluster_id; give the escalation.jsonl that ceasewatch "
                "adjudicate wrote"
            )
        known = by_id.setdefault(str(row["cluster_id"]), row)
        if dict(known) != dict(row):
            raise InputError(
                f"{source}: matter {row['cluster_id']} is given twice with different content; "
                "give one escalation.jsonl (the latest adjudication)"
            )
    return [by_id[k] for k in sorted(by_id)]


def _violations_by_id(violations: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    by_id: dict[str, Mapping[str, Any]] = {}
    for v in violations:
        vid = str(v.get("violation_id"))
        known = by_id.setdefault(vid, v)
        if dict(known) != dict(v):
            raise InputError(
                f"violations.jsonl: violation {vid} is given twice with different content; "
                "give one violations.jsonl (the latest adjudication)"
            )
    return by_id
