"""Two reference methods for the fusion benchmark, with numpy and scipy only.

    python bench/fusion_baselines.py dbscan --sensors S --picks P --out EVENTS [--eps-s 2.5]
    python bench/fusion_baselines.py oracle --sensors S --picks P --truth TRUTH --out EVENTS

- **dbscan** (the naive baseline): all picks sorted by arrival time, split wherever two
  consecutive picks are more than ``eps`` apart (DBSCAN in one dimension, min_samples 3: a
  cluster is a run of at least 3 picks with gaps <= eps); each cluster is located with the
  earliest pick of each sensor (the other picks of the cluster are left unassociated).
- **oracle** (the floor of location error): the true association from ``TRUTH/sources.jsonl``
  (``records.picks``); each source with picks from at least 3 sensors is located.

Both locate by weighted least squares on arrival times (unknowns: east, north, origin time;
sound speed 343 m/s; weights 1/t_sigma_s) in a local tangent plane (WGS84 -> ECEF -> east/north
at the centroid of the sensors used), from several starting points, and give the 95 % ellipse
of the linearised covariance (the stated pick sigmas, not rescaled). Events are written in the
fused-event format (kind ``unknown``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from fusion_peers.peer_io import read_pick_rows

SOUND_MPS = 343.0
MAX_REACH_M = 100_000.0  # farther from every sensor than any sound is heard
CHI2_2DOF_95 = 5.991464547107979  # chi-square quantile, 2 degrees of freedom, p = 0.95
A_M = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
Array = NDArray[np.float64]


@dataclass(frozen=True)
class Picks:
    ids: list[str]
    sensor: list[str]
    t_s: Array  # seconds since t0_ns
    sigma_s: Array
    t0_ns: int


def read_sensors(path: Path) -> dict[str, tuple[float, float]]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {
        f["properties"]["sensor_id"]: tuple(f["geometry"]["coordinates"][:2])
        for f in features
        if f["properties"].get("kind") == "acoustic"
    }


def read_picks(path: Path, sensors: dict[str, tuple[float, float]]) -> Picks:
    """Picks of known acoustic sensors, each id once (a duplicated delivery is dropped)."""
    ids, sensor, ns, sigma = read_pick_rows(path, set(sensors))
    t0 = int(ns.min()) if len(ns) else 0
    return Picks(ids, sensor, (ns - t0) / 1e9, sigma, t0)


def ecef(lon: Array, lat: Array) -> Array:
    lam, phi = np.radians(lon), np.radians(lat)
    n = A_M / np.sqrt(1 - E2 * np.sin(phi) ** 2)
    return np.stack(
        [n * np.cos(phi) * np.cos(lam), n * np.cos(phi) * np.sin(lam), n * (1 - E2) * np.sin(phi)],
        axis=-1,
    )


class Plane:
    """East/north metres on the tangent plane at (lon0, lat0), and back to the ellipsoid."""

    def __init__(self, lon0: float, lat0: float) -> None:
        lam, phi = np.radians(lon0), np.radians(lat0)
        self.origin = ecef(np.array([lon0]), np.array([lat0]))[0]
        self.rot = np.array(
            [
                [-np.sin(lam), np.cos(lam), 0.0],
                [-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)],
                [np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)],
            ]
        )

    def to_en(self, lon: Array, lat: Array) -> Array:
        return ((ecef(lon, lat) - self.origin) @ self.rot.T)[:, :2]

    def to_lonlat(self, east: float, north: float) -> tuple[float, float]:
        up = -(east**2 + north**2) / (2 * A_M)  # the ellipsoid falls away from the plane
        x, y, z = self.origin + self.rot.T @ np.array([east, north, up])
        b = A_M * (1 - F)
        p = np.hypot(x, y)
        theta = np.arctan2(z * A_M, p * b)
        ep2 = (A_M**2 - b**2) / b**2
        lat = np.arctan2(z + ep2 * b * np.sin(theta) ** 3, p - E2 * A_M * np.cos(theta) ** 3)
        return float(np.degrees(np.arctan2(y, x))), float(np.degrees(lat))


def locate(xy: Array, t: Array, sigma: Array) -> tuple[Array, Array]:
    """Best (east, north, t0) of a source heard at ``xy`` at times ``t``, and its covariance."""

    def residual(p: Array) -> Array:
        distance = np.hypot(xy[:, 0] - p[0], xy[:, 1] - p[1])
        return (t - p[2] - distance / SOUND_MPS) / sigma

    def jacobian(p: Array) -> Array:
        dx, dy = p[0] - xy[:, 0], p[1] - xy[:, 1]
        distance = np.maximum(np.hypot(dx, dy), 1.0)
        return (
            np.column_stack(
                [-dx / distance / SOUND_MPS, -dy / distance / SOUND_MPS, -np.ones(len(t))]
            )
            / sigma[:, None]
        )

    first = int(np.argmin(t))
    centre = xy.mean(axis=0)
    starts = [xy[first], centre]
    starts += [
        centre + 15_000.0 * np.array([np.cos(a), np.sin(a)]) for a in np.arange(4) * np.pi / 2
    ]
    best = None
    for start in starts:
        guess = np.array(
            [start[0], start[1], t[first] - np.hypot(*(start - xy[first])) / SOUND_MPS]
        )
        fit = least_squares(residual, guess, jac=jacobian, x_scale=[1000.0, 1000.0, 3.0])
        if best is None or fit.cost < best.cost - 1e-9:
            best = fit
        if best.cost < 1e-6 * len(t) and len(t) > 3:
            break
    assert best is not None
    jac = jacobian(best.x)
    try:
        cov = np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        cov = np.full((3, 3), np.nan)
    return best.x, cov


def ellipse(cov_en: Array) -> dict[str, float] | None:
    if not np.all(np.isfinite(cov_en)):
        return None
    values, vectors = np.linalg.eigh(cov_en)
    if values[0] <= 0:
        return None
    major = vectors[:, 1]
    return {
        "semi_major_m": round(float(np.sqrt(CHI2_2DOF_95 * values[1])), 1),
        "semi_minor_m": round(float(np.sqrt(CHI2_2DOF_95 * values[0])), 1),
        "azimuth_deg": round(float(np.degrees(np.arctan2(major[0], major[1])) % 180.0), 2),
        "p": 0.95,
    }


def event(
    name: str,
    members: Sequence[int],
    picks: Picks,
    sensors: dict[str, tuple[float, float]],
    listed: Sequence[int] | None = None,
) -> dict[str, object] | None:
    """Locate the picks ``members`` (one per sensor); the event lists ``listed`` (default:
    ``members``)."""
    if len({picks.sensor[i] for i in members}) < 3:
        return None
    lonlat = np.array([sensors[picks.sensor[i]] for i in members])
    plane = Plane(float(lonlat[:, 0].mean()), float(lonlat[:, 1].mean()))
    xy = plane.to_en(lonlat[:, 0], lonlat[:, 1])
    index = np.array(members)
    best, cov = locate(xy, picks.t_s[index], picks.sigma_s[index])
    reach_m = np.hypot(*(xy - best[:2]).T).min()
    if not np.all(np.isfinite(best)) or reach_m > MAX_REACH_M:
        return None  # diverged: no place near these sensors explains the picks
    lon, lat = plane.to_lonlat(best[0], best[1])
    t_ns = picks.t0_ns + int(round(best[2] * 1e9))
    text = np.datetime_as_string(np.datetime64(t_ns, "ns"), unit="us") + "Z"
    row: dict[str, object] = {
        "event_id": name,
        "kind": "unknown",
        "t_origin": text,
        "position": [round(lon, 7), round(lat, 7)],
    }
    shape = ellipse(cov[:2, :2])
    if shape:
        row["ellipse"] = shape
    row["pick_ids"] = sorted(picks.ids[i] for i in (listed if listed is not None else members))
    return row


def earliest_per_sensor(members: Iterable[int], picks: Picks) -> list[int]:
    chosen: dict[str, int] = {}
    for i in sorted(members, key=lambda k: picks.t_s[k]):
        chosen.setdefault(picks.sensor[i], i)
    return sorted(chosen.values())


def dbscan_events(picks: Picks, sensors: dict[str, tuple[float, float]], eps_s: float) -> list:
    order = np.argsort(picks.t_s, kind="stable")
    gaps = np.diff(picks.t_s[order]) > eps_s
    clusters = np.split(order, np.flatnonzero(gaps) + 1) if len(order) else []
    events = []
    for cluster in clusters:
        if len(cluster) < 3:
            continue
        members = earliest_per_sensor(cluster.tolist(), picks)
        found = event(f"dbscan-{len(events) + 1:06d}", members, picks, sensors)
        if found:
            events.append(found)
    return events


def oracle_events(picks: Picks, sensors: dict[str, tuple[float, float]], truth: Path) -> list:
    where = {pick_id: i for i, pick_id in enumerate(picks.ids)}
    events = []
    with (truth / "sources.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            source = json.loads(line)
            mine = [where[p] for p in source["records"].get("picks", []) if p in where]
            members = earliest_per_sensor(mine, picks)
            found = event(f"oracle-{len(events) + 1:06d}", members, picks, sensors, mine)
            if found:
                events.append(found)
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("method", choices=("dbscan", "oracle"))
    parser.add_argument("--sensors", type=Path, required=True)
    parser.add_argument("--picks", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, help="oracle: the truth folder")
    parser.add_argument("--eps-s", type=float, default=2.5, help="dbscan: largest gap in s")
    args = parser.parse_args()
    sensors = read_sensors(args.sensors)
    picks = read_picks(args.picks, sensors)
    if args.method == "oracle":
        if args.truth is None:
            parser.error("oracle needs --truth")
        events = oracle_events(picks, sensors, args.truth)
    else:
        events = dbscan_events(picks, sensors, args.eps_s)
    events.sort(key=lambda e: (str(e["t_origin"]), str(e["event_id"])))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(e) + "\n" for e in events)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.method}: {len(picks.ids)} picks -> {len(events)} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
