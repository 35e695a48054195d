"""Radar tracks (``tracks.jsonl``): a projectile's launch and impact points, or a drone's path.

* **observe** — a track needs at least one end (time and point); CEPs default to 100 m.
* **place** — per radar, tracks are assigned one to one to the acoustic impacts (and, for their
  launch end, to the acoustic launches) they match within the gate (space and time, both
  errors added). A track joins the impact it matches (the truth of a shot lists its tracks under
  the impact); when it also matches a launch, that launch and impact are one shot (a
  :class:`Link`). Tracks that match no acoustic impact are grouped across radars (the same
  projectile seen twice) into a new impact phase — or a ``flight`` phase for a drone's track
  without an impact. A track with an impact only, no drone class and nothing acoustic near it is
  rejected: a counter-battery radar that really followed a ballistic projectile gives its
  launch point too, so this is most likely a false track.
* **relate** — a track supports an incident whose impact or firing position it matches, and
  contradicts a paired shot whose impact it matches when its own launch point lies outside the
  gate of the paired launch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ceasewatch.fusion.phase import Phase, phase_id
from ceasewatch.fusion.sources import fields
from ceasewatch.fusion.sources.base import (
    FusionContext,
    Hypothesis,
    Link,
    Observation,
    Observed,
    Placed,
    Placement,
    Rejection,
    Relation,
)
from ceasewatch.fusion.sources.match import space_time_d2, weighted_centre
from ceasewatch.fusion.sources.radar import End, Track, per_radar, read_track, same_projectile
from ceasewatch.fusion.spread import Spread


class TracksPlugin:
    stream = "tracks"
    reach_m = 5_000.0
    reach_s = 120.0

    def observe(self, records: Sequence[Mapping[str, Any]], context: FusionContext) -> Observed:
        return Observed(*fields.parse_each(self.stream, records, "track_id", _observation))

    def place(
        self, observations: Sequence[Observation], phases: Sequence[Phase], context: FusionContext
    ) -> Placement:
        settings = context.settings
        sigma_t = settings.track_time_sigma_s
        tracks = [o.payload for o in observations]
        impacts = [p for p in phases if p.kind in ("impact", "unknown") and p.acoustic is not None]
        launches = [p for p in phases if p.kind == "launch" and p.acoustic is not None]
        gate = settings.gate_chi2
        to_impact = per_radar(tracks, impacts, "impact", sigma_t, gate)
        launchers = [t for t in tracks if t.projectile != "uav"]
        to_launch = per_radar(launchers, launches, "launch", sigma_t, gate)
        placed, links, rejected = [], [], []
        added: dict[str, list[tuple[str, str]]] = {}
        loose: list[Track] = []
        for track in tracks:
            hit = to_impact.get(track.track_id)
            if hit is None:
                loose.append(track)
                continue
            phase, reason = hit
            added.setdefault(phase.event_id, []).append((self.stream, track.track_id))
            placed.append(Placed(phase.event_id, self.stream, track.track_id, reason))
            if track.track_id in to_launch:
                launch, why = to_launch[track.track_id]
                links.append(Link(launch.event_id, phase.event_id, 0.98, f"{reason}; {why}"))
        new_phases = []
        for group in same_projectile(loose, sigma_t, settings.gate_chi2):
            launch_hits = [to_launch[t.track_id] for t in group if t.track_id in to_launch]
            if not launch_hits and all(t.launch is None and t.projectile != "uav" for t in group):
                for t in group:
                    rejected.append(Rejection(self.stream, t.track_id, _lonely(t)))
                continue
            phase = _phase(group, sigma_t)
            new_phases.append(phase)
            for t in group:
                placed.append(
                    Placed(phase.event_id, self.stream, t.track_id, _alone(t, len(group)))
                )
            if launch_hits:
                launch, why = launch_hits[0]
                links.append(Link(launch.event_id, phase.event_id, 0.95, why))
        ends: dict[str, list[tuple[int, End]]] = {}
        for position, t in enumerate(tracks):
            if t.launch is not None:
                ends.setdefault(t.track_id, []).append((position, t.launch))
        updated = tuple(
            _with_launch(p.with_records(*added[p.event_id]), ends) if p.event_id in added else p
            for p in phases
        )
        return Placement(updated + tuple(new_phases), tuple(placed), tuple(links), tuple(rejected))

    def relate(self, observation: Observation, hypothesis: Hypothesis) -> Relation | None:
        track: Track = observation.payload
        gate = 16.27
        impact_d2 = None
        if track.impact is not None and hypothesis.kind != "launch":
            w = hypothesis.where
            impact_d2, dist, dt = space_time_d2(track.impact.key(1.0), w.key())
            if impact_d2 <= gate:
                launch_note = ""
                if track.launch is not None and hypothesis.launch is not None:
                    lw = hypothesis.launch
                    ld2, ldist, _ = space_time_d2(track.launch.key(1.0), lw.key())
                    if ld2 > gate:
                        return Relation(
                            False,
                            0.8,
                            f"radar track {track.track_id} impact {dist:.0f} m from the impact, "
                            f"{dt:.1f} s apart, but its launch lies {ldist / 1000:.1f} km from "
                            "the paired firing position",
                            pairing_only=True,
                        )
                    launch_note = f"; its launch {ldist:.0f} m from the paired firing position"
                return Relation(
                    True,
                    0.9,
                    f"radar track {track.track_id} impact {dist:.0f} m from the impact, "
                    f"{dt:.1f} s apart{launch_note}",
                )
        if track.launch is not None and hypothesis.launch is not None:
            lw = hypothesis.launch
            ld2, ldist, dt = space_time_d2(track.launch.key(1.0), lw.key())
            if ld2 <= gate:
                return Relation(
                    True,
                    0.9,
                    f"radar track {track.track_id} launch {ldist:.0f} m from the firing "
                    f"position, {dt:.1f} s apart",
                )
        return None


def _observation(rid: str, record: Mapping[str, Any]) -> Observation:
    track = read_track(rid, record)
    end = track.impact or track.launch
    assert end is not None
    return Observation(
        "tracks",
        rid,
        (track.launch or end).t_ns,
        end.t_ns,
        end.lon,
        end.lat,
        Spread.from_cep(end.cep_m),
        track.projectile,
        track,
    )


def _phase(group: list[Track], sigma_t: float) -> Phase:
    ends = [e for e in (t.impact or t.launch for t in group) if e is not None]
    lon, lat, cep_m = weighted_centre(
        [e.lon for e in ends], [e.lat for e in ends], [e.cep_m for e in ends]
    )
    t_ns = int(np.mean([e.t_ns for e in ends]))
    sigma_m = cep_m / 1.1774
    first = min(group, key=lambda t: t.track_id)
    has_impact = first.impact is not None
    kind = "impact" if has_impact else ("flight" if first.projectile == "uav" else "launch")
    launch = next((t.launch for t in group if t.launch is not None and has_impact), None)
    return Phase(
        phase_id("tracks", first.track_id),
        kind,
        t_ns,
        sigma_t / np.sqrt(len(group)),
        lon,
        lat,
        Spread.circular(sigma_m).ellipse(),
        0.9 if first.launch is not None or first.projectile == "uav" else 0.5,
        tuple(("tracks", t.track_id) for t in group),
        launch=(launch.lon, launch.lat, launch.cep_m) if launch else None,
        detail=f"radar {kind} ({first.projectile}) from {len(group)} track(s)",
    )


def _alone(track: Track, count: int) -> str:
    what = "impact" if track.impact is not None else "position"
    also = f", with {count - 1} other radar track(s) of it" if count > 1 else ""
    return (
        f"radar track {track.track_id} ({track.projectile}) gives the {what}{also}; "
        "no acoustic event matched"
    )


def _lonely(track: Track) -> str:
    return (
        f"radar track {track.track_id}: an impact without a launch point ({track.projectile}), "
        "no acoustic event or other radar near it — most likely a false track"
    )


def _with_launch(phase: Phase, ends_of: Mapping[str, list[tuple[int, End]]]) -> Phase:
    """The phase with the launch point of its best radar track, when it has none yet
    (``ends_of``: track id → its launch points, each with the track's place in the list)."""
    if phase.launch is not None:
        return phase
    mine = {rid for stream, rid in phase.records if stream == "tracks"}
    ends = [e for _, e in sorted(pair for rid in mine & ends_of.keys() for pair in ends_of[rid])]
    if not ends:
        return phase
    best = min(ends, key=lambda e: e.cep_m)  # the first of the tracks' order on a tie
    return replace(phase, launch=(best.lon, best.lat, best.cep_m))
