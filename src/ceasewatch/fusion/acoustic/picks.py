"""Picks as arrays: one row per distinct pick, grouped by sensor and sorted by arrival time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasewatch.errors import InputError
from ceasewatch.model.time import NS_PER_S, parse_utc, to_ns

DEFAULT_T_SIGMA_S = 0.05  # FORMATS.md
MIN_SIGMA_S = 1e-3  # a stated sigma of 0 would weigh one pick infinitely
SIGNATURES = ("unknown", "launch", "impact", "blast")


@dataclass(frozen=True)
class PickTable:
    """Distinct picks of the known sensors, sorted by (sensor, arrival).

    ``t_s`` is seconds after ``epoch_ns`` (float64 keeps 0.1 µs over a year). ``start[k]`` and
    ``start[k + 1]`` bound sensor ``k``'s rows.
    """

    pick_ids: tuple[str, ...]
    sensor: NDArray[np.int64]
    t_s: NDArray[np.float64]
    sigma_s: NDArray[np.float64]
    signature: NDArray[np.int8]  # index into SIGNATURES
    snr_db: NDArray[np.float64]  # nan when not given
    start: NDArray[np.int64]
    epoch_ns: int
    unknown_sensor: tuple[str, ...] = ()  # pick ids whose sensor is not in the registry
    duplicates: int = 0

    def __len__(self) -> int:
        return len(self.pick_ids)

    def of_sensor(self, k: int) -> slice:
        return slice(int(self.start[k]), int(self.start[k + 1]))

    def t_ns(self, t_s: float) -> int:
        return self.epoch_ns + round(t_s * NS_PER_S)

    def subset(self, keep: NDArray[np.bool_]) -> PickTable:
        """The picks where ``keep`` holds, in the same order and with the same epoch."""
        rows = np.flatnonzero(keep)
        sensor = self.sensor[rows]
        start = np.searchsorted(sensor, np.arange(len(self.start))).astype(np.int64)
        return replace(self, pick_ids=tuple(self.pick_ids[i] for i in rows), sensor=sensor,
                       t_s=self.t_s[rows], sigma_s=self.sigma_s[rows],
                       signature=self.signature[rows], snr_db=self.snr_db[rows], start=start,
                       unknown_sensor=(), duplicates=0)  # fmt: skip


def pick_table(
    records: Iterable[Mapping[str, Any]], sensor_index: Mapping[str, int], *, where: str = "picks"
) -> PickTable:
    """Picks (FORMATS.md dicts, validated or not) as a :class:`PickTable`.

    A pick id seen twice is kept once (a duplicated delivery); picks of sensors that are not in
    the registry are set aside by id, since they cannot be located.
    """
    ids: list[str] = []
    sensors: list[int] = []
    times: list[int] = []
    sigmas: list[float] = []
    signatures: list[int] = []
    snrs: list[float] = []
    seen: set[str] = set()
    unknown: list[str] = []
    duplicates = 0
    for n, record in enumerate(records, start=1):
        pick_id = str(record.get("pick_id", ""))
        if not pick_id:
            raise InputError(f"{where}: record {n} has no pick_id; give every pick its id")
        if pick_id in seen:
            duplicates += 1
            continue
        seen.add(pick_id)
        sensor = sensor_index.get(str(record.get("sensor_id", "")))
        if sensor is None:
            unknown.append(pick_id)
            continue
        ids.append(pick_id)
        sensors.append(sensor)
        times.append(_arrival_ns(record, f"{where}: pick {pick_id}"))
        sigma = record.get("t_sigma_s")
        sigmas.append(float(sigma) if sigma is not None else DEFAULT_T_SIGMA_S)
        signature = record.get("signature") or "unknown"
        signatures.append(SIGNATURES.index(signature) if signature in SIGNATURES else 0)
        snr = record.get("snr_db")
        snrs.append(float(snr) if snr is not None else float("nan"))
    return _table(
        ids, sensors, times, sigmas, signatures, snrs, len(sensor_index), unknown, duplicates
    )


def _arrival_ns(record: Mapping[str, Any], where: str) -> int:
    value = record.get("t_arrival")
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise InputError(
            f"{where}: t_arrival must be an RFC 3339 time such as 2026-02-18T03:12:45Z"
        )
    return to_ns(parse_utc(value, where=f"{where}: t_arrival")) + _sub_microsecond_ns(value)


def _sub_microsecond_ns(text: str) -> int:
    """Digits beyond the microsecond (datetime keeps six), e.g. the 789 of .123456789Z."""
    dot = text.find(".")
    if dot < 0:
        return 0
    digits = ""
    for ch in text[dot + 1 :]:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits[6:9].ljust(3, "0")) if len(digits) > 6 else 0


def _table(
    ids: list[str],
    sensors: list[int],
    times: list[int],
    sigmas: list[float],
    signatures: list[int],
    snrs: list[float],
    n_sensors: int,
    unknown: list[str],
    duplicates: int,
) -> PickTable:
    sensor = np.asarray(sensors, dtype=np.int64)
    t_ns = np.asarray(times, dtype=np.int64)
    epoch_ns = int(t_ns.min()) if len(t_ns) else 0
    order = np.lexsort((t_ns, sensor))
    t_s = (t_ns[order] - epoch_ns).astype(np.float64) / NS_PER_S
    sensor = sensor[order]
    start = np.searchsorted(sensor, np.arange(n_sensors + 1)).astype(np.int64)
    return PickTable(
        pick_ids=tuple(ids[i] for i in order),
        sensor=sensor,
        t_s=t_s,
        sigma_s=np.maximum(np.asarray(sigmas, dtype=np.float64)[order], MIN_SIGMA_S),
        signature=np.asarray(signatures, dtype=np.int8)[order],
        snr_db=np.asarray(snrs, dtype=np.float64)[order],
        start=start,
        epoch_ns=epoch_ns,
        unknown_sensor=tuple(unknown),
        duplicates=duplicates,
    )
