"""Send notifications through sinks, once each, and say what happened.

For each notification (in the policy's order) and each sink: skip it when the ledger says the
sink already accepted it; otherwise send it and record the outcome. A sink that is *down*
(retries exhausted on a transport failure) is not tried again in the same run: the rest of its
notifications are failed with that reason and wait for the next run, so one dead receiver does
not make the run wait through every retry of every notification.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ceasewatch.alert.base import DeliveryError, Notification, Sink
from ceasewatch.alert.ledger import Ledger


@dataclass(frozen=True)
class Sent:
    notification_id: str
    sink: str
    attempts: int


@dataclass(frozen=True)
class Skipped:
    notification_id: str
    sink: str  # already delivered in an earlier run


@dataclass(frozen=True)
class Failed:
    notification_id: str
    sink: str
    reason: str
    attempts: int  # 0: not tried, the sink was down earlier in this run


@dataclass(frozen=True)
class DeliveryReport:
    sent: tuple[Sent, ...]
    skipped: tuple[Skipped, ...]
    failed: tuple[Failed, ...]

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        lines = [
            f"sent {len(self.sent)}, skipped {len(self.skipped)} (delivered before), "
            f"failed {len(self.failed)} (tried again next run)"
        ]
        lines += [f"  failed {f.notification_id} → {f.sink}: {f.reason}" for f in self.failed]
        return "\n".join(lines)


def deliver(
    notifications: Iterable[Notification],
    sinks: Sequence[Sink],
    ledger: Ledger,
    *,
    clock: Callable[[], int] = time.time_ns,
) -> DeliveryReport:
    """Deliver every notification to every sink at most once (see the module)."""
    sent: list[Sent] = []
    skipped: list[Skipped] = []
    failed: list[Failed] = []
    down: dict[str, str] = {}
    seen: set[str] = set()
    for notification in notifications:
        if notification.notification_id in seen:
            continue
        seen.add(notification.notification_id)
        for sink in sinks:
            nid, key = notification.notification_id, sink.key
            if ledger.delivered(nid, key):
                skipped.append(Skipped(nid, key))
                continue
            if key in down:
                reason = f"not tried: the sink was unreachable earlier in this run ({down[key]})"
                ledger.record_failed(nid, key, at_ns=clock(), attempts=0, reason=reason)
                failed.append(Failed(nid, key, reason, 0))
                continue
            try:
                attempts = sink.send(notification)
            except DeliveryError as error:
                ledger.record_failed(
                    nid, key, at_ns=clock(), attempts=error.attempts, reason=error.reason
                )
                failed.append(Failed(nid, key, error.reason, error.attempts))
                if error.down:
                    down[key] = error.reason
                continue
            ledger.record_delivered(nid, key, at_ns=clock(), attempts=attempts)
            sent.append(Sent(nid, key, attempts))
    return DeliveryReport(tuple(sent), tuple(skipped), tuple(failed))
