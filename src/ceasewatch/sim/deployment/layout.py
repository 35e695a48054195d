"""Sensor deployments: the built-in ``dense`` and ``sparse`` styles along an agreement's lines,
deployment files a user writes (:mod:`.file`), and ``sensors.geojson``.

A generated deployment is a pure function of (agreement, style, seed): randomness comes from
``stream(seed, "deployment/<kind>/<line>")``, one stream per kind and line, so changing how
radars are drawn never moves an acoustic sensor. What each style places, per line:

========== ========================================== ==========================================
kind       dense                                      sparse
========== ========================================== ==========================================
acoustic   every 2.5 km, alternating sides, 2–6 km    every 7.5 km, alternating sides (each side
           from the line (each side every 5 km)       every 15 km)
radar      every 60 km, alternating sides, 5–15 km    every 150 km
           behind the line, facing it (90° sector)
uav        a patrol per 100 km, zig-zagging 3–20 km   a 100 km patrol per 300 km
           into both sides (withdrawal zones)
observer   teams in settlements 3–15 km from the      at least 75 km apart
           line, both sides, at least 25 km apart
satellite  VIIRS on SNPP, NOAA-20, NOAA-21, and       the three VIIRS
           MODIS on Terra and Aqua
========== ========================================== ==========================================

About 2 % of acoustic sensors get a clock skew of 0.2–2 s (either sign): the true value is in
the Sensor, and finding it is the fusion's job. Owners follow the contributors' declared assets
(``acoustic sensor network`` → acoustic sensors), else all contributors in turn, else
``mission``. Ids: ``A0001``, ``R01``, ``U01``, ``S01``, ``T01``, numbered along the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.places import Gazetteer
from ceasewatch.sim.base import Deployment, SensorKind, stream
from ceasewatch.sim.deployment.kinds import Along, generate_along, satellites
from ceasewatch.sim.deployment.place import Ground, Placed, assign_ids

__all__ = [
    "STYLES",
    "Style",
    "generate",
    "layout",
    "load_deployment",
    "to_geojson",
    "write_geojson",
]

StyleName = Literal["dense", "sparse"]
KIND_ORDER = (
    SensorKind.ACOUSTIC,
    SensorKind.RADAR,
    SensorKind.UAV,
    SensorKind.CAMERA,
    SensorKind.SATELLITE,
    SensorKind.OBSERVER,
)


@dataclass(frozen=True)
class Style:
    acoustic_every_m: float
    radar_every_m: float
    uav_every_m: float
    observer_apart_m: float
    platforms: tuple[str, ...]
    skewed_share: float = 0.02

    def specs(self, line_id: str) -> list[Along]:
        return [
            Along(
                SensorKind.ACOUSTIC, line_id, self.acoustic_every_m, skewed_share=self.skewed_share
            ),
            Along(SensorKind.RADAR, line_id, self.radar_every_m),
            Along(SensorKind.UAV, line_id, self.uav_every_m),
            Along(SensorKind.OBSERVER, line_id, self.observer_apart_m, sides="both"),
        ]


VIIRS = ("VIIRS-SNPP", "VIIRS-NOAA20", "VIIRS-NOAA21")
STYLES: dict[str, Style] = {
    "dense": Style(2500.0, 60_000.0, 100_000.0, 25_000.0, (*VIIRS, "MODIS-Terra", "MODIS-Aqua")),
    "sparse": Style(7500.0, 150_000.0, 300_000.0, 75_000.0, VIIRS),
}


def layout(
    agreement: Agreement,
    style: StyleName | str,
    *,
    seed: int,
    gazetteer: Gazetteer | None = None,
    kinds: tuple[SensorKind, ...] | None = None,
) -> list[Placed]:
    """The sensors of a style with what the generator meant for each (line, side, chainage),
    ordered by kind and along the line, with their ids."""
    if style not in STYLES:
        raise InputError(
            f"no deployment style {style!r}; use {' or '.join(STYLES)}, or a deployment file"
        )
    chosen = STYLES[style]
    ground = Ground(agreement)
    gazetteer = gazetteer or Gazetteer.default()
    by_kind: dict[SensorKind, list[Placed]] = {kind: [] for kind in KIND_ORDER}
    for line in agreement.lines:
        for spec in chosen.specs(str(line.id)):
            if kinds is None or spec.kind in kinds:
                rng = stream(seed, f"deployment/{spec.kind}/{line.id}")
                by_kind[spec.kind] += generate_along(ground, spec, rng, gazetteer).placed
    if kinds is None or SensorKind.SATELLITE in kinds:
        by_kind[SensorKind.SATELLITE] = satellites(ground, chosen.platforms).placed
    return assign_ids([p for kind in KIND_ORDER for p in by_kind[kind]], set())


def generate(
    agreement: Agreement,
    style: StyleName | str,
    *,
    seed: int,
    gazetteer: Gazetteer | None = None,
) -> Deployment:
    """A ``dense`` or ``sparse`` deployment along the agreement's lines (see the module)."""
    placed = layout(agreement, style, seed=seed, gazetteer=gazetteer)
    return Deployment(f"{style} (seed {seed})", tuple(p.sensor for p in placed))


def platforms(placed: list[Placed]) -> dict[str, str]:
    """Sensor id → platform (``VIIRS-SNPP``…) of the satellites of a layout."""
    return {
        p.sensor.sensor_id: p.label
        for p in placed
        if p.sensor.kind is SensorKind.SATELLITE and p.label
    }


def load_deployment(
    path: str | Path, agreement: Agreement | None = None, *, gazetteer: Gazetteer | None = None
) -> Deployment:
    """A deployment from a YAML file (docs/deployment.md); errors name file, line and column."""
    from ceasewatch.sim.deployment.file import load_deployment as load

    return load(path, agreement, gazetteer=gazetteer)


def to_geojson(deployment: Deployment) -> dict[str, Any]:
    """``sensors.geojson`` (FORMATS.md): one Point per sensor, longitude first, 6 decimals."""
    features = []
    for sensor in deployment.sensors:
        properties: dict[str, Any] = {
            "sensor_id": sensor.sensor_id,
            "kind": str(sensor.kind),
            "owner": sensor.owner,
        }
        if sensor.elev_m:
            properties["elev_m"] = round(sensor.elev_m, 1)
        properties["range_m"] = round(sensor.range_m, 1)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(sensor.lon, 6), round(sensor.lat, 6)],
                },
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def geojson_text(deployment: Deployment) -> str:
    """The file's text: one feature per line, keys in a fixed order, ``\\n`` line endings."""
    document = to_geojson(deployment)
    lines = [json.dumps(f, ensure_ascii=False) for f in document["features"]]
    body = ",\n".join(lines)
    return '{"type": "FeatureCollection", "features": [\n' + body + ("\n" if lines else "") + "]}\n"


def write_geojson(deployment: Deployment, path: str | Path) -> Path:
    """Write ``sensors.geojson`` (UTF-8, deterministic bytes); return the path."""
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(geojson_text(deployment).encode("utf-8"))
    except OSError as exc:
        raise InputError(
            f"{out}: cannot write the sensor registry ({exc.strerror or exc}); "
            "choose a writable place"
        ) from exc
    return out
