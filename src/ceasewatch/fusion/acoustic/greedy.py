"""Sources taken one anchor pick at a time, in order of arrival; each pick explains at most one.

The earliest pick not yet explained can only be the first arrival of its source, or a false pick.
Its triples (:mod:`.seeds`) are scored (:mod:`.score`), the best is refined — support gathered
among free picks, located by least squares, re-scored — and taken when its posterior log-odds
clear the bar. Picks are handled in batches so the arrays stay large; a first pass pairs each
anchor with its two nearest sensors only, a second tries four on the picks still unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.locate import Fit, fit, seed_covariances
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import PickTable
from ceasewatch.fusion.acoustic.score import PickIndex, score
from ceasewatch.fusion.acoustic.seeds import Seeds, anchor_seeds

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
CHUNK = 20_000
PASSES = (2, 4)  # seed neighbours of each pass
BATCH = 512  # anchor picks seeded and scored together
TRIES = 3  # seeds refined per anchor pick before giving up on it
QUICK_WIDTH = 9  # the anchor and its 8 nearest: a cheap first look at a seed
QUICK_MARGIN = 20.0  # how far below the bar a first look may be and still be scored in full
REFINE_ROUNDS = 3


@dataclass(frozen=True)
class Found:
    """A source taken by the associator, in the frame of its anchor sensor."""

    anchor: int
    fit: Fit
    rows: I64  # picks it explains
    log_odds: float
    loudness_db: float


class Associator:
    def __init__(
        self,
        array: SensorArray,
        table: PickTable,
        s: Settings,
        sigma_extra_s: F64 | None = None,
    ) -> None:
        self.array, self.table, self.s = array, table, s
        self.index = PickIndex.of(table)
        self.sigma_extra = sigma_extra_s if sigma_extra_s is not None else np.zeros(len(array))
        self.used = np.zeros(len(table), dtype=bool)

    def run(self) -> list[Found]:
        found: list[Found] = []
        for neighbours in PASSES:
            found += self._sequential(replace(self.s, seed_neighbours=neighbours))
        return found

    def _sequential(self, s: Settings) -> list[Found]:
        found: list[Found] = []
        by_time = np.argsort(self.table.t_s, kind="stable")
        for lo in range(0, len(by_time), BATCH):
            batch = by_time[lo : lo + BATCH]
            batch = batch[~self.used[batch]]
            if not len(batch):
                continue
            seeds = self._seeds(batch, s)
            if not len(seeds):
                continue
            log_odds = self.seed_scores(seeds)
            ok = np.flatnonzero(log_odds > s.min_log_odds - QUICK_MARGIN)
            ok = ok[np.lexsort((-log_odds[ok], self.table.t_s[seeds.picks[ok, 0]]))]
            first = seeds.picks[ok, 0]
            for group in np.split(ok, np.flatnonzero(np.diff(first)) + 1):
                self._try_anchor(seeds, group, found)
        return found

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

    def _try_anchor(self, seeds: Seeds, group: I64, found: list[Found]) -> None:
        """Take the best source among one anchor pick's seeds (best first), if any is good."""
        tried = 0
        for k in group:
            rows = seeds.picks[k]
            if self.used[rows].any():
                continue
            start = (float(seeds.x_m[k]), float(seeds.y_m[k]), float(seeds.t0_s[k]))
            candidate = self.refine(int(seeds.anchor[k]), start, rows)
            if candidate is not None and candidate.log_odds > self.s.min_log_odds:
                self._take(candidate, found)
                return
            tried += 1
            if tried >= TRIES:
                return

    def sigma(self, rows: I64) -> F64:
        extra = self.sigma_extra[self.table.sensor[rows]]
        return np.sqrt(self.table.sigma_s[rows] ** 2 + extra**2)

    def seed_scores(self, seeds: Seeds) -> F64:
        """Log-odds of each seed; -inf for seeds whose first look (nearest sensors) is poor."""
        out = np.full(len(seeds), -np.inf)
        for lo in range(0, len(seeds), CHUNK):
            part = slice(lo, lo + CHUNK)
            anchor, rows = seeds.anchor[part], seeds.picks[part]
            x, y, t0 = seeds.x_m[part], seeds.y_m[part], seeds.t0_s[part]
            sigma = self.sigma(rows.ravel()).reshape(rows.shape)
            cov = seed_covariances(self._frame_xy(anchor, rows), x, y, sigma, self.s.speed_mps)
            quick = score(self.array, self.table, self.index, anchor, x, y, t0, cov, self.s,
                          self.sigma_extra, width=QUICK_WIDTH)  # fmt: skip
            keep = np.flatnonzero(quick.log_odds > self.s.min_log_odds - QUICK_MARGIN)
            if len(keep):
                out[lo + keep] = score(self.array, self.table, self.index, anchor[keep], x[keep],
                                       y[keep], t0[keep], cov[keep], self.s,
                                       self.sigma_extra).log_odds  # fmt: skip
        return out

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
        if len(np.unique(self.table.sensor[candidate.rows])) < self.s.min_picks:
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
