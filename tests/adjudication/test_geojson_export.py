"""Violations and incidents as GeoJSON and a flat CSV: features and rows computed by hand,
RFC 7946 structure (lon/lat order and range, an id on every feature), a CSV round trip through
``csv.DictReader`` with a Cyrillic place name holding a comma and quotes, and ``write_verdicts``
writing the three files after a small run."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest

from ceasewatch.adjudication.geojson_export import (
    INCIDENT_PROPERTIES,
    VIOLATION_PROPERTIES,
    csv_columns,
    feature_collection,
    geojson_text,
    incident_features,
    responsible_parties,
    violation_features,
    violation_rows,
    write_map_exports,
)
from ceasewatch.adjudication.run import run_adjudication, write_verdicts
from ceasewatch.adjudication.types import Finding, Violation
from ceasewatch.agreement import Agreement
from ceasewatch.agreement.locate import Locator
from ceasewatch.errors import InputError
from tests.adjudication.handmade import T, incident, lon_at

SEC = 10**9

PLACE = '3 km SE of Горлівка, "Zaitseve" side'  # Cyrillic, a comma and quotes


def violation(
    vid: str,
    t_ns: int = T,
    *,
    lon: float = 38.0512345678,
    lat: float = 48.3312344,
    responsible: tuple[tuple[str, float], ...] = (("RU", 0.94), ("UA", 0.05), ("unknown", 0.01)),
    place: str | None = PLACE,
    status: str = "auto",
) -> dict[str, Any]:
    return Violation(
        vid, "no-fire", f"in-{vid}", (f"ev-{vid}",), t_ns, lon, lat, place, "donetsk",
        "explosion/impact", 0.97, responsible, None, "high", status,
        Finding(("located by 6 sensors",)), Finding(("fired from RU-held ground",)),
        Finding(("not assessed",)),
    ).to_json()  # fmt: skip


def three() -> list[dict[str, Any]]:
    """vi-z is first (earlier); vi-a and vi-b share a time and go by id."""
    return [
        violation("vi-b"),
        violation("vi-a", responsible=(("UA", 0.6), ("unknown", 0.4)), place=None),
        violation("vi-z", T - 3600 * SEC, lon=37.5, lat=47.9, status="disputed"),
    ]


def test_a_violation_feature_by_hand() -> None:
    features = violation_features(three())
    assert [f["id"] for f in features] == ["vi-z", "vi-a", "vi-b"]
    assert features[2] == {
        "type": "Feature",
        "id": "vi-b",
        "geometry": {"type": "Point", "coordinates": [38.051235, 48.331234]},
        "properties": {
            "id": "vi-b", "rule": "no-fire", "t": "2026-03-01T12:00:00.000000Z", "place": PLACE,
            "sector": "donetsk", "category": "explosion/impact", "p_occurred": 0.97,
            "responsible": {"RU": 0.94, "UA": 0.05, "unknown": 0.01},
            "most_likely": "RU", "p_most_likely": 0.94, "p_deliberate": None,
            "severity": "high", "status": "auto",
            "reasons": "located by 6 sensors; fired from RU-held ground; not assessed",
        },
    }  # fmt: skip
    assert list(features[2]["properties"]) == list(VIOLATION_PROPERTIES)
    assert features[1]["properties"]["most_likely"] == "UA"
    assert features[1]["properties"]["p_most_likely"] == 0.6


def test_incident_features_by_hand() -> None:
    shot = incident("shot", "shot", -6.0, firing_km_east=12.0, t_ns=T + 5 * SEC)
    quarry = incident("quarry", "blast", 4.0, clutter="quarry", sigma_m=100.0)
    shot["event_ids"] = ["ev-launch", "ev-impact"]
    first, second = incident_features([shot, quarry])
    assert first["id"] == "in-quarry" and second["id"] == "in-shot"
    assert second["geometry"] == {"type": "Point", "coordinates": [round(lon_at(-6.0), 6), 48.5]}
    assert second["properties"] == {
        "id": "in-shot", "kind": "shot", "t_start": "2026-03-01T12:00:05.000000Z",
        "t_end": "2026-03-01T12:00:35.000000Z", "confidence": 0.99, "sensor_confidence": 0.99,
        "clutter": None, "event_count": 2, "semi_major_m": 30 * 2.4477,
        "semi_minor_m": 30 * 2.4477, "azimuth_deg": 0,
        "firing_position": [round(35.0 + 12.0 / 73.83, 6), 48.5],
    }  # fmt: skip
    assert list(second["properties"]) == list(INCIDENT_PROPERTIES)
    assert first["properties"]["clutter"] == "quarry"
    assert first["properties"]["firing_position"] is None
    assert first["properties"]["semi_major_m"] == pytest.approx(244.77)


def assert_rfc7946(text: str) -> list[dict[str, Any]]:
    """Structural checks of a FeatureCollection of Points; returns its features."""
    doc = json.loads(text)
    assert list(doc) == ["type", "features"] and doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    ids = []
    for f in doc["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]  # exactly two: no elevation
        assert all(isinstance(x, float) and math.isfinite(x) for x in (lon, lat))
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert round(lon, 6) == lon and round(lat, 6) == lat
        assert isinstance(f["properties"]["id"], str) and f["properties"]["id"] == f["id"]
        ids.append(f["id"])
    assert len(set(ids)) == len(ids)
    return list(doc["features"])


def test_the_geojson_is_rfc_7946_longitude_first() -> None:
    text = geojson_text(violation_features(three()))
    features = assert_rfc7946(text)
    assert json.loads(text) == feature_collection(violation_features(three()))
    assert features[0]["geometry"]["coordinates"] == [37.5, 47.9]  # lon first
    assert "Горлівка" in text  # not \u-escaped
    assert features[2]["properties"]["place"] == PLACE
    assert geojson_text([]) == '{"type": "FeatureCollection", "features": []}\n'
    assert_rfc7946(geojson_text([]))


def test_output_does_not_depend_on_input_order() -> None:
    rows = three()
    assert geojson_text(violation_features(rows)) == geojson_text(violation_features(rows[::-1]))
    assert violation_rows(rows) == violation_rows(rows[::-1])


@pytest.mark.parametrize("position", [[48.5, 200.0], [float("nan"), 48.0], [37.0], None])
def test_a_position_off_the_globe_is_an_error_naming_the_record(position: Any) -> None:
    bad = {**violation("vi-bad"), "position": position}
    with pytest.raises(InputError, match="violation vi-bad: position"):
        violation_features([bad])


def test_party_columns_keep_every_party_and_unknown_last() -> None:
    odd = violation("vi-c", responsible=(("DNR", 0.7), ("RU", 0.3), ("unknown", 0.0)))
    assert responsible_parties(three()) == ("RU", "UA", "unknown")
    assert responsible_parties([*three(), odd], ["UA", "RU"]) == ("UA", "RU", "DNR", "unknown")
    assert csv_columns(("UA", "RU", "unknown")) == (
        "id", "rule", "t", "lon", "lat", "place", "sector", "category", "p_occurred",
        "responsible_UA", "responsible_RU", "responsible_unknown", "most_likely",
        "p_most_likely", "p_deliberate", "severity", "status", "reasons",
    )  # fmt: skip


def test_csv_rows_by_hand_and_a_round_trip(tmp_path: Path, ua2026: Agreement) -> None:
    rows = violation_rows(three(), ["RU", "UA"])
    assert rows[1] == {
        "id": "vi-a", "rule": "no-fire", "t": "2026-03-01T12:00:00.000000Z", "lon": 38.051235,
        "lat": 48.331234, "place": None, "sector": "donetsk", "category": "explosion/impact",
        "p_occurred": 0.97, "responsible_RU": 0.0, "responsible_UA": 0.6,
        "responsible_unknown": 0.4, "most_likely": "UA", "p_most_likely": 0.6,
        "p_deliberate": None, "severity": "high", "status": "auto",
        "reasons": "located by 6 sensors; fired from RU-held ground; not assessed",
    }  # fmt: skip
    paths = write_map_exports(tmp_path, three(), [incident("x", "impact", 1.0)], ua2026)
    assert [p.name for p in paths] == ["violations.geojson", "incidents.geojson", "violations.csv"]
    raw = paths[2].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 4  # header + 3 rows
    assert '"3 km SE of Горлівка, ""Zaitseve"" side"'.encode() in raw  # RFC 4180 quoting
    with paths[2].open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        read = list(reader)
    assert reader.fieldnames == list(csv_columns(("UA", "RU", "unknown")))  # ua-2026's order
    assert [r["id"] for r in read] == ["vi-z", "vi-a", "vi-b"]
    assert read[2]["place"] == PLACE and read[1]["place"] == "" and read[2]["p_deliberate"] == ""
    assert read[0]["status"] == "disputed"
    for got, want in zip(read, rows, strict=True):
        for column in ("responsible_RU", "responsible_UA", "responsible_unknown", "lon", "lat"):
            assert float(got[column]) == want[column]
    assert_rfc7946(paths[0].read_text(encoding="utf-8"))
    assert assert_rfc7946(paths[1].read_text(encoding="utf-8"))[0]["id"] == "in-x"


def test_write_verdicts_writes_the_three_files(
    toy: Agreement, toy_locator: Locator, tmp_path: Path
) -> None:
    incidents = [
        incident("duel", "shot", -6.0, firing_km_east=12.0),
        incident("lone", "impact", -5.0, t_ns=T + 60 * SEC),
        incident("quarry", "blast", 8.0, clutter="quarry"),
    ]
    result = run_adjudication(incidents, toy, {}, locator=toy_locator)
    written = write_verdicts(result, tmp_path)
    names = [p.name for p in written]
    assert {"violations.geojson", "incidents.geojson", "violations.csv"} <= set(names)
    assert all(p.exists() for p in written)
    found = assert_rfc7946((tmp_path / "violations.geojson").read_text(encoding="utf-8"))
    expected = [v.violation_id for v in result.adjudication.violations]
    assert expected and [f["id"] for f in found] == expected
    duel = next(f for f in found if f["id"] == expected[0])
    assert duel["properties"]["most_likely"] == "E"
    assert sum(duel["properties"]["responsible"].values()) == pytest.approx(1.0, abs=1e-3)
    shown = assert_rfc7946((tmp_path / "incidents.geojson").read_text(encoding="utf-8"))
    assert [f["id"] for f in shown] == ["in-duel", "in-quarry", "in-lone"]
    with (tmp_path / "violations.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert [r["id"] for r in reader] == expected
    assert reader.fieldnames is not None and reader.fieldnames[9:12] == [
        "responsible_W", "responsible_E", "responsible_unknown"]  # fmt: skip
