"""Satellite thermal anomalies (NASA FIRMS rows): fires.

* **observe** — a row is read as FIRMS writes it (numbers may be text); its id is its
  ``record_id`` (or ``firms_id``) when the caller gives one, otherwise ``firms.csv:<n>`` with n
  the 1-based data row in the order given, as the simulator's truth names rows. The fire lies
  somewhere in the pixel (``scan`` × ``track`` km, 375 m when absent): a uniform error of
  size/√12 on each axis plus 70 m of geolocation error. Time: ``acq_date`` + ``acq_time`` (UTC).
* **place** — rows within a pixel of each other (plus 500 m) and 12 h apart are one fire:
  one ``fire`` phase. Whether a fire is clutter (a field fire on the 2021 seasonal background,
  a hot industrial site) is decided later by :mod:`ceasewatch.fusion.clutter`.
* **relate** — a fire within ``fire_link_m`` of an impact, first seen after it and within
  ``fire_link_s``, was most likely set by it: it supports the incident and is part of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.fusion.phase import Phase, phase_id
from ceasewatch.fusion.sources.base import (
    FusionContext,
    Hypothesis,
    Observation,
    Observed,
    Placed,
    Placement,
    Rejection,
    Relation,
)
from ceasewatch.fusion.sources.match import single_linkage, weighted_centre
from ceasewatch.fusion.spread import Spread, offset_m
from ceasewatch.model.time import NS_PER_S

DEFAULT_PIXEL_KM = 0.375
GEOLOCATION_M = 70.0
JOIN_S = 12 * 3600.0
FIRE_KINDS = ("impact", "unknown", "blast")


@dataclass(frozen=True)
class FireRow:
    record_id: str
    scan_km: float
    track_km: float
    frp_mw: float | None
    confidence: str
    satellite: str


def firms_row_id(record: Mapping[str, Any], index: int) -> str:
    for key in ("record_id", "firms_id"):
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return f"firms.csv:{index + 1}"


class FirmsPlugin:
    stream = "firms"
    reach_m = 3_000.0
    reach_s = 6 * 3600.0

    def observe(self, records: Sequence[Mapping[str, Any]], context: FusionContext) -> Observed:
        out, rejected, seen = [], [], set()
        for index, record in enumerate(records):
            rid = firms_row_id(record, index)
            if rid in seen:
                continue
            seen.add(rid)
            try:
                out.append(_observation(rid, record))
            except InputError as exc:
                rejected.append(Rejection(self.stream, rid, str(exc)))
        return Observed(tuple(out), tuple(rejected))

    def place(
        self, observations: Sequence[Observation], phases: Sequence[Phase], context: FusionContext
    ) -> Placement:
        ordered = sorted(observations, key=lambda o: (o.t_start_ns, o.record_id))
        new, placed = [], []
        for group in _groups(ordered):
            phase = _phase(group)
            new.append(phase)
            for obs in group:
                row: FireRow = obs.payload
                placed.append(
                    Placed(
                        phase.event_id,
                        self.stream,
                        obs.record_id,
                        f"FIRMS {row.satellite} pixel {row.record_id} "
                        f"({row.scan_km:.2f} × {row.track_km:.2f} km, confidence {row.confidence})",
                    )
                )
        return Placement(tuple(phases) + tuple(new), tuple(placed))

    def relate(self, observation: Observation, hypothesis: Hypothesis) -> Relation | None:
        if hypothesis.kind not in ("shot", "impact", "blast"):
            return None
        w = hypothesis.where
        _e, _n, distance = offset_m(w.lon, w.lat, observation.lon, observation.lat)
        after_s = (observation.t_start_ns - w.t_ns) / NS_PER_S
        reach_m = 1500.0 + 2.0 * (observation.spread.sigma_m + w.spread.sigma_m)
        if distance > reach_m or not 0.0 <= after_s <= self.reach_s:
            return None
        return Relation(
            True,
            0.5,
            f"FIRMS fire {observation.record_id} {distance:.0f} m from the impact, "
            f"{after_s / 3600:.1f} h after it: most likely set by it",
            same_happening=True,
        )


def _observation(rid: str, record: Mapping[str, Any]) -> Observation:
    where = f"firms {rid}"
    lat, lon = _float(where, record, "latitude"), _float(where, record, "longitude")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"{where}: latitude/longitude out of range; give decimal degrees")
    t_ns = firms_time_ns(where, record)
    scan = _float(where, record, "scan", DEFAULT_PIXEL_KM)
    track = _float(where, record, "track", DEFAULT_PIXEL_KM)
    frp = record.get("frp")
    row = FireRow(
        rid,
        scan,
        track,
        _float(where, record, "frp") if frp not in (None, "") else None,
        str(record.get("confidence", "")),
        str(record.get("satellite", "")),
    )
    spread = Spread(
        (scan * 1000 / math.sqrt(12)) ** 2 + GEOLOCATION_M**2,
        (track * 1000 / math.sqrt(12)) ** 2 + GEOLOCATION_M**2,
    )
    return Observation("firms", rid, t_ns, t_ns, lon, lat, spread, "fire", row)


def _float(where: str, record: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = record.get(key, default)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(
            f"{where}: column {key!r} must be a decimal number, not {value!r}"
        ) from None
    if not math.isfinite(number):
        raise InputError(f"{where}: column {key!r} must be a finite number")
    return number


def _groups(obs: list[Observation]) -> list[list[Observation]]:
    def past(a: Observation, b: Observation) -> bool:
        return (b.t_start_ns - a.t_start_ns) / NS_PER_S > JOIN_S

    def joined(a: Observation, b: Observation) -> bool:
        _e, _n, distance = offset_m(a.lon, a.lat, b.lon, b.lat)
        pa, pb = a.payload, b.payload
        reach = 500.0 + 1000.0 * (max(pa.scan_km, pa.track_km) + max(pb.scan_km, pb.track_km))
        return distance <= reach

    return single_linkage(obs, joined, past)


def _phase(group: list[Observation]) -> Phase:
    lon, lat, sigma_m = weighted_centre(
        [o.lon for o in group], [o.lat for o in group], [o.spread.sigma_m for o in group]
    )
    first = min(group, key=lambda o: (o.t_start_ns, o.record_id))
    confidence = 1.0 - 0.3 ** len({o.t_start_ns for o in group})  # each pass adds
    return Phase(
        phase_id("firms", first.record_id),
        "fire",
        first.t_start_ns,
        1800.0,
        lon,
        lat,
        Spread.circular(sigma_m).ellipse(),
        confidence,
        tuple(("firms", o.record_id) for o in group),
        t_end_ns=max(o.t_start_ns for o in group),
        detail=f"fire in {len(group)} FIRMS pixel(s)",
    )


def firms_time_ns(where: str, record: Mapping[str, Any]) -> int:
    """A FIRMS row's acquisition time (``acq_date`` and ``acq_time`` HHMM, UTC) in ns."""
    day = str(record.get("acq_date", "")).strip()
    hhmm = str(record.get("acq_time", "0")).strip() or "0"
    try:
        ordinal = date.fromisoformat(day).toordinal() - date(1970, 1, 1).toordinal()
        minutes = int(hhmm[:-2] or "0") * 60 + int(hhmm[-2:])
    except ValueError as exc:
        raise InputError(
            f"{where}: acq_date {day!r} / acq_time {hhmm!r}; write YYYY-MM-DD and HHMM (UTC)"
        ) from exc
    return (ordinal * 86_400 + minutes * 60) * NS_PER_S
