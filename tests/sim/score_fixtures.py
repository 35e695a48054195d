"""Tiny truth folders and runs derived from them, for testing the scorer without the simulator.

A :class:`Scene` is the truth as plain dicts in the formats of docs/simulation.md; on the toy
agreement's straight line (the 35th meridian between 49 N and 47 N, party W to the west, E to
the east). :func:`oracle_events` and :func:`oracle_violations` give the run a perfect pipeline
would write; tests perturb them by hand and know the answer.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ceasewatch.model.geo import geodesic_forward
from ceasewatch.model.time import format_ns, parse_ns

T0_NS = parse_ns("2026-02-18T03:00:00Z")
S_NS = 1_000_000_000
OPPONENT = {"E": "W", "W": "E"}


@dataclass
class Scene:
    happenings: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] | None = None
    sensors: dict[str, tuple[float, float]] | None = None
    scenario: dict[str, Any] = field(default_factory=lambda: {"scenario": "test", "seed": 7})

    def happening(self, happening_id: str) -> dict[str, Any]:
        return next(h for h in self.happenings if h["happening_id"] == happening_id)

    def source(self, source_id: str) -> dict[str, Any]:
        return next(s for s in self.sources if s["source_id"] == source_id)

    def add(
        self,
        happening_id: str,
        kind: str,
        party: str | None,
        violations: list[str],
        phases: dict[str, tuple[tuple[float, float], dict[str, list[str]]]],
        *,
        t_s: float = 0.0,
    ) -> None:
        """A happening and one source per phase: phase -> (position, records by stream)."""
        t_ns = T0_NS + int(t_s * S_NS)
        self.happenings.append(
            {
                "happening_id": happening_id,
                "kind": kind,
                "party": party,
                "t": format_ns(t_ns, 9),
                "violations": violations,
                "clutter": kind in ("field_fire", "quarry_blast", "thunder", "demining"),
            }
        )
        for index, (phase, (position, records)) in enumerate(phases.items()):
            self.sources.append(
                {
                    "source_id": f"{happening_id}/{phase}",
                    "happening_id": happening_id,
                    "phase": phase,
                    "t_origin": format_ns(t_ns + index * 20 * S_NS, 9),
                    "position": list(position),
                    "records": records,
                    "could_detect": {},
                }
            )


def picks(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{k:03d}" for k in range(count)]


def basic_scene() -> Scene:
    """Seven happenings, ten sources, four violations (two by each party), two clutter
    happenings with records, one source that is not detectable, three false-alarm picks."""
    scene = Scene()
    scene.add(
        "h1",
        "shot",
        "E",
        ["no-fire"],
        {
            "launch": ((35.10, 48.80), {"picks": picks("h1L", 4)}),
            "impact": ((34.95, 48.78), {"picks": picks("h1I", 5), "tracks": ["R1-1"]}),
        },
    )
    scene.add(
        "h2",
        "shot",
        "W",
        ["no-fire"],
        {
            "launch": ((34.90, 48.40), {"picks": picks("h2L", 3)}),
            "impact": ((35.05, 48.41), {"picks": picks("h2I", 3)}),
        },
        t_s=600,
    )
    scene.add(
        "h3",
        "drone_strike",
        "E",
        ["no-fire"],
        {"impact": ((34.97, 48.1), {"detections": ["U1-1"]})},
    )
    scene.add(
        "h4",
        "weapon_presence",
        "W",
        ["withdrawal"],
        {"presence": ((34.80, 47.6), {"detections": ["U2-1", "U2-2"]})},
        t_s=1200,
    )
    scene.add("h5", "field_fire", None, [], {"fire": ((35.3, 47.3), {"firms": ["firms.csv:1"]})})
    scene.add("h6", "quarry_blast", None, [], {"blast": ((34.6, 48.6), {"picks": picks("h6B", 4)})})
    scene.add(
        "h7",
        "shot",
        "E",
        [],
        {
            "launch": ((35.2, 47.9), {"picks": picks("h7L", 2)}),  # not detectable
            "impact": ((35.1, 47.95), {"reports": ["T1-1"]}),
        },
        t_s=1800,
    )
    scene.false_alarms = [
        {"stream": "picks", "record_id": f"FA-{k}", "sensor_id": "A1"} for k in range(3)
    ]
    scene.complaints = [
        {"complaint_id": "C1", "truth": "true", "happening_id": "h1", "duplicate_of": None}
    ]
    return scene


def write_truth(root: Path, scene: Scene) -> Path:
    """Write ``root/truth`` (and ``root/sensors.geojson`` when the scene has sensors)."""
    truth = root / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    (truth / "scenario.json").write_text(json.dumps(scene.scenario), encoding="utf-8")
    write_jsonl(truth / "happenings.jsonl", scene.happenings)
    write_jsonl(truth / "sources.jsonl", scene.sources)
    write_jsonl(truth / "false_alarms.jsonl", scene.false_alarms)
    write_jsonl(truth / "complaints.jsonl", scene.complaints)
    if scene.coverage is not None:
        write_jsonl(truth / "coverage.jsonl", scene.coverage)
    if scene.sensors is not None:
        features = [
            {
                "type": "Feature",
                "properties": {"sensor_id": ident, "kind": "acoustic", "owner": "X"},
                "geometry": {"type": "Point", "coordinates": list(position)},
            }
            for ident, position in scene.sensors.items()
        ]
        (root / "sensors.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
        )
    return truth


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def write_run(
    folder: Path,
    events: list[dict[str, Any]] | None = None,
    violations: list[dict[str, Any]] | None = None,
    *,
    coverage: list[dict[str, Any]] | None = None,
    alerts: list[dict[str, Any]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        ("events", events),
        ("violations", violations),
        ("coverage", coverage),
        ("alerts", alerts),
    ):
        if rows is not None:
            write_jsonl(folder / f"{name}.jsonl", rows)
    return folder


_EVENT_FIELDS = {
    "picks": "pick_ids",
    "tracks": "track_ids",
    "detections": "detection_ids",
    "firms": "firms_ids",
    "reports": "report_ids",
}


def event_of(source: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """The event a perfect pipeline makes of one source: its records, its place and time."""
    event: dict[str, Any] = {
        "event_id": event_id or f"ev-{source['source_id']}",
        "kind": source["phase"],
        "t_origin": source["t_origin"],
        "t_sigma_s": 0.1,
        "position": list(source["position"]),
        "ellipse": {"semi_major_m": 100.0, "semi_minor_m": 100.0, "azimuth_deg": 0.0, "p": 0.95},
        "confidence": 0.99,
    }
    for stream, ids in source["records"].items():
        event.setdefault(_EVENT_FIELDS[stream], []).extend(ids)
    return event


def oracle_events(scene: Scene) -> list[dict[str, Any]]:
    """One event per source with records that fusion reads (status reports it does not)."""
    return [
        event_of(s)
        for s in scene.sources
        if any(ids for stream, ids in s["records"].items() if stream != "status")
    ]


def oracle_violations(
    scene: Scene, responsible: dict[str, dict[str, float]] | None = None
) -> list[dict[str, Any]]:
    """One violation per truth (happening, rule), citing the events of all its sources, with
    ``responsible`` per happening id (default: 0.97 on the true party)."""
    found = []
    for happening in scene.happenings:
        for rule in happening["violations"]:
            party = happening["party"]
            chosen = (responsible or {}).get(happening["happening_id"]) or {
                party: 0.97,
                OPPONENT[party]: 0.02,
                "unknown": 0.01,
            }
            found.append(
                {
                    "violation_id": f"vi-{happening['happening_id']}-{rule}",
                    "rule_id": rule,
                    "event_ids": [
                        f"ev-{s['source_id']}"
                        for s in scene.sources
                        if s["happening_id"] == happening["happening_id"]
                    ],
                    "t": happening["t"],
                    "position": scene.sources[0]["position"],
                    "p_occurred": 0.97,
                    "responsible": chosen,
                    "p_deliberate": None,
                    "severity": "high",
                    "status": "auto",
                    "reasons": [],
                }
            )
    return found


def shifted(event: dict[str, Any], azimuth_deg: float, distance_m: float) -> dict[str, Any]:
    moved = copy.deepcopy(event)
    lon, lat = geodesic_forward(event["position"][0], event["position"][1], azimuth_deg, distance_m)
    moved["position"] = [float(lon[0]), float(lat[0])]
    return moved


def many_blasts(count: int, rng: np.random.Generator) -> Scene:
    """``count`` quarry blasts near the line, each seen by three picks."""
    scene = Scene()
    lats = rng.uniform(47.05, 48.95, count)
    lons = 35.0 + rng.uniform(-0.3, 0.3, count)
    for k in range(count):
        scene.add(
            f"b{k:05d}",
            "quarry_blast",
            None,
            [],
            {"blast": ((float(lons[k]), float(lats[k])), {"picks": picks(f"b{k:05d}", 3)})},
            t_s=k,
        )
    return scene
