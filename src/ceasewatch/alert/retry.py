"""Bounded retries with exponential backoff, shared by the network sinks.

An attempt returns on success, raises :class:`Transient` for a failure worth another try
(connection refused, timeout, HTTP 5xx/408/429, SMTP 4xx) or :class:`DeliveryError` for one that
is not (HTTP 4xx, SMTP 5xx): the receiver refused the message and would refuse it again.
The wait before try ``n + 1`` is ``backoff_s × 2^(n-1)``, at most ``max_backoff_s``; no jitter, so
a run is reproducible (one process sends at a time, so there is no herd to spread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ceasewatch.alert.base import DeliveryError


class Transient(Exception):  # noqa: N818 - a signal between an attempt and the loop
    """A failure worth another try; ``reason`` says what happened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Backoff:
    """How many tries, and how long to wait between them."""

    max_attempts: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.backoff_s < 0 or self.max_backoff_s < 0:
            raise ValueError("backoff_s and max_backoff_s must not be negative")

    def wait_s(self, attempt: int) -> float:
        """The wait after failed try ``attempt`` (1-based)."""
        return float(min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1)))


def with_retries(
    attempt: Callable[[int], None],
    backoff: Backoff,
    sleep: Callable[[float], None],
    what: str,
) -> int:
    """Call ``attempt(n)`` until it returns; return the number of tries.

    Raises DeliveryError from a permanent failure at once (with the tries so far), or after
    ``max_attempts`` transient ones with ``down=True`` and the last reason.
    """
    for n in range(1, backoff.max_attempts + 1):
        try:
            attempt(n)
            return n
        except DeliveryError as error:
            error.attempts = n
            raise
        except Transient as failure:
            if n == backoff.max_attempts:
                raise DeliveryError(
                    f"{what}: no success after {n} attempt{'s' if n != 1 else ''}; "
                    f"last: {failure.reason}",
                    attempts=n,
                    down=True,
                ) from None
            sleep(backoff.wait_s(n))
    raise AssertionError("unreachable")  # pragma: no cover
