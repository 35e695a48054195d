"""Exports to the ACLED and UCDP GED columns: the category mapping, the P ≥ 0.9 actor rule,
precision codes at their boundaries, column order, and a round trip through CSV."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from ceasewatch.adjudication.exports import (
    ACLED_COLUMNS,
    UCDP_COLUMNS,
    acled_geo_precision,
    acled_rows,
    ucdp_rows,
    ucdp_where_prec,
    write_csv,
)
from ceasewatch.agreement import Agreement

REMOTE, SHELLING = "Explosions/Remote violence", "Shelling/artillery/missile attack"
STRATEGIC = "Strategic developments"

EXPECTED: dict[str, tuple[str, str, str]] = {
    # category: (disorder_type, event_type, sub_event_type)
    "explosion/impact": ("Political violence", REMOTE, SHELLING),
    "explosion/launch": ("Political violence", REMOTE, SHELLING),
    "explosion/undetermined": ("Political violence", REMOTE, SHELLING),
    "explosion/airburst": ("Political violence", REMOTE, SHELLING),
    "explosion/drone": ("Political violence", REMOTE, "Air/drone strike"),
    "projectile": ("Political violence", REMOTE, SHELLING),
    "damage/civilian": ("Political violence", REMOTE, SHELLING),
    "burst": ("Political violence", "Battles", "Armed clash"),
    "weapon/withdrawal": (STRATEGIC, STRATEGIC, "Disrupted weapons use"),
    "weapon/outside_storage": (STRATEGIC, STRATEGIC, "Disrupted weapons use"),
    "live_fire_training": (STRATEGIC, STRATEGIC, "Other"),
    "drone/no_fly": (STRATEGIC, STRATEGIC, "Other"),
    "interference": (STRATEGIC, STRATEGIC, "Other"),
}

BRIEF_ACLED = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
    "timestamp",
]  # fmt: skip
BRIEF_UCDP = [
    "id", "relid", "year", "active_year", "type_of_violence", "conflict_name", "dyad_name",
    "side_a", "side_b", "source_article", "where_prec", "where_coordinates", "adm_1", "latitude",
    "longitude", "country", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
]  # fmt: skip


def row(
    vid: str = "vi-0001",
    *,
    t: str = "2026-03-01T06:12:45.250000Z",
    category: str = "explosion/impact",
    responsible: dict[str, float] | None = None,
    status: str = "auto",
    p_occurred: float = 0.97,
    place: str | None = "3 km SE of Horlivka",
    sector: str | None = "donetsk",
    semi_major_m: float | None = 800.0,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "violation_id": vid,
        "rule_id": "no-fire",
        "event_ids": ["ev-1"],
        "t": t,
        "position": [38.05, 48.33],
        "place": place,
        "p_occurred": p_occurred,
        "responsible": responsible or {"RU": 0.94, "UA": 0.05, "unknown": 0.01},
        "p_deliberate": None,
        "severity": "high",
        "status": status,
        "reasons": [],
        "incident_id": "in-" + vid,
        "category": category,
        "weapon": "artillery_ge_100mm",
        "sector": sector,
        "findings": {},
        "evidence": ["events:ev-1", "radar:tr-9"],
    }
    if semi_major_m is not None:
        out["ellipse"] = {"semi_major_m": semi_major_m, "semi_minor_m": 100.0, "azimuth_deg": 0.0}
    return out


# --- categories ----------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_each_category_maps_to_its_acled_types(ua2026: Agreement, category: str) -> None:
    (out,) = acled_rows([row(category=category)], ua2026)
    assert (out["disorder_type"], out["event_type"], out["sub_event_type"]) == EXPECTED[category]


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_only_uses_of_force_go_to_ucdp(ua2026: Agreement, category: str) -> None:
    rows = ucdp_rows([row(category=category)], ua2026)
    violent = EXPECTED[category][0] == "Political violence"
    assert len(rows) == (1 if violent else 0)
    if violent:
        assert rows[0]["type_of_violence"] == 1


def test_an_unknown_category_is_an_error_naming_the_violation(ua2026: Agreement) -> None:
    with pytest.raises(ValueError, match="vi-0001.*'explosion/nuclear'"):
        acled_rows([row(category="explosion/nuclear")], ua2026)


def test_the_category_map_can_be_swapped(ua2026: Agreement) -> None:
    mapping = {"explosion/impact": ("Explosions/Remote violence", "Grenade")}
    (out,) = acled_rows([row()], ua2026, categories=mapping)
    assert out["sub_event_type"] == "Grenade"


# --- actors: a name only at P >= 0.9 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("responsible", "actor1", "inter1"),
    [
        ({"RU": 0.9, "UA": 0.1, "unknown": 0.0}, "Military Forces of Russia (2000-)", 1),
        ({"RU": 0.8999, "UA": 0.1001, "unknown": 0.0}, "Unidentified Armed Group (Ukraine)", 3),
        ({"UA": 0.97, "RU": 0.02, "unknown": 0.01}, "Military Forces of Ukraine (2019-)", 1),
        ({"RU": 0.5, "UA": 0.5, "unknown": 0.0}, "Unidentified Armed Group (Ukraine)", 3),
        ({"RU": 0.02, "UA": 0.03, "unknown": 0.95}, "Unidentified Armed Group (Ukraine)", 3),
    ],
)
def test_actor1_names_a_party_only_at_p_0_9(
    ua2026: Agreement, responsible: dict[str, float], actor1: str, inter1: int
) -> None:
    (out,) = acled_rows([row(responsible=responsible)], ua2026)
    assert out["actor1"] == actor1
    assert out["inter1"] == inter1 and out["interaction"] == inter1 * 10
    assert out["actor2"] == "" and out["inter2"] == 0
    assert ("attribution below 0.9" in out["tags"]) == (inter1 == 3)


def test_ucdp_dyad_does_not_depend_on_who_fired(ua2026: Agreement) -> None:
    a = ucdp_rows([row(responsible={"RU": 0.99, "UA": 0.01})], ua2026)[0]
    b = ucdp_rows([row(responsible={"UA": 0.99, "RU": 0.01})], ua2026)[0]
    for out in (a, b):
        assert out["side_a"] == "Government of Russia (Soviet Union)"
        assert out["side_b"] == "Government of Ukraine"
        assert (out["gwnoa"], out["gwnob"], out["country_id"]) == (365, 369, 369)
        assert out["dyad_name"] == "Government of Russia (Soviet Union) - Government of Ukraine"


# --- precision codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("radius_m", "code"),
    [(0.0, 1), (2_000.0, 1), (2_000.5, 2), (25_000.0, 2), (25_000.5, 3), (None, 3)],
)
def test_acled_geo_precision_at_its_boundaries(radius_m: float | None, code: int) -> None:
    assert acled_geo_precision(radius_m) == code


@pytest.mark.parametrize(
    ("radius_m", "code"),
    [
        (0.0, 1),
        (1_000.0, 1),
        (1_000.5, 2),
        (25_000.0, 2),
        (25_000.5, 3),
        (50_000.0, 3),
        (50_000.5, 4),
        (float("inf"), 4),
        (None, 4),
    ],
)
def test_ucdp_where_prec_at_its_boundaries(radius_m: float | None, code: int) -> None:
    assert ucdp_where_prec(radius_m) == code


def test_precision_comes_from_the_violation_or_its_incident(ua2026: Agreement) -> None:
    own = row(semi_major_m=1_500.0)
    from_incident = row("vi-0002", semi_major_m=None)
    unknown = row("vi-0003", semi_major_m=None)
    incidents = {"in-vi-0002": {"ellipse": {"semi_major_m": 30_000.0}}}
    acled = acled_rows([own, from_incident, unknown], ua2026, incidents=incidents)
    ucdp = ucdp_rows([own, from_incident, unknown], ua2026, incidents=incidents)
    assert [r["geo_precision"] for r in acled] == [1, 3, 3]
    assert [r["where_prec"] for r in ucdp] == [2, 3, 4]


# --- the other columns ---------------------------------------------------------------------------


def test_acled_row_values(ua2026: Agreement) -> None:
    (out,) = acled_rows([row()], ua2026, exported_ns=1_772_400_000_123_456_789)
    assert out["event_id_cnty"] == "UKR-vi-0001"
    assert (out["event_date"], out["year"], out["time_precision"]) == ("2026-03-01", 2026, 1)
    assert (out["iso"], out["region"], out["country"]) == (804, "Europe", "Ukraine")
    assert (out["admin1"], out["location"]) == ("Donetsk", "Horlivka")
    assert (out["latitude"], out["longitude"]) == (48.33, 38.05)
    assert out["fatalities"] == 0 and "fatalities unknown" in out["tags"]
    assert out["timestamp"] == 1_772_400_000
    assert out["notes"].startswith("On 2026-03-01, explosion (impact) 3 km SE of Horlivka")
    assert "Deliberate: not assessed." in out["notes"]


def test_ucdp_row_values(ua2026: Agreement) -> None:
    (out,) = ucdp_rows([row()], ua2026)
    assert (out["id"], out["year"], out["date_prec"]) == ("vi-0001", 2026, 1)
    assert (out["date_start"], out["date_end"]) == ("2026-03-01", "2026-03-01")
    assert (out["adm_1"], out["where_coordinates"]) == ("Donetsk", "Horlivka")
    assert out["geom_wkt"] == "POINT (38.05 48.33)"
    assert out["number_of_sources"] == 2
    # 0-based row 276 (48.0–48.5 °N) and column 436 (38.0–38.5 °E): 276 * 720 + 436 + 1
    assert out["priogrid_gid"] == 199_157
    assert [out[k] for k in ("deaths_a", "deaths_b", "deaths_civilians", "best", "low")] == [0] * 5


def test_place_without_a_settlement_falls_back_to_the_sector(ua2026: Agreement) -> None:
    (a,) = acled_rows([row(place=None)], ua2026)
    (b,) = acled_rows([row(place="in Horlivka", sector=None)], ua2026)
    assert (a["location"], a["admin1"]) == ("Donetsk", "Donetsk")
    assert (b["location"], b["admin1"]) == ("Horlivka", "")


def test_dismissed_and_unlikely_violations_are_not_exported(ua2026: Agreement) -> None:
    rows = [
        row("vi-1", status="dismissed"),
        row("vi-2", p_occurred=0.49),
        row("vi-3", p_occurred=0.5),
        row("vi-4", status="disputed"),
    ]
    assert [r["event_id_cnty"] for r in acled_rows(rows, ua2026)] == ["UKR-vi-3", "UKR-vi-4"]
    assert [r["id"] for r in ucdp_rows(rows, ua2026)] == ["vi-3", "vi-4"]


def test_rows_are_sorted_by_time_then_id_whatever_the_input_order(ua2026: Agreement) -> None:
    rows = [
        row("vi-b", t="2026-03-01T06:00:00Z"),
        row("vi-a", t="2026-03-01T06:00:00Z"),
        row("vi-0", t="2026-03-01T07:00:00Z"),
        row("vi-z", t="2026-02-28T23:59:59Z"),
    ]
    expected = ["vi-z", "vi-a", "vi-b", "vi-0"]
    for seed in range(5):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert [r["id"] for r in ucdp_rows(shuffled, ua2026)] == expected
        assert acled_rows(shuffled, ua2026) == acled_rows(rows, ua2026)


# --- column order and CSV ------------------------------------------------------------------------


def in_order(subset: list[str], columns: tuple[str, ...]) -> bool:
    positions = [columns.index(c) for c in subset]
    return positions == sorted(positions)


def test_columns_are_in_the_official_order(ua2026: Agreement) -> None:
    assert len(ACLED_COLUMNS) == 31 and len(set(ACLED_COLUMNS)) == 31
    assert len(UCDP_COLUMNS) == 49 and len(set(UCDP_COLUMNS)) == 49
    assert in_order(BRIEF_ACLED, ACLED_COLUMNS) and in_order(BRIEF_UCDP, UCDP_COLUMNS)
    assert tuple(acled_rows([row()], ua2026)[0]) == ACLED_COLUMNS
    assert tuple(ucdp_rows([row()], ua2026)[0]) == UCDP_COLUMNS


@pytest.mark.parametrize("kind", ["acled", "ucdp"])
def test_csv_round_trip(ua2026: Agreement, tmp_path: Path, kind: str) -> None:
    violations = [row(), row("vi-0002", place="2 km N of Горлівка", category="burst")]
    make, columns = (acled_rows, ACLED_COLUMNS) if kind == "acled" else (ucdp_rows, UCDP_COLUMNS)
    rows = make(violations, ua2026)
    path = tmp_path / f"{kind}.csv"
    assert write_csv(rows, path) == 2
    raw = path.read_bytes()
    assert "Горлівка".encode() in raw  # UTF-8, no BOM
    assert not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == columns
        back = list(reader)
    assert back == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


def test_an_empty_export_still_has_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    assert write_csv([], path, ACLED_COLUMNS) == 0
    assert path.read_text(encoding="utf-8").strip() == ",".join(ACLED_COLUMNS)
