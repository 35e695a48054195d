"""Candidate sources from triples of picks, solved in closed form.

For an anchor pick at sensor A (the origin of A's frame, time t_A) and picks at two nearby
sensors B and C, the source x at distance ρ from A satisfies ``|x − p_k| = ρ + c·τ_k`` with
``τ_k = t_k − t_A``. Squaring and subtracting ``|x|² = ρ²`` gives two linear equations
``p_k · x = (|p_k|² − c²τ_k²)/2 − ρ·c·τ_k``, so ``x = e − ρ·f`` and ``|x|² = ρ²`` leaves a quadratic
in ρ: zero, one or two sources, each with its origin time ``t_A − ρ/c``.

A triple is only formed when every pair's time difference fits the distance between the two
sensors (|Δt| ≤ d/c plus a tolerance), and the anchor is the earliest pick of the three (within
that tolerance), so each triple is solved about once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.picks import PickTable

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Seeds:
    """Candidate sources: the anchor sensor, its frame position, origin time, the three picks."""

    anchor: I64
    x_m: F64
    y_m: F64
    t0_s: F64
    picks: I64  # [n, 3] rows of the pick table

    def __len__(self) -> int:
        return len(self.anchor)

    @classmethod
    def empty(cls) -> Seeds:
        z = np.zeros(0)
        return cls(np.zeros(0, np.int64), z, z, z, np.zeros((0, 3), np.int64))


def _pairs_in_windows(lo: I64, hi: I64) -> tuple[I64, I64]:
    """For windows [lo_i, hi_i): the (i, j) pairs with j in window i."""
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    first = np.repeat(np.arange(len(lo)), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return first, lo[first] + offset


def anchor_seeds(
    array: SensorArray,
    table: PickTable,
    anchor: int,
    *,
    speed_mps: float,
    neighbours: int,
    seed_radius_m: float,
    tolerance_s: float,
    reach_m: float,
    usable: NDArray[np.bool_] | None = None,
    anchors: NDArray[np.bool_] | None = None,
) -> Seeds:
    """Candidate sources whose earliest pick is at ``anchor`` (one of ``anchors`` if given);
    partner picks are taken from ``usable`` ones."""
    rows = table.of_sensor(anchor)
    t_anchor = table.t_s[rows]
    anchor_rows = np.arange(rows.start, rows.stop)
    if anchors is not None:
        keep = anchors[rows]
        t_anchor, anchor_rows = t_anchor[keep], anchor_rows[keep]
    if len(t_anchor) == 0:
        return Seeds.empty()
    count = int(array.nb_count[anchor])
    # neighbours are sorted by distance: the first ones within the radius
    within = int(np.searchsorted(array.nb_dist_m[anchor, 1:count], seed_radius_m, side="right"))
    slots = range(1, 1 + min(within, neighbours))
    pa: list[I64] = []
    pb: list[I64] = []
    slot: list[I64] = []
    for k in slots:
        sensor = int(array.nb[anchor, k])
        other = table.of_sensor(sensor)
        t_other = table.t_s[other]
        if len(t_other) == 0:
            continue
        moveout = array.nb_dist_m[anchor, k] / speed_mps
        lo = np.searchsorted(t_other, t_anchor - tolerance_s)
        hi = np.searchsorted(t_other, t_anchor + moveout + tolerance_s, side="right")
        i, j = _pairs_in_windows(lo, hi)
        if len(i) == 0:
            continue
        b_rows = other.start + j
        if usable is not None:
            ok = usable[b_rows]
            i, b_rows = i[ok], b_rows[ok]
        pa.append(i)
        pb.append(b_rows)
        slot.append(np.full(len(i), k))
    if len(pa) < 1:
        return Seeds.empty()
    a_idx = np.concatenate(pa)
    b_rows = np.concatenate(pb)
    b_slot = np.concatenate(slot)
    order = np.lexsort((b_slot, a_idx))
    a_idx, b_rows, b_slot = a_idx[order], b_rows[order], b_slot[order]
    # pairs of partners of the same anchor pick: (u, v) with u < v in the sorted list
    group_end = np.searchsorted(a_idx, a_idx, side="right")
    u, v = _pairs_in_windows(np.arange(len(a_idx)) + 1, group_end)
    distinct = b_slot[u] != b_slot[v]
    u, v = u[distinct], v[distinct]
    pb_xy = array.nb_xy[anchor, b_slot[u]]
    pc_xy = array.nb_xy[anchor, b_slot[v]]
    t_b, t_c = table.t_s[b_rows[u]], table.t_s[b_rows[v]]
    fits = np.abs(t_c - t_b) <= np.hypot(*(pc_xy - pb_xy).T) / speed_mps + tolerance_s
    u, v = u[fits], v[fits]
    pb_xy, pc_xy, t_b, t_c = pb_xy[fits], pc_xy[fits], t_b[fits], t_c[fits]
    t_a = t_anchor[a_idx[u]]
    x, y, rho, which = solve_triples(pb_xy, pc_xy, t_b - t_a, t_c - t_a, speed_mps)
    ok = (rho >= 0) & (rho <= reach_m)
    ok &= np.hypot(x - pb_xy[which, 0], y - pb_xy[which, 1]) <= reach_m
    ok &= np.hypot(x - pc_xy[which, 0], y - pc_xy[which, 1]) <= reach_m
    which, x, y, rho = which[ok], x[ok], y[ok], rho[ok]
    picks = np.column_stack(
        (anchor_rows[a_idx[u[which]]], b_rows[u[which]], b_rows[v[which]])
    ).astype(np.int64)
    t0 = t_a[which] - rho / speed_mps
    return Seeds(np.full(len(x), anchor, dtype=np.int64), x, y, t0, picks)


def solve_triples(
    pb: F64, pc: F64, tau_b: F64, tau_c: F64, speed_mps: float
) -> tuple[F64, F64, F64, I64]:
    """Sources for an anchor at the origin and sensors ``pb``, ``pc`` heard ``tau`` s later.

    Returns x, y, ρ (distance to the anchor) and, for each, the index of the triple it solves
    (a triple may give two).
    """
    c = speed_mps
    det = pb[:, 0] * pc[:, 1] - pb[:, 1] * pc[:, 0]
    good = np.abs(det) > 1e-6 * (np.hypot(*pb.T) * np.hypot(*pc.T) + 1.0)
    det = np.where(good, det, 1.0)
    u_b = (np.einsum("ij,ij->i", pb, pb) - (c * tau_b) ** 2) / 2
    u_c = (np.einsum("ij,ij->i", pc, pc) - (c * tau_c) ** 2) / 2
    v_b, v_c = c * tau_b, c * tau_c
    # inverse of [[pb_x, pb_y], [pc_x, pc_y]]
    e_x = (pc[:, 1] * u_b - pb[:, 1] * u_c) / det
    e_y = (-pc[:, 0] * u_b + pb[:, 0] * u_c) / det
    f_x = (pc[:, 1] * v_b - pb[:, 1] * v_c) / det
    f_y = (-pc[:, 0] * v_b + pb[:, 0] * v_c) / det
    qa = f_x**2 + f_y**2 - 1.0
    qb = -2.0 * (e_x * f_x + e_y * f_y)
    qc = e_x**2 + e_y**2
    disc = qb**2 - 4 * qa * qc
    real = good & (disc >= 0) & (np.abs(qa) > 1e-12)
    root = np.sqrt(np.where(real, disc, 0.0))
    safe_qa = np.where(real, qa, 1.0)
    rho = np.concatenate(((-qb - root) / (2 * safe_qa), (-qb + root) / (2 * safe_qa)))
    index = np.concatenate((np.arange(len(pb)), np.arange(len(pb))))
    valid = np.concatenate((real, real & (root > 0)))
    rho, index = rho[valid], index[valid]
    x = e_x[index] - rho * f_x[index]
    y = e_y[index] - rho * f_y[index]
    ranges_ok = (rho + v_b[index] >= 0) & (rho + v_c[index] >= 0)
    return x[ranges_ok], y[ranges_ok], rho[ranges_ok], index[ranges_ok]
