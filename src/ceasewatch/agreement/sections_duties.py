"""Readers of the sections about obligations: rules (what, where, by whom, when), the
complaint deadline, recipients and the escalation ladder."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING

from ceasewatch.agreement.reader import Obj
from ceasewatch.agreement.schema import ESCALATION_STEP
from ceasewatch.agreement.types import (
    Activity,
    EscalationStep,
    Recipient,
    Rule,
    Severity,
    Where,
    WhereKind,
)
from ceasewatch.agreement.yamldoc import pointer
from ceasewatch.model.ids import (
    PartyId,
    RecipientId,
    RuleId,
    WeaponClass,
)
from ceasewatch.model.time import format_utc

if TYPE_CHECKING:
    from ceasewatch.agreement.builder import Builder


def read_recipients(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "recipients"):
        b.recipients.append(Recipient(RecipientId(ident), obj.text("name") or ident))


def read_escalation(b: Builder, top: Obj) -> None:
    required, optional = ESCALATION_STEP
    for path, item in top.items("escalation"):
        if b.misplaced_entry("escalation", path, item):
            continue
        obj = b.ctx.obj(path, item, required=required, optional=optional, what="an escalation step")
        if obj is None:
            continue
        after_h = obj.hours("after")
        notify = obj.ident_list("notify") or ()
        for index, recipient in enumerate(notify):
            b.refer("recipients", recipient, (*obj.at("notify"), index), "recipient")
        if after_h is not None:
            b.escalation.append(
                EscalationStep(after_h, tuple(RecipientId(r) for r in notify), obj.flag("escalate"))
            )
            b.escalation_paths.append(path)


def read_complaints(b: Builder, top: Obj) -> float | None:
    if not top.has("complaints"):
        return None  # reported as a missing field
    obj = b.ctx.obj(
        top.at("complaints"),
        top.raw("complaints"),
        required=("answer_within_h",),
        what="complaints",
    )
    if obj is None:
        return None
    hours = obj.hours("answer_within")
    if hours is not None and hours <= 0:
        b.ctx.problem(
            "out-of-range",
            obj.at("answer_within_h"),
            f"{pointer(obj.at('answer_within_h'))}: the deadline must be more than 0 hours.",
            "write e.g. answer_within_h: 72.",
        )
        return None
    return hours


def read_rules(b: Builder, top: Obj, agreement_from: datetime | None) -> None:
    for obj, ident in b.entries(top, "rules"):
        activity = obj.choice("forbid", [a.value for a in Activity])
        severity = obj.choice("severity", [s.value for s in Severity])
        by = _by(b, obj)
        where = _where(b, obj)
        unless = _where(b, obj, "unless")
        weapons = obj.ident_list("weapons") or ()
        for index, weapon in enumerate(weapons):
            b.refer("weapon_classes", weapon, (*obj.at("weapons"), index), "weapon class")
        start, end = _window(b, obj, agreement_from)
        if None in (activity, severity, by, where, start):
            continue
        assert activity and severity and by is not None and where and start
        b.rules.append(
            Rule(
                RuleId(ident),
                obj.text("title") or ident,
                Activity(activity),
                by,
                where,
                tuple(WeaponClass(w) for w in weapons),
                Severity(severity),
                start,
                end,
                unless,
            )
        )


def _by(b: Builder, obj: Obj) -> tuple[PartyId, ...] | None:
    raw = obj.raw("by")
    if raw is None or raw == "any":
        return ()
    ids = obj.ident_list("by")
    if ids is None:
        return None
    bad = False
    for index, party_id in enumerate(ids):
        path = obj.at("by") if isinstance(raw, str) else (*obj.at("by"), index)
        bad |= b.party(party_id, path) is None
    return None if bad else tuple(PartyId(p) for p in ids)


def _where(b: Builder, obj: Obj, key: str = "where") -> Where | None:
    """A place: ``where`` (anywhere, withdrawal, zones or sites) or ``unless`` (zones or
    sites only: the exceptions to the rule, such as declared training ranges)."""
    if not obj.has(key):
        return None  # ``where`` is reported as a missing field; ``unless`` is optional
    raw = obj.raw(key)
    if key == "unless" and raw in ("anywhere", "withdrawal"):
        b.ctx.problem(
            "bad-value",
            obj.at(key),
            f"{pointer(obj.at(key))}: an exception is a list of zones or sites.",
            "write unless: {zones: [id, ...]} or unless: {sites: [id, ...]}.",
        )
        return None
    if raw == "withdrawal" and b.withdrawal is None:
        if "withdrawal" not in b.ctx.doc.data:  # else it is there, broken and reported
            b.ctx.problem(
                "bad-reference",
                obj.at(key),
                f"{pointer(obj.at(key))}: 'withdrawal' needs a 'withdrawal' section.",
                "add a withdrawal table, or name zones: where: {zones: [...]}.",
            )
        return None
    if raw in ("anywhere", "withdrawal"):
        return Where(WhereKind(raw))
    if not (isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("zones", "sites")):
        close = difflib.get_close_matches(str(raw), ("anywhere", "withdrawal"), n=1)
        hint = f"did you mean '{close[0]}'? Otherwise " if close else ""
        b.ctx.problem(
            "bad-value",
            obj.at(key),
            f"{pointer(obj.at(key))}: {raw!r} is not a place.",
            f"{hint}write anywhere, withdrawal, {{zones: [id, ...]}} or {{sites: [id, ...]}}.",
        )
        return None
    kind = next(iter(raw))
    spec = Obj(b.ctx, obj.at(key), raw)
    ids = spec.ident_list(kind)
    if ids is None:
        return None
    if not ids:
        b.ctx.problem(
            "bad-value",
            spec.at(kind),
            f"{pointer(spec.at(kind))}: the list names no {kind}.",
            f"name at least one, e.g. {{{kind}: [<id>]}}, or write where: anywhere.",
        )
        return None
    section, noun = ("zones", "zone") if kind == "zones" else ("protected_sites", "protected site")
    single = isinstance(raw[kind], str)
    found = [
        b.refer(section, ident, spec.at(kind) if single else (*spec.at(kind), i), noun)
        for i, ident in enumerate(ids)
    ]
    return Where(WhereKind(kind), tuple(ids)) if all(found) else None


def _window(
    b: Builder,
    obj: Obj,
    agreement_from: datetime | None,
) -> tuple[datetime | None, datetime | None]:
    if not obj.has("effective"):
        return agreement_from, None
    window = b.ctx.obj(
        obj.at("effective"), obj.raw("effective"), optional=("from", "to"), what="effective"
    )
    if window is None:
        return None, None
    start = window.time("from") if window.has("from") else agreement_from
    end = window.time("to")
    if start is not None and end is not None and end <= start:
        begins = "from" if window.has("from") else "effective_from of the agreement"
        b.ctx.problem(
            "bad-value",
            window.at("to"),
            f"{pointer(window.at('to'))}: the rule's window ends ({window.raw('to')}) "
            f"at or before it starts ({begins}: {format_utc(start)}).",
            "make 'to' later than 'from'.",
        )
        return None, None
    if start is not None and agreement_from is not None and start < agreement_from:
        b.ctx.problem(
            "bad-value",
            window.at("from"),
            f"{pointer(window.at('from'))}: the rule takes effect before the agreement does "
            f"({format_utc(agreement_from)}).",
            "start it at or after effective_from.",
        )
    return start, end
