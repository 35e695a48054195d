"""Where kept results happened, on both stores: the items of a run near a point and inside a
polygon, with time ranges, answered by PostGIS on the server store and by an R*Tree plus the
same definitions on SQLite — the same rows either way, checked against the plain definition."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasewatch.errors import InputError
from ceasewatch.fusion.results import ResultItem, ResultRun
from ceasewatch.model.geo import geodesic_forward
from ceasewatch.model.time import format_ns
from ceasewatch.store.base import Store
from ceasewatch.store.open import open_store
from ceasewatch.store.places import Inside, Near, answer_inside, answer_near, places_of

T0 = 1_771_372_800_000_000_000  # 2026-02-18T00:00:00Z
HOUR_NS = 3_600 * 10**9
CENTRE = (37.80, 48.30)  # near Horlivka


def incident(n: int, lon: float, lat: float, t_ns: int, semi_major_m: float = 250.0) -> ResultItem:
    body = {
        "incident_id": f"in-{n:04d}",
        "kind": "impact",
        "t_start": format_ns(t_ns, 6),
        "t_end": format_ns(t_ns + 10**9, 6),
        "position": [lon, lat],
        "ellipse": {"semi_major_m": semi_major_m, "semi_minor_m": 90, "azimuth_deg": 0, "p": 0.95},
    }
    return ResultItem("incidents", n, f"in-{n:04d}", json.dumps(body))


def ring(distances_m: list[float], t_step_ns: int = HOUR_NS) -> list[ResultItem]:
    """Incidents around the centre at known geodesic distances, one per hour."""
    items = []
    for n, distance in enumerate(distances_m):
        lon, lat = geodesic_forward(*CENTRE, (n * 47) % 360, distance)
        items.append(incident(n, float(lon[0]), float(lat[0]), T0 + n * t_step_ns))
    return items


def keep(store: Store, run_id: str, items: list[ResultItem]) -> None:
    run = ResultRun(run_id, "fusion", 1, "{}", "{}", T0)
    with store.write() as writer:
        assert writer.add_result_run(run, items)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def test_near_finds_what_lies_within_the_distance_nearest_first(store: Store) -> None:
    distances = [120.0, 950.0, 4_999.0, 5_001.0, 12_000.0, 2_500.0, 80_000.0, 0.0]
    keep(store, "fu-1", ring(distances))
    keep(store, "fu-2", ring([10.0]))  # another run: never mixed in
    with store.read() as reader:
        found = reader.places_near("fu-1", ["incidents"], Near(*CENTRE, 5_000.0))
    assert [f.item_id for f in found] == ["in-0007", "in-0000", "in-0001", "in-0005", "in-0002"]
    for f in found:
        assert f.distance_m == pytest.approx(distances[f.seq], abs=0.01)


def test_near_keeps_to_the_time_range_and_the_kinds_asked(store: Store) -> None:
    keep(store, "fu-1", ring([100.0] * 6))
    with store.read() as reader:
        timed = reader.places_near(
            "fu-1", ["incidents"], Near(*CENTRE, 1_000.0, T0 + 2 * HOUR_NS, T0 + 4 * HOUR_NS)
        )
        other_kind = reader.places_near("fu-1", ["events"], Near(*CENTRE, 1_000.0))
    assert [f.seq for f in timed] == [2, 3]
    assert other_kind == []


def test_inside_finds_what_a_polygon_covers_in_time_order(store: Store) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[37.0, 48.0], [38.0, 48.0], [38.0, 49.0], [37.0, 49.0], [37.0, 48.0]]],
    }
    points = [(37.5, 48.5), (38.5, 48.5), (38.0, 48.5), (37.0001, 48.9999), (36.9, 48.1)]
    items = [incident(n, lon, lat, T0 + (9 - n) * HOUR_NS) for n, (lon, lat) in enumerate(points)]
    keep(store, "fu-1", items)
    with store.read() as reader:
        found = reader.places_inside("fu-1", ["incidents"], Inside(json.dumps(square)))
        late = reader.places_inside(
            "fu-1", ["incidents"], Inside(json.dumps(square), since_ns=T0 + 8 * HOUR_NS)
        )
    assert [f.seq for f in found] == [3, 2, 0]  # the edge counts; latest index = earliest time
    assert [f.seq for f in late] == [0]


def test_items_without_a_place_are_not_indexed(store: Store) -> None:
    rows = [
        ResultItem("rejected", 0, "tracks:R1", '{"reason":"unmatched"}'),
        ResultItem("events", 0, "ev-1", '{"event_id":"ev-1","position":[37.8,48.3]}'),
    ]
    keep(store, "fu-1", rows)
    with store.read() as reader:
        assert reader.places_near("fu-1", ["rejected", "events"], Near(*CENTRE, 1e6)) == []


def test_bad_queries_say_what_to_fix() -> None:
    with pytest.raises(InputError, match="longitude then latitude"):
        Near(48.3, 137.8, 100.0)
    with pytest.raises(InputError, match="distance"):
        Near(*CENTRE, -1.0)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(InputError, match="not valid"):
        Inside(json.dumps(bowtie)).shape()
    with pytest.raises(InputError, match="has no inside"):
        Inside('{"type": "Point", "coordinates": [1, 2]}').shape()


coordinate = st.tuples(st.floats(37.0, 38.6), st.floats(47.6, 49.0))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    points=st.lists(coordinate, min_size=1, max_size=40),
    centre=coordinate,
    within_km=st.floats(0.5, 80.0),
    box=st.tuples(coordinate, coordinate),
)
def test_both_stores_answer_as_the_definition_does(
    store: Store,
    points: list[tuple[float, float]],
    centre: tuple[float, float],
    within_km: float,
    box: tuple[tuple[float, float], tuple[float, float]],
) -> None:
    run_id = f"fu-{abs(hash((tuple(points), centre, within_km, box))):x}"
    items = [incident(n, lon, lat, T0 + n * HOUR_NS) for n, (lon, lat) in enumerate(points)]
    keep(store, run_id, items)
    places = places_of(items)
    near = Near(*centre, within_km * 1_000)
    expected = answer_near(near, places)
    close_calls = [
        d
        for d in (f.distance_m for f in answer_near(Near(*centre, within_km * 1_000 + 1), places))
        if d is not None and abs(d - near.within_m) < 0.01
    ]
    (w, s), (e, n) = (
        (min(box[0][0], box[1][0]), min(box[0][1], box[1][1])),
        (max(box[0][0], box[1][0]) + 0.01, max(box[0][1], box[1][1]) + 0.01),
    )
    area = Inside(
        json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
    )
    with store.read() as reader:
        got_near = reader.places_near(run_id, ["incidents"], near)
        got_inside = reader.places_inside(run_id, ["incidents"], area)
    if not close_calls:  # a point within a centimetre of the edge may fall either way
        assert [f.seq for f in got_near] == [f.seq for f in expected]
        for got, want in zip(got_near, expected, strict=True):
            assert math.isclose(got.distance_m or 0, want.distance_m or 0, abs_tol=1e-3)
    assert [f.seq for f in got_inside] == [f.seq for f in answer_inside(area, places)]
    assert all((f.lon, f.lat) == points[f.seq] for f in got_inside)
