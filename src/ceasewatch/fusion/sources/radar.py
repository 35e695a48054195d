"""Radar tracks as values — a launch end and an impact end, each with its CEP — read from a
record, and matched to acoustic phases (one to one, per radar) and to each other (the same
projectile seen by several radars). The plugin that uses them: :mod:`.tracks`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasewatch.errors import InputError
from ceasewatch.fusion.phase import Phase
from ceasewatch.fusion.sources import fields
from ceasewatch.fusion.sources.match import assign, single_linkage, space_time_d2
from ceasewatch.fusion.spread import Spread

DEFAULT_CEP_M = 100.0


@dataclass(frozen=True)
class End:
    t_ns: int
    lon: float
    lat: float
    cep_m: float

    def key(self, sigma_t_s: float) -> tuple[float, float, Spread, int, float]:
        return (self.lon, self.lat, Spread.from_cep(self.cep_m), self.t_ns, sigma_t_s)


@dataclass(frozen=True)
class Track:
    track_id: str
    sensor_id: str
    projectile: str
    launch: End | None
    impact: End | None


def read_track(rid: str, record: Mapping[str, Any]) -> Track:
    where = f"tracks {rid}"
    ends = []
    for name in ("launch", "impact"):
        t = fields.optional_instant_ns(where, record, f"t_{name}")
        at = fields.optional_point(where, record, name)
        if (t is None) != (at is None):
            raise InputError(
                f"{where}: {name!r} and 't_{name}' come together; give both or neither"
            )
        cep = fields.number(where, record, f"{name}_cep_m", DEFAULT_CEP_M)
        ends.append(
            End(t, at[0], at[1], max(cep, 1.0)) if t is not None and at is not None else None
        )
    if ends[0] is None and ends[1] is None:
        raise InputError(
            f"{where}: a track needs a launch (t_launch, launch) or an impact (t_impact, impact)"
        )
    projectile = fields.text(where, record, "projectile", "unknown")
    return Track(rid, fields.text(where, record, "sensor_id", ""), projectile, ends[0], ends[1])


def per_radar(
    tracks: Sequence[Track], phases: Sequence[Phase], word: str, sigma_t: float, gate: float
) -> dict[str, tuple[Phase, str]]:
    """Track id → (phase, reason) from a one-to-one assignment per radar, on the track's
    ``word`` end (impact or launch)."""

    def end_of(track: Track) -> End | None:
        return track.impact if word == "impact" else track.launch

    out: dict[str, tuple[Phase, str]] = {}
    if not phases:
        return out
    ordered = sorted(phases, key=lambda p: p.t_ns)
    t_sorted = np.array([p.t_ns for p in ordered], dtype=np.int64)
    by_radar: dict[str, list[Track]] = {}
    for t in tracks:
        if end_of(t) is not None:
            by_radar.setdefault(t.sensor_id, []).append(t)
    window_ns = 120 * 1_000_000_000
    for group in by_radar.values():
        cands: dict[int, Phase] = {}
        rows: list[dict[int, tuple[float, float, float]]] = []
        for t in group:
            end = end_of(t)
            assert end is not None
            lo = int(np.searchsorted(t_sorted, end.t_ns - window_ns))
            hi = int(np.searchsorted(t_sorted, end.t_ns + window_ns, side="right"))
            row = {}
            for k in range(lo, hi):
                p = ordered[k]
                d2 = space_time_d2(end.key(sigma_t), (p.lon, p.lat, p.spread, p.t_ns, p.t_sigma_s))
                if d2[0] <= gate:
                    row[k] = d2
                    cands[k] = p
            rows.append(row)
        cols = sorted(cands)
        costs = np.full((len(group), len(cols)), np.inf)
        for r, row in enumerate(rows):
            for c, k in enumerate(cols):
                if k in row:
                    costs[r, c] = row[k][0]
        for r, c in assign(costs, gate):
            phase = ordered[cols[c]]
            _d2, dist, dt = rows[r][cols[c]]
            out[group[r].track_id] = (
                phase,
                f"radar track {group[r].track_id} {word} {dist:.0f} m from the acoustic "
                f"{phase.kind}, {dt:.1f} s apart",
            )
    return out


def same_projectile(tracks: list[Track], sigma_t: float, gate: float) -> list[list[Track]]:
    """Tracks of the same projectile from several radars (single linkage within the gate)."""

    def end(track: Track) -> End:
        found = track.impact or track.launch
        assert found is not None
        return found

    def past(a: Track, b: Track) -> bool:
        return end(b).t_ns - end(a).t_ns > 10 * 1_000_000_000

    def joined(a: Track, b: Track) -> bool:
        same_kind = (a.impact is None) == (b.impact is None)
        return (
            a.sensor_id != b.sensor_id
            and same_kind
            and space_time_d2(end(a).key(sigma_t), end(b).key(sigma_t))[0] <= gate
        )

    ordered = sorted(tracks, key=lambda t: (end(t).t_ns, t.track_id))
    return single_linkage(ordered, joined, past)
