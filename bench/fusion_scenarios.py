"""The scenarios of the fusion benchmark, made by the project's own simulator and cached.

- ``sector-200``: a 100 km stretch of ua-2026's line of contact centred on the Donetsk sector's
  busiest point, 20 acoustic sensors only (one every 5 km, alternating sides, 2-6 km from the
  line, the default 2 % clock-skew share, which places one skewed sensor, and the default 3 %
  outage share: with seed 7 one sensor is down all hour), about 200 explosions an hour for one
  hour, nothing else happening anywhere.
- ``sector-2000``: the same stretch and sensors under a bombardment of about 2,000 an hour.
- ``peak-day``: the built-in peak-day scenario, seed 7, dense deployment (the whole line).

The fire of the sector scenarios is one ``Episode`` of the simulator: missions spread along the
line N(0, 25 km) around the sector's centre, clipped to +-50 km; each mission fires a few rounds,
half draw an answer 3-20 min later. An **explosion** is a round's impact (a shot); every shot is
also a second sound source, its launch, so sound sources are about twice the explosions. Both
are counted from the truth and recorded. Generated folders live under
``bench/results/fusion-scenarios/<name>-<key>/`` (the key hashes the parameters and the
software version), so reruns reuse them.

``truth-acoustic/`` beside each ``truth/`` is the truth seen by an acoustic associator: sound
sources (launch, impact, blast) with their picks only; radar, drone, satellite and observer
records and the sources only they see are dropped. The sector scenarios have no other streams,
so it changes only peak-day.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch import __version__  # noqa: E402
from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.agreement.types import Agreement  # noqa: E402
from ceasewatch.model.places import Gazetteer  # noqa: E402
from ceasewatch.sim.base import Deployment, SensorKind, stream  # noqa: E402
from ceasewatch.sim.deployment import generate as generate_deployment  # noqa: E402
from ceasewatch.sim.deployment.kinds import Along, generate_along  # noqa: E402
from ceasewatch.sim.deployment.place import Ground, assign_ids  # noqa: E402
from ceasewatch.sim.run import simulate  # noqa: E402
from ceasewatch.sim.scenarios import ComplaintSpec, Episode, Scenario, scenario  # noqa: E402
from ceasewatch.sim.world import World  # noqa: E402

CACHE = ROOT / "bench" / "results" / "fusion-scenarios"
AGREEMENT = "ua-2026"
SEED = 7
SECTOR = "donetsk"
STRETCH_M = 100_000.0
SENSOR_EVERY_M = 5_000.0
SKEWED_SHARE = 0.02  # the dense style's share: one skewed sensor among 20
# Missions per hour for the wanted explosions per hour: a mission fires ~4.7 rounds on average
# and half draw an answer of ~5 rounds (those answered after the hour are lost).
MISSIONS_PER_H = {"sector-200": 30.0, "sector-2000": 300.0}
TARGET_EXPLOSIONS_PER_H = {"sector-200": 200, "sector-2000": 2000}
SOUND_PHASES = ("launch", "impact", "blast")
NAMES = ("sector-200", "sector-2000", "peak-day")


def parameters(name: str, hours: float | None = None) -> dict[str, Any]:
    """What defines a scenario (and its cache key)."""
    if name == "peak-day":
        return {
            "name": name,
            "scenario": "peak-day",
            "seed": SEED,
            "deployment": "dense",
            "hours": hours,
            "agreement": AGREEMENT,
        }
    if name not in MISSIONS_PER_H:
        raise SystemExit(f"no fusion scenario {name!r}; use {', '.join(NAMES)}")
    return {
        "name": name,
        "agreement": AGREEMENT,
        "seed": SEED,
        "hours": hours or 1.0,
        "sector": SECTOR,
        "stretch_km": STRETCH_M / 1000,
        "sensor_every_km": SENSOR_EVERY_M / 1000,
        "sensor_sides": "alternate",
        "sensor_offset_km": [2.0, 6.0],
        "skewed_share": SKEWED_SHARE,
        "missions_per_h": MISSIONS_PER_H[name],
        "target_explosions_per_h": TARGET_EXPLOSIONS_PER_H[name],
        "other_activity": "none (no bursts, drone strikes, presences, flights or clutter)",
    }


def sector_scenario(params: dict[str, Any]) -> Scenario:
    quiet = scenario("quiet-day")
    episode = Episode(
        "sector-fire",
        SECTOR,
        0.0,
        params["hours"],
        params["missions_per_h"],
        half_width_m=STRETCH_M / 2,
    )
    return replace(
        quiet,
        name=params["name"],
        description=f"{params['target_explosions_per_h']} explosions/h on 100 km of {SECTOR}",
        hours=params["hours"],
        missions_per_h=0.0,
        bursts_per_h=0.0,
        drone_strikes_per_h=0.0,
        presences=0,
        flights=0,
        quarry_sites=(),
        quarry_blasts_per_day=0.0,
        storms=0,
        demining_per_day=0.0,
        training_per_day=0.0,
        firms_scale=0.0,
        episodes=(episode,),
        complaints=ComplaintSpec(0.0, 0.0, 0.0, 0.0),
    )


def stretch_m(agreement: Agreement) -> tuple[float, float]:
    """The stretch of the line the episode fires on: +-50 km around the sector's centre."""
    centre = World(agreement, Gazetteer.default()).sector_centre_m(SECTOR)
    return centre - STRETCH_M / 2, centre + STRETCH_M / 2


