"""Fusion over the store: the accepted records read back out of the evidence log, fused by the
same functions ``ceasewatch fuse`` runs on files.

:func:`read_log` turns the log's entries back into the record dicts the fusion functions take:
each ``record`` entry (or the full entry behind an ``external`` stand-in) holds the record as
received, with restricted values sealed; the operator's store keeps the sealed values, so the
sensors' positions and elevations and the observers' positions are put back, each checked
against its seal in the public leaf. Streams keep every version of a record in log order, as if
the files had been concatenated: a repeated id is then what it is in a file (the first version
is used; tracks, detections, reports and complaints list a changed later one among the
rejected, picks count it as a duplicate, FIRMS skips it). The sensor registry is the
exception: the latest version of each sensor is its current entry (a moved sensor is an
update). FIRMS rows carry the id ingest gave them (``VIIRS:N:2022-02-24T0012:48.12345,37.54321``)
as ``record_id``.

:func:`fuse_log` fuses the picks cell by cell, sector of the agreement × 6 hours
(:func:`~ceasewatch.fusion.cell_fusion.fuse_in_cells`), with the array built from the registry
exactly as ``read_sensors`` builds it, then runs :func:`~ceasewatch.fusion.incidents.fuse_sources`
on every other stream. The demo, ``replay`` and ``reprocess`` all fuse a log this way, so they
agree on its digest. Keeping the result is :mod:`ceasewatch.fusion.saved`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch import __version__
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.evidence import merkle
from ceasewatch.evidence.base import LogReader, LogStore
from ceasewatch.evidence.entry import RESTRICTED, seal_hash
from ceasewatch.fusion.acoustic.array import array_from_features
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.run import AcousticResult, Progress
from ceasewatch.fusion.cell_fusion import CellFusion, Executor, fuse_in_cells
from ceasewatch.fusion.cells import WINDOW_S
from ceasewatch.fusion.incidents import FusionResult, fuse_sources
from ceasewatch.fusion.sources.base import Rejection

CROSS_STREAMS = ("tracks", "detections", "firms", "reports", "complaints")
"""The streams :func:`fuse_sources` merges with the acoustic events (notifications aside)."""

SEALED_GAP = 1_024  # entries between two restricted ones read in one go rather than two

REASON_CLASSES = (
    ("clutter: ", "clutter"),
    ("matches no event or incident", "matches nothing"),
    ("is not a class the agreement restricts", "not a restricted class"),
    ("an impact without a launch point", "lone radar impact"),
    ("sent again with other content", "id sent again changed"),
    ("no plugin reads the stream", "unknown stream"),
)
"""Words of a rejection's reason → its class, for counts; anything else is "unusable"."""


@dataclass(frozen=True)
class LogRecords:
    """The accepted records of the log's first ``size`` entries (see the module docstring)."""

    size: int
    root: bytes
    sensors: tuple[dict[str, Any], ...]
    streams: Mapping[str, tuple[dict[str, Any], ...]]

    def stream(self, name: str) -> tuple[dict[str, Any], ...]:
        return self.streams.get(name, ())


@dataclass(frozen=True)
class LogFusion:
    """What fusing a log gave, and what it was computed from."""

    log_size: int
    log_root: bytes
    agreement: tuple[str, int, str]  # id, version, digest
    speed_mps: float
    acoustic: AcousticResult
    fused: FusionResult
    cells: CellFusion | None = None  # the plan and each cell, when fused cell by cell

    @property
    def inputs(self) -> dict[str, Any]:
        """Everything the result is a function of (with the code of this version)."""
        agreement_id, version, digest = self.agreement
        return {
            "log_size": self.log_size,
            "log_root": self.log_root.hex(),
            "agreement": agreement_id,
            "agreement_version": version,
            "agreement_digest": digest,
            "software": f"ceasewatch {__version__}",
            "speed_mps": self.speed_mps,
        }

    def summary(self) -> dict[str, Any]:
        """The acoustic summary ``ceasewatch fuse`` writes, and the counts of the rest."""
        incidents = self.fused.incidents
        return {
            **acoustic_summary(self.acoustic, len(self.fused.events)),
            "acoustic_events": len(self.acoustic.events),
            "incidents": _largest_first(Counter(i.kind for i in incidents)),
            "launch_impact_pairs": sum(1 for i in incidents if i.kind == "shot"),
            "clutter_incidents": sum(1 for i in incidents if i.clutter is not None),
            "rejected": _largest_first(Counter(reason_class(r) for r in self.fused.rejected)),
        }


def acoustic_summary(result: AcousticResult, events: int) -> dict[str, Any]:
    """The summary line of the acoustic stage (``fuse-summary.jsonl``)."""
    skews = [
        {"sensor_id": k.sensor_id, "offset_s": round(k.offset_s, 3),
         "sigma_s": round(k.sigma_s, 3), "events": k.events}
        for k in result.skews
    ]  # fmt: skip
    return {
        "picks": result.picks,
        "events": events,
        "picks_unexplained": result.unassociated,
        "picks_of_unknown_sensors": len(result.unknown_sensor),
        "duplicate_picks": result.duplicates,
        "clock_offsets": skews,
    }


