"""What an agreement map shows, as plain geometry in WGS84 lon/lat, before any styling.

:func:`map_layers` turns an agreement into :class:`Layer` values (areas, bands, withdrawal
outlines, sites, hubs, sectors, lines); :func:`basemap_layers` and :func:`reference_places` add
the background that depends on the map's view. The renderer (:mod:`.agreement_map`) only styles
and draws them, so these functions are where to test what the map means.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import LocalProjection, geodesic_forward
from ceasewatch.model.places import Gazetteer, Settlement
from ceasewatch.report.map_bands import Reach, band_zone_layers, withdrawal_layers
from ceasewatch.report.map_model import Kind, Layer, caps_note

__all__ = [
    "BASEMAP_CREDIT",
    "PLACES_CREDIT",
    "Kind",
    "Layer",
    "agreement_bounds",
    "basemap_layers",
    "map_layers",
    "map_projection",
    "reference_places",
]

BASEMAP_CREDIT = "Basemap: geoBoundaries (gbOpen)"
PLACES_CREDIT = "places: GeoNames (CC BY 4.0)"


def agreement_bounds(agreement: Agreement) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of everything the agreement places on the ground."""
    geometries: list[BaseGeometry] = [p.area for p in agreement.parties if p.area is not None]
    geometries += [line.geometry for line in agreement.lines]
    geometries += [z.area for z in agreement.zones if z.area is not None]
    geometries += [s.geometry for s in agreement.sites]
    geometries += [h.point for h in agreement.hubs]
    geometries += [s.area for s in agreement.sectors]
    if not geometries:
        return (-1.0, -1.0, 1.0, 1.0)
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in shapely.total_bounds(geometries))
    return (min_lon, min_lat, max_lon, max_lat)


def map_projection(agreement: Agreement) -> LocalProjection:
    """The conformal projection the map is drawn in, fitted to the agreement."""
    return LocalProjection.for_bounds(*agreement_bounds(agreement))


def map_layers(agreement: Agreement, projection: LocalProjection | None = None) -> list[Layer]:
    """Every layer the agreement itself defines, bottom to top."""
    projection = projection or map_projection(agreement)
    reaches = {str(line.id): Reach(line.geometry, projection) for line in agreement.lines}
    return [
        *_party_layers(agreement),
        *_area_zone_layers(agreement),
        *band_zone_layers(agreement, reaches),
        *_sector_layers(agreement),
        *withdrawal_layers(agreement, reaches),
        *_hub_ring_layers(agreement),
        *_line_layers(agreement),
        *_site_layers(agreement, projection),
        *_hub_layers(agreement),
    ]


def _party_layers(agreement: Agreement) -> list[Layer]:
    return [
        Layer(
            Kind.PARTY,
            f"party/{party.id}",
            party.area,
            label=f"held by {party.name}",
            legend=f"{party.name} ({party.id})"
            + (f", {party.role}" if party.role != "party" else ""),
            rank=rank,
        )
        for rank, party in enumerate(agreement.parties)
        if party.area is not None
    ]


def _area_zone_layers(agreement: Agreement) -> list[Layer]:
    zones = [z for z in agreement.zones if z.area is not None]
    return [
        Layer(
            Kind.AREA_ZONE,
            f"zone/{zone.id}",
            zone.area,
            label=zone.id + (f"\n{caps_note(zone, 2, per_line=1)}" if zone.caps else ""),
            legend=f"{zone.id} — {zone.name}" + (f"; {caps_note(zone, 6)}" if zone.caps else ""),
            rank=rank,
        )
        for rank, zone in enumerate(zones)
        if zone.area is not None
    ]


def _sector_layers(agreement: Agreement) -> list[Layer]:
    return [
        Layer(
            Kind.SECTOR,
            f"sector/{sector.id}",
            sector.area,
            label=sector.name,
            legend="Monitoring sector (named inside)" if rank == 0 else "",
        )
        for rank, sector in enumerate(agreement.sectors)
    ]


