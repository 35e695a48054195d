"""Reading fields of one record for the plugins: each failure is an InputError naming the
stream, the record and the field, and saying what to write instead."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from ceasewatch.errors import InputError
from ceasewatch.fusion.sources.base import Rejection
from ceasewatch.model.time import parse_ns

T = TypeVar("T")


def record_id(stream: str, record: Mapping[str, Any], key: str, index: int) -> str:
    value = record.get(key)
    if isinstance(value, str) and value:
        return value
    raise InputError(
        f"{stream} record #{index + 1}: missing or empty {key!r}; give every record its id"
    )


def instant_ns(where: str, record: Mapping[str, Any], key: str) -> int:
    value = record.get(key)
    if not isinstance(value, str):
        raise InputError(
            f"{where}: field {key!r} must be an RFC 3339 time such as 2026-02-18T03:12:45Z"
        )
    return parse_ns(value, where=f"{where}: field {key!r}")


def optional_instant_ns(where: str, record: Mapping[str, Any], key: str) -> int | None:
    return None if record.get(key) is None else instant_ns(where, record, key)


def window_ns(where: str, record: Mapping[str, Any], key: str) -> tuple[int, int]:
    """A time window [start, end] as (earliest, latest) instants, in whichever order given."""
    value = record.get(key)
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(f"{where}: {key!r} must be [start, end] RFC 3339 times")
    t0 = instant_ns(where, {"t": value[0]}, "t")
    t1 = instant_ns(where, {"t": value[1]}, "t")
    return min(t0, t1), max(t0, t1)


def point(where: str, record: Mapping[str, Any], key: str) -> tuple[float, float]:
    value = record.get(key)
    if (
        isinstance(value, list | tuple)
        and len(value) >= 2
        and all(_is_number(v) for v in value[:2])
        and -180.0 <= float(value[0]) <= 180.0
        and -90.0 <= float(value[1]) <= 90.0
    ):
        return float(value[0]), float(value[1])
    raise InputError(f"{where}: field {key!r} must be [lon, lat] in degrees, longitude first")


def optional_point(where: str, record: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    return None if record.get(key) is None else point(where, record, key)


def number(
    where: str,
    record: Mapping[str, Any],
    key: str,
    default: float | None = None,
    *,
    low: float = 0.0,
) -> float:
    value = record.get(key, default)
    if _is_number(value) and float(value) >= low:
        return float(value)
    if value is None:
        raise InputError(f"{where}: missing field {key!r}; add a number")
    raise InputError(f"{where}: field {key!r} must be a number of at least {low:g}, not {value!r}")


def pair_of_numbers(where: str, record: Mapping[str, Any], key: str) -> tuple[float, float]:
    value = record.get(key)
    if isinstance(value, list | tuple) and len(value) == 2 and all(_is_number(v) for v in value):
        return float(value[0]), float(value[1])
    raise InputError(f"{where}: field {key!r} must be a pair [from, to] of numbers")


def text(where: str, record: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = record.get(key, default)
    if isinstance(value, str):
        return value
    raise InputError(f"{where}: field {key!r} must be a string")


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def each_unique(
    stream: str, records: Sequence[Mapping[str, Any]], key: str
) -> Iterator[tuple[int, str, Mapping[str, Any]] | Rejection]:
    """Each record once: a repeated delivery (same id, same content) is skipped; the same id with
    other content is rejected; a record without its id is rejected."""
    seen: dict[str, Mapping[str, Any]] = {}
    for index, record in enumerate(records):
        try:
            rid = record_id(stream, record, key, index)
        except InputError as exc:
            yield Rejection(stream, f"#{index + 1}", str(exc))
            continue
        if rid in seen:
            if dict(seen[rid]) != dict(record):
                yield Rejection(
                    stream,
                    rid,
                    f"{stream} {rid}: sent again with other content; the first is kept — "
                    "give a corrected record a new id",
                )
            continue
        seen[rid] = record
        yield index, rid, record


def parse_each(
    stream: str,
    records: Sequence[Mapping[str, Any]],
    key: str,
    parse: Callable[[str, Mapping[str, Any]], T],
) -> tuple[tuple[T, ...], tuple[Rejection, ...]]:
    """``parse(record id, record)`` of each record once (as :func:`each_unique`); a record whose
    parse raises an InputError is rejected with its message."""
    out: list[T] = []
    rejected: list[Rejection] = []
    for item in each_unique(stream, records, key):
        if isinstance(item, Rejection):
            rejected.append(item)
            continue
        _index, rid, record = item
        try:
            out.append(parse(rid, record))
        except InputError as exc:
            rejected.append(Rejection(stream, rid, str(exc)))
    return tuple(out), tuple(rejected)
