"""The built-in examples of real agreements: minsk-2, undof-1974 and sinai-1979.

Expected values are justified outside the code under test wherever possible:

* line lengths against published figures (Minsk) or against the hand-drawn vertices, whose
  end-to-end geodesic distance bounds the length from below (the schematic examples);
* band memberships at points built at a known geodesic distance d from the middle of a straight
  run of a line, perpendicular to it. A brute-force minimum over the densified line first confirms
  that the foot really is the nearest point, so the closed form holds:
  P(a <= D <= b) = Phi((b - d) / sigma) - Phi((a - d) / sigma).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.agreement.catalog import builtin_ids, builtin_root, resolve
from ceasewatch.agreement.locate import Location, Locator
from ceasewatch.agreement.types import Activity, Line, WhereKind
from ceasewatch.model.geo import (
    Uncertainty,
    geodesic_area_m2,
    geodesic_distance_m,
    geodesic_forward,
    geodesic_inverse,
)

EXAMPLES = ("minsk-2", "undof-1974", "sinai-1979")
SCHEMATIC = ("undof-1974", "sinai-1979")
KM = 1000.0


def phi(x: float) -> float:
    """The standard normal distribution function, from math.erf (independent of scipy)."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- fixtures: each agreement and its locator once per module ---------------------------------


@pytest.fixture(scope="module")
def examples() -> dict[str, Agreement]:
    return {ident: resolve(ident) for ident in EXAMPLES}


@pytest.fixture(scope="module")
def locators(examples: dict[str, Agreement]) -> dict[str, Locator]:
    return {ident: Locator(agreement) for ident, agreement in examples.items()}


@pytest.fixture(scope="module")
def minsk(examples: dict[str, Agreement]) -> Agreement:
    return examples["minsk-2"]


@pytest.fixture(scope="module")
def undof(examples: dict[str, Agreement]) -> Agreement:
    return examples["undof-1974"]


@pytest.fixture(scope="module")
def sinai(examples: dict[str, Agreement]) -> Agreement:
    return examples["sinai-1979"]


# -- helpers: points at a known distance from a line ------------------------------------------


def perpendicular_point(
    line: Line, near: tuple[float, float], toward: str, distance_m: float
) -> tuple[float, float]:
    """The point ``distance_m`` from the middle of the segment of ``line`` nearest ``near``,
    perpendicular to the segment, on the side of party ``toward``.

    Lines are oriented with their second party on the left, so that side is azimuth - 90°.
    """
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for piece in line.geometry.geoms:
        coords = np.asarray(piece.coords)
        mids = (coords[:-1] + coords[1:]) / 2.0
        gap = geodesic_distance_m(near[0], near[1], mids[:, 0], mids[:, 1])
        i = int(np.argmin(gap))
        if best is None or gap[i] < best[0]:
            best = (float(gap[i]), coords[i], coords[i + 1])
    assert best is not None
    _, start, end = best
    azimuth, length = geodesic_inverse(start[0], start[1], end[0], end[1])
    foot_lon, foot_lat = geodesic_forward(start[0], start[1], azimuth, length / 2.0)
    along = float(geodesic_inverse(foot_lon, foot_lat, end[0], end[1])[0][0])
    turn = -90.0 if toward == line.between[1] else 90.0
    lon, lat = geodesic_forward(foot_lon, foot_lat, along + turn, distance_m)
    return float(lon[0]), float(lat[0])


def brute_distance_m(line: Line, lon: float, lat: float, step_m: float = 50.0) -> float:
    """Distance to the line by brute force: the nearest of points every ``step_m`` along it.

    Segments are interpolated in longitude/latitude, as GeoJSON defines them. The segments of
    these examples are at most about 6 km long (1.7 km in the schematic ones), where that chord
    and the straight segment of a local projection differ by well under a metre."""
    samples = []
    for piece in line.geometry.geoms:
        coords = np.asarray(piece.coords)
        for start, end in zip(coords[:-1], coords[1:], strict=True):
            length = float(geodesic_distance_m(start[0], start[1], end[0], end[1])[0])
            t = np.linspace(0.0, 1.0, max(2, math.ceil(length / step_m) + 1))
            samples.append(start + t[:, None] * (end - start))
    points = np.concatenate(samples)
    return float(geodesic_distance_m(lon, lat, points[:, 0], points[:, 1]).min())


