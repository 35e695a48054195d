"""Sensors whose clock is off: found from the events the other sensors locate.

For every located source, each sensor in reach whose pick is not part of it predicts when it
should have heard it (a pick inside the fit pulls the fit towards itself); a sensor
with a skewed clock has picks that sit at one constant offset from those predictions instead of
at zero. The offset is the densest 0.3 s bin of residuals within ±3 s, refined by the median of the
residuals near it; it is taken as real when at least ``min_events`` residuals agree, their
count is well above what the sensor's background rate would put there by chance, and the offset
is several of its standard errors from zero — and when those residuals outnumber twice the
sources in reach that took the sensor's own pick: a sound clock's picks mostly join the sources
around it, and what remains near them (the next round of a salvo, another source) can pile up
at a constant offset too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.greedy import Found
from ceasewatch.fusion.acoustic.locate import predicted
from ceasewatch.fusion.acoustic.picks import PickTable

SEARCH_S = 3.0
BIN_S = 0.3


@dataclass(frozen=True)
class Skew:
    sensor_id: str
    offset_s: float
    sigma_s: float
    events: int


def find_skews(
    array: SensorArray,
    table: PickTable,
    found: list[Found],
    speed_mps: float,
    *,
    min_events: int = 5,
    min_offset_s: float = 0.1,
) -> list[Skew]:
    residuals: list[list[float]] = [[] for _ in range(len(array))]
    included = np.zeros(len(array), dtype=np.int64)  # sources in reach whose fit has its pick
    for source in found:
        if len(source.rows) < 4:
            continue
        a = source.anchor
        count = int(array.nb_count[a])
        sensors = array.nb[a, :count]
        distance = np.hypot(array.nb_xy[a, :count, 0] - source.fit.x_m,
                            array.nb_xy[a, :count, 1] - source.fit.y_m)  # fmt: skip
        reach = distance <= array.range_m[sensors]
        t_pred = predicted(array.nb_xy[a, :count], source.fit.x_m, source.fit.y_m,
                           source.fit.t0_s, speed_mps)  # fmt: skip
        heard_by = set(table.sensor[source.rows].tolist())
        for sensor, t in zip(sensors[reach], t_pred[reach], strict=True):
            if int(sensor) in heard_by:
                included[int(sensor)] += 1
                continue  # its own pick pulled the fit: only sources located without it count
            rows = table.of_sensor(int(sensor))
            times = table.t_s[rows]
            lo, hi = np.searchsorted(times, [t - SEARCH_S, t + SEARCH_S])
            residuals[int(sensor)].extend((times[lo:hi] - t).tolist())
    skews = []
    for k, values in enumerate(residuals):
        found_skew = _offset(np.asarray(values), len(found), min_events, min_offset_s)
        # a sound clock's picks mostly join the sources near it; a skewed one's rarely do
        if found_skew is not None and found_skew[2] > 2 * included[k]:
            skews.append(Skew(array.ids[k], *found_skew))
    return skews


def _offset(
    r: NDArray[np.float64], events: int, min_events: int, min_offset_s: float
) -> tuple[float, float, int] | None:
    if len(r) < min_events:
        return None
    edges = np.arange(-SEARCH_S, SEARCH_S + BIN_S, BIN_S)
    counts, _ = np.histogram(r, edges)
    peak = int(np.argmax(counts))
    centre = (edges[peak] + edges[peak + 1]) / 2
    near = r[np.abs(r - centre) <= BIN_S]
    if len(near) < min_events:
        return None
    offset = float(np.median(near))
    near = r[np.abs(r - offset) <= BIN_S / 2]
    background = max((len(r) - len(near)) * BIN_S / (2 * SEARCH_S), 1.0)
    spread = 1.4826 * float(np.median(np.abs(near - offset))) + 1e-3
    sigma = spread / np.sqrt(len(near))
    zero_bin = int(np.sum(np.abs(r) <= BIN_S / 2))
    if (
        len(near) >= min_events
        and len(near) > 3 * background
        and len(near) > 2 * zero_bin
        and abs(offset) >= max(min_offset_s, 5 * sigma)
    ):
        return offset, max(sigma, spread), len(near)
    return None
