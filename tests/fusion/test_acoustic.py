"""Physics and failure tests of acoustic association and location (synthetic arrays)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.fusion.acoustic.array import build_array
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.fusion.event import Ellipse
from ceasewatch.model.geo import geodesic_distance_m, geodesic_forward
from ceasewatch.model.time import format_ns

LON0, LAT0 = 37.80, 48.30  # the "line" runs east along this latitude
T0_NS = 1_771_372_800 * 10**9  # 2026-02-18T00:00:00Z


def line_array(count: int = 12, every_m: float = 5_000.0, offset_m: float = 3_000.0):
    """Sensors every ``every_m`` along the line, alternating 3 km north and south of it."""
    ids, lons, lats = [], [], []
    for k in range(count):
        lon, lat = geodesic_forward(LON0, LAT0, 90.0, k * every_m)
        side = 0.0 if k % 2 == 0 else 180.0
        lon, lat = geodesic_forward(lon, lat, side, offset_m)
        ids.append(f"A{k:03d}")
        lons.append(float(lon[0]))
        lats.append(float(lat[0]))
    return build_array(ids, lons, lats, [20_000.0] * count)


def picks_for(array, sources, rng, sigma_s=0.02, skew=None, silent=(), p_hear=1.0):
    """Picks of each source at every sensor within 15 km, with Gaussian timing noise."""
    out, truth = [], {}
    skew = skew or {}
    for n, (lon, lat, t_ns) in enumerate(sources):
        d = geodesic_distance_m(lon, lat, array.lon, array.lat)
        for k in np.flatnonzero(d <= 15_000):
            sensor = array.ids[k]
            if sensor in silent or rng.uniform() > p_hear:
                continue
            noise = rng.normal(0, sigma_s) if sigma_s > 0 else 0.0
            t = t_ns + round((d[k] / 343.0 + noise + skew.get(sensor, 0.0)) * 1e9)
            pick_id = f"{sensor}-{n:05d}"
            truth[pick_id] = n
            out.append({"pick_id": pick_id, "sensor_id": sensor, "t_arrival": format_ns(t, 9),
                        "t_sigma_s": max(sigma_s, 0.001), "signature": "impact"})  # fmt: skip
    return out, truth


def write_inputs(folder, array, picks):
    """``sensors.geojson`` and ``picks.jsonl`` of an array and its picks, in ``folder``."""
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lo, la]},
                 "properties": {"sensor_id": s, "kind": "acoustic", "owner": "x", "range_m": 20000}}
                for s, lo, la in zip(array.ids, array.lon, array.lat, strict=True)]  # fmt: skip
    (folder / "sensors.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    (folder / "picks.jsonl").write_text("".join(json.dumps(p) + "\n" for p in picks))


def sources_near_line(rng, count, spacing_s=90.0, along_m=(5_000, 50_000), off_m=(1_000, 8_000)):
    out = []
    for n in range(count):
        lon, lat = geodesic_forward(LON0, LAT0, 90.0, rng.uniform(*along_m))
        side = 0.0 if n % 2 == 0 else 180.0
        lon, lat = geodesic_forward(lon, lat, side, rng.uniform(*off_m))
        out.append((float(lon[0]), float(lat[0]), T0_NS + int(n * spacing_s * 1e9)))
    return out


def test_a_single_event_with_noise_free_picks_is_located_exactly():
    array = line_array()
    lon, lat = geodesic_forward(LON0, LAT0, 90.0, 27_300.0)
    lon, lat = geodesic_forward(lon, lat, 200.0, 4_100.0)
    source = (float(lon[0]), float(lat[0]), T0_NS + 123_456_789)
    picks, _ = picks_for(array, [source], np.random.default_rng(1), sigma_s=0.0)
    result = fuse_picks(array, picks)
    assert len(result.events) == 1
    event = result.events[0]
    assert geodesic_distance_m(event.lon, event.lat, source[0], source[1])[0] < 0.5
    # the flat frame of the nearest-first sensor bends distances by millimetres over tens of
    # kilometres: the origin time is exact to that (20 µs is 7 mm of sound)
    assert abs(event.t_origin_ns - source[2]) < 20_000
    assert sorted(event.pick_ids) == sorted(p["pick_id"] for p in picks)


def test_events_at_least_1_km_from_the_line_are_put_on_the_right_side():
    rng = np.random.default_rng(2)
    array = line_array()
    sources = sources_near_line(rng, 40)
    picks, truth = picks_for(array, sources, rng, p_hear=0.9)
    result = fuse_picks(array, picks)
    assert len(result.events) >= 36
    for event in result.events:
        n = truth[event.pick_ids[0]]
        assert all(truth[p] == n for p in event.pick_ids)
        true_north = sources[n][1] > LAT0
        assert (event.lat > LAT0) == true_north, f"source {n} put on the wrong side"


def test_a_skewed_sensor_clock_is_found_and_its_picks_still_used():
    rng = np.random.default_rng(3)
    array = line_array()
    sources = sources_near_line(rng, 40)
    picks, truth = picks_for(array, sources, rng, skew={"A004": 0.8})
    result = fuse_picks(array, picks)
    [skew] = result.skews
    assert skew.sensor_id == "A004"
    assert skew.offset_s == pytest.approx(0.8, abs=0.03)
    with_a004 = [e for e in result.events if "A004" in e.sensor_ids]
    assert len(with_a004) >= 10  # corrected, down-weighted, and used again
    errors = [geodesic_distance_m(e.lon, e.lat, *sources[truth[e.pick_ids[0]]][:2])[0]
              for e in result.events]  # fmt: skip
    assert np.median(errors) < 50


def test_a_silent_sensor_makes_no_phantom_events():
    rng = np.random.default_rng(4)
    array = line_array()
    sources = sources_near_line(rng, 30)
    picks, truth = picks_for(array, sources, rng, silent={"A005", "A006"})
    result = fuse_picks(array, picks)
    assert len(result.events) <= len(sources)
    for event in result.events:
        assert len({truth[p] for p in event.pick_ids}) == 1


def test_random_false_picks_alone_make_no_events():
    rng = np.random.default_rng(5)
    array = line_array()
    picks = []
    for k, sensor in enumerate(array.ids):
        for n, t in enumerate(np.sort(rng.uniform(0, 3600, 20))):
            picks.append({"pick_id": f"{sensor}-f{n}", "sensor_id": sensor, "t_sigma_s": 0.02,
                          "t_arrival": format_ns(T0_NS + int(t * 1e9) + k, 9)})  # fmt: skip
    assert fuse_picks(array, picks).events == ()


def test_the_ellipse_of_a_covariance_points_along_its_major_axis():
    east = Ellipse.from_covariance(100.0, 1.0, 0.0)
    assert east.azimuth_deg == pytest.approx(90.0)
    north_east = Ellipse.from_covariance(50.0, 50.0, 40.0)
    assert north_east.azimuth_deg == pytest.approx(45.0)
    assert east.semi_major_m == pytest.approx(10.0 * math.sqrt(5.991), rel=1e-3)


def test_fuse_command_writes_the_fused_event_format(tmp_path):
    rng = np.random.default_rng(6)
    array = line_array()
    sources = sources_near_line(rng, 10)
    picks, _ = picks_for(array, sources, rng)
    write_inputs(tmp_path, array, picks)
    out = tmp_path / "run" / "events.jsonl"
    result = CliRunner().invoke(app, ["fuse", "--sensors", str(tmp_path / "sensors.geojson"),
                                      "--picks", str(tmp_path / "picks.jsonl"), "--out", str(out),
                                      "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(events) == 10
    for event in events:
        assert event["event_id"].startswith("ev-")
        assert event["t_origin"].endswith("Z")
        assert len(event["position"]) == 2
        assert set(event["ellipse"]) == {"semi_major_m", "semi_minor_m", "azimuth_deg", "p"}
        assert 0.0 <= event["confidence"] <= 1.0
        assert len(event["pick_ids"]) >= 3


def test_fuse_names_a_broken_picks_line(tmp_path):
    (tmp_path / "sensors.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (tmp_path / "picks.jsonl").write_text('{"pick_id": "a"}\nnot json\n')
    result = CliRunner().invoke(app, ["fuse", "--sensors", str(tmp_path / "sensors.geojson"),
                                      "--picks", str(tmp_path / "picks.jsonl"), "--out",
                                      str(tmp_path / "e.jsonl")])  # fmt: skip
    assert result.exit_code == 2
    assert "picks.jsonl:2" in result.output