def sector_deployment(agreement: Agreement, seed: int) -> Deployment:
    line_id = str(agreement.lines[0].id)
    start, end = stretch_m(agreement)
    spec = Along(
        SensorKind.ACOUSTIC, line_id, SENSOR_EVERY_M, start, end, skewed_share=SKEWED_SHARE
    )
    rng = stream(seed, f"deployment/{spec.kind}/{line_id}")
    placed = assign_ids(generate_along(Ground(agreement), spec, rng).placed, set())
    return Deployment(f"fusion-sector (seed {seed})", tuple(p.sensor for p in placed))


def ensure(name: str, hours: float | None = None) -> tuple[Path, dict[str, Any]]:
    """The scenario's folder (generated if not cached) and its description for the JSON."""
    params = parameters(name, hours)
    key_text = json.dumps({**params, "software": __version__}, sort_keys=True)
    folder = CACHE / f"{name}-{hashlib.sha256(key_text.encode()).hexdigest()[:10]}"
    done = folder / "fusion-scenario.json"
    if done.is_file():
        return folder, json.loads(done.read_text(encoding="utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    agreement = resolve(AGREEMENT)
    if name == "peak-day":
        deployment = generate_deployment(agreement, "dense", seed=SEED)
        chosen = scenario("peak-day")
    else:
        deployment = sector_deployment(agreement, SEED)
        chosen = sector_scenario(params)
        params["stretch_along_line_km"] = [round(v / 1000, 2) for v in stretch_m(agreement)]
    print(f"[scenario] simulating {name} into {folder}", flush=True)
    simulate(agreement, chosen, SEED, folder, deployment=deployment, hours=hours)
    acoustic_truth(folder / "truth", folder / "truth-acoustic")
    described = {**params, **counts(folder, deployment)}
    done.write_text(json.dumps(described, indent=2) + "\n", encoding="utf-8")
    return folder, described


def counts(folder: Path, deployment: Deployment) -> dict[str, Any]:
    """Explosions and sound sources per hour, picks, sensors, as generated."""
    scenario_json = json.loads((folder / "truth" / "scenario.json").read_text(encoding="utf-8"))
    hours = float(scenario_json["hours"])
    happenings = read_jsonl(folder / "truth" / "happenings.jsonl")
    sources = read_jsonl(folder / "truth-acoustic" / "sources.jsonl")
    kinds = Counter(h["kind"] for h in happenings)
    explosive = ("shot", "drone_strike", "quarry_blast", "demining", "training")
    explosions = sum(kinds[k] for k in explosive)
    with_picks = [s for s in sources if s["records"].get("picks")]
    picks = sum(1 for line in (folder / "picks.jsonl").open(encoding="utf-8") if line.strip())
    acoustic = [s for s in deployment.sensors if s.kind is SensorKind.ACOUSTIC]
    return {
        "hours": hours,
        "explosions": explosions,
        "explosions_per_h": round(explosions / hours, 1),
        "explosions_definition": "happenings that explode where they land: shots (one per round, "
        "its impact), drone strikes, quarry blasts, demining, training (not small-arms bursts)",
        "happenings_by_kind": dict(sorted(kinds.items())),
        "sound_sources": len(sources),
        "sound_sources_per_h": round(len(sources) / hours, 1),
        "sound_sources_heard": len(with_picks),
        "sound_sources_detectable": sum(1 for s in with_picks if len(s["records"]["picks"]) >= 3),
        "picks": picks,
        "false_picks": sum(
            1 for r in read_jsonl(folder / "truth" / "false_alarms.jsonl") if r["stream"] == "picks"
        ),
        "acoustic_sensors": len(acoustic),
        "skewed_sensors": {s.sensor_id: s.clock_skew_s for s in acoustic if s.clock_skew_s},
        "deployment": deployment.name,
        "outages": json.loads((folder / "truth" / "conditions.json").read_text("utf-8"))["outages"],
    }


def acoustic_truth(truth: Path, out: Path) -> None:
    """The truth restricted to what an acoustic associator can see (see the module doc)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("happenings.jsonl", "scenario.json", "conditions.json", "coverage.jsonl"):
        if (truth / name).is_file():
            shutil.copyfile(truth / name, out / name)
    sources = []
    for row in read_jsonl(truth / "sources.jsonl"):
        picks = row["records"].get("picks", [])
        if picks or row["phase"] in SOUND_PHASES:
            acoustic = {k: v for k, v in row["could_detect"].items() if k == "acoustic"}
            sources.append(
                {**row, "records": {"picks": picks} if picks else {}, "could_detect": acoustic}
            )
    write_jsonl(out / "sources.jsonl", sources)
    alarms = [r for r in read_jsonl(truth / "false_alarms.jsonl") if r["stream"] == "picks"]
    write_jsonl(out / "false_alarms.jsonl", alarms)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    for wanted in sys.argv[1:] or NAMES:
        where, about = ensure(wanted)
        print(where)
        print(json.dumps(about, indent=2))
