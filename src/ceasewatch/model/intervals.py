"""Sets of half-open time intervals ``[a, b)`` on the nanosecond clock, as sorted lists of
disjoint, non-touching pairs: what a sensor's uptime, jamming or flights are made of. Shared by
the simulator (which writes status reports from them) and coverage (which reads them back)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

Intervals = list[tuple[int, int]]


def merge(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """Sorted and joined where they overlap or touch; empty intervals dropped."""
    merged: Intervals = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def intersect(first: Intervals, second: Intervals) -> Intervals:
    """The time in both."""
    found = []
    i = j = 0
    a_list, b_list = merge(first), merge(second)
    while i < len(a_list) and j < len(b_list):
        (a, b), (c, d) = a_list[i], b_list[j]
        if min(b, d) > max(a, c):
            found.append((max(a, c), min(b, d)))
        if b < d:
            i += 1
        else:
            j += 1
    return found


def subtract(first: Intervals, second: Intervals) -> Intervals:
    """The time in ``first`` and not in ``second``."""
    result: Intervals = []
    cuts = merge(second)
    for a, b in merge(first):
        t = a
        for c, d in cuts:
            if d <= t or c >= b:
                continue
            if c > t:
                result.append((t, c))
            t = max(t, d)
        if t < b:
            result.append((t, b))
    return result


def length(intervals: Intervals, start: int | None = None, end: int | None = None) -> int:
    """Their total length, or the length of their part within ``[start, end)``."""
    if start is None or end is None:
        return sum(b - a for a, b in intervals)
    return sum(max(0, min(b, end) - max(a, start)) for a, b in intervals)


class Meeting:
    """Closed intervals ``[lo, hi]``, indexed once for the question "which of them meet
    ``[a, b]``?". The starts are sorted, and a question looks only at those between ``a`` minus
    the longest interval and ``b``: a year of intervals costs little more per question than a
    day's, where a mask over all of them grows with the history. One very long interval widens
    every question (the answer stays exact)."""

    def __init__(self, lo: npt.ArrayLike, hi: npt.ArrayLike) -> None:
        self.lo = np.asarray(lo, dtype=np.int64)
        self.hi = np.asarray(hi, dtype=np.int64)
        self._order = np.argsort(self.lo, kind="stable")
        self._starts = self.lo[self._order]
        self._longest = int(max(0, (self.hi - self.lo).max())) if len(self.lo) else 0

    def __len__(self) -> int:
        return len(self.lo)

    def meeting(self, a: int, b: int) -> npt.NDArray[np.int64]:
        """The indices, ascending, of the intervals with ``hi >= a`` and ``lo <= b``."""
        first = int(np.searchsorted(self._starts, a - self._longest, side="left"))
        last = int(np.searchsorted(self._starts, b, side="right"))
        found = self._order[first:last]
        return np.sort(found[self.hi[found] >= a])
