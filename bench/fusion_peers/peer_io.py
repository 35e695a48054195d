"""Files in and out for the peer runners (standalone: runs in a peer's venv, never imports
ceasewatch).

Reads ``sensors.geojson`` (acoustic sensors only) and ``picks.jsonl`` (each ``pick_id`` once:
a duplicated delivery is dropped), projects lon/lat to a local transverse Mercator in km
centred on the sensors, and writes ``events.jsonl`` in the fused-event format plus
``meta.json`` (the peer, its version and the settings used) beside it.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer


@dataclass(frozen=True)
class Inputs:
    sensor_ids: list[str]
    sensor_xy_km: np.ndarray  # (n, 2)
    pick_ids: list[str]
    pick_sensor: list[str]
    pick_t_s: np.ndarray  # POSIX seconds
    pick_sigma_s: np.ndarray
    to_lonlat: Transformer  # km -> lon/lat
    crs: str


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sensors", type=Path, required=True)
    parser.add_argument("--picks", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a setting"
    )
    return parser.parse_args()


def overrides(settings: dict[str, Any], pairs: list[str]) -> dict[str, Any]:
    out = dict(settings)
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in out:
            raise SystemExit(f"--set {pair}: no setting {name!r}; settings: {', '.join(out)}")
        out[name] = type(out[name])(json.loads(value))
    return out


def read(sensors_path: Path, picks_path: Path) -> Inputs:
    features = json.loads(sensors_path.read_text(encoding="utf-8"))["features"]
    acoustic = [f for f in features if f["properties"].get("kind") == "acoustic"]
    ids = [f["properties"]["sensor_id"] for f in acoustic]
    lonlat = np.array([f["geometry"]["coordinates"][:2] for f in acoustic], dtype=float)
    lon0 = (lonlat[:, 0].min() + lonlat[:, 0].max()) / 2
    lat0 = (lonlat[:, 1].min() + lonlat[:, 1].max()) / 2
    crs = f"+proj=tmerc +lat_0={lat0:.6f} +lon_0={lon0:.6f} +k=1 +ellps=WGS84 +units=km"
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = forward.transform(lonlat[:, 0], lonlat[:, 1])
    pick_ids, sensor, t_ns, sigma = read_pick_rows(picks_path, set(ids))
    return Inputs(
        ids,
        np.column_stack([x, y]),
        pick_ids,
        sensor,
        t_ns / 1e9,
        sigma,
        Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
        crs,
    )


def read_pick_rows(
    path: Path, known: set[str]
) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Picks of ``known`` sensors, each id once (a duplicated delivery is dropped): ids, sensor
    ids, arrival in integer ns since the epoch, t_sigma_s (0.05 when not given)."""
    seen: set[str] = set()
    pick_ids, sensor, stamps, sigma = [], [], [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            if row["pick_id"] in seen or row["sensor_id"] not in known:
                continue
            seen.add(row["pick_id"])
            pick_ids.append(row["pick_id"])
            sensor.append(row["sensor_id"])
            stamps.append(row["t_arrival"].rstrip("Z"))
            sigma.append(float(row.get("t_sigma_s", 0.05)))
    t_ns = np.array(stamps, dtype="datetime64[ns]").astype(np.int64)
    return pick_ids, sensor, t_ns, np.array(sigma)


def rfc3339(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_row(
    name: str, t_s: float, x_km: float, y_km: float, picks: list[str], inputs: Inputs
) -> dict[str, Any]:
    lon, lat = inputs.to_lonlat.transform(x_km, y_km)
    return {
        "event_id": name,
        "kind": "unknown",
        "t_origin": rfc3339(t_s),
        "position": [round(float(lon), 7), round(float(lat), 7)],
        "pick_ids": sorted(picks),
    }


def write(out: Path, events: list[dict[str, Any]], peer: str, package: str, settings: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    events.sort(key=lambda e: (e["t_origin"], e["event_id"]))
    out.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    meta = {"peer": peer, "package": package, "version": version(package), "settings": settings}
    (out.parent / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"{peer}: {len(events)} events")
