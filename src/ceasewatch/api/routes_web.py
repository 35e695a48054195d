"""The dashboard: our page (``web/index.html``, its scripts and style sheet) at ``/`` and
``/web/…``, Leaflet's dist files from ``web/node_modules`` (installed by ``npm ci --prefix web``,
never copied into the repository) at ``/vendor/leaflet/…``, and the agreement as GeoJSON for the
map at ``/api/agreement``.

The files are not API operations (``include_in_schema=False``: no policy row); the agreement is,
and every role may read it. Nothing here reaches outside the machine: the basemap is the
oblasts of Ukraine carried in ``ceasewatch/data``, not a tile server.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, PlainTextResponse
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from ceasewatch.api.app import Access, guard
from ceasewatch.errors import NotFoundError

router = APIRouter()

WEB_DIR = Path(__file__).resolve().parents[3] / "web"
"""The dashboard's folder at the repository root (``web/``)."""
LEAFLET_DIST = ("node_modules", "leaflet", "dist")
NOT_INSTALLED = (
    "The dashboard's front-end packages are not installed: run npm ci --prefix web "
    "(make demo does), then reload."
)
_OWN_FILE = re.compile(r"^[a-z0-9][a-z0-9-]*\.(?:html|js|css)$")
COORDINATE_DECIMALS = 4  # about 10 m: finer than the dashboard shows, coarser than sensors
BASEMAP_CREDIT = "Basemap: oblasts of Ukraine, geoBoundaries (gbOpen, CC BY 4.0)"
AREAS_CREDIT = "Line of contact and held areas: DeepStateMap (31 Dec 2025), cut to geoBoundaries"


def leaflet_dir() -> Path:
    return WEB_DIR.joinpath(*LEAFLET_DIST)


@router.get("/", include_in_schema=False)
def index() -> Response:
    """The dashboard page, or 503 with the set-up step when Leaflet is not installed."""
    if not leaflet_dir().is_dir():
        return PlainTextResponse(NOT_INSTALLED, status_code=503)
    return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")


@router.get("/web/{name}", include_in_schema=False)
def own_file(name: str) -> Response:
    """One of our own files at the top of ``web/`` (never anything under node_modules)."""
    path = WEB_DIR / name
    if not _OWN_FILE.match(name) or not path.is_file():
        raise NotFoundError(f"no dashboard file {name!r}")
    return FileResponse(path)


@router.get("/vendor/leaflet/{name:path}", include_in_schema=False)
def leaflet_file(name: str) -> Response:
    """A file of Leaflet's dist folder (the module, its style sheet and images)."""
    root = leaflet_dir().resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        if not root.is_dir():
            return PlainTextResponse(NOT_INSTALLED, status_code=503)
        raise NotFoundError(f"no Leaflet file {name!r}")
    return FileResponse(path)


@router.get("/api/agreement", operation_id="agreement", tags=["agreement"])
def agreement(access: Access = guard("agreement")) -> Response:
    """The default agreement on the ground, as GeoJSON FeatureCollections for a map: the land
    (oblasts), the parties' held areas, the line of contact, zones (bands, areas, withdrawal
    outlines, protected sites), monitoring sectors and hubs, with the data sources to credit."""
    return Response(_agreement_json(), media_type="application/json")


@cache
def _agreement_json() -> bytes:
    from ceasewatch.agreement.catalog import resolve

    return json.dumps(agreement_layers(resolve(None)), separators=(",", ":")).encode("utf-8")


def agreement_layers(agreement: Any) -> dict[str, Any]:
    """The agreement's map layers as FeatureCollections (lon/lat, rounded to
    :data:`COORDINATE_DECIMALS`)."""
    from ceasewatch.report.map_layers import Kind, basemap_layers, map_layers

    layers = map_layers(agreement)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for layer in layers:
        props: dict[str, Any] = {"kind": layer.kind.value, "key": layer.key, "rank": layer.rank}
        if layer.label:
            props["label"] = layer.label.replace("\n", " · ")
        if layer.width_m:
            props["width_m"] = layer.width_m
        if layer.party_rank >= 0:
            props["party_rank"] = layer.party_rank
        if layer.kind is Kind.SECTOR:
            props["sector"] = layer.key.partition("/")[2]
            spot = layer.geometry.representative_point()
            props["label_at"] = [round(spot.x, 4), round(spot.y, 4)]
        group = _GROUPS.get(layer.kind.value, "zones")
        by_kind.setdefault(group, []).append(_feature(layer.geometry, props))
    hubs = {str(h.id): h for h in agreement.hubs}
    for feature in by_kind.get("hubs", []):
        hub = hubs.get(feature["properties"]["key"].partition("/")[2])
        if hub is not None:
            feature["properties"].update(
                name=hub.name, contributor=hub.contributor, min_distance_m=hub.min_distance_m
            )
    everywhere = _bounds_polygon(-180.0, -90.0, 180.0, 90.0)
    land = [_feature(g, {"kind": "land"}) for g in basemap_layers(everywhere)]
    return {
        "agreement": {
            "id": str(agreement.id),
            "version": agreement.version,
            "title": agreement.title,
            "digest": agreement.digest,
        },
        "parties": [
            {"id": str(p.id), "name": p.name, "rank": rank}
            for rank, p in enumerate(agreement.parties)
        ],
        "basemap": _collection(land),
        **{group: _collection(by_kind.get(group, [])) for group in _GROUP_NAMES},
        "credits": [BASEMAP_CREDIT, AREAS_CREDIT, "Map library: Leaflet (BSD-2-Clause)"],
    }


_GROUPS = {
    "party": "areas",
    "line": "line",
    "sector": "sectors",
    "hub": "hubs",
    "hub_ring": "hubs",
    "site": "sites",
    "site_radius": "sites",
}
_GROUP_NAMES = ("areas", "zones", "sectors", "line", "sites", "hubs")


def _feature(geometry: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": _rounded(mapping(geometry))}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _rounded(node: Any) -> Any:
    if isinstance(node, float):
        return round(node, COORDINATE_DECIMALS)
    if isinstance(node, list | tuple):
        return [_rounded(item) for item in node]
    if isinstance(node, dict):
        return {key: _rounded(value) for key, value in node.items()}
    return node


def _bounds_polygon(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    from shapely.geometry import box

    return box(x0, y0, x1, y1)
