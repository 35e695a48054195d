"""The agreement map: files a person can open, and layers that sit where the agreement says.

Rendering takes about a second, so each format is rendered once per module and shared.
"""

from __future__ import annotations

import copy
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from matplotlib.figure import Figure
from shapely.geometry import box

from ceasewatch.agreement import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.geo import LocalProjection, geodesic_distance_m
from ceasewatch.model.places import Gazetteer
from ceasewatch.report.agreement_map import FIGURE_SIZE_IN, render_agreement_map
from ceasewatch.report.map_frame import draw_graticule, fit_view, scale_bar_km
from ceasewatch.report.map_layers import Kind, Layer, basemap_layers, map_layers

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def toy_png(toy: Agreement, gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("map") / "new" / "folder" / "toy.png"
    return render_agreement_map(toy, out, gazetteer=gazetteer, dpi=100)


@pytest.fixture(scope="module")
def toy_svg(toy: Agreement, gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_agreement_map(
        toy, tmp_path_factory.mktemp("map") / "toy.svg", gazetteer=gazetteer
    )


@pytest.fixture(scope="module")
def toy_layers(toy: Agreement) -> dict[str, Layer]:
    return {layer.key: layer for layer in map_layers(toy)}


def test_png_is_written_with_a_png_signature_and_the_size_for_its_dpi(toy_png: Path) -> None:
    assert toy_png.name == "toy.png" and toy_png.parent.name == "folder"  # parents were made
    width, height = png_size(toy_png.read_bytes())
    assert (width, height) == (round(FIGURE_SIZE_IN[0] * 100), round(FIGURE_SIZE_IN[1] * 100))
    assert (width, height) == (1170, 830)  # A4 landscape at 100 dpi


def test_svg_is_valid_xml_whose_text_names_the_line_and_the_agreement(toy_svg: Path) -> None:
    texts = svg_texts(toy_svg)
    assert any("The 35th meridian" in text for text in texts)
    assert any("toy version 1" in text for text in texts)
    assert any(text.startswith("digest sha256:") for text in texts)


def test_svg_is_the_same_bytes_when_drawn_again(
    toy: Agreement, gazetteer: Gazetteer, toy_svg: Path, tmp_path: Path
) -> None:
    again = render_agreement_map(toy, tmp_path / "again.svg", gazetteer=gazetteer)
    assert again.read_bytes() == toy_svg.read_bytes()


@pytest.mark.parametrize("name", ["map.pdf", "map.jpeg", "map", "map.png.txt"])
def test_other_suffixes_are_refused_naming_the_accepted_ones(
    toy: Agreement, tmp_path: Path, name: str
) -> None:
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        render_agreement_map(toy, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_rendering_leaves_the_agreement_as_it_was(
    toy: Agreement, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    before = copy.deepcopy(toy)
    render_agreement_map(toy, tmp_path / "toy.png", gazetteer=gazetteer, title="Another title")
    assert toy == before
    assert [p.area.wkb for p in toy.parties if p.area] == [
        p.area.wkb for p in before.parties if p.area
    ]


def test_the_default_agreement_renders(
    ua2026: Agreement, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    out = render_agreement_map(ua2026, tmp_path / "ua.png", gazetteer=gazetteer, dpi=50)
    assert png_size(out.read_bytes()) == (585, 415)


def _distance_to_meridian_35_m(geometry: shapely.Geometry) -> np.ndarray:
    """Geodesic distance of every vertex from the 35th meridian (the foot is at the same
    latitude to well under a metre at these distances)."""
    lon, lat = shapely.get_coordinates(geometry).T
    return geodesic_distance_m(lon, lat, np.full_like(lat, 35.0), lat)


@pytest.mark.parametrize(
    ("key", "distance_km", "east"),
    [
        ("withdrawal/W/20000", 20, False),
        ("withdrawal/E/20000", 20, True),
        ("withdrawal/W/30000", 30, False),
        ("withdrawal/E/40000", 40, True),
    ],
)
def test_withdrawal_outlines_lie_at_their_distance_on_their_side(
    toy_layers: dict[str, Layer], key: str, distance_km: float, east: bool
) -> None:
    outline = toy_layers[key]
    assert outline.kind is Kind.WITHDRAWAL
    assert outline.geometry.length > 1.9  # runs the whole 2 degrees of the line
    distance_m = _distance_to_meridian_35_m(outline.geometry)
    assert np.allclose(distance_m, distance_km * 1000, rtol=2e-3)
    lon = shapely.get_coordinates(outline.geometry)[:, 0]
    assert np.all(lon > 35.0) if east else np.all(lon < 35.0)


def test_withdrawal_legend_groups_classes_by_distance_and_side(
    toy_layers: dict[str, Layer],
) -> None:
    legends = sorted(ly.legend for ly in toy_layers.values() if ly.kind is Kind.WITHDRAWAL)
    assert legends == [
        "",  # the 20 km line of the second side is explained by the first one's entry
        "Withdrawal 20 km, each side: artillery",
        "Withdrawal 30 km, W side: rocket launchers",
        "Withdrawal 40 km, E side: rocket launchers",
    ]


def test_bands_cover_their_distances_on_their_sides(toy_layers: dict[str, Layer]) -> None:
    both = toy_layers["zone/band-10"].geometry
    east = toy_layers["zone/east-outer"].geometry
    assert _distance_to_meridian_35_m(both).max() == pytest.approx(10_000, rel=2e-3)
    assert both.contains(shapely.points([34.9, 35.1], [48.0, 48.0])).all()
    lon = shapely.get_coordinates(east)[:, 0]
    assert lon.min() > 35.0
    assert _distance_to_meridian_35_m(east).min() == pytest.approx(10_000, rel=2e-3)
    assert _distance_to_meridian_35_m(east).max() == pytest.approx(20_000, rel=2e-3)


def test_hub_ring_is_the_minimum_distance_around_the_hub(toy_layers: dict[str, Layer]) -> None:
    ring = toy_layers["hub-ring/hub-west"].geometry
    lon, lat = shapely.get_coordinates(ring).T
    distance_m = geodesic_distance_m(34.2, 48.0, lon, lat)
    assert np.allclose(distance_m, 50_000, rtol=1e-6)


def test_the_ukraine_basemap_is_drawn_only_where_the_map_reaches_ukraine() -> None:
    assert len(basemap_layers(box(22.0, 44.0, 41.0, 53.0))) == 27
    assert basemap_layers(box(32.0, 27.5, 35.5, 31.5)) == []  # Sinai
    assert basemap_layers(box(35.5, 32.6, 36.3, 33.4)) == []  # the Golan


def test_the_frame_keeps_the_view_and_the_scale_bar_is_true_on_the_ellipsoid() -> None:
    projection = LocalProjection.for_bounds(34.0, 47.0, 36.0, 49.0)
    x, y = projection.to_xy([34.0, 36.0], [47.0, 49.0])
    view = fit_view((x[0], y[0], x[1], y[1]), aspect=1.2)
    assert view.width / view.height == pytest.approx(1.2)
    ax = Figure(figsize=FIGURE_SIZE_IN).add_axes((0.1, 0.1, 0.6, 0.8))
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)
    draw_graticule(ax, view, projection)  # ticks outside the view must not widen it
    assert ax.get_xlim() == (view.x0, view.x1) and ax.get_ylim() == (view.y0, view.y1)
    x0, y0, length, km = scale_bar_km(view, projection)
    assert km in (20, 25, 50)
    lon, lat = projection.to_lonlat([x0, x0 + length], [y0, y0])
    assert geodesic_distance_m(lon[0], lat[0], lon[1], lat[1])[0] == pytest.approx(
        km * 1000, rel=2e-3
    )


def test_an_unwritable_place_is_a_user_error(
    toy: Agreement, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(InputError, match="cannot write the map"):
        render_agreement_map(toy, tmp_path / "a-file" / "toy.png", gazetteer=gazetteer)
