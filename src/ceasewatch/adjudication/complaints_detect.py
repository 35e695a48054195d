"""Would the alleged violation have been found? The chance, from the mechanism's own sensor layout.

A complaint alleges fire of some category within ``radius_m`` of a place during a window. Had it
happened, would the network have detected **and located** it? That needs a TDOA fix: at least
:attr:`LayoutSettings.needed` (3) acoustic sensors hearing it. What the mechanism knows, and uses:

* its **sensor layout** — the registry's acoustic sensors: position and nominal ``range_m``;
* **which sensors were available when** — the timelines the coverage built from the status
  reports (:class:`~ceasewatch.adjudication.coverage_line.Coverage`): up, not jammed;
* the **nominal detection curve** of an acoustic sensor
  (:func:`ceasewatch.model.acoustic.detection_probability`, a published characteristic): a
  sensor at distance ``d`` hears a source of loudness ``L`` with probability
  ``p_detect / (1 + exp((d − r50)/(0.1 r50)))``, ``r50 = 0.75 · range_m · 10^(L/20)``;
* the category's **nominal loudness** (:data:`LOUDNESS_DB`, dB against a 152 mm impact): the
  quietest weapon the category covers, so the chance is never overstated.

At a point and an instant, each available sensor hears independently; the chance that at least
``needed`` of them do is a Poisson-binomial tail. The answer is its mean over the circle (the
centre, 6 points at half and 12 at the whole radius) and the window (time outside the coverage
window counts as not observed; a zero-length window asks about its instant) — the chance that a
violation placed anywhere in the circle and window would have been located. Categories without a
loudness (weapons standing in a zone: seen, not heard) get ``None``: the caller falls back on the
coverage share and :attr:`AnswerSettings.detectability`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ceasewatch.adjudication.coverage_inputs import RegisteredSensor, circle_points
from ceasewatch.model.acoustic import detection_probability, r50_m
from ceasewatch.model.geo import FloatArray, geodesic_distance_m

if TYPE_CHECKING:
    from ceasewatch.adjudication.coverage import Timeline

Intervals = Sequence[tuple[int, int]]

LOUDNESS_DB: tuple[tuple[str, float], ...] = (
    ("drone_strike", -8.0),  # a drone's dropped or flown-in charge
    ("shelling", -5.0),  # the quietest shell: a mortar round (a 152 mm impact is 0 dB)
    ("small_arms", -20.0),  # a machine-gun burst: heard only within ~1.5 km of a sensor
)
"""Nominal source level of each fire category, dB against a 152 mm impact (+6 dB doubles the
distance at which it is heard)."""


@dataclass(frozen=True)
class LayoutSettings:
    loudness_db: tuple[tuple[str, float], ...] = LOUDNESS_DB
    p_detect: float = 0.9  # a sensor's chance of hearing what is well in range (registry default)
    needed: int = 3  # sensors that must hear a source for a fix (TDOA: three arrival times)
    default_range_m: float = 20_000.0  # an acoustic sensor the registry gives no range
    # counter-battery radars track shells (not drones' drops, not small arms): p_detect to 80 %
    # of their range, falling to 0 at its edge
    tracked: tuple[str, ...] = ("shelling",)
    radar_p_detect: float = 0.9
    radar_range_m: float = 35_000.0  # a radar the registry gives no range

    def loudness(self, category: str) -> float | None:
        return dict(self.loudness_db).get(category)


class LayoutDetection:
    """The chance of detection and location of a category's fire in a circle and window, from
    the acoustic sensors (and radars) and when each was available (see the module)."""

    def __init__(
        self,
        sensors: Sequence[tuple[RegisteredSensor, Intervals]],
        start_ns: int,
        end_ns: int,
        settings: LayoutSettings | None = None,
    ) -> None:
        self.settings = settings or LayoutSettings()
        chosen = sorted(
            ((s, tuple(a)) for s, a in sensors if s.kind in ("acoustic", "radar")),
            key=lambda pair: pair[0].sensor_id,
        )
        self._radar = np.array([s.kind == "radar" for s, _ in chosen], dtype=bool)
        self._lon = np.array([s.lon for s, _ in chosen], dtype=np.float64)
        self._lat = np.array([s.lat for s, _ in chosen], dtype=np.float64)
        default = np.where(self._radar, self.settings.radar_range_m, self.settings.default_range_m)
        given = np.array([s.range_m or np.nan for s, _ in chosen], dtype=np.float64)
        self._range = np.where(np.isnan(given), default, given)
        self._available = [a for _, a in chosen]
        self.start_ns, self.end_ns = start_ns, end_ns

    @classmethod
    def from_timelines(
        cls,
        lines: Mapping[str, Timeline],
        start_ns: int,
        end_ns: int,
        settings: LayoutSettings | None = None,
    ) -> LayoutDetection:
        """From the coverage's sensor timelines (``Coverage.lines``, ``start_ns``, ``end_ns``)."""
        pairs = [(t.sensor, tuple(t.available)) for t in lines.values()]
        return cls(pairs, start_ns, end_ns, settings)

    def chance(
        self, category: str, lon: float, lat: float, radius_m: float, t_start_ns: int,
        t_end_ns: int,
    ) -> float | None:  # fmt: skip
        """P(fire of ``category`` in the circle and window would have been located); ``None``
        for a category with no nominal loudness."""
        loudness = self.settings.loudness(category)
        if loudness is None:
            return None
        plon, plat = circle_points(lon, lat, radius_m)
        tracked = category in self.settings.tracked
        nearby, p, radar = self._heard(plon, plat, loudness, tracked)  # p: points × nearby
        near = [self._available[i] for i in nearby]
        if t_end_ns <= t_start_ns:
            if not self.start_ns <= t_start_ns < self.end_ns:
                return 0.0
            up = np.array([_up_at(a, t_start_ns) for a in near], dtype=bool)
            return self._located(p, radar, up)
        lo, hi = max(t_start_ns, self.start_ns), min(t_end_ns, self.end_ns)
        if hi <= lo:
            return 0.0
        cuts = sorted({lo, hi, *(t for a in near for iv in a for t in iv if lo < t < hi)})
        total = 0.0
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            up = np.array([_up_at(iv, a) for iv in near], dtype=bool)
            total += self._located(p, radar, up) * (b - a)
        return min(1.0, max(0.0, total / (t_end_ns - t_start_ns)))

    def _heard(
        self, plon: FloatArray, plat: FloatArray, loudness_db: float, tracked: bool
    ) -> tuple[list[int], FloatArray, np.ndarray]:
        """The sensors that may find a source at one of the points — acoustic sensors within
        twice their r50, radars (when the category is ``tracked``) within their range — and
        points × those sensors: the chance each finds it there; which of them are radars."""
        if not len(self._lon):
            return [], np.zeros((len(plon), 0)), np.zeros(0, dtype=bool)
        distance = geodesic_distance_m(
            plon[:, None], plat[:, None], self._lon[None, :], self._lat[None, :]
        ).reshape(len(plon), len(self._lon))
        s = self.settings
        heard = detection_probability(distance, self._range, s.p_detect, loudness_db)
        # a radar tracks a projectile with p_detect to 80 % of its range, then less to 0
        edge = np.clip((self._range - distance) / (0.2 * self._range), 0.0, 1.0)
        reach = np.where(self._radar, self._range, 2.0 * r50_m(self._range, loudness_db))
        p = np.where(self._radar[None, :], s.radar_p_detect * edge, heard)
        near = np.flatnonzero((distance <= reach[None, :]).any(axis=0) & (~self._radar | tracked))
        return [int(i) for i in near], np.asarray(p[:, near]), self._radar[near]

    def _located(self, p: FloatArray, radar: np.ndarray, up: np.ndarray) -> float:
        """The mean over the points of P(located) by the sensors that are ``up``: at least
        ``needed`` acoustic sensors hear it, or a radar tracks it."""
        acoustic = self._fix(p[:, up & ~radar])
        missed = np.prod(1.0 - p[:, up & radar], axis=1)
        return float((1.0 - (1.0 - acoustic) * missed).mean())

    def _fix(self, p: FloatArray) -> FloatArray:
        """Per point (row): P(at least ``needed`` of the sensors (columns) hear), each
        independently with its probability — the Poisson-binomial tail."""
        k = self.settings.needed
        exactly = np.zeros((p.shape[0], k))  # P(exactly j heard so far), j < k
        exactly[:, 0] = 1.0
        for column in p.T:
            q = column[:, None]
            shifted = np.concatenate([np.zeros((p.shape[0], 1)), exactly[:, :-1]], axis=1)
            exactly = exactly * (1.0 - q) + shifted * q
        return np.asarray(np.clip(1.0 - exactly.sum(axis=1), 0.0, 1.0))


def _up_at(intervals: Intervals, t_ns: int) -> bool:
    return any(a <= t_ns < b for a, b in intervals)