def located_at(
    agreement: Agreement,
    locator: Locator,
    line_id: str,
    near: tuple[float, float],
    toward: str,
    distance_m: float,
    sigma_m: float,
) -> Location:
    """Locate a point built ``distance_m`` from ``line_id``, after checking by brute force that
    the construction holds (no other part of the line is nearer)."""
    line = agreement.line(line_id)
    lon, lat = perpendicular_point(line, near, toward, distance_m)
    assert brute_distance_m(line, lon, lat) == pytest.approx(distance_m, abs=5.0)
    location = locator.locate(lon, lat, Uncertainty.circular(sigma_m))
    (position,) = [p for p in location.lines if p.line_id == line_id]
    assert position.distance_m == pytest.approx(distance_m, abs=5.0)
    assert position.side == toward
    return location


def zone_p(location: Location, zone_id: str) -> float:
    return dict(location.zones).get(zone_id, 0.0)


def control_p(location: Location, party: str) -> float:
    return dict(location.control).get(party, 0.0)


def governing_rules(agreement: Agreement) -> dict[tuple[str, str], list[str]]:
    """(zone, class) -> the rules that limit that class in that zone (by cap or by ban)."""
    zones = {zone.id: zone for zone in agreement.zones}
    found: dict[tuple[str, str], list[str]] = {}
    for rule in agreement.rules:
        if rule.where.kind is not WhereKind.ZONES:
            continue
        for zone_id in rule.where.ids:
            if rule.activity is Activity.EXCEED_CAP:
                classes = [key for key, _ in zones[zone_id].caps]
            elif rule.activity is Activity.WEAPON_PRESENCE:
                classes = list(rule.weapons)
            else:
                continue
            for weapon in classes:
                found.setdefault((zone_id, weapon), []).append(rule.id)
    return found


# -- every example -----------------------------------------------------------------------------


def test_the_examples_are_built_in() -> None:
    assert set(EXAMPLES) <= set(builtin_ids())


@pytest.mark.parametrize("ident", EXAMPLES)
def test_each_example_loads_complete(examples: dict[str, Agreement], ident: str) -> None:
    agreement = examples[ident]
    assert agreement.id == ident
    assert agreement.version == 1
    assert agreement.digest.startswith("sha256:")
    assert agreement.signed is not None and agreement.signed <= agreement.effective_from
    assert agreement.recipients and agreement.escalation
    assert agreement.escalation[0].after_h == 0
    assert any(step.escalate for step in agreement.escalation)
    assert agreement.complaint_answer_h > 0
    assert agreement.sources and agreement.notes
    assert any("odelled" in note for note in agreement.notes)  # "Modelled, not quoted: ..."


@pytest.mark.parametrize("ident", SCHEMATIC)
def test_schematic_examples_say_so_everywhere(examples: dict[str, Agreement], ident: str) -> None:
    assert any("SCHEMATIC, NOT THE TREATY MAP" in note for note in examples[ident].notes)
    document = json.loads(
        (builtin_root() / ident / "v1" / "geometry.geojson").read_text(encoding="utf-8")
    )
    assert document["features"]
    for feature in document["features"]:
        properties = feature["properties"]
        assert "schematic, not the treaty map" in properties["name"], properties["id"]
        assert properties["schematic"] is True


@pytest.mark.parametrize("ident", EXAMPLES)
def test_each_class_in_each_zone_is_governed_by_one_rule(
    examples: dict[str, Agreement], ident: str
) -> None:
    # A cap and a ban on the same class in the same zone would report one weapon twice.
    doubled = {k: v for k, v in governing_rules(examples[ident]).items() if len(v) > 1}
    assert not doubled


# -- minsk-2 -----------------------------------------------------------------------------------


def test_minsk_line_length_matches_the_reported_length(minsk: Agreement) -> None:
    # The OSCE and the press described the 2015-2022 line as about 420-500 km; the line derived
    # from DeepStateMap's ORDLO polygon measured 437.3 km when this example was written.
    length_km = minsk.line("contact").length_m / KM
    assert 400.0 <= length_km <= 480.0
    assert length_km == pytest.approx(437.3, abs=2.0)
    assert minsk.line("contact").between == ("UA", "CADLR")


