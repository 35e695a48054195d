"""What ``ceasewatch find`` asks the store, and its answer in words.

``--near`` takes a point or a settlement's name from the gazetteer (the most populous of equal
names); ``--area`` a polygon of the agreement's map layers (the same polygons the report map
and the dashboard draw) or a GeoJSON file. Adjudication's own zone decisions use geodesic
distances to the line (:mod:`ceasewatch.agreement.locate`); this search is for finding things,
and a point within metres of a band's edge may fall either side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from ceasewatch.errors import InputError
from ceasewatch.model.time import format_ns, parse_ns
from ceasewatch.store.places import Found, Inside, Near, polygon

KINDS = ("incidents", "events")
SHOWN = 50  # rows in the words; --json gives them all


def run_find(
    url: str,
    *,
    near: str | None,
    within_km: float,
    area: str | None,
    since: str | None,
    until: str | None,
    kind: str,
    run_id: str | None,
    agreement_ref: str | None,
) -> tuple[list[dict[str, Any]], str]:
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.store.open import open_store

    if kind not in KINDS:
        raise InputError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    if (near is None) == (area is None):
        raise InputError("give --near LON,LAT (or a place name) or --area, one of the two")
    since_ns = None if since is None else parse_ns(since, where="--since")
    until_ns = None if until is None else parse_ns(until, where="--until")
    gazetteer = Gazetteer.default()
    store = open_store(url)
    try:
        with store.read() as reader:
            runs = [r for r in reader.result_runs("fusion") if run_id in (None, r.run_id)]
            if not runs:
                raise InputError(
                    f"{url}: no fusion run {run_id or ''} kept there; run ceasewatch fuse "
                    "--store first, or name a kept run with --run"
                )
            chosen = runs[-1].run_id
            if near is not None:
                lon, lat, label = _point(near, gazetteer)
                query = Near(lon, lat, within_km * 1_000.0, since_ns, until_ns)
                found = reader.places_near(chosen, [kind], query)
                asked = f"within {within_km:g} km of {label}"
            else:
                assert area is not None
                geojson, label = _area(area, agreement_ref)
                found = reader.places_inside(chosen, [kind], Inside(geojson, since_ns, until_ns))
                asked = f"inside {label}"
    finally:
        store.close()
    rows = [_row(f, gazetteer) for f in found]
    return rows, _words(rows, kind, asked, chosen, since, until)


def _point(text: str, gazetteer: Any) -> tuple[float, float, str]:
    parts = text.split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            return lon, lat, f"{lon:.4f}, {lat:.4f}"
    wanted = text.strip().casefold()
    named = [
        s
        for s in gazetteer.settlements
        if wanted == s.name.casefold() or wanted in (n.casefold() for n in s.names_cyrillic)
    ]
    if not named:
        raise InputError(
            f"--near {text!r}: not LON,LAT and no settlement of that name in the gazetteer; "
            "give longitude,latitude (e.g. 37.99,48.33) or a name like Horlivka"
        )
    best = max(named, key=lambda s: s.population)
    return best.lon, best.lat, f"{best.name} ({best.oblast})"


def _area(text: str, agreement_ref: str | None) -> tuple[str, str]:
    path = Path(text)
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"--area {path}: cannot read it as GeoJSON ({exc})") from exc
        if document.get("type") == "FeatureCollection" and len(document.get("features", [])) == 1:
            document = document["features"][0]
        geometry = document.get("geometry", document)
        text_geometry = json.dumps(geometry)
        polygon(text_geometry)
        return text_geometry, str(path)
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.report.map_layers import map_layers

    agreement = resolve(agreement_ref)
    layers = {
        layer.key: layer
        for layer in map_layers(agreement)
        if layer.geometry.geom_type in ("Polygon", "MultiPolygon")
    }
    layer = layers.get(text)
    if layer is None:
        keys = ", ".join(sorted(k for k in layers if k.startswith(("zone/", "sector/"))))
        raise InputError(f"--area {text!r}: no such area in {agreement.id}; try one of: {keys}")
    return json.dumps(mapping(layer.geometry)), f"{text} of {agreement.id}"


def _row(found: Found, gazetteer: Any) -> dict[str, Any]:
    place = gazetteer.describe(found.lon, found.lat)
    row: dict[str, Any] = {
        "id": found.item_id,
        "t": format_ns(found.t_ns, 3),
        "position": [found.lon, found.lat],
        "place": None if place is None else place.text,
    }
    if found.distance_m is not None:
        row["distance_m"] = round(found.distance_m, 1)
    return row


def _words(
    rows: list[dict[str, Any]],
    kind: str,
    asked: str,
    run_id: str,
    since: str | None,
    until: str | None,
) -> str:
    span = "" if since is None and until is None else f", {since or '…'} to {until or '…'}"
    lines = [f"{len(rows):,} {kind} {asked}{span} (fusion run {run_id})"]
    for row in rows[:SHOWN]:
        distance = f"{row['distance_m'] / 1000:6.2f} km  " if "distance_m" in row else ""
        lines.append(f"  {row['t']}  {distance}{row['id']}  {row['place'] or ''}")
    if len(rows) > SHOWN:
        lines.append(f"  … and {len(rows) - SHOWN:,} more (--json lists them all)")
    return "\n".join(lines)
