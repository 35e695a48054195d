"""Sources taken one anchor pick at a time, in order of arrival; each pick explains at most one.

The earliest pick not yet explained can only be the first arrival of its source, or a false pick.
Its triples (:mod:`.seeds`) are scored (:mod:`.score`), the best is refined — support gathered
among free picks, located by least squares, re-scored — and taken when its posterior log-odds
clear the bar. Picks are handled in batches so the arrays stay large; each anchor is paired
with its ``seed_neighbours`` nearest sensors. (A cheaper first pass with two neighbours, then a
second with four on what was left, took poorly placed sources early whose picks the better ones
then lacked: on the simulated sector it cost 0.06 of F1 and a quarter of the ellipses.)
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.locate import Fit, fit, fit_many, predicted, seed_covariances
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import PickTable
from ceasewatch.fusion.acoustic.score import PickIndex, Scored, score
from ceasewatch.fusion.acoustic.seeds import Seeds, anchor_seeds

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
CHUNK = 20_000
BATCH = 512  # anchor picks seeded and scored together
QUICK_WIDTH = 9  # the anchor and its 8 nearest: a cheap first look at a seed
QUICK_MARGIN = 20.0  # how far below the bar a first look may be and still be scored in full
REFINE_ROUNDS = 3
PER_ANCHOR = 4  # seeds of one anchor pick refined together (the best by a first look)


@dataclass(frozen=True)
class Found:
    """A source taken by the associator, in the frame of its anchor sensor."""

    anchor: int
    fit: Fit
    rows: I64  # picks it explains
    log_odds: float
    loudness_db: float


@dataclass(frozen=True)
class Candidates:
    """Refined candidate sources: anchor, (x, y, t0), covariance and their score."""

    anchor: I64
    first: I64  # the anchor pick: its source's earliest arrival
    theta: F64
    cov: F64
    scored: Scored

    @classmethod
    def joined(cls, parts: list[Candidates]) -> Candidates:
        if not parts:
            empty = Scored(np.zeros(0), np.zeros((0, 1), bool), np.zeros((0, 1), np.int64),
                           np.zeros(0))  # fmt: skip
            z = np.zeros(0, np.int64)
            return cls(z, z, np.zeros((0, 3)), np.zeros((0, 3, 3)), empty)
        width = max(p.scored.rows.shape[1] for p in parts)
        return cls(np.concatenate([p.anchor for p in parts]),
                   np.concatenate([p.first for p in parts]),
                   np.concatenate([p.theta for p in parts]),
                   np.concatenate([p.cov for p in parts]),
                   Scored.joined([p.scored.padded(width) for p in parts]))  # fmt: skip

    def distinct(self, cell_m: float = 50.0, cell_s: float = 0.1) -> Candidates:
        """One candidate per (anchor pick, 50 m, 0.1 s): refined seeds of one source converge."""
        key = np.column_stack((self.first, np.floor(self.theta[:, 0] / cell_m),
                               np.floor(self.theta[:, 1] / cell_m),
                               np.floor(self.theta[:, 2] / cell_s)))  # fmt: skip
        _, keep = np.unique(key, axis=0, return_index=True)
        keep.sort()
        s = self.scored
        return Candidates(self.anchor[keep], self.first[keep], self.theta[keep], self.cov[keep],
                          Scored(s.log_odds[keep], s.support[keep], s.rows[keep],
                                 s.loudness_db[keep]))  # fmt: skip


class Associator:
    def __init__(
        self,
        array: SensorArray,
        table: PickTable,
        s: Settings,
        sigma_extra_s: F64 | None = None,
        *,
        taken: NDArray[np.bool_] | None = None,
        anchorable: NDArray[np.bool_] | None = None,
    ) -> None:
        """``taken``: picks already explained; ``anchorable``: the picks a search may start from."""
        self.array, self.table, self.s = array, table, s
        self.index = PickIndex.of(table, s)
        self.sigma_extra = sigma_extra_s if sigma_extra_s is not None else np.zeros(len(array))
        self.used = taken.copy() if taken is not None else np.zeros(len(table), dtype=bool)
        self.anchorable = anchorable if anchorable is not None else np.ones(len(table), bool)
        self._tick = itertools.count()

    def run(self) -> list[Found]:
        return self._sequential(self.s)

    def _sequential(self, s: Settings) -> list[Found]:
        found: list[Found] = []
        by_time = np.argsort(self.table.t_s, kind="stable")
        for lo in range(0, len(by_time), BATCH):
            batch = by_time[lo : lo + BATCH]
            batch = batch[~self.used[batch] & self.anchorable[batch]]
            if not len(batch):
                continue
            seeds = self._seeds(batch, s)
            if len(seeds):
                self._take_best(self.refine_many(seeds), found)
        return found

    def refine_many(self, seeds: Seeds) -> Candidates:
        """Seeds that look promising, each located from its support and re-scored (vectorised)."""
        parts = []
        for lo in range(0, len(seeds), CHUNK):
            part = slice(lo, lo + CHUNK)
            anchor, rows = seeds.anchor[part], seeds.picks[part]
            x, y, t0 = seeds.x_m[part], seeds.y_m[part], seeds.t0_s[part]
            sigma = self.sigma(rows.ravel()).reshape(rows.shape)
            cov = seed_covariances(self._frame_xy(anchor, rows), x, y, sigma, self.s.speed_mps)
            quick = self._score(anchor, x, y, t0, cov, width=QUICK_WIDTH)
            keep = _best_per_anchor(rows[:, 0], quick.log_odds, self.s.min_log_odds - QUICK_MARGIN)
            if not len(keep):
                continue
            anchor, theta, cov = anchor[keep], np.column_stack((x, y, t0))[keep], cov[keep]
            first = rows[keep, 0]
            scored = self._score(anchor, theta[:, 0], theta[:, 1], theta[:, 2], cov)
            for _ in range(REFINE_ROUNDS):
                enough = scored.support.sum(axis=1) >= self.s.min_picks
                anchor, theta, first = anchor[enough], theta[enough], first[enough]
                scored = scored.take(enough)
                if not len(anchor):
                    break
                width = scored.rows.shape[1]
                rows = np.maximum(scored.rows, 0)
                sigma = self.sigma(rows.ravel()).reshape(rows.shape)
                theta, cov = fit_many(self.array.nb_xy[anchor, :width], self.table.t_s[rows],
                                      sigma, scored.support, theta, self.s.speed_mps)  # fmt: skip
                scored = self._score(anchor, theta[:, 0], theta[:, 1], theta[:, 2], cov)
            if len(anchor):
                parts.append(Candidates(anchor, first, theta, cov, scored).distinct())
        return Candidates.joined(parts)

    def _score(self, anchor: I64, x: F64, y: F64, t0: F64, cov: F64, width: int = 0) -> Scored:
        return score(self.array, self.table, self.index, anchor, x, y, t0, cov, self.s,
                     self.sigma_extra, self.used, width=width)  # fmt: skip

    def _take_best(self, c: Candidates, found: list[Found]) -> None:
        """Best first; a candidate that lost picks to a better one is refined again and waits."""
        if not len(c.anchor):
            return
        good = np.flatnonzero(c.scored.log_odds > self.s.min_log_odds)
        order = good[np.argsort(-c.scored.log_odds[good], kind="stable")]
        waiting: list[tuple[float, int, Found]] = []
        pointer = 0
        while pointer < len(order) or waiting:
            next_score = c.scored.log_odds[order[pointer]] if pointer < len(order) else -np.inf
            if waiting and -waiting[0][0] >= next_score:
                _, _, candidate = heapq.heappop(waiting)
            else:
                k = order[pointer]
                pointer += 1
                if self.used[c.first[k]]:
                    continue  # its anchor pick is explained already
                rows = c.scored.rows[k][c.scored.support[k]]
                candidate = self._found(int(c.anchor[k]), c.theta[k], c.cov[k], rows,
                                        float(c.scored.log_odds[k]),
                                        float(c.scored.loudness_db[k]))  # fmt: skip
            if not self.used[candidate.rows].any():
                self._take(candidate, found)
                continue
            free = candidate.rows[~self.used[candidate.rows]]
            if len(free) < self.s.min_picks:
                continue
            again = self.refine(candidate.anchor, _start(candidate.fit), free)
            if again is not None and again.log_odds > self.s.min_log_odds:
                heapq.heappush(waiting, (-again.log_odds, next(self._tick), again))

    def _found(
        self, anchor: int, theta: F64, cov: F64, rows: I64, log_odds: float, loudness: float
    ) -> Found:
        xy = self._frame_xy(np.array([anchor]), rows[None, :])[0]
        residual = self.table.t_s[rows] - predicted(xy, theta[0], theta[1], theta[2],
                                                    self.s.speed_mps)  # fmt: skip
        chi2 = float(np.sum((residual / self.sigma(rows)) ** 2))
        located = Fit(float(theta[0]), float(theta[1]), float(theta[2]), cov, residual, chi2, True)
        return Found(anchor, located, rows, log_odds, loudness)

    def _seeds(self, batch: I64, s: Settings) -> Seeds:
        anchors = np.zeros(len(self.table), dtype=bool)
        anchors[batch] = True
        usable = ~self.used
        parts = [
            anchor_seeds(
                self.array,
                self.table,
                int(a),
                speed_mps=s.speed_mps,
                neighbours=s.seed_neighbours,
                seed_radius_m=s.seed_radius_m,
                tolerance_s=s.seed_tolerance_s,
                reach_m=s.reach_m,
                usable=usable,
                anchors=anchors,
            )  # fmt: skip
            for a in np.unique(self.table.sensor[batch])
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return Seeds.empty()
        fields = Seeds.__dataclass_fields__
        return distinct(Seeds(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields)))

    def sigma(self, rows: I64) -> F64:
        """Timing sigma of picks in a fit: stated, the sensor's clock, and the model's own."""
        extra = self.sigma_extra[self.table.sensor[rows]]
        return np.sqrt(self.table.sigma_s[rows] ** 2 + extra**2 + self.s.model_sigma_s**2)

    def _frame_xy(self, anchor: I64, rows: I64) -> F64:
        """Positions of the picks' sensors in each anchor's frame, [n, k, 2]."""
        sensors = self.table.sensor[rows]
        nb = self.array.nb[anchor]  # [n, w]
        slot = np.argmax(nb[:, None, :] == sensors[:, :, None], axis=2)
        return np.asarray(self.array.nb_xy[anchor[:, None], slot])

    def refine(
        self, anchor: int, start: tuple[float, float, float], seed_rows: I64
    ) -> Found | None:
        """Locate from the seed's picks, gather support, relocate — until the support is stable."""
        rows = seed_rows
        x, y, t0 = start
        one = np.array([anchor])
        result: Found | None = None
        for _ in range(REFINE_ROUNDS):
            if len(np.unique(self.table.sensor[rows])) < self.s.min_picks:
                return result
            xy = self._frame_xy(one, rows[None, :])[0]
            located = fit(xy, self.table.t_s[rows], self.sigma(rows), (x, y, t0), self.s.speed_mps)
            scored = score(self.array, self.table, self.index, one, np.array([located.x_m]),
                           np.array([located.y_m]), np.array([located.t0_s]),
                           located.covariance[None], self.s, self.sigma_extra,
                           self.used)  # fmt: skip
            new_rows = np.sort(scored.rows[0][scored.support[0]])
            result = Found(anchor, located, rows, float(scored.log_odds[0]),
                           float(scored.loudness_db[0]))  # fmt: skip
            if np.array_equal(new_rows, np.sort(rows)):
                break
            rows, x, y, t0 = new_rows, located.x_m, located.y_m, located.t0_s
        return result

    def _take(self, candidate: Found, found: list[Found]) -> None:
        sensors = len(np.unique(self.table.sensor[candidate.rows]))
        if sensors < self.s.min_picks:
            return
        self.used[candidate.rows] = True
        found.append(candidate)