def test_minsk_withdrawal_distances_are_per_side(minsk: Agreement) -> None:
    assert minsk.withdrawal is not None
    per_side = {(w, p): d / KM for w, p, d in minsk.withdrawal.distances_m}
    expected = {
        "artillery_ge_100mm": 25.0,
        "mlrs": 35.0,
        "heavy_mlrs": 70.0,
        "tactical_missile": 70.0,
        "tank": 15.0,
        "artillery_lt_100mm": 15.0,
        "mortar": 15.0,
    }
    assert per_side == {(w, p): km for w, km in expected.items() for p in ("UA", "CADLR")}
    # The Package gives zone WIDTHS (50 / 70 / 140 km): twice the distance per side.
    widths = {w: 2 * km for w, km in expected.items()}
    assert (widths["artillery_ge_100mm"], widths["mlrs"], widths["heavy_mlrs"]) == (50, 70, 140)
    assert widths["tactical_missile"] == 140
    zone = minsk.zone("withdrawal/mlrs/CADLR")
    assert zone.band is not None and zone.band.side == "CADLR" and zone.band.to_m == 35 * KM


def test_minsk_security_zone_is_30_km_wide(minsk: Agreement) -> None:
    band = minsk.zone("security-zone").band
    assert band is not None
    assert (band.side, band.from_m, band.to_m) == (None, 0.0, 15 * KM)
    rule = minsk.rule("no-flight-security-zone")
    assert rule.activity is Activity.FLIGHT
    assert set(rule.weapons) == {"combat_aircraft", "foreign_uav"}
    assert rule.where.ids == ("security-zone",)


def test_minsk_point_near_the_25_km_limit_on_the_ua_side(
    minsk: Agreement, locators: dict[str, Locator]
) -> None:
    # 24.5 km ± 1 km from a straight run of the line west of Donetsk, on Ukraine's side.
    location = located_at(
        minsk, locators["minsk-2"], "contact", (37.571, 48.0), "UA", 24.5 * KM, 1 * KM
    )
    assert control_p(location, "UA") > 0.999
    assert zone_p(location, "withdrawal/artillery_ge_100mm/UA") == pytest.approx(
        phi(0.5) - phi(-24.5), abs=3e-3
    )
    assert zone_p(location, "withdrawal/artillery_ge_100mm/UA") == pytest.approx(0.691, abs=3e-3)
    assert zone_p(location, "withdrawal/mlrs/UA") > 0.999  # 35 km: 10.5 sigma inside
    assert zone_p(location, "withdrawal/tank/UA") < 1e-6  # 15 km: 9.5 sigma outside
    assert zone_p(location, "security-zone") < 1e-6
    assert zone_p(location, "withdrawal/artillery_ge_100mm/CADLR") == 0.0


def test_minsk_point_near_the_70_km_limit_on_the_ua_side(
    minsk: Agreement, locators: dict[str, Locator]
) -> None:
    location = located_at(
        minsk, locators["minsk-2"], "contact", (37.571, 48.0), "UA", 69.5 * KM, 1 * KM
    )
    for weapon in ("heavy_mlrs", "tactical_missile"):
        assert zone_p(location, f"withdrawal/{weapon}/UA") == pytest.approx(phi(0.5), abs=3e-3)
    assert zone_p(location, "withdrawal/mlrs/UA") < 1e-6


def test_minsk_point_just_outside_the_security_zone_on_the_cadlr_side(
    minsk: Agreement, locators: dict[str, Locator]
) -> None:
    # 15.5 km ± 1 km east of a straight run of the line north of Mariupol.
    location = located_at(
        minsk, locators["minsk-2"], "contact", (37.872, 47.473), "CADLR", 15.5 * KM, 1 * KM
    )
    assert control_p(location, "CADLR") > 0.999
    assert zone_p(location, "security-zone") == pytest.approx(phi(-0.5), abs=3e-3)
    assert zone_p(location, "security-zone") == pytest.approx(0.309, abs=3e-3)
    assert zone_p(location, "withdrawal/tank/CADLR") == pytest.approx(phi(-0.5), abs=3e-3)
    assert zone_p(location, "withdrawal/artillery_ge_100mm/CADLR") > 0.999


