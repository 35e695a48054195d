"""Sensor deployments: the built-in styles on the real line, sensors.geojson, deployment files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.agreement.locate import Locator
from ceasewatch.model.geo import geodesic_forward, geodesic_inverse
from ceasewatch.model.places import Gazetteer
from ceasewatch.sim.base import Deployment, Sensor, SensorKind
from ceasewatch.sim.deployment.file import DeploymentError
from ceasewatch.sim.deployment.layout import (
    generate,
    geojson_text,
    layout,
    load_deployment,
    platforms,
    to_geojson,
    write_geojson,
)
from ceasewatch.sim.deployment.line import LineWalk
from ceasewatch.sim.deployment.place import Placed

ROOT = Path(__file__).resolve().parents[2]
KINDS = {"acoustic", "radar", "uav", "camera", "satellite", "observer"}


@pytest.fixture(scope="module")
def dense(ua2026: Agreement, gazetteer: Gazetteer) -> list[Placed]:
    return layout(ua2026, "dense", seed=1, gazetteer=gazetteer)


@pytest.fixture(scope="module")
def sparse(ua2026: Agreement, gazetteer: Gazetteer) -> list[Placed]:
    return layout(ua2026, "sparse", seed=1, gazetteer=gazetteer)


def of(placed: list[Placed], kind: SensorKind) -> list[Placed]:
    return [p for p in placed if p.sensor.kind is kind]


def deployment(placed: list[Placed]) -> Deployment:
    return Deployment("test", tuple(p.sensor for p in placed))


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_differs(
    ua2026: Agreement, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    first = write_geojson(generate(ua2026, "sparse", seed=3, gazetteer=gazetteer), tmp_path / "a")
    again = write_geojson(generate(ua2026, "sparse", seed=3, gazetteer=gazetteer), tmp_path / "b")
    other = write_geojson(generate(ua2026, "sparse", seed=4, gazetteer=gazetteer), tmp_path / "c")
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_sensors_of_one_kind_do_not_move_when_another_kind_changes(
    ua2026: Agreement, gazetteer: Gazetteer, sparse: list[Placed]
) -> None:
    acoustic_only = layout(
        ua2026, "sparse", seed=1, gazetteer=gazetteer, kinds=(SensorKind.ACOUSTIC,)
    )
    assert [p.sensor for p in acoustic_only] == [p.sensor for p in of(sparse, SensorKind.ACOUSTIC)]


# -- what each style places -------------------------------------------------------------------


def test_dense_and_sparse_counts(dense: list[Placed], sparse: list[Placed]) -> None:
    count = {
        name: Counter(p.sensor.kind for p in placed)
        for name, placed in (("dense", dense), ("sparse", sparse))
    }
    # 1,335 km: dense every 5 km on each side, sparse every 15 km; a few sensors find no
    # valid place inside the smallest pockets of the line.
    assert 500 <= count["dense"][SensorKind.ACOUSTIC] <= 534
    assert 165 <= count["sparse"][SensorKind.ACOUSTIC] <= 178
    assert 20 <= count["dense"][SensorKind.RADAR] <= 24
    assert 7 <= count["sparse"][SensorKind.RADAR] <= 9
    assert 13 <= count["dense"][SensorKind.UAV] <= 16
    assert 3 <= count["sparse"][SensorKind.UAV] <= 7
    assert count["dense"][SensorKind.SATELLITE] == 5
    assert count["sparse"][SensorKind.SATELLITE] == 3
    assert count["dense"][SensorKind.OBSERVER] > 2 * count["sparse"][SensorKind.OBSERVER] > 0


@pytest.mark.parametrize(("style", "per_side_km"), [("dense", 5.0), ("sparse", 15.0)])
def test_acoustic_spacing_along_each_side(
    style: str, per_side_km: float, dense: list[Placed], sparse: list[Placed]
) -> None:
    placed = of(dense if style == "dense" else sparse, SensorKind.ACOUSTIC)
    for side in ("UA", "RU"):
        chain = np.sort([p.chainage_m for p in placed if p.side == side and p.chainage_m < 1.17e6])
        gaps_km = np.diff(chain) / 1000.0
        assert np.median(gaps_km) == pytest.approx(per_side_km, rel=0.01)
        # Staggered: the sides alternate along the line.
    both = sorted((p.chainage_m, p.side) for p in placed if p.chainage_m < 1.17e6)
    alternations = sum(a[1] != b[1] for a, b in zip(both, both[1:], strict=False))
    assert alternations >= 0.97 * (len(both) - 1)


def test_every_acoustic_sensor_is_2_to_6_km_from_the_line_on_its_side(
    dense: list[Placed], ua_locator: Locator
) -> None:
    placed = of(dense, SensorKind.ACOUSTIC)
    lon = np.array([p.sensor.lon for p in placed])
    lat = np.array([p.sensor.lat for p in placed])
    batch = ua_locator.batch(lon, lat, 0.0)
    distance = batch.line_distance_m[:, 0]
    assert distance.min() >= 2000.0 - 1.0 and distance.max() <= 6000.0 + 1.0
    side = np.where(batch.line_signed_m[:, 0] > 0, "RU", "UA")
    assert list(side) == [p.side for p in placed]
    held = batch.control[np.arange(len(placed)), [batch.control_ids.index(s) for s in side]]
    assert held.min() >= 0.5  # on the party's own ground, not at sea
    assert 0.45 <= np.mean(side == "UA") <= 0.55


def test_acoustic_parameters_and_clock_skews(dense: list[Placed], sparse: list[Placed]) -> None:
    for placed in (dense, sparse):
        sensors = [p.sensor for p in of(placed, SensorKind.ACOUSTIC)]
        assert all(18_000 <= s.range_m <= 22_000 for s in sensors)
        assert all(0.01 <= s.t_sigma_s <= 0.05 for s in sensors)
        assert all(0.1 <= s.false_alarm_per_h <= 0.4 for s in sensors)
        skewed = [s.clock_skew_s for s in sensors if s.clock_skew_s != 0]
        assert len(skewed) == round(0.02 * len(sensors))
        assert all(0.2 <= abs(v) <= 2.0 for v in skewed)


def test_radars_stand_behind_the_line_and_face_it(dense: list[Placed], ua_locator: Locator) -> None:
    placed = of(dense, SensorKind.RADAR)
    sensors = [p.sensor for p in placed]
    lon = np.array([s.lon for s in sensors])
    lat = np.array([s.lat for s in sensors])
    batch = ua_locator.batch(lon, lat, 0.0)
    assert np.all((batch.line_distance_m[:, 0] >= 5000) & (batch.line_distance_m[:, 0] <= 15000))
    assert [("RU" if v > 0 else "UA") for v in batch.line_signed_m[:, 0]] == [
        p.side for p in placed
    ]
    # Each faces the line: its centre ray crosses the line (the side changes) within range,
    # and mostly the ray is on the other party's side 5 km farther than the line's nearest
    # point.
    fractions = np.linspace(0.0, 1.0, 101)
    for k, radar in enumerate(sensors):
        ray_lon, ray_lat = geodesic_forward(
            radar.lon, radar.lat, radar.azimuth_deg, fractions * radar.range_m
        )
        ray = ua_locator.batch(ray_lon, ray_lat, 0.0).line_signed_m[:, 0]
        assert np.any(np.sign(ray) != np.sign(batch.line_signed_m[k, 0])), radar.sensor_id
    centre = np.array([s.azimuth_deg for s in sensors])
    far_lon, far_lat = geodesic_forward(lon, lat, centre, batch.line_distance_m[:, 0] + 5000)
    beyond = ua_locator.batch(far_lon, far_lat, 0.0)
    assert np.mean(np.sign(beyond.line_signed_m[:, 0]) != np.sign(batch.line_signed_m[:, 0])) > 0.8
    assert all(s.sector_deg == 90 and 25_000 <= s.range_m <= 50_000 for s in sensors)
    assert Counter(p.side for p in placed)["UA"] in (len(placed) // 2, (len(placed) + 1) // 2)


def test_drones_patrol_into_the_withdrawal_zones(dense: list[Placed], ua_locator: Locator) -> None:
    drones = [p.sensor for p in of(dense, SensorKind.UAV)]
    for drone in drones:
        route = np.array(drone.route)
        assert (drone.lon, drone.lat) == tuple(route[0])
        batch = ua_locator.batch(route[:, 0], route[:, 1], 0.0)
        turns = batch.line_distance_m[:, 0]
        # Turns 3-20 km across the line (a bend of the line can bring one nearer).
        assert turns.max() <= 21_000 and np.median(turns) >= 3_000
        signs = np.sign(batch.line_signed_m[:, 0])
        assert (signs > 0).any() and (signs < 0).any()  # it zig-zags across the line
        _, legs = geodesic_inverse(route[:-1, 0], route[:-1, 1], route[1:, 0], route[1:, 1])
        assert 10_000 <= legs.sum() <= 600_000
        assert 25 <= drone.speed_mps <= 35 and drone.swath_m == 6000
    assert 0 < sum(d.night_capable for d in drones) < len(drones)


def test_observers_sit_in_settlements_3_to_15_km_from_the_line(
    dense: list[Placed], ua_locator: Locator, gazetteer: Gazetteer
) -> None:
    placed = of(dense, SensorKind.OBSERVER)
    names = {(s.name, round(s.lon, 6), round(s.lat, 6)) for s in gazetteer.settlements}
    for p in placed:
        assert (p.label, p.sensor.lon, p.sensor.lat) in names
        assert p.sensor.range_m == 10_000
    lon = np.array([p.sensor.lon for p in placed])
    lat = np.array([p.sensor.lat for p in placed])
    batch = ua_locator.batch(lon, lat, 0.0)
    assert np.all((batch.line_distance_m[:, 0] >= 3000) & (batch.line_distance_m[:, 0] <= 15000))
    assert {p.side for p in placed} == {"UA", "RU"}
    for side in ("UA", "RU"):
        here = [i for i, p in enumerate(placed) if p.side == side]
        for k, i in enumerate(here):
            _, apart = geodesic_inverse(lon[i], lat[i], lon[here[k + 1 :]], lat[here[k + 1 :]])
            assert apart.size == 0 or apart.min() >= 25_000


def test_satellites_are_virtual_sensors_over_the_whole_line(
    dense: list[Placed], ua2026: Agreement
) -> None:
    names = platforms(dense)
    assert names == {
        "S01": "VIIRS-SNPP",
        "S02": "VIIRS-NOAA20",
        "S03": "VIIRS-NOAA21",
        "S04": "MODIS-Terra",
        "S05": "MODIS-Aqua",
    }
    x0, y0, x1, y1 = ua2026.lines[0].geometry.bounds
    for p in of(dense, SensorKind.SATELLITE):
        assert (p.sensor.lon, p.sensor.lat) == (round((x0 + x1) / 2, 6), round((y0 + y1) / 2, 6))
        corners_lon, corners_lat = np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1])
        _, reach = geodesic_inverse(p.sensor.lon, p.sensor.lat, corners_lon, corners_lat)
        assert reach.max() < p.sensor.range_m


def test_owners_follow_the_contributors_assets(dense: list[Placed], toy: Agreement) -> None:
    owners = {kind: {p.sensor.owner for p in of(dense, kind)} for kind in SensorKind}
    assert owners[SensorKind.ACOUSTIC] == {"UK"}  # "acoustic sensor network"
    assert owners[SensorKind.RADAR] == {"FR"}  # "counter-battery radars"
    assert owners[SensorKind.UAV] == {"US"}  # "long-endurance drones"
    assert owners[SensorKind.SATELLITE] == {"US"}  # "satellite imagery"
    assert owners[SensorKind.OBSERVER] == {"US", "UK", "FR"}  # nobody declares observers
    toy_owners = {s.owner for s in generate(toy, "sparse", seed=1).sensors}
    assert toy_owners == {"mission"}  # the toy agreement has no contributors


def test_ids_are_short_stable_and_unique(dense: list[Placed]) -> None:
    ids = [p.sensor.sensor_id for p in dense]
    assert len(set(ids)) == len(ids)
    pattern = {"acoustic": r"A\d{4}", "radar": r"R\d{2}", "uav": r"U\d{2}"}
    pattern |= {"satellite": r"S\d{2}", "observer": r"T\d{2}"}
    for p in dense:
        assert re.fullmatch(pattern[str(p.sensor.kind)], p.sensor.sensor_id)
    acoustic = of(dense, SensorKind.ACOUSTIC)
    assert acoustic[0].sensor.sensor_id == "A0001"
    chain = [p.chainage_m for p in acoustic if p.chainage_m is not None]
    assert chain == sorted(chain)  # numbered along the line


# -- sensors.geojson --------------------------------------------------------------------------


def test_sensors_geojson_follows_formats_md(dense: list[Placed], tmp_path: Path) -> None:
    placed = dense
    path = write_geojson(deployment(placed), tmp_path / "out" / "sensors.geojson")
    raw = path.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw
    document = json.loads(raw.decode("utf-8"))
    assert document == to_geojson(deployment(placed))
    assert document["type"] == "FeatureCollection"
    assert len(document["features"]) == len(placed)
    for feature, p in zip(document["features"], placed, strict=True):
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert 30.0 < lon < 41.0 and 44.0 < lat < 53.0  # longitude first, in Ukraine
        assert (lon, lat) == (round(lon, 6), round(lat, 6))
        assert (lon, lat) == (p.sensor.lon, p.sensor.lat)
        props = feature["properties"]
        assert {"sensor_id", "kind", "owner"} <= set(props)
        assert set(props) <= {
            "sensor_id",
            "kind",
            "owner",
            "elev_m",
            "range_m",
            "commissioned",
            "decommissioned",
        }
        assert props["kind"] in KINDS
        assert isinstance(props["sensor_id"], str) and isinstance(props["owner"], str)
        assert props["range_m"] == p.sensor.range_m
    # Restricted fields of the simulator's truth stay out of the registry.
    assert b"clock_skew" not in raw and b"route" not in raw


def test_geojson_writes_elevation_only_when_known() -> None:
    sensors = (
        Sensor("A1", SensorKind.ACOUSTIC, "UK", 37.1234567, 48.1, 20_000.0, elev_m=212.0),
        Sensor("A2", SensorKind.ACOUSTIC, "UK", 37.2, 48.2, 20_000.0),
    )
    text = geojson_text(Deployment("x", sensors))
    features = json.loads(text)["features"]
    assert features[0]["properties"]["elev_m"] == 212.0
    assert "elev_m" not in features[1]["properties"]
    assert features[0]["geometry"]["coordinates"] == [37.123457, 48.1]
    assert (
        geojson_text(Deployment("empty", ())) == '{"type": "FeatureCollection", "features": [\n]}\n'
    )


# -- walking along the line -------------------------------------------------------------------


def test_stations_add_up_to_the_line_and_respect_pieces(ua2026: Agreement) -> None:
    line = ua2026.lines[0]
    walk = LineWalk(line)
    assert walk.length_m == pytest.approx(line.length_m, rel=1e-9)
    stations = walk.every(1000.0)
    assert stations.weight_m.sum() == pytest.approx(line.length_m, rel=1e-9)
    # The first station of each piece lies on that piece, not at the end of the one before.
    for index, (start, _stop) in enumerate(walk.pieces):
        first = int(np.flatnonzero(stations.piece == index)[0])
        piece = line.geometry.geoms[index]
        lon0, lat0 = piece.coords[0][:2]
        _, gap = geodesic_inverse(stations.lon[first], stations.lat[first], lon0, lat0)
        assert stations.chainage_m[first] == pytest.approx(start + stations.weight_m[first] / 2)
        assert gap[0] < 1000.0


# -- deployment files -------------------------------------------------------------------------

GOOD = """\
format: ceasewatch-deployment/1
name: northern-trial
agreement: ua-2026
seed: 7
sensors:
  - {id: X01, kind: acoustic, owner: UK, position: [37.80, 48.50], range_km: 20, t_sigma_s: 0.02}
  - id: XR1
    kind: radar
    owner: FR
    position: [37.60, 48.60]
    range_km: 40
    azimuth_deg: 100
    sector_deg: 90
  - id: XU1
    kind: uav
    owner: US
    route: [[37.70, 48.40], [37.85, 48.45], [37.75, 48.55]]
    night_capable: true
  - {id: XT1, kind: observer, owner: mission, position: [37.55, 48.72], range_m: 10000}