def distinct(seeds: Seeds, cell_m: float = 150.0, cell_s: float = 0.25) -> Seeds:
    """One seed per (anchor pick, 150 m, 0.25 s) cell: the triples of one source agree that well."""
    cells = (np.floor(seeds.x_m / cell_m).astype(np.int64) & 0xFFFF) << 32
    cells |= (np.floor(seeds.y_m / cell_m).astype(np.int64) & 0xFFFF) << 16
    cells |= np.floor(seeds.t0_s / cell_s).astype(np.int64) & 0xFFFF
    key = seeds.picks[:, 0] * (1 << 48) + cells
    _, first = np.unique(key, return_index=True)
    first.sort()
    return Seeds(seeds.anchor[first], seeds.x_m[first], seeds.y_m[first], seeds.t0_s[first],
                 seeds.picks[first])  # fmt: skip


def _best_per_anchor(first: I64, log_odds: F64, bar: float, per: int = PER_ANCHOR) -> I64:
    """Indices of the ``per`` best seeds of each anchor pick among those above ``bar``."""
    above = np.flatnonzero(log_odds > bar)
    order = above[np.lexsort((-log_odds[above], first[above]))]
    group_start = np.r_[0, np.flatnonzero(np.diff(first[order])) + 1]
    rank = np.arange(len(order)) - np.repeat(group_start, np.diff(np.r_[group_start, len(order)]))
    return np.sort(order[rank < per])


def _start(located: Fit) -> tuple[float, float, float]:
    return located.x_m, located.y_m, located.t0_s
