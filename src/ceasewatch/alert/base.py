"""The contract of the alert stage: a notification, a sink, and how a delivery fails.

A :class:`Notification` is a value: everything a recipient is told about one matter (a cluster
of violations, ``escalation.jsonl``) at one step of the agreement's escalation ladder. Its id is
derived from the matter's anchor violation, the step and the recipient, so every run of the
policy gives the same id for the same message and the ledger can tell what was already sent.

A :class:`Sink` sends one notification and says how many attempts it took, or raises
:class:`DeliveryError` with the reason. Errors::

    CeasewatchError
    └── DeliveryError        a sink could not deliver (reason, attempts, whether the sink is down)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from ceasewatch.errors import CeasewatchError
from ceasewatch.model.time import format_ns, parse_ns

FORMAT_VERSION = 1
"""The version of a notification's JSON form (``to_json``), sent to every sink."""


def notification_id(anchor_id: str, step: int, recipient: str) -> str:
    """``nt-`` + 16 hex digits of SHA-256 of the matter's anchor, the step and the recipient."""
    text = f"{anchor_id}\n{step}\n{recipient}"
    return "nt-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Notification:
    """One message to one recipient about one matter at one step of the ladder."""

    notification_id: str
    recipient: str  # a recipient id of the agreement (``recipients:``)
    recipient_name: str
    cluster_id: str
    anchor_id: str  # the matter's earliest violation: stable while the cluster grows
    step: int  # 0-based index in the agreement's ladder
    due_ns: int  # when the step fell due: the matter's first time + the step's after_h
    severity: str
    escalate: bool
    subject: str  # one line
    text: str  # the message in words
    violation_ids: tuple[str, ...]  # sorted
    agreement: str  # "<id> v<version>"

    @property
    def sort_key(self) -> tuple[int, str, int, str]:
        return (self.due_ns, self.anchor_id, self.step, self.recipient)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "notification_id": self.notification_id,
            "recipient": self.recipient,
            "recipient_name": self.recipient_name,
            "cluster_id": self.cluster_id,
            "anchor_id": self.anchor_id,
            "step": self.step,
            "due": format_ns(self.due_ns, 6),
            "severity": self.severity,
            "escalate": self.escalate,
            "subject": self.subject,
            "text": self.text,
            "violation_ids": list(self.violation_ids),
            "agreement": self.agreement,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notification:
        return cls(
            notification_id=str(data["notification_id"]),
            recipient=str(data["recipient"]),
            recipient_name=str(data["recipient_name"]),
            cluster_id=str(data["cluster_id"]),
            anchor_id=str(data["anchor_id"]),
            step=int(data["step"]),
            due_ns=parse_ns(str(data["due"]), where="notification due"),
            severity=str(data["severity"]),
            escalate=bool(data["escalate"]),
            subject=str(data["subject"]),
            text=str(data["text"]),
            violation_ids=tuple(str(v) for v in data["violation_ids"]),
            agreement=str(data["agreement"]),
        )


class DeliveryError(CeasewatchError):
    """A sink could not deliver a notification.

    ``attempts`` is how many tries were made in this run; ``down`` says the sink itself is
    unreachable (connection refused, timeouts, 5xx after every retry), so the rest of the run
    does not wait on it again.
    """

    def __init__(self, reason: str, *, attempts: int = 1, down: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.down = down


class Sink(Protocol):
    """Where notifications go. ``key`` names the destination in the ledger: keep it stable."""

    @property
    def key(self) -> str: ...

    def send(self, notification: Notification) -> int:
        """Deliver one notification; return the attempts it took, or raise DeliveryError."""
        ...
