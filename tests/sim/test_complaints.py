"""Party complaints: true ones point at real violations of the other party, false and
misattributed ones at none, duplicates repeat; the format of complaints.jsonl."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.model.geo import geodesic_inverse
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import NS_PER_S, parse_ns
from ceasewatch.sim.base import Emission, Happening, HappeningKind
from ceasewatch.sim.happenings.generate import generate
from ceasewatch.sim.scenarios import ComplaintSpec, scenario
from ceasewatch.sim.sources.complaints import complaints
from ceasewatch.sim.world import World

HOUR = 3600 * NS_PER_S
PARTIES = ("UA", "RU")
CATEGORIES = {"shelling", "small_arms", "drone_strike", "heavy_weapons"}
Peak = tuple[tuple[Happening, ...], int, int]


@pytest.fixture(scope="module")
def peak(ua2026: Agreement, gazetteer: Gazetteer) -> Peak:
    sc = scenario("peak-day")
    start = parse_ns(sc.start)
    happenings = generate(World(ua2026, gazetteer), sc, start, seed=7).happenings
    return happenings, start, start + 24 * HOUR


def run(
    peak: Peak,
    spec: ComplaintSpec,
    seed: int,
    gazetteer: Gazetteer,
) -> Emission:
    happenings, start, end = peak
    return complaints(
        happenings, PARTIES, spec, start, end, np.random.default_rng(seed), gazetteer=gazetteer
    )


def violations_near(happenings: tuple[Happening, ...], party: str, record: dict) -> list[str]:
    """Independently: violations by ``party`` within the radius during the alleged window."""
    low, high = (parse_ns(t) for t in record["t_alleged"])
    found = []
    for h in happenings:
        if h.party != party or not h.violations:
            continue
        last = max(h.t_ns, h.t_impact_ns, h.end_ns or h.t_ns)
        if h.t_ns > high or last < low:
            continue
        for point in (h.impact, h.launch):
            if point is not None:
                _, d = geodesic_inverse(*record["position"], *point)
                if d[0] <= record["radius_m"]:
                    found.append(h.happening_id)
                    break
    return found


def test_records_follow_the_format(peak: Peak, gazetteer: Gazetteer) -> None:
    emission = run(peak, ComplaintSpec(), 1, gazetteer)
    assert len(emission.records) > 50
    ids = [r["complaint_id"] for r in emission.records]
    assert len(set(ids)) == len(ids)
    for record in emission.records:
        assert list(record) == [
            "complaint_id",
            "party",
            "t_submitted",
            "t_alleged",
            "position",
            "radius_m",
            "alleged_party",
            "category",
            "text",
        ]
        assert re.fullmatch(rf"{record['party']}-2026-\d{{4}}", record["complaint_id"])
        assert {record["party"], record["alleged_party"]} == set(PARTIES)
        low, high = (parse_ns(t) for t in record["t_alleged"])
        assert low < high < parse_ns(record["t_submitted"])
        lon, lat = record["position"]
        assert 22 < lon < 41 and 44 < lat < 53  # longitude first
        assert isinstance(record["radius_m"], int) and 1000 <= record["radius_m"] <= 5000
        assert record["category"] in CATEGORIES
        assert record["alleged_party"] in record["text"]
    for party in PARTIES:  # numbered in order of submission
        mine = [r for r in emission.records if r["party"] == party]
        assert [r["complaint_id"] for r in mine] == [
            f"{party}-2026-{i:04d}" for i in range(1, len(mine) + 1)
        ]
        times = [parse_ns(r["t_submitted"]) for r in mine]
        assert times == sorted(times)


def test_true_complaints_point_at_real_violations_of_the_other_party(
    peak: Peak, gazetteer: Gazetteer
) -> None:
    happenings = peak[0]
    by_id = {h.happening_id: h for h in happenings}
    emission = run(peak, ComplaintSpec(), 2, gazetteer)
    true = [i for i in range(len(emission.records)) if emission.truth[i]["truth"] == "true"]
    assert len(true) > 50
    for i in true:
        record, truth = emission.records[i], emission.truth[i]
        cause = by_id[str(emission.causes[i])]
        assert cause.happening_id == truth["happening_ids"][0]
        assert all(
            by_id[h].party == record["alleged_party"] and by_id[h].violations
            for h in truth["happening_ids"]
        )
        assert cause.happening_id in violations_near(happenings, record["alleged_party"], record)
        _, shift = geodesic_inverse(*record["position"], *cause.impact)
        assert 500.0 - 1 <= shift[0] <= 3000.0 + 1
        assert emission.phases[i] in ("impact", "blast", "presence")


def test_false_and_misattributed_complaints_have_no_violation_of_the_other_party_near(
    peak: Peak, gazetteer: Gazetteer
) -> None:
    happenings = peak[0]
    by_id = {h.happening_id: h for h in happenings}
    spec = ComplaintSpec(false_per_day=20.0, misattributed_per_day=20.0)
    emission = run(peak, spec, 3, gazetteer)
    kinds = {t["truth"] for t in emission.truth.values()}
    assert {"false", "misattributed"} <= kinds
    for i, record in enumerate(emission.records):
        truth = emission.truth[i]["truth"]
        if truth == "false":
            assert emission.causes[i] is None and emission.truth[i]["happening_ids"] == []
        if truth == "misattributed":
            own = by_id[str(emission.causes[i])]
            assert own.party == record["party"]
            assert own.kind in (HappeningKind.SHOT, HappeningKind.DEMINING)
        if truth in ("false", "misattributed"):
            assert violations_near(happenings, record["alleged_party"], record) == []
    counts = {
        k: sum(1 for t in emission.truth.values() if t["truth"] == k)
        for k in ("false", "misattributed")
    }
    for count in counts.values():  # Poisson(2 parties x 20), nearly all placed
        assert 40 - 4 * np.sqrt(40) < count < 40 + 4 * np.sqrt(40)


def test_duplicates_repeat_an_earlier_complaint_under_a_new_id(
    peak: Peak, gazetteer: Gazetteer
) -> None:
    emission = run(peak, ComplaintSpec(duplicate_share=0.3), 4, gazetteer)
    by_id = {r["complaint_id"]: (i, r) for i, r in enumerate(emission.records)}
    duplicates = [
        i for i in range(len(emission.records)) if emission.truth[i]["truth"] == "duplicate"
    ]
    originals = len(emission.records) - len(duplicates)
    assert abs(len(duplicates) - 0.3 * originals) < 4 * np.sqrt(originals * 0.3 * 0.7)
    for i in duplicates:
        record = emission.records[i]
        j, first = by_id[str(emission.truth[i]["duplicate_of"])]
        assert (
            emission.truth[j]["truth"] != "duplicate" and emission.truth[j]["duplicate_of"] is None
        )
        same = ("party", "t_alleged", "position", "radius_m", "alleged_party", "category", "text")
        assert all(record[k] == first[k] for k in same)
        assert parse_ns(record["t_submitted"]) > parse_ns(first["t_submitted"])
        assert emission.causes[i] == emission.causes[j]
        assert emission.truth[i]["happening_ids"] == emission.truth[j]["happening_ids"]


def test_shares_and_flooding(peak: Peak, gazetteer: Gazetteer) -> None:
    happenings = peak[0]
    none = ComplaintSpec(true_share=0.0, false_per_day=0.0, misattributed_per_day=0.0)
    assert run(peak, none, 5, gazetteer).records == []
    every = run(peak, replace(none, true_share=1.0, duplicate_share=0.0), 5, gazetteer)
    covered = {h for t in every.truth.values() for h in t["happening_ids"]}
    expected = {
        h.happening_id
        for h in happenings
        if h.violations
        and h.party in PARTIES
        and h.kind
        in (
            HappeningKind.SHOT,
            HappeningKind.BURST,
            HappeningKind.DRONE_STRIKE,
            HappeningKind.WEAPON_PRESENCE,
        )
        and h.notes != "short round, own side"
    }
    assert covered == expected
    flood = run(peak, scenario("complaints").complaints, 6, gazetteer)
    false = [
        r["party"]
        for r, t in zip(
            flood.records, (flood.truth[i] for i in range(len(flood.records))), strict=True
        )
        if t["truth"] == "false"
    ]
    assert abs(false.count("RU") - 62) < 4 * np.sqrt(62) and false.count("UA") < 12


def test_every_complaint_has_a_cause_or_is_false(peak: Peak, gazetteer: Gazetteer) -> None:
    emission = run(peak, ComplaintSpec(duplicate_share=0.2), 8, gazetteer)
    for i in range(len(emission.records)):
        truth = emission.truth[i]
        assert (emission.causes[i] is None) == (truth["happening_ids"] == [])
        assert (emission.causes[i] is None) <= (truth["truth"] in ("false", "duplicate"))
    assert all(d == 0.0 for d in emission.delay_s)


def test_same_seed_same_complaints(peak: Peak, gazetteer: Gazetteer) -> None:
    assert (
        run(peak, ComplaintSpec(), 9, gazetteer).records
        == run(peak, ComplaintSpec(), 9, gazetteer).records
    )
    assert (
        run(peak, ComplaintSpec(), 9, gazetteer).records
        != run(peak, ComplaintSpec(), 10, gazetteer).records
    )
