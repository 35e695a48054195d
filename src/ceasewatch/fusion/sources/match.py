"""Matching in space and time for the plugins: a gated squared distance, a one-to-one
assignment on it, single-linkage grouping, and the weighted centre of a group."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

from ceasewatch.fusion.spread import Spread, offset_m
from ceasewatch.model.time import NS_PER_S

T = TypeVar("T")


def space_time_d2(
    a: tuple[float, float, Spread, int, float], b: tuple[float, float, Spread, int, float]
) -> tuple[float, float, float]:
    """(squared Mahalanobis distance over east, north and time; distance m; |Δt| s) between
    two (lon, lat, spread, t_ns, t_sigma_s)."""
    east, north, distance = offset_m(a[0], a[1], b[0], b[1])
    dt_s = (b[3] - a[3]) / NS_PER_S
    sigma_t = math.hypot(a[4], b[4])
    d2 = a[2].plus(b[2]).mahalanobis2(east, north) + (dt_s / max(sigma_t, 1e-3)) ** 2
    return d2, distance, abs(dt_s)


def assign(costs: np.ndarray, gate: float) -> list[tuple[int, int]]:
    """One-to-one (row, column) pairs of least total cost among costs within the gate."""
    if costs.size == 0:
        return []
    finite = np.where(costs <= gate, costs, gate * 10.0 + 1e6)
    rows, cols = linear_sum_assignment(finite)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if costs[r, c] <= gate]


def within_time(t_ns: Sequence[int], lo_ns: int, hi_ns: int) -> range:
    """Indices of a sorted sequence of instants within [lo, hi]."""
    array = np.asarray(t_ns, dtype=np.int64)
    return range(
        int(np.searchsorted(array, lo_ns)), int(np.searchsorted(array, hi_ns, side="right"))
    )


def single_linkage(
    items: Sequence[T], joined: Callable[[T, T], bool], past: Callable[[T, T], bool]
) -> list[list[T]]:
    """Groups of items linked pairwise by ``joined(a, b)``, in order of their first item.

    ``items`` are in time order; ``past(a, b)`` says that ``b`` and every later item are too
    late to join ``a``, so the scan of ``a``'s partners stops there."""
    parent = list(range(len(items)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if past(a, b):
                break
            if joined(a, b):
                parent[find(j)] = find(i)
    groups: dict[int, list[T]] = {}
    for i, item in enumerate(items):
        groups.setdefault(find(i), []).append(item)
    return list(groups.values())


def weighted_centre(
    lon: Sequence[float], lat: Sequence[float], sigma_m: Sequence[float]
) -> tuple[float, float, float]:
    """(lon, lat, sigma m) of points weighted by the inverse of their variance."""
    weights = np.array([1.0 / s**2 for s in sigma_m])
    centre_lon = float(np.average(lon, weights=weights))
    centre_lat = float(np.average(lat, weights=weights))
    return centre_lon, centre_lat, float(np.sqrt(1.0 / weights.sum()))
