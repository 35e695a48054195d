"""Streaming fusion: events revised as picks arrive, finality, lateness, the revision log."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.fusion.revisions import Ledger, Revision, Subject
from ceasewatch.fusion.stream import StreamFuser
from ceasewatch.model.geo import geodesic_distance_m, geodesic_forward
from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns
from tests.fusion.test_acoustic import (
    LAT0,
    LON0,
    T0_NS,
    line_array,
    picks_for,
    sources_near_line,
    write_inputs,
)


def stream(array, picks, *, step_s=5.0, late_window_s=300.0, delay_s=None):
    """Feed ``picks`` as they arrive (``delay_s`` per pick id: delivered that much later)."""
    delay_s = delay_s or {}
    arrivals = sorted(
        (parse_ns(p["t_arrival"]) + round(delay_s.get(p["pick_id"], 0.0) * NS_PER_S), p)
        for p in picks
    )
    fuser = StreamFuser(array, late_window_s=late_window_s, skew_every_s=0)
    step_ns = round(step_s * NS_PER_S)
    now, k, revisions = -(-arrivals[0][0] // step_ns) * step_ns, 0, []
    while k < len(arrivals):
        while k < len(arrivals) and arrivals[k][0] <= now:
            fuser.add("picks", [arrivals[k][1]], arrivals[k][0])
            k += 1
        revisions += fuser.advance(now)
        now += step_ns
    return fuser, revisions + fuser.finish(now)


def source_at(along_m, off_m, t_ns):
    lon, lat = geodesic_forward(LON0, LAT0, 90.0, along_m)
    lon, lat = geodesic_forward(lon, lat, 0.0 if off_m >= 0 else 180.0, abs(off_m))
    return float(lon[0]), float(lat[0]), t_ns


def error_m(state, source):
    return float(geodesic_distance_m(*state["position"], source[0], source[1])[0])


def test_noise_free_events_streamed_in_small_steps_end_up_as_the_batch_finds_them():
    rng = np.random.default_rng(1)
    array = line_array()
    picks, _ = picks_for(array, sources_near_line(rng, 8), rng, sigma_s=0.0)
    batch = {e.event_id: e for e in fuse_picks(array, picks).events}
    fuser, revisions = stream(array, picks, step_s=5.0)
    final = list(fuser.events.final.values())
    assert not fuser.events.provisional
    assert len(final) == len(batch) == 8
    # the kept id may differ from the content's (a later pick had a smaller id): the log says so
    derived = {r.item_id: r.derived_id or r.item_id for r in revisions if r.kind == "final"}
    for event in final:
        twin = batch[derived[event.event_id]]
        assert sorted(event.pick_ids) == sorted(twin.pick_ids)
        assert geodesic_distance_m(event.lon, event.lat, twin.lon, twin.lat)[0] < 1.0
        assert event.confidence == pytest.approx(twin.confidence, abs=0.05)
    assert Counter(r.kind for r in revisions)["final"] == 8


def test_a_late_pick_within_the_window_revises_the_event_and_keeps_its_id():
    array = line_array()
    before, after = [], []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        source = source_at(22_000.0, 5_000.0, T0_NS + NS_PER_S)
        picks, _ = picks_for(array, [source], rng, sigma_s=0.03)
        late = sorted(p["pick_id"] for p in picks)[:2]  # the smallest ids: they name the event
        _, revisions = stream(array, picks, delay_s={p: 100.0 for p in late})
        created, *revised, final = revisions
        assert (created.kind, final.kind) == ("created", "final")
        assert revised and all(r.kind == "revised" for r in revised)
        assert {p for r in revised for p in r.added} == set(late)
        assert all(r.item_id == created.item_id for r in revisions)  # the first id is kept
        assert final.derived_id is not None and final.derived_id != created.item_id
        assert [r.revision for r in revisions] == list(range(1, len(revisions) + 1))
        assert final.state is not None and created.state is not None
        assert final.state["ellipse"]["semi_major_m"] < created.state["ellipse"]["semi_major_m"]
        before.append(error_m(created.state, source))
        after.append(error_m(final.state, source))
    assert np.mean(after) < 0.75 * np.mean(before)


def test_a_pick_later_than_the_window_is_reported_kept_and_changes_no_final_event():
    rng = np.random.default_rng(2)
    array = line_array()
    source = source_at(22_000.0, 5_000.0, T0_NS + NS_PER_S)
    picks, _ = picks_for(array, [source], rng, sigma_s=0.02)
    straggler = sorted(p["pick_id"] for p in picks)[0]
    fuser, revisions = stream(array, picks, late_window_s=120.0, delay_s={straggler: 400.0})
    [late] = fuser.late
    assert (late.stream, late.record_id) == ("picks", straggler)
    assert late.to_json()["behind_window_s"] > 0
    assert straggler in fuser.records["picks"]  # kept
    [event] = fuser.events.final.values()
    assert straggler not in event.pick_ids
    final_at = next(r.at_ns for r in revisions if r.kind == "final")
    assert final_at < late.at_ns  # final before the straggler came, never revised after
    assert not [r for r in revisions if r.at_ns > final_at]


def test_withdrawn_events_are_logged_when_their_picks_are_re_associated():
    """In a salvo, partial picks make mixed events; later picks re-associate them."""
    array = line_array()
    withdrawn, re_associated = 0, 0
    for seed in (0, 3, 4):
        rng = np.random.default_rng(seed)
        salvo = []
        for n in range(6):
            along, off = 20_000.0 + rng.uniform(-3000, 3000), 5_000.0 + rng.uniform(-2000, 2000)
            salvo.append(source_at(along, off, T0_NS + int(n * 0.7 * NS_PER_S)))
        picks, _ = picks_for(array, salvo, rng, sigma_s=0.02)
        fuser, revisions = stream(array, picks, step_s=2.0)
        last_picks: dict[str, set[str]] = {}
        for r in revisions:
            if r.kind == "withdrawn":
                withdrawn += 1
                assert set(r.removed) == last_picks.pop(r.item_id)
                assert r.state is None and r.item_id not in fuser.events.provisional
                same_step = (o for o in revisions if o.at_ns == r.at_ns and o is not r)
                re_associated += bool({p for o in same_step for p in o.added} & set(r.removed))
            elif r.state is not None:
                last_picks[r.item_id] = set(r.state["pick_ids"])
        held = Counter(p for e in fuser.events.final.values() for p in e.pick_ids)
        assert max(held.values()) == 1  # no pick in two final events
    assert withdrawn >= 2 and re_associated >= 1


def test_incidents_follow_the_events_and_take_a_radar_track_that_fits_one(ua2026):
    rng = np.random.default_rng(5)
    array = line_array()
    sources = sources_near_line(rng, 3)
    picks, _ = picks_for(array, sources, rng, sigma_s=0.02)
    lon, lat, t_ns = sources[1]
    tracks = [
        {"track_id": "R01-1", "sensor_id": "R01", "t_impact": format_ns(t_ns, 3),
         "impact": [lon, lat], "impact_cep_m": 50, "projectile": "artillery"},
        {"track_id": "R01-2", "sensor_id": "R01", "t_impact": format_ns(t_ns, 3),
         "impact": [lon + 1.5, lat], "impact_cep_m": 50, "projectile": "artillery"},
    ]  # fmt: skip
    fuser = StreamFuser(array, late_window_s=300.0, agreement=ua2026, skew_every_s=0)
    revisions = []
    for now in range(T0_NS, sources[-1][2] + 60 * NS_PER_S, 10 * NS_PER_S):
        fuser.add(
            "picks",
            [p for p in picks if now - 10 * NS_PER_S < parse_ns(p["t_arrival"]) <= now],
            now,
        )
        fuser.add(
            "tracks",
            [t for t in tracks if now - 10 * NS_PER_S < parse_ns(t["t_impact"]) <= now],
            now,
        )
        revisions += fuser.advance(now)
    revisions += fuser.finish(now + 400 * NS_PER_S)
    incidents = [h.incident for h in fuser.incidents.final.values()]
    assert len(incidents) == 3 and not fuser.incidents.provisional
    [with_track] = [i for i in incidents if any(e.record_id == "R01-1" for e in i.supporting)]
    event_ids = {e.event_id for e in fuser.events.final.values()}
    assert set(with_track.event_ids) <= event_ids
    kinds = Counter(r.kind for r in revisions if r.noun == "incident")
    assert kinds["created"] >= 3 and kinds["final"] == 3
    assert [(s, r) for s, r, _why in fuser.unused_records()] == [("tracks", "R01-2")]


@dataclass(frozen=True)
class Fake:
    name: str
    members: frozenset[str]
    t_ns: int = 0


FAKES: Subject[Fake] = Subject(
    noun="event",
    derived_id=lambda f: f"ev-{min(f.members)}",
    alternatives=lambda f: (f"ev-{m}" for m in sorted(f.members)),
    named=lambda f, name: Fake(name, f.members, f.t_ns),
    members=lambda f: f.members,
    t_ns=lambda f: f.t_ns,
    place=lambda f: (37.0, 48.0),
    confidence=lambda f: 0.9,
    to_json=lambda f: {"event_id": f.name, "pick_ids": sorted(f.members)},
)


def fake(*members: str, t_ns: int = 0) -> Fake:
    return Fake("", frozenset(members), t_ns)


def test_the_ledger_merges_two_events_into_the_one_that_shares_most_and_withdraws_the_other():
    ledger: Ledger[Fake] = Ledger(FAKES)
    first = ledger.update([fake("b", "c", "d"), fake("e", "f")], at_ns=1)
    assert [(r.kind, r.item_id) for r in first] == [("created", "ev-b"), ("created", "ev-e")]
    merged = ledger.update([fake("a", "b", "c", "d", "e", "f")], at_ns=2)
    kinds = {(r.kind, r.item_id): r for r in merged}
    assert set(kinds) == {("withdrawn", "ev-e"), ("revised", "ev-b")}
    assert kinds[("withdrawn", "ev-e")].removed == ("e", "f")
    revised = kinds[("revised", "ev-b")]
    assert revised.added == ("a", "e", "f") and revised.derived_id == "ev-a"
    assert revised.revision == 2
    # a new event whose natural id is held by a live one takes its next pick's id
    [created] = ledger.update([fake("a", "b", "c", "d", "e", "f"), fake("b", "z")], at_ns=3)
    assert created.kind == "created" and created.item_id == "ev-z"
    finals = ledger.finalize(horizon_ns=1, at_ns=4)
    assert {r.kind for r in finals} == {"final"} and not ledger.provisional
    assert ledger.consumed == {"a", "b", "c", "d", "e", "f", "z"}
    assert ledger.update([fake("b", "q")], at_ns=5)[0].item_id == "ev-q"  # ev-b is final


def test_a_revision_is_one_json_line_with_the_id_kind_and_changes():
    revision = Revision("event", "ev-1", 3, "revised", T0_NS, ("p2",), ("p1",), 12.34, 0.8, 0.9)
    line = json.loads(json.dumps(revision.to_json()))
    assert line["event_id"] == "ev-1" and line["revision"] == 3 and line["kind"] == "revised"
    assert line["at"].endswith("Z")
    assert line["changes"] == {"added": ["p2"], "removed": ["p1"], "moved_m": 12.3,
                               "confidence_before": 0.8, "confidence_after": 0.9}  # fmt: skip


def test_fuse_stream_writes_events_revisions_and_a_summary(tmp_path):
    rng = np.random.default_rng(6)
    array = line_array()
    picks, _ = picks_for(array, sources_near_line(rng, 5), rng)
    write_inputs(tmp_path, array, picks)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["fuse-stream", "--sensors", str(tmp_path / "sensors.geojson"),
                                      "--picks", str(tmp_path / "picks.jsonl"), "--out", str(out),
                                      "--step-s", "10", "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert len(events) == 5 and all(e["event_id"].startswith("ev-") for e in events)
    revisions = [json.loads(line) for line in (out / "revisions.jsonl").read_text().splitlines()]
    finals = [r for r in revisions if r["kind"] == "final"]
    assert sorted(json.dumps(r["event"]) for r in finals) == sorted(map(json.dumps, events))
    summary = json.loads((out / "stream-summary.json").read_text())
    assert summary["events"] == 5 and summary["revisions"]["events final"] == 5
    assert summary["latency_s"]["p50"] is not None and summary["latency_s"]["p50"] >= 0
    assert summary["wall_s"]["per_step"]["p90"] is not None
    assert (out / "late.jsonl").read_text() == ""


def test_fuse_stream_names_the_line_of_a_bad_pick_and_the_fix(tmp_path):
    rng = np.random.default_rng(7)
    array = line_array()
    picks, _ = picks_for(array, sources_near_line(rng, 1), rng)
    picks[1] = {**picks[1], "t_arrival": "yesterday"}
    write_inputs(tmp_path, array, picks)
    result = CliRunner().invoke(app, ["fuse-stream", "--sensors", str(tmp_path / "sensors.geojson"),
                                      "--picks", str(tmp_path / "picks.jsonl"),
                                      "--out", str(tmp_path / "run")])  # fmt: skip
    assert result.exit_code == 2
    assert "picks.jsonl:2" in result.output and "2026-02-18T03:12:45Z" in result.output