def _largest_first(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def reason_class(rejection: Rejection) -> str:
    """The class of a rejection's reason (:data:`REASON_CLASSES`)."""
    return next((name for words, name in REASON_CLASSES if words in rejection.reason), "unusable")


def fuse_log(
    records: LogRecords,
    agreement: Agreement,
    settings: Settings | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    *,
    window_s: float = WINDOW_S,
) -> LogFusion:
    """Fuse what the log holds: acoustic events cell by cell (on ``executor``, forked processes
    of this machine by default), then incidents with every other stream."""
    settings = settings or Settings()
    say = progress or (lambda _m: None)
    array = array_from_features(records.sensors, where="the sensor registry in the log")
    cells = fuse_in_cells(array, records.sensors, records.stream("picks"), agreement, settings,
                          executor, say, window_s=window_s)  # fmt: skip
    acoustic = cells.acoustic
    others = sum(len(records.stream(s)) for s in (*CROSS_STREAMS, "notifications"))
    say(f"{len(acoustic.events):,} acoustic events; merging {others:,} records of other streams")
    fused = fuse_sources(
        acoustic.events,
        {name: records.stream(name) for name in CROSS_STREAMS},
        agreement=agreement,
        notifications=records.stream("notifications"),
    )
    return LogFusion(
        records.size,
        records.root,
        (agreement.id, agreement.version, agreement.digest),
        settings.speed_mps,
        acoustic,
        fused,
        cells,
    )


def read_log(store: LogStore, size: int | None = None) -> LogRecords:
    """The records of the log's first ``size`` entries (all of them by default), with their
    restricted values put back from the store (see the module docstring)."""
    with store.read() as reader:
        end = reader.size() if size is None else size
        if not 0 <= end <= reader.size():
            raise InputError(f"the log has {reader.size():,} entries, not {end:,}")
        root = merkle.root_from(end, reader.subtree)
        entries = list(_record_entries(reader, end))
        restricted = [(i, e) for i, e in entries if e["source"] in RESTRICTED]
        _unseal(reader, restricted)
    sensors: dict[str, dict[str, Any]] = {}
    streams: dict[str, list[dict[str, Any]]] = {}
    for _index, entry in entries:
        source, record = entry["source"], entry["record"]
        if source == "sensors":
            sensors[entry["record_id"]] = record  # the latest version, in first-seen order
        elif source == "firms":
            streams.setdefault(source, []).append({**record, "record_id": entry["record_id"]})
        else:
            streams.setdefault(source, []).append(record)
    return LogRecords(
        end,
        root,
        tuple(sensors.values()),
        {source: tuple(rows) for source, rows in streams.items()},
    )


def _record_entries(reader: LogReader, end: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, entry) of every ``record`` entry below ``end``, in log order."""
    entries: list[tuple[int, dict[str, Any] | None]] = []
    for index, leaf in enumerate(reader.leaves(0, end)):
        entry = json.loads(leaf)
        if entry.get("kind") == "external" and entry.get("of") == "record":
            entries.append((index, None))  # the full entry is kept beside the log
        elif entry.get("kind") == "record":
            entries.append((index, entry))
    missing = [index for index, entry in entries if entry is None]
    full = dict(reader.externals(missing[0], missing[-1] + 1)) if missing else {}
    for index, found in entries:
        if found is None:
            if index not in full:
                raise InputError(
                    f"entry {index} of the log stands in for a large record the store does not "
                    "hold; run ceasewatch log check"
                )
            found = json.loads(full[index])
        yield index, found


def _unseal(reader: LogReader, entries: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Put back the restricted values of these entries' records from the store's sealed values,
    checking each against the seal in the public leaf."""
    by_index = dict(entries)
    for low, high in _spans([index for index, _entry in entries]):
        for row in reader.sealed(low, high):
            entry = by_index.get(row.index)
            if entry is None or row.path not in RESTRICTED[entry["source"]]:
                continue
            parent, key = _parent(entry["record"], row.path)
            leaf_value = parent.get(key) if parent is not None else None
            if not isinstance(leaf_value, Mapping) or "seal" not in leaf_value:
                continue
            if leaf_value["seal"] != seal_hash(row.salt, row.value).hex():
                raise InputError(
                    f"entry {row.index} of the log: the stored {row.path} does not match its "
                    "seal in the log; run ceasewatch log check"
                )
            assert parent is not None
            parent[key] = json.loads(row.value)


def _spans(indexes: Sequence[int]) -> list[tuple[int, int]]:
    """[low, high) ranges covering sorted ``indexes``, joining those less than SEALED_GAP apart."""
    spans: list[tuple[int, int]] = []
    for index in sorted(indexes):
        if spans and index - spans[-1][1] < SEALED_GAP:
            spans[-1] = (spans[-1][0], index + 1)
        else:
            spans.append((index, index + 1))
    return spans


def _parent(record: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *heads, key = path.split(".")
    node: Any = record
    for head in heads:
        node = node.get(head) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), key
