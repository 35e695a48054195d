"""Alerts: who is told what, when, about which matter — and the sinks that tell them.

The stage has a pure core and an edge:

- :mod:`~ceasewatch.alert.policy` (pure: no clock, no I/O) maps the escalation book
  (``escalation.jsonl``) and the violations to :class:`~ceasewatch.alert.base.Notification` values,
  following the agreement's escalation ladder;
- :mod:`~ceasewatch.alert.webhook`, :mod:`~ceasewatch.alert.sinks` (log file, e-mail) deliver them;
- :mod:`~ceasewatch.alert.ledger` remembers what each sink accepted, so a restart sends nothing
  twice and a failed delivery is tried again on the next run;
- :func:`~ceasewatch.alert.deliver.deliver` ties the three together.

See docs/alerts.md.
"""

from ceasewatch.alert.base import DeliveryError, Notification, Sink
from ceasewatch.alert.deliver import DeliveryReport, deliver
from ceasewatch.alert.ledger import Ledger
from ceasewatch.alert.policy import AlertPolicy, notifications

__all__ = [
    "AlertPolicy",
    "DeliveryError",
    "DeliveryReport",
    "Ledger",
    "Notification",
    "Sink",
    "deliver",
    "notifications",
]
