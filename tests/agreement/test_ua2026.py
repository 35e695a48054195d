"""The default agreement on the real line of 31 December 2025."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from ceasewatch.agreement.locate import Locator
from ceasewatch.model.geo import LocalProjection, geodesic_length_m

# Measured on the committed data (scripts/build_data.py); the issue expects 1,200-1,650 km.
LINE_KM = 1335.3
MAIN_PIECE_KM = 1173.7


def test_line_length_and_pieces(ua2026) -> None:
    line = ua2026.line("contact")
    assert line.length_m / 1000 == pytest.approx(LINE_KM, abs=0.1)
    assert 1200 <= line.length_m / 1000 <= 1650
    lengths = sorted((geodesic_length_m(p) / 1000 for p in line.geometry.geoms), reverse=True)
    assert len(lengths) == 8
    assert lengths[0] == pytest.approx(MAIN_PIECE_KM, abs=0.1)


def test_the_line_is_neither_state_border_nor_coast(ua2026) -> None:
    # Outline of the land (Ukraine's border and coast) from the basemap of oblasts.
    text = resources.files("ceasewatch.data").joinpath("basemap/ukraine-oblasts.geojson")
    oblasts = [shape(f["geometry"]) for f in json.loads(text.read_text())["features"]]
    outline = shapely.union_all(oblasts).boundary
    line = ua2026.line("contact").geometry
    projection = LocalProjection.for_geometry(line)
    outline_xy = projection.geometry_to_xy(outline)
    main = projection.geometry_to_xy(line.geoms[0])
    # The main line meets the border and the coast only at its ends: 12 km of 1,174 km lie
    # within 2 km of them (measured).
    assert main.intersection(outline_xy.buffer(2000.0)).length / main.length < 0.02
    # The pockets along the northern border are thin, so their lines run close to it; still,
    # 49 km of 1,335 km lie within 500 m of the border or coast (measured): under 5 %.
    whole = projection.geometry_to_xy(line)
    assert whole.intersection(outline_xy.buffer(500.0)).length / whole.length < 0.05


@pytest.mark.parametrize(
    ("name", "lon", "lat", "party"),
    [
        ("Kyiv", 30.5238, 50.4547, "UA"),
        ("Kharkiv", 36.2548, 49.9818, "UA"),
        ("Zaporizhzhia", 35.1396, 47.8388, "UA"),
        ("Kherson", 32.6169, 46.6354, "UA"),
        ("Kramatorsk", 37.5561, 48.7389, "UA"),
        ("Donetsk", 37.8028, 48.0159, "RU"),
        ("Horlivka", 38.0171, 48.2999, "RU"),
        ("Melitopol", 35.3675, 46.8489, "RU"),
        ("Luhansk", 39.3078, 48.5740, "RU"),
        ("Simferopol", 34.1024, 44.9521, "RU"),
    ],
)
def test_cities_are_on_the_right_side(ua_locator: Locator, name, lon, lat, party) -> None:
    answer = ua_locator.locate(lon, lat)
    assert answer.control[0] == (party, 1.0), name
    assert answer.lines[0].side == party


def test_hubs_are_well_behind_the_line(ua_locator: Locator, ua2026) -> None:
    for hub in ua2026.hubs:
        distance = ua_locator.locate(hub.point.x, hub.point.y).lines[0].distance_m
        assert distance >= hub.min_distance_m


def test_sectors_cover_the_line(ua_locator: Locator, ua2026) -> None:
    line = ua2026.line("contact").geometry
    points = [line.interpolate(f, normalized=True) for f in np.linspace(0.01, 0.99, 60)]
    for piece in line.geoms:
        points.append(piece.interpolate(0.5, normalized=True))
    lon = np.array([p.x for p in points])
    lat = np.array([p.y for p in points])
    batch = ua_locator.batch(lon, lat, 0.0)
    assert np.all(batch.sector >= 0)
    names = {batch.sector_ids[i] for i in batch.sector}
    assert {"kherson", "zaporizhzhia", "donetsk", "kharkiv"} <= names


def test_declared_training_ranges_are_exceptions_to_the_ceasefire(ua_locator, ua2026) -> None:
    rule = ua2026.rule("no-fire")
    assert rule.unless is not None and set(rule.unless.ids) == {
        "training-yavoriv",
        "training-desna",
    }
    inside = dict(ua_locator.locate(23.58, 50.02).zones)
    assert inside["training-yavoriv"] == 1.0