def test_minsk_filter_station_is_near_the_line_on_the_ua_side(
    minsk: Agreement, locators: dict[str, Locator]
) -> None:
    site = minsk.site("donetsk-filter-station")
    assert "approximate" in site.name
    location = locators["minsk-2"].locate(site.geometry.x, site.geometry.y)
    # The SMM described the station as almost on the line of contact, held by Ukraine.
    assert location.lines[0].distance_m < 3 * KM
    assert control_p(location, "UA") == 1.0
    assert dict(location.sites)["donetsk-filter-station"] == 1.0


def test_minsk_rules_come_into_force_in_stages(minsk: Agreement) -> None:
    def in_force(instant: str) -> set[str]:
        return {rule.id for rule in minsk.rules_in_force(utc(instant))}

    # Midnight Kyiv time (UTC+2) on 15 February 2015.
    assert minsk.effective_from == utc("2015-02-14T22:00:00")
    assert in_force("2015-02-14T21:59:59") == set()
    assert "ceasefire" in in_force("2015-02-14T22:00:00")
    assert "heavy-weapons-withdrawal" not in in_force("2015-03-02T23:59:59")
    assert "heavy-weapons-withdrawal" in in_force("2015-03-03T00:00:00")
    assert "light-weapons-withdrawal" not in in_force("2015-11-12T23:59:59")
    assert in_force("2015-11-13T00:00:00") == {rule.id for rule in minsk.rules}


# -- undof-1974 --------------------------------------------------------------------------------

HERMON, YARMOUK = (35.745, 33.330), (35.850, 32.700)  # the ends of the drawn Alpha line


def test_undof_lines_and_the_mission(undof: Agreement) -> None:
    assert undof.party("UNDOF").role == "mission"
    assert undof.line("alpha").between == ("IL", "UNDOF")
    assert undof.line("bravo").between == ("SY", "UNDOF")
    coords = undof.line("alpha").geometry.geoms[0].coords
    assert {tuple(np.round(coords[0], 6)), tuple(np.round(coords[-1], 6))} == {HERMON, YARMOUK}
    straight_km = geodesic_distance_m(*HERMON, *YARMOUK)[0] / KM  # about 71 km
    for line_id, measured_km in (("alpha", 71.6), ("bravo", 75.3)):
        length_km = undof.line(line_id).length_m / KM
        assert straight_km * 0.99 <= length_km <= straight_km * 1.1  # roughly north-south
        assert length_km == pytest.approx(measured_km, abs=0.2)


def test_undof_area_of_separation_is_held_by_undof(
    undof: Agreement, locators: dict[str, Locator]
) -> None:
    # Quneitra (35.824 E, 33.126 N) lies in the area of separation, 1.4 km from Line A.
    location = locators["undof-1974"].locate(35.824, 33.126, Uncertainty.circular(200.0))
    assert location.control[0][0] == "UNDOF"
    assert control_p(location, "UNDOF") > 0.999
    assert zone_p(location, "separation") > 0.999
    assert all(not zone.startswith(("il-", "sy-")) for zone, _ in location.zones)
    assert undof.rule("separation").by == ("IL", "SY")


def test_undof_area_of_separation_width(locators: dict[str, Locator]) -> None:
    locator = locators["undof-1974"]

    def width_m(lon: float, lat: float) -> float:
        return dict((p.line_id, p.distance_m) for p in locator.locate(lon, lat).lines)["alpha"]

    # Drawn to UNDOF's description: about 10 km in the centre, about 200 m in the south.
    assert 7 * KM < width_m(35.935, 32.960) < 10 * KM  # the widest Bravo vertex
    assert width_m(35.8525, 32.700) < 500.0  # the southern end of Bravo


def test_undof_point_near_the_10_km_limit_on_the_il_side(
    undof: Agreement, locators: dict[str, Locator]
) -> None:
    # 9.5 km ± 1 km west of the straight run of Line A south of Quneitra.
    location = located_at(
        undof, locators["undof-1974"], "alpha", (35.824, 33.045), "IL", 9.5 * KM, 1 * KM
    )
    assert control_p(location, "IL") > 0.999
    assert zone_p(location, "il-0-10") == pytest.approx(phi(0.5) - phi(-9.5), abs=3e-3)
    assert zone_p(location, "il-0-10") == pytest.approx(0.691, abs=3e-3)
    assert zone_p(location, "il-10-20") == pytest.approx(phi(10.5) - phi(0.5), abs=3e-3)
    assert zone_p(location, "il-20-25") < 1e-6
    assert zone_p(location, "sy-0-10") == 0.0


