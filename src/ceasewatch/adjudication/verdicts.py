"""The canonical verdict set, its SHA-256, and the difference between two of them.

The verdict set is what a party recomputes to check the mechanism: the agreement it was made
under (id, version, digest), the software version, every violation and indeterminate verdict
(sorted by id), and — when complaints were answered — every answer. Its bytes are RFC 8785
canonical JSON (:func:`ceasewatch.evidence.canonical.canonical`), so the digest does not depend
on the machine, its time zone, locale or hash seed, nor on the order the evidence arrived in.
Which log it was computed from (size, root) is reported beside the digest, not inside it: the
same evidence ingested in another order makes another log but must give the same verdicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch import __version__
from ceasewatch.evidence.canonical import canonical

FORMAT = "ceasewatch-verdicts/1"
COMPARED = ("rule_id", "p_occurred", "responsible", "severity", "status", "category", "place")
"""Fields of a violation whose change the diff reports."""


@dataclass(frozen=True)
class VerdictSet:
    body: dict[str, Any]

    @property
    def bytes(self) -> bytes:
        return canonical(self.body)

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.bytes).hexdigest()

    def violations(self) -> dict[str, Mapping[str, Any]]:
        return {v["violation_id"]: v for v in self.body["violations"]}


def verdict_set(
    agreement: tuple[str, int, str],
    violations: Iterable[Mapping[str, Any]],
    indeterminate: Iterable[Mapping[str, Any]] = (),
    complaints: Iterable[Mapping[str, Any]] | None = None,
) -> VerdictSet:
    """The set from JSON forms (``Violation.to_json()``, ``ComplaintAnswer.to_json()``)."""
    agreement_id, version, digest = agreement
    body: dict[str, Any] = {
        "format": FORMAT,
        "agreement": {"id": agreement_id, "version": version, "digest": digest},
        "software": f"ceasewatch {__version__}",
        "violations": sorted((dict(v) for v in violations), key=lambda v: v["violation_id"]),
        "indeterminate": sorted((dict(v) for v in indeterminate), key=lambda v: v["violation_id"]),
    }
    if complaints is not None:
        body["complaints"] = sorted((dict(c) for c in complaints), key=lambda c: c["complaint_id"])
    return VerdictSet(body)


@dataclass(frozen=True)
class VerdictDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[tuple[str, tuple[str, ...]], ...]  # violation id, the fields that changed

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def text(self, old: VerdictSet, new: VerdictSet, limit: int = 20) -> str:
        before, after = old.violations(), new.violations()
        lines = [
            f"violations: {len(before):,} → {len(after):,} "
            f"({len(self.added):,} added, {len(self.removed):,} removed, "
            f"{len(self.changed):,} changed)"
        ]
        for name, items, source in (("+", self.added, after), ("-", self.removed, before)):
            for vid in items[:limit]:
                lines.append(f"  {name} {_line(source[vid])}")
            if len(items) > limit:
                lines.append(f"  {name} … and {len(items) - limit:,} more")
        for vid, fields in self.changed[:limit]:
            change = ", ".join(f"{f}: {_short(before[vid][f])} → {_short(after[vid][f])}"
                               for f in fields)  # fmt: skip
            lines.append(f"  ~ {vid}: {change}")
        if len(self.changed) > limit:
            lines.append(f"  ~ … and {len(self.changed) - limit:,} more")
        return "\n".join(lines)


def diff(old: VerdictSet, new: VerdictSet) -> VerdictDiff:
    before, after = old.violations(), new.violations()
    changed = []
    for vid in sorted(before.keys() & after.keys()):
        fields = tuple(f for f in COMPARED if before[vid].get(f) != after[vid].get(f))
        if fields:
            changed.append((vid, fields))
    return VerdictDiff(
        tuple(sorted(after.keys() - before.keys())),
        tuple(sorted(before.keys() - after.keys())),
        tuple(changed),
    )


def _line(v: Mapping[str, Any]) -> str:
    top = max(sorted(v["responsible"]), key=lambda k: v["responsible"][k])
    return (
        f"{v['violation_id']} {v['rule_id']} {v['t']} {v.get('place') or v['position']} "
        f"P={v['p_occurred']} {top} {v['responsible'][top]}"
    )


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} {value[k]}" for k in sorted(value)) + "}"
    return str(value)


def counts(violations: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Violations by rule, category, severity and most likely responsible party."""
    out: dict[str, dict[str, int]] = {"rule": {}, "category": {}, "severity": {}, "party": {}}
    for v in violations:
        top = max(sorted(v["responsible"]), key=lambda k: v["responsible"][k])
        for key, value in (
            ("rule", v["rule_id"]),
            ("category", v["category"]),
            ("severity", v["severity"]),
            ("party", top),
        ):
            out[key][value] = out[key].get(value, 0) + 1
    return {k: dict(sorted(d.items())) for k, d in out.items()}
