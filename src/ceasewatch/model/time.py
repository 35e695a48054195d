"""Time: instants are aware UTC datetimes; text is RFC 3339 with a ``Z`` suffix."""

from __future__ import annotations

from datetime import UTC, datetime

from ceasewatch.errors import InputError


def parse_utc(text: str, *, where: str = "value") -> datetime:
    """Parse an RFC 3339 instant that carries an explicit offset; return it in UTC.

    A naive time (no ``Z`` or offset) is an error: monitoring data crosses time zones, and a
    guessed zone is a silent error of hours.
    """
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError as exc:
        raise InputError(
            f"{where}: {text!r} is not an RFC 3339 time; write e.g. 2026-02-18T03:12:45Z"
        ) from exc
    if parsed.tzinfo is None:
        raise InputError(f"{where}: {text!r} has no time zone; append Z for UTC")
    return parsed.astimezone(UTC)


def format_utc(instant: datetime) -> str:
    """Format an aware instant as RFC 3339 UTC with ``Z`` (seconds, or microseconds if any)."""
    if instant.tzinfo is None:
        raise ValueError("format_utc needs an aware datetime")
    utc = instant.astimezone(UTC)
    spec = "seconds" if utc.microsecond == 0 else "microseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"
