"""Field checks shared by the adapters: each returns the checked value or raises :class:`Bad`.

A check of an optional field treats a missing field and ``null`` alike (not given). Numbers are
JSON numbers, never ``true``/``false``. Names of fields inside arrays use ``name[i]``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.ingest.adapters.strict_json import shorten
from ceasewatch.model.time import parse_ns

MAX_ID_CHARS = 200
SIGNATURE_FIELD = "signature_ed25519"  # a sensor's Ed25519 signature over its record
SIGNATURE_BYTES = 64
PUBLIC_KEY_BYTES = 32
TIME_EXAMPLE = "2026-02-18T03:12:45.123456Z"

_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?[Zz]\Z", re.ASCII)
_OFFSET = re.compile(r".*[Tt].*[+-]\d{2}:?\d{2}\Z", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

Record = Mapping[str, Any]


class Bad(Exception):
    """One problem with a record: the field at fault, what is wrong, and how to fix it."""

    def __init__(self, field: str, reason: str, fix: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.fix = fix


@dataclass(frozen=True)
class Checked:
    """What validation learns from a good record besides the record itself."""

    record_id: str
    source_time_ns: int | None
    signature: str | None


def json_type(value: Any) -> str:
    """The JSON name of a value's type, with an article: ``a string``, ``true/false``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def show(value: Any) -> str:
    """A bad value as it would be written in JSON, shortened when long."""
    if isinstance(value, str):
        return '"' + shorten(value) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return shorten(repr(value), 24)
    return json_type(value)


def given(record: Record, name: str) -> bool:
    """Is the field present and not ``null``?"""
    return record.get(name) is not None


def need(record: Record, name: str) -> Any:
    """The value of a required field."""
    value = record.get(name)
    if value is None:
        state = "is null" if name in record else "is missing"
        raise Bad(name, f"{state}; it is required", f'add "{name}" to the record')
    return value


def ident(record: Record, name: str) -> str:
    """A required id: a non-empty string of at most 200 characters without control characters."""
    value = need(record, name)
    if not isinstance(value, str):
        raise Bad(name, f"must be a string, not {json_type(value)} ({show(value)})", _id_fix(name))
    if not value.strip():
        raise Bad(name, "is empty", _id_fix(name))
    if len(value) > MAX_ID_CHARS:
        raise Bad(
            name,
            f"is {len(value)} characters long ({show(value)}); the limit is {MAX_ID_CHARS}",
            _id_fix(name),
        )
    if _CONTROL.search(value):
        raise Bad(name, f"contains control characters ({show(value)})", _id_fix(name))
    return value


def optional_ident(record: Record, name: str) -> str | None:
    """An optional id (see :func:`ident`)."""
    return ident(record, name) if given(record, name) else None


def _id_fix(name: str) -> str:
    return f'give "{name}" as a non-empty string of printable characters, at most {MAX_ID_CHARS}'


def text(record: Record, name: str) -> str | None:
    """An optional free-text field."""
    if not given(record, name):
        return None
    value = record[name]
    if not isinstance(value, str):
        raise Bad(name, f"must be a string, not {json_type(value)}", f'send "{name}" as text')
    return value


def time_value(value: Any, name: str) -> int:
    """An RFC 3339 UTC time with a ``Z`` suffix, as ns since the epoch."""
    fix = f"write an RFC 3339 time in UTC with a Z suffix, e.g. {TIME_EXAMPLE}"
    if not isinstance(value, str):
        raise Bad(name, f"must be a time string, not {json_type(value)} ({show(value)})", fix)
    if not _UTC_TIME.match(value):
        if _OFFSET.match(value):
            reason = f"{show(value)} has a UTC offset; times must be in UTC with a Z suffix"
            fix = f"convert to UTC and end with Z, e.g. {TIME_EXAMPLE}"
        else:
            reason = f"{show(value)} is not an RFC 3339 UTC time"
        raise Bad(name, reason, fix)
    try:
        return parse_ns(value, where=name)
    except InputError:
        raise Bad(name, f"{show(value)} is not a real calendar date and time", fix) from None


def time_ns(record: Record, name: str) -> int:
    """A required time field (see :func:`time_value`)."""
    return time_value(need(record, name), name)


def optional_time(record: Record, name: str) -> int | None:
    """An optional time field (see :func:`time_value`)."""
    return time_value(record[name], name) if given(record, name) else None


