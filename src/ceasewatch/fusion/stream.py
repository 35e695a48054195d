"""Streaming fusion: observations update events and incidents as they arrive.

:class:`StreamFuser` keeps every record it is given and, at each :meth:`~StreamFuser.advance`,
fuses again only the open window with the batch functions (:func:`fuse_picks`, then
:func:`fuse_sources` when it has an agreement). With ``W`` the late window and ``now`` the
stream's clock (an argument, never read from a clock):

- events whose origin is older than ``now − W`` (incidents: whose end is) are **final**: frozen,
  never revised again, their records spent;
- the picks from ``now − W − margin`` on that no final event holds are fused again (the margin,
  the longest travel time plus ``max_window_s``, gives the events that straddle the window's
  edge all their picks, so they are neither split nor counted twice); the events found with an
  origin from ``now − W`` on are the new **provisional** set, and the difference to the last
  one is logged (:mod:`ceasewatch.fusion.revisions`); the rest are context and are dropped;
- for each sensor, its latest pick in the half hour before the window goes in too, so that a
  sensor that was working is not taken as down (``Settings.alive_window_s``);
- a record older than ``now − W`` when it arrives cannot change anything final: it is kept and
  reported as late beyond the window (:attr:`StreamFuser.late`), never dropped silently.

Design, guarantees and measured figures: docs/fusion-streaming.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Any

from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.clock import Skew
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.fusion.clutter import FirmsBaseline
from ceasewatch.fusion.event import FusedEvent
from ceasewatch.fusion.incidents import fuse_sources
from ceasewatch.fusion.revisions import Ledger, Revision, Thresholds
from ceasewatch.fusion.stream_records import (
    EVENTS,
    ID_FIELDS,
    INCIDENTS,
    HeldIncident,
    Late,
    Latency,
    corrected,
    record_id,
    record_time_ns,
)
from ceasewatch.model.time import NS_PER_S

FOREVER_NS = 2**62  # a horizon after every time: everything is final


class StreamFuser:
    """Incremental fusion over the batch functions (see the module docs).

    Stateful by nature: :meth:`add` buffers records, :meth:`advance` re-fuses the open window
    and returns the revisions it made, :meth:`finish` makes everything final. ``agreement``
    turns on the incident layer (``fuse_sources``) over ``incident_context_s`` of events and
    records before the window.
    """

    def __init__(
        self,
        array: SensorArray,
        settings: Settings | None = None,
        *,
        late_window_s: float = 300.0,
        agreement: Agreement | None = None,
        incident_context_s: float = 600.0,
        thresholds: Thresholds | None = None,
        liveness: bool = True,
        skew_every_s: float = 900.0,
        skew_history_s: float = 3600.0,
    ) -> None:
        if late_window_s <= 0:
            raise InputError(f"late window {late_window_s} s: give a positive number of seconds")
        self.array = array
        self.settings = settings or Settings()
        self.late_ns = round(late_window_s * NS_PER_S)
        reach_s = self.settings.reach_m / self.settings.speed_mps
        self.margin_ns = round((reach_s + self.settings.max_window_s) * NS_PER_S)
        self.incident_context_ns = round(incident_context_s * NS_PER_S)
        self.liveness = liveness
        self.skew_every_ns = round(skew_every_s * NS_PER_S)
        self.skew_history_ns = round(skew_history_s * NS_PER_S)
        self.skews: tuple[Skew, ...] = ()  # clock offsets learnt from the history, applied
        self._skews_due_ns: int | None = None
        self.agreement = agreement
        self.locator = Locator(agreement) if agreement is not None else None
        self.baseline = FirmsBaseline.packaged() if agreement is not None else None
        self.events: Ledger[FusedEvent] = Ledger(EVENTS, thresholds)
        self.incidents: Ledger[HeldIncident] = Ledger(INCIDENTS, thresholds)
        self.now_ns: int | None = None
        self.records: dict[str, dict[str, Mapping[str, Any]]] = {s: {} for s in ID_FIELDS}
        self.times: dict[str, list[tuple[int, str]]] = {s: [] for s in ID_FIELDS}
        self.received_ns: dict[str, int] = {}  # pick id → when the stream got it
        self.late: list[Late] = []
        self.unknown_sensor: list[str] = []
        self.duplicates = 0
        self.conflicting: list[str] = []  # "stream:id" sent again with other content
        self.rejected: dict[tuple[str, str], str] = {}  # the latest reason from fuse_sources
        self.fusions = 0  # windows fused
        self.skew_passes = 0  # histories searched for clock offsets
        self._dirty_picks = False
        self._dirty_incidents = False

    def add(self, stream: str, records: Iterable[Mapping[str, Any]], now_ns: int) -> list[Late]:
        """Buffer records of ``stream`` received at ``now_ns``; returns those too late to count."""
        if stream not in ID_FIELDS:
            raise InputError(f"unknown stream {stream!r}; use one of {', '.join(ID_FIELDS)}")
        self._tick(now_ns)
        late = []
        for record in records:
            rid = record_id(stream, record)
            held = self.records[stream].get(rid)
            if held is not None:
                self.duplicates += 1
                if held != record:
                    self.conflicting.append(f"{stream}:{rid}")
                continue
            t_ns = record_time_ns(stream, record)
            self.records[stream][rid] = record
            if stream == "picks":
                self.received_ns[rid] = now_ns
                if str(record.get("sensor_id", "")) not in self.array.index:
                    self.unknown_sensor.append(rid)
                    continue
            if t_ns < now_ns - self.late_ns and stream != "notifications":
                late.append(Late(stream, rid, t_ns, now_ns, now_ns - self.late_ns - t_ns))
                continue
            bisect.insort(self.times[stream], (t_ns, rid))
            self._dirty_picks |= stream == "picks"
            self._dirty_incidents = True
        self.late += late
        return late

    def advance(self, now_ns: int) -> list[Revision]:
        """Freeze what left the window, fuse the open window again; the revisions made."""
        self._tick(now_ns)
        horizon = now_ns - self.late_ns
        out = self.events.finalize(horizon, now_ns)
        self._learn_skews(now_ns)
        if self._dirty_picks:
            out += self.events.update(self._fuse_window(horizon), now_ns)
            self._dirty_picks = False
        if self.agreement is not None:
            out += self.incidents.finalize(horizon, now_ns)
            if self._dirty_incidents or any(r.noun == "event" and r.kind != "final" for r in out):
                out += self.incidents.update(self._incident_window(horizon), now_ns)
                self._dirty_incidents = False
        return out

    def finish(self, now_ns: int) -> list[Revision]:
        """Fuse what is pending, then make every provisional event and incident final."""
        out = self.advance(now_ns)
        out += self.events.finalize(FOREVER_NS, now_ns)
        if self.agreement is not None:
            out += self.incidents.finalize(FOREVER_NS, now_ns)
        return out

    def _tick(self, now_ns: int) -> None:
        if self.now_ns is not None and now_ns < self.now_ns:
            raise ValueError(f"the stream's clock went back: {now_ns} < {self.now_ns}")
        self.now_ns = now_ns

    def _learn_skews(self, now_ns: int) -> None:
        """Every ``skew_every_s``, find the sensors whose clock is off in the last
        ``skew_history_s`` of picks (a batch run whose events are not used), and apply them."""
        if self.skew_every_ns <= 0:
            return
        if self._skews_due_ns is None:
            self._skews_due_ns = now_ns + self.skew_every_ns
        if now_ns < self._skews_due_ns:
            return
        self._skews_due_ns = now_ns + self.skew_every_ns
        picks = self.records["picks"]
        recent = [picks[p] for _t, p in self._window("picks", now_ns - self.skew_history_ns)]
        self.skew_passes += 1
        found = fuse_picks(self.array, recent, self.settings).skews if recent else ()
        # a sensor keeps its offset until a later search finds another
        merged = {k.sensor_id: k for k in self.skews} | {k.sensor_id: k for k in found}
        if merged != {k.sensor_id: k for k in self.skews}:
            self.skews = tuple(merged[s] for s in sorted(merged))
            self._dirty_picks = True

    def _window(self, stream: str, start_ns: int) -> list[tuple[int, str]]:
        times = self.times[stream]
        return times[bisect.bisect_left(times, (start_ns, "")) :]

    def _fuse_window(self, horizon_ns: int) -> list[FusedEvent]:
        start = horizon_ns - self.margin_ns
        picks = self.records["picks"]
        spent = self.events.consumed
        chosen = [picks[p] for _t, p in self._window("picks", start) if p not in spent]
        if self.liveness:
            chosen += self._witnesses(start)
        if not chosen:
            return []
        if self.skews:
            offsets = {k.sensor_id: k for k in self.skews}
            chosen = [
                corrected(r, offsets[sensor]) if (sensor := str(r["sensor_id"])) in offsets else r
                for r in chosen
            ]
        self.fusions += 1
        result = fuse_picks(self.array, chosen, self.settings)
        return [e for e in result.events if e.t_origin_ns >= horizon_ns]

    def _witnesses(self, start_ns: int) -> list[Mapping[str, Any]]:
        """Each sensor's latest pick in the ``alive_window_s`` before ``start_ns``."""
        times = self.times["picks"]
        alive_ns = round(self.settings.alive_window_s * NS_PER_S)
        lo = bisect.bisect_left(times, (start_ns - alive_ns, ""))
        hi = bisect.bisect_left(times, (start_ns, ""))
        latest: dict[str, str] = {}
        for _t, pick_id in times[lo:hi]:
            latest[str(self.records["picks"][pick_id]["sensor_id"])] = pick_id
        return [self.records["picks"][p] for p in latest.values()]

    def _incident_window(self, horizon_ns: int) -> list[HeldIncident]:
        start = horizon_ns - self.incident_context_ns
        spent = self.incidents.consumed
        events = [
            e
            for e in (*self.events.final.values(), *self.events.provisional.values())
            if e.t_origin_ns >= start and f"events:{e.event_id}" not in spent
        ]
        records = {
            stream: [
                self.records[stream][r]
                for _t, r in self._window(stream, start)
                if f"{stream}:{r}" not in spent
            ]
            for stream in ID_FIELDS
            if stream not in ("picks", "notifications")
        }
        assert self.agreement is not None
        fused = fuse_sources(
            events,
            {s: rows for s, rows in records.items() if rows},
            agreement=self.agreement,
            notifications=list(self.records["notifications"].values()),
            baseline=self.baseline,
            locator=self.locator,
        )
        for rejection in fused.rejected:
            self.rejected[(rejection.stream, rejection.record_id)] = rejection.reason
        return [HeldIncident(i, i.incident_id) for i in fused.incidents if i.t_end_ns >= horizon_ns]

    def latencies(self) -> list[Latency]:
        """For each final event: when its picks made it locatable, and when it was emitted."""
        out = []
        need = self.settings.min_picks
        for event_id, event in sorted(self.events.final.items()):
            first = self.events.first_members.get(event_id, frozenset(event.pick_ids))
            heard = sorted(self.received_ns[p] for p in first)
            enough = heard[min(need, len(heard)) - 1]
            emitted = self.events.first_emitted_ns[event_id]
            out.append(Latency(event_id, event.t_origin_ns, heard[-1], enough, emitted))
        return out

    def unused_records(self) -> list[tuple[str, str, str]]:
        """(stream, record id, reason) of every non-pick record that no final incident holds."""
        spent = self.incidents.consumed
        contra = {
            f"{e.stream}:{e.record_id}"
            for h in self.incidents.final.values()
            for e in h.incident.contradicting
        }
        late = {(x.stream, x.record_id) for x in self.late}
        out = []
        for stream, held in self.records.items():
            if stream in ("picks", "notifications"):
                continue
            for rid in sorted(held):
                key = f"{stream}:{rid}"
                if key in spent or key in contra:
                    continue
                reason = (
                    "late beyond the window"
                    if (stream, rid) in late
                    else self.rejected.get(
                        (stream, rid), "in no incident before it left the window"
                    )
                )
                out.append((stream, rid, reason))
        return out