def geodesic_circle(center: Point, radius_m: float, count: int = 120) -> Polygon:
    """The points ``radius_m`` (geodesic) from ``center``, as a polygon in lon/lat."""
    azimuths = np.linspace(0.0, 360.0, count, endpoint=False)
    lon, lat = geodesic_forward(center.x, center.y, azimuths, radius_m)
    return Polygon(np.column_stack([lon, lat]))


def _hub_ring_layers(agreement: Agreement) -> list[Layer]:
    return [
        Layer(
            Kind.HUB_RING,
            f"hub-ring/{hub.id}",
            LineString(geodesic_circle(hub.point, hub.min_distance_m).exterior.coords),
            legend="Hub's minimum distance from the line (ring)" if rank == 0 else "",
        )
        for rank, hub in enumerate(agreement.hubs)
        if hub.min_distance_m > 0
    ]


def _line_layers(agreement: Agreement) -> list[Layer]:
    return [
        Layer(
            Kind.LINE,
            f"line/{line.id}",
            line.geometry,
            label=f"{line.name}\n{line.length_m / 1000:,.0f} km",
            legend=f"{line.name}, {line.length_m / 1000:,.0f} km",
            rank=rank,
        )
        for rank, line in enumerate(agreement.lines)
    ]


def _site_layers(agreement: Agreement, projection: LocalProjection) -> list[Layer]:
    layers = []
    for rank, site in enumerate(agreement.sites):
        if isinstance(site.geometry, Point):
            reach = geodesic_circle(site.geometry, site.radius_m) if site.radius_m > 0 else None
            marker = site.geometry
        else:
            grown = projection.geometry_to_xy(site.geometry).buffer(site.radius_m, quad_segs=16)
            reach = projection.geometry_to_lonlat(grown) if site.radius_m > 0 else None
            marker = site.geometry.representative_point()
        if reach is not None:
            layers.append(
                Layer(
                    Kind.SITE_RADIUS,
                    f"site-radius/{site.id}",
                    reach,
                )
            )
        if not isinstance(site.geometry, Point):
            layers.append(Layer(Kind.SITE_RADIUS, f"site-area/{site.id}", site.geometry))
        legend = "Protected site, with its protected radius" if rank == 0 else ""
        layers.append(
            Layer(Kind.SITE, f"site/{site.id}", marker, label=site.name, legend=legend, rank=rank)
        )
    return layers


def _hub_layers(agreement: Agreement) -> list[Layer]:
    return [
        Layer(
            Kind.HUB,
            f"hub/{hub.id}",
            hub.point,
            label=hub.name,
            legend="Reassurance-force hub" if rank == 0 else "",
            rank=rank,
        )
        for rank, hub in enumerate(agreement.hubs)
    ]


@lru_cache(maxsize=1)
def _oblasts() -> tuple[tuple[str, BaseGeometry], ...]:
    text = (
        resources.files("ceasewatch.data")
        .joinpath("basemap/ukraine-oblasts.geojson")
        .read_text(encoding="utf-8")
    )
    return tuple(
        (str(f["properties"].get("name", "")), shape(f["geometry"]))
        for f in json.loads(text)["features"]
    )


def basemap_layers(view: BaseGeometry) -> list[BaseGeometry]:
    """The oblasts of Ukraine (geoBoundaries) that reach into ``view`` (lon/lat); often none."""
    return [geometry for _name, geometry in _oblasts() if geometry.intersects(view)]


def reference_places(gazetteer: Gazetteer, view: BaseGeometry, count: int) -> list[Settlement]:
    """The ``count`` most populous settlements inside ``view`` (lon/lat), largest first."""
    lon = np.array([s.lon for s in gazetteer.settlements])
    lat = np.array([s.lat for s in gazetteer.settlements])
    inside = np.flatnonzero(shapely.contains_xy(view, lon, lat))
    ranked = sorted(inside, key=lambda i: -gazetteer.settlements[i].population)
    return [gazetteer.settlements[i] for i in ranked[:count]]