def test_undof_point_near_the_25_km_limit_on_the_il_side(
    undof: Agreement, locators: dict[str, Locator]
) -> None:
    location = located_at(
        undof, locators["undof-1974"], "alpha", (35.824, 33.045), "IL", 24.5 * KM, 1 * KM
    )
    assert zone_p(location, "il-20-25") == pytest.approx(phi(0.5) - phi(-4.5), abs=3e-3)
    assert zone_p(location, "il-10-20") == pytest.approx(phi(-4.5), abs=1e-3)


def test_undof_point_near_the_20_km_limit_on_the_sy_side(
    undof: Agreement, locators: dict[str, Locator]
) -> None:
    # 19.5 km ± 1 km east of the straight run of Line B south of Quneitra.
    location = located_at(
        undof, locators["undof-1974"], "bravo", (35.889, 33.045), "SY", 19.5 * KM, 1 * KM
    )
    assert control_p(location, "SY") > 0.999
    assert zone_p(location, "sy-10-20") == pytest.approx(phi(0.5) - phi(-9.5), abs=3e-3)
    assert zone_p(location, "sy-20-25") == pytest.approx(phi(5.5) - phi(0.5), abs=3e-3)
    assert zone_p(location, "sy-0-10") < 1e-6
    assert zone_p(location, "il-10-20") == 0.0


def test_undof_caps_are_parsed(undof: Agreement) -> None:
    for side, line in (("il", "alpha"), ("sy", "bravo")):
        first, second, third = (undof.zone(f"{side}-{b}") for b in ("0-10", "10-20", "20-25"))
        assert dict(first.caps) == {"personnel": 6000, "tank": 75, "artillery_short": 36}
        assert dict(second.caps) == {"tank": 450, "artillery_short": 162, "artillery_medium": 162}
        assert third.caps == ()
        for zone, (low, high) in ((first, (0, 10)), (second, (10, 20)), (third, (20, 25))):
            assert zone.band is not None and zone.band.line == line
            assert zone.party == side.upper()
            assert (zone.band.from_m, zone.band.to_m) == (low * KM, high * KM)


def test_undof_bans_in_the_bands(undof: Agreement) -> None:
    missiles = undof.rule("no-missiles-25km")
    assert missiles.activity is Activity.WEAPON_PRESENCE
    assert set(missiles.weapons) == {"sam", "ssm"}
    assert len(missiles.where.ids) == 6  # all three bands on both sides
    long_range = undof.rule("no-long-range-artillery-20km")
    assert set(long_range.where.ids) == {"il-0-10", "il-10-20", "sy-0-10", "sy-10-20"}


# -- sinai-1979 --------------------------------------------------------------------------------

RAFAH, TABA = (34.25, 31.32), (34.90, 29.49)


def test_sinai_border_runs_from_rafah_to_taba(sinai: Agreement) -> None:
    border = sinai.line("border")
    assert border.between == ("EG", "IL")
    coords = border.geometry.geoms[0].coords
    assert {tuple(np.round(coords[0], 6)), tuple(np.round(coords[-1], 6))} == {RAFAH, TABA}
    straight_km = geodesic_distance_m(*RAFAH, *TABA)[0] / KM
    assert straight_km <= border.length_m / KM <= straight_km * 1.02
    assert border.length_m / KM == pytest.approx(212.3, abs=0.5)


def test_sinai_zones_partition_the_peninsula(sinai: Agreement) -> None:
    egypt = sinai.party("EG").area
    assert egypt is not None
    # The Sinai peninsula covers about 60,000 km².
    assert 55_000 < geodesic_area_m2(egypt) / 1e6 < 65_000
    areas = [sinai.zone(z).area for z in ("zone-a", "zone-b", "zone-c")]
    assert all(area is not None for area in areas)
    total = sum(geodesic_area_m2(area) for area in areas)
    assert total == pytest.approx(geodesic_area_m2(egypt), rel=1e-6)
    for i, first in enumerate(areas):
        for second in areas[i + 1 :]:
            assert first.intersection(second).area == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("lon", "lat", "zone_id"),
    [
        (32.6, 30.6, "zone-a"),  # about 25 km east of the canal near Ismailia
        (33.5, 30.5, "zone-b"),  # central Sinai
        (34.3, 30.5, "zone-c"),  # about 20 km west of the boundary
    ],
)
def test_sinai_zone_membership(
    locators: dict[str, Locator], lon: float, lat: float, zone_id: str
) -> None:
    location = locators["sinai-1979"].locate(lon, lat, Uncertainty.circular(500.0))
    assert control_p(location, "EG") > 0.999
    assert zone_p(location, zone_id) > 0.999
    others = {"zone-a", "zone-b", "zone-c", "zone-d"} - {zone_id}
    assert all(zone_p(location, other) < 1e-3 for other in others)