generate:
  - {kind: acoustic, every_km: 8, from_km: 200, to_km: 400, offset_km: 3, sides: both}
  - {kind: radar, every_km: 100, to_km: 600, range_km: [30, 40], owner: UK}
  - {style: sparse, kinds: [satellite]}
"""


def test_a_valid_deployment_file_loads(
    tmp_path: Path, ua2026: Agreement, ua_locator: Locator
) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(GOOD, encoding="utf-8")
    loaded = load_deployment(path, ua2026)
    assert loaded.name == "northern-trial"
    by_id = {s.sensor_id: s for s in loaded.sensors}
    assert len(by_id) == len(loaded.sensors)
    assert by_id["X01"].t_sigma_s == 0.02 and by_id["X01"].range_m == 20_000
    assert by_id["XR1"].azimuth_deg == 100 and by_id["XR1"].sector_deg == 90
    drone = by_id["XU1"]
    assert (drone.lon, drone.lat) == (37.70, 48.40) and drone.night_capable
    assert drone.range_m > 15_000  # reaches the far end of its route
    assert by_id["XT1"].owner == "mission"
    generated = [
        s for s in loaded.sensors if s.kind is SensorKind.ACOUSTIC and s.sensor_id != "X01"
    ]
    assert 45 <= len(generated) <= 50  # 25 pairs, a few may find no place
    batch = ua_locator.batch([s.lon for s in generated], [s.lat for s in generated], 0.0)
    assert np.all(np.abs(batch.line_distance_m[:, 0] - 3000) <= 600)
    assert abs(np.mean(batch.line_signed_m[:, 0] > 0) - 0.5) < 0.1
    radars = [s for s in loaded.sensors if s.kind is SensorKind.RADAR and s.sensor_id != "XR1"]
    assert len(radars) == 6 and {s.owner for s in radars} == {"UK"}
    assert all(30_000 <= s.range_m <= 40_000 for s in radars)
    assert len([s for s in loaded.sensors if s.kind is SensorKind.SATELLITE]) == 3
    # The file names its agreement: it loads without one, and gives the same sensors.
    assert load_deployment(path).sensors == loaded.sensors


BROKEN = [
    (
        "bad-kind",
        "sensors:\n  - {id: A1, kind: acoustc, owner: UK, position: [37.8, 48.5], range_km: 20}\n",
        "bad-value",
        (2, 20),
        "did you mean 'acoustic'",
    ),
    (
        "unknown-owner",
        "agreement: ua-2026\nsensors:\n"
        "  - {id: A1, kind: acoustic, owner: UKK, position: [37.8, 48.5], range_km: 20}\n",
        "bad-reference",
        (3, 37),
        "did you mean 'UK'",
    ),
    (
        "field-of-another-kind",
        "sensors:\n  - {id: A1, kind: acoustic, owner: UK, position: [37.8, 48.5],"
        " range_km: 20, azimuth_deg: 30}\n",
        "unknown-key",
        (2, 79),
        "change the kind",
    ),
    (
        "missing-position",
        "sensors:\n  - id: A1\n    kind: acoustic\n    owner: UK\n    range_km: 20\n",
        "missing-field",
        (2, 5),
        "position",
    ),
    (
        "swapped-coordinates",
        "agreement: ua-2026\nsensors:\n"
        "  - {id: A1, kind: acoustic, owner: UK, position: [48.5, 37.8], range_km: 20}\n",
        "bad-coordinates",
        (3, 51),
        "swap",
    ),
    (
        "duplicate-id",
        "sensors:\n  - {id: A1, kind: observer, owner: UK, position: [37.8, 48.5], range_km: 9}\n"
        "  - {id: A1, kind: observer, owner: UK, position: [37.9, 48.5], range_km: 9}\n",
        "duplicate-id",
        (3, 10),
        "its own id",
    ),
    (
        "unit-in-value",
        "sensors:\n  - {id: A1, kind: observer, owner: UK, position: [37.8, 48.5],"
        " range_km: '10 km'}\n",
        "wrong-unit",
        (2, 75),
        "range_km: 10",
    ),
    (
        "beyond-the-line",
        "agreement: ua-2026\ngenerate:\n  - {kind: acoustic, every_km: 8, from_km: 200,"
        " to_km: 1400}\n",
        "out-of-range",
        (3, 56),
        "within the line",
    ),
    (
        "generator-without-agreement",
        "generate:\n  - {kind: acoustic, every_km: 8}\n",
        "missing-field",
        (2, 3),
        "agreement: ua-2026",
    ),
    (
        "satellite-generator",
        "agreement: ua-2026\ngenerate:\n  - {kind: satellite, every_km: 8}\n",
        "bad-value",
        (3, 12),
        "style: dense",
    ),
    (
        "yaml-syntax",
        "sensors:\n  - {id: A1, kind: acoustic\n",
        "yaml-syntax",
        (3, 1),
        "",
    ),
    ("tab", "sensors:\n\t- {id: A1}\n", "yaml-syntax", (2, 1), "spaces"),
    ("empty", "# nothing yet\n", "empty-document", (None, None), "sensors:"),
    (
        "out-of-range",
        "sensors:\n  - {id: A1, kind: acoustic, owner: UK, position: [37.8, 48.5],"
        " range_km: 20, p_detect: 1.5}\n",
        "out-of-range",
        (2, 89),
        "0 to 1",
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "where", "hint"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_deployment_files_give_located_problems(
    tmp_path: Path, text: str, code: str, where: tuple[int | None, int | None], hint: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeploymentError) as caught:
        load_deployment(path)
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.code == code
    assert (problem.line, problem.column) == where
    assert problem.file == str(path) and problem.fix
    assert hint in problem.fix
    assert str(path) in str(caught.value)


def test_a_file_for_another_agreement_is_refused(tmp_path: Path, ua2026: Agreement) -> None:
    path = tmp_path / "minsk.yaml"
    path.write_text("agreement: minsk-2\nsensors: []\n", encoding="utf-8")
    with pytest.raises(DeploymentError) as caught:
        load_deployment(path, ua2026)
    assert caught.value.problems[0].code == "bad-reference"
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (1, 12)


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="no such file"):
        load_deployment(tmp_path / "nowhere.yaml")


def test_every_problem_code_of_deployment_files_is_documented() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "src" / "ceasewatch" / "sim" / "deployment").glob("*.py")
    )
    codes = set(re.findall(r"problem\(\s*\"([a-z][a-z-]+)\"", source))
    codes |= set(re.findall(r"Problem\(\s*[^,()]+(?:\([^()]*\))?,\s*\"([a-z][a-z-]+)\"", source))
    # Codes of the shared located reader that a deployment file can produce.
    codes |= {"wrong-unit", "unknown-key", "bad-id", "duplicate-field", "duplicate-key"}
    assert len(codes) >= 12, codes
    documented = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    missing = sorted(code for code in codes if f"`{code}`" not in documented)
    assert not missing, f"undocumented problem codes: {missing}"
