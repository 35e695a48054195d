"""Time: instants are aware UTC datetimes; text is RFC 3339 with a ``Z`` suffix."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

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


NS_PER_S = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ns(instant: datetime) -> int:
    """An aware instant as integer nanoseconds since the Unix epoch (exact)."""
    if instant.tzinfo is None:
        raise ValueError("to_ns needs an aware datetime")
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_S + delta.microseconds * 1_000


def from_ns(t_ns: int) -> datetime:
    """Integer nanoseconds since the epoch as an aware UTC datetime (truncated to µs)."""
    seconds, ns = divmod(int(t_ns), NS_PER_S)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=ns // 1_000)


def format_ns(t_ns: int, digits: int = 6) -> str:
    """RFC 3339 UTC text with ``digits`` fractional digits (0-9), e.g. 2026-02-18T03:12:45.123456Z.

    Pure integer arithmetic: the same integer always gives the same text.
    """
    seconds, ns = divmod(int(t_ns), NS_PER_S)
    day, second = divmod(seconds, 86_400)
    hour, rest = divmod(second, 3_600)
    text = f"{_day_text(day)}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}"
    if digits > 0:
        text += "." + f"{ns:09d}"[:digits]
    return text + "Z"


@lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    """Day ``day`` since the epoch as YYYY-MM-DD (a record stream spans few days: cached)."""
    return datetime.fromtimestamp(day * 86_400, tz=UTC).strftime("%Y-%m-%d")


# The common shape, YYYY-MM-DDTHH:MM:SS[.fraction]Z, parsed without datetime; anything else
# (offsets, lower-case z, spaces, errors) takes the general path below.
_PLAIN_UTC = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")


@lru_cache(maxsize=4096)
def _day_ns(date: str) -> int | None:
    try:
        parsed = datetime.fromisoformat(date + "T00:00:00+00:00")
    except ValueError:
        return None
    return to_ns(parsed)


def parse_ns(text: str, *, where: str = "value") -> int:
    """RFC 3339 text to integer nanoseconds, keeping up to 9 fractional digits exactly."""
    plain = _PLAIN_UTC.fullmatch(text)
    if plain is not None:
        date, hour, minute, second, fraction = plain.groups()
        day_ns = _day_ns(date)
        if day_ns is not None and int(hour) < 24 and int(minute) < 60 and int(second) < 60:
            seconds = int(hour) * 3_600 + int(minute) * 60 + int(second)
            return day_ns + seconds * NS_PER_S + (int(fraction.ljust(9, "0")) if fraction else 0)
    candidate = text.strip()
    fraction_ns = 0
    head, dot, rest = candidate.partition(".")
    if dot:
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        if not digits or len(digits) > 9:
            raise InputError(f"{where}: {text!r} has a malformed fraction of a second")
        fraction_ns = int(digits.ljust(9, "0"))
        candidate = head + rest
    return to_ns(parse_utc(candidate, where=where)) + fraction_ns