def test_sinai_zone_d_is_a_3_km_band_in_israel(
    sinai: Agreement, locators: dict[str, Locator]
) -> None:
    band = sinai.zone("zone-d").band
    assert band is not None
    assert (band.line, band.side, band.from_m, band.to_m) == ("border", "IL", 0.0, 3 * KM)
    # 2.5 km ± 0.5 km into Israel from the straight middle run of the boundary.
    inside = located_at(
        sinai, locators["sinai-1979"], "border", (34.58, 30.39), "IL", 2.5 * KM, 500.0
    )
    assert control_p(inside, "IL") > 0.999
    assert zone_p(inside, "zone-d") == pytest.approx(phi(1.0) - phi(-5.0), abs=3e-3)
    assert zone_p(inside, "zone-d") == pytest.approx(0.841, abs=3e-3)
    # The same distance on Egypt's side is Zone C, not Zone D.
    across = located_at(
        sinai, locators["sinai-1979"], "border", (34.58, 30.39), "EG", 2.5 * KM, 500.0
    )
    assert zone_p(across, "zone-d") < 1e-6
    assert zone_p(across, "zone-c") > 0.999


def test_sinai_caps_are_parsed(sinai: Agreement) -> None:
    assert dict(sinai.zone("zone-a").caps) == {
        "personnel": 22000,
        "tank": 230,
        "field_artillery": 126,
        "aa_gun": 126,
        "apc": 480,
    }
    assert dict(sinai.zone("zone-b").caps) == {"personnel": 4000}
    zone_c = dict(sinai.zone("zone-c").caps)
    assert set(zone_c) == {"personnel", "tank", "field_artillery", "aa_gun", "apc", "sam"}
    assert set(zone_c.values()) == {0}
    assert dict(sinai.zone("zone-d").caps) == {"personnel": 4000, "apc": 180}


def test_sinai_rules_use_caps_and_bans(sinai: Agreement) -> None:
    capped = {
        zone
        for rule in sinai.rules
        if rule.activity is Activity.EXCEED_CAP
        for zone in rule.where.ids
    }
    assert capped == {"zone-a", "zone-b", "zone-c", "zone-d"}
    banned = governing_rules(sinai)
    assert banned[("zone-b", "tank")] == ["zone-b-light-weapons"]
    assert banned[("zone-d", "tank")] == ["zone-d-exclusions"]
    assert banned[("zone-d", "sam")] == ["zone-d-exclusions"]
    assert banned[("zone-c", "tank")] == ["zone-c-limits"]
    assert sinai.rule("zone-d-limits").by == ("IL",)
    assert sinai.rule("zone-a-limits").by == ("EG",)


def test_sinai_mission_has_no_area_and_zones_wait_for_the_withdrawal(
    sinai: Agreement, locators: dict[str, Locator]
) -> None:
    assert sinai.party("MFO").role == "mission" and sinai.party("MFO").area is None
    assert "MFO" not in dict(locators["sinai-1979"].locate(34.3, 30.5).control)
    before = {rule.id for rule in sinai.rules_in_force(utc("1982-04-24T23:59:59"))}
    after = {rule.id for rule in sinai.rules_in_force(utc("1982-04-25T00:00:00"))}
    assert before == {"boundary"}
    assert after == {rule.id for rule in sinai.rules}


def test_examples_are_found_by_path_too() -> None:
    # The id and the document path give the same agreement (same digest).
    for ident in EXAMPLES:
        path = Path(builtin_root()) / ident / "v1" / "agreement.yaml"
        assert resolve(str(path)).digest == resolve(ident).digest
