"""The adapters by kind, and telling a file's format from its name or its first bytes."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ceasewatch.errors import InputError
from ceasewatch.ingest.adapters import (
    complaints,
    detections,
    firms,
    line_changes,
    notifications,
    open_reports,
    picks,
    reports,
    sensors,
    status,
    tracks,
)
from ceasewatch.ingest.base import FileAdapter

ADAPTERS: Mapping[str, FileAdapter] = MappingProxyType(
    {
        "picks": picks.ADAPTER,
        "tracks": tracks.ADAPTER,
        "detections": detections.ADAPTER,
        "firms": firms.ADAPTER,
        "reports": reports.ADAPTER,
        "complaints": complaints.ADAPTER,
        "sensors": sensors.ADAPTER,
        "notifications": notifications.ADAPTER,
        "status": status.ADAPTER,
        "line-changes": line_changes.ADAPTER,
        "open-reports": open_reports.ADAPTER,
    }
)
"""The adapter of every format, by kind (read-only)."""

NARROWER = {"open-reports": "reports"}
"""A format whose content also fits a broader one (a news report has a ``report_id`` too):
when both fit, the narrower wins."""

HEAD_BYTES = 65_536
"""How much of a file :func:`detect_format` wants to see (at least its first line)."""


def detect_format(filename: str, head: bytes) -> str:
    """The kind of a file, by its name first and, when the name says nothing, by its content.

    Names: ``picks*.jsonl``, ``tracks*``, ``detections*``, ``reports*``, ``complaints*``,
    ``notifications*``, ``status*`` (``.jsonl``, ``.ndjson``, ``.json`` or no suffix),
    ``firms*.csv`` or ``fire_*.csv``, ``sensors*.geojson``, ``line-changes*.jsonl``,
    ``open-reports*.jsonl``. Content: the id field of the first
    JSON object line (``pick_id`` …), a CSV header with latitude, longitude and acq_date, a
    FeatureCollection whose features have ``sensor_id``. Raises :class:`InputError` when no
    format or more than one fits.
    """
    by_name = [kind for kind, adapter in ADAPTERS.items() if adapter.sniff_name(filename)]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise _unclear(filename, f"its name fits {_either(by_name)}")
    by_content = [kind for kind, adapter in ADAPTERS.items() if adapter.sniff_content(head)]
    by_content = [k for k in by_content if not any(NARROWER.get(n) == k for n in by_content)]
    if len(by_content) == 1:
        return by_content[0]
    if by_content:
        raise _unclear(filename, f"its content fits {_either(by_content)}")
    if not head.strip():
        raise _unclear(filename, "it is empty and its name says nothing")
    raise _unclear(filename, "neither its name nor its first bytes match a known format")


def _either(kinds: list[str]) -> str:
    return "both " + " and ".join(kinds) if len(kinds) == 2 else "each of " + ", ".join(kinds)


def _unclear(filename: str, why: str) -> InputError:
    return InputError(
        f"cannot tell the format of {filename}: {why}; give --format one of {', '.join(ADAPTERS)}"
    )