def number_value(
    value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite JSON number within ``[minimum, maximum]`` (either bound optional)."""
    if type(value) is not int and type(value) is not float:
        raise Bad(name, f"must be a number, not {json_type(value)} ({show(value)})", _num_fix(name))
    if not math.isfinite(value):
        raise Bad(name, f"{show(value)} is not a finite number", _num_fix(name))
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise Bad(name, f"{show(value)} is negative", f'send "{name}" as 0 or more')
        raise Bad(name, f"{show(value)} is below {minimum:g}", _range_fix(name, minimum, maximum))
    if maximum is not None and value > maximum:
        raise Bad(name, f"{show(value)} is above {maximum:g}", _range_fix(name, minimum, maximum))
    return value


def _num_fix(name: str) -> str:
    return f'send "{name}" as a JSON number (not a string, true/false, NaN or Infinity)'


def _range_fix(name: str, minimum: float | None, maximum: float | None) -> str:
    low = "-∞" if minimum is None else f"{minimum:g}"
    high = "∞" if maximum is None else f"{maximum:g}"
    return f'send "{name}" between {low} and {high}'


def number(
    record: Record,
    name: str,
    *,
    required: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float | None:
    """A number field (see :func:`number_value`)."""
    if not required and not given(record, name):
        return None
    return number_value(need(record, name), name, minimum=minimum, maximum=maximum)


def count(record: Record, name: str) -> int | None:
    """An optional whole number of 0 or more."""
    if not given(record, name):
        return None
    value = number_value(record[name], name, minimum=0)
    if value != int(value):
        raise Bad(name, f"{show(value)} is not a whole number", f'send "{name}" as 0, 1, 2, …')
    return int(value)


def choice(
    record: Record, name: str, allowed: Collection[str], *, required: bool = False
) -> str | None:
    """A value from a fixed list (an enumeration of FORMATS.md)."""
    if not required and not given(record, name):
        return None
    value = need(record, name)
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(allowed)
        raise Bad(name, f"{show(value)} is not one of: {listed}", f"use one of: {listed}")
    return value


def position(record: Record, name: str, *, required: bool = True) -> None:
    """Coordinates ``[lon, lat]`` or ``[lon, lat, elev_m]`` in decimal degrees (WGS84)."""
    if not required and not given(record, name):
        return
    coordinates(need(record, name), name)


def coordinates(value: Any, name: str) -> None:
    """Check a coordinate array (see :func:`position`); ``name`` is used in messages."""
    fix = f'write "{name}" as [longitude, latitude] (or [longitude, latitude, elev_m]) in degrees'
    if not isinstance(value, list) or len(value) not in (2, 3):
        got = f"{len(value)} items" if isinstance(value, list) else json_type(value)
        raise Bad(name, f"must be [lon, lat] or [lon, lat, elev_m], not {got}", fix)
    for index, item in enumerate(value):
        number_value(item, f"{name}[{index}]")
    lon, lat = value[0], value[1]
    if not -90.0 <= lat <= 90.0:
        reason = f"latitude {show(lat)} is outside [-90, 90]"
        if -90.0 <= lon <= 90.0 and -180.0 <= lat <= 180.0:
            reason += f"; [{show(lon)}, {show(lat)}] looks swapped (latitude first?)"
        raise Bad(f"{name}[1]", reason, fix)
    if not -180.0 <= lon <= 180.0:
        raise Bad(f"{name}[0]", f"longitude {show(lon)} is outside [-180, 180]", fix)


def pair(value: Any, name: str) -> list[Any]:
    """A two-element array."""
    if not isinstance(value, list) or len(value) != 2:
        got = f"{len(value)} items" if isinstance(value, list) else json_type(value)
        raise Bad(name, f"must be a pair [from, to], not {got}", f'write "{name}" as [from, to]')
    return value


def number_range(record: Record, name: str, *, minimum: float | None = None) -> None:
    """An optional ordered pair of numbers ``[low, high]`` with ``low <= high``."""
    if not given(record, name):
        return
    low, high = pair(record[name], name)
    low = number_value(low, f"{name}[0]", minimum=minimum)
    high = number_value(high, f"{name}[1]", minimum=minimum)
    if low > high:
        raise Bad(name, f"[{show(low)}, {show(high)}] is not in order", "write [low, high]")


def bearing_range(record: Record, name: str) -> None:
    """An optional pair of bearings ``[from, to]`` in [0, 360], clockwise (it may wrap north)."""
    if not given(record, name):
        return
    first, second = pair(record[name], name)
    number_value(first, f"{name}[0]", minimum=0, maximum=360)
    number_value(second, f"{name}[1]", minimum=0, maximum=360)


def time_range(record: Record, name: str) -> tuple[int, int] | None:
    """An optional ordered pair of times ``[start, end]`` with ``start <= end``."""
    if not given(record, name):
        return None
    first, second = pair(record[name], name)
    start = time_value(first, f"{name}[0]")
    end = time_value(second, f"{name}[1]")
    if start > end:
        raise Bad(name, f"ends before it starts ({first} > {second})", "write [start, end]")
    return start, end


def base64_bytes(record: Record, name: str, size: int, what: str) -> str | None:
    """An optional base64 (RFC 4648, with padding) string that decodes to ``size`` bytes."""
    if not given(record, name):
        return None
    value = record[name]
    fix = f'send "{name}" as the standard base64 of the {size}-byte {what}'
    if not isinstance(value, str):
        raise Bad(name, f"must be a base64 string, not {json_type(value)}", fix)
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Bad(name, f"{show(value)} is not valid base64", fix) from None
    if len(decoded) != size:
        raise Bad(name, f"decodes to {len(decoded)} bytes; an {what} has {size}", fix)
    return value


def signature(record: Record, name: str = SIGNATURE_FIELD) -> str | None:
    """The optional Ed25519 signature of a record (shape only; the evidence log verifies it)."""
    return base64_bytes(record, name, SIGNATURE_BYTES, "Ed25519 signature")
