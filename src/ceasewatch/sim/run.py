"""``ceasewatch simulate``: one scenario, one seed, one deployment → observations and truth.

The composition of the simulator: world, deployment, happenings, conditions, sensor models,
then the files (docs/simulation.md). Everything random is drawn from streams named after the
seed, so the output is byte-identical for a seed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ceasewatch import __version__
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import NS_PER_S, parse_ns
from ceasewatch.sim.base import Conditions, Deployment, Emission, Jamming, SensorModel, stream
from ceasewatch.sim.coverage import coverage_rows
from ceasewatch.sim.happenings import Generated, generate
from ceasewatch.sim.output import (
    STREAM_FILES,
    delivery_rows,
    ns_text,
    write_json,
    write_jsonl,
    write_stream,
)
from ceasewatch.sim.scenarios import Scenario
from ceasewatch.sim.truth import extras_rows, false_alarm_rows, happening_rows, source_rows
from ceasewatch.sim.world import World

Step = Callable[[str], None]
SIMULATION_STEPS = 10
"""Steps reported to ``step``: world, happenings, five source models, complaints, status,
writing."""


@dataclass(frozen=True)
class RunSummary:
    out_dir: Path
    scenario: str
    seed: int
    hours: float
    happenings: dict[str, int]  # by kind
    by_party: dict[str, int]  # violating happenings by party
    violations: dict[str, int]  # by rule
    records: dict[str, int]  # by stream
    false_alarms: int
    jammed: tuple[str, ...]

    def text(self) -> str:
        lines = [
            f"{self.scenario}, seed {self.seed}, {self.hours:g} h → {self.out_dir}",
            "  happenings  " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.happenings.items())),
            "  violating   "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(self.by_party.items()))
            + f" (total {sum(self.by_party.values()):,})",
            "  by rule     " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.violations.items())),
            "  records     "
            + ", ".join(f"{k} {v:,}" for k, v in self.records.items())
            + f"; {self.false_alarms:,} false alarms",
        ]
        if self.jammed:
            lines.append("  jammed      " + "; ".join(self.jammed))
        return "\n".join(lines)


def sensor_models() -> list[SensorModel]:
    from ceasewatch.sim.sources.acoustic import AcousticModel
    from ceasewatch.sim.sources.observer import ObserverModel
    from ceasewatch.sim.sources.radar import RadarModel
    from ceasewatch.sim.sources.satellite import SatelliteModel
    from ceasewatch.sim.sources.uav import UavModel

    return [AcousticModel(), RadarModel(), UavModel(), SatelliteModel(), ObserverModel()]


def conditions_for(
    deployment: Deployment,
    scenario: Scenario,
    start_ns: int,
    jamming: tuple[Jamming, ...],
    rng: np.random.Generator,
) -> Conditions:
    """Outages: a share of the sensors is down once, for 1-8 hours, during the run."""
    end_ns = start_ns + int(scenario.hours * 3600 * NS_PER_S)
    outages = []
    for sensor in deployment.sensors:
        if rng.uniform() < scenario.outage_share:
            length = int(rng.uniform(1.0, 8.0) * 3600 * NS_PER_S)
            begin = start_ns + int(rng.uniform(0.0, 1.0) * max(end_ns - start_ns - length, 0))
            outages.append((sensor.sensor_id, begin, begin + length))
    return Conditions(start_ns, end_ns, tuple(outages), jamming)


def simulate(
    agreement: Agreement,
    scenario: Scenario,
    seed: int,
    out_dir: Path,
    *,
    deployment: Deployment,
    hours: float | None = None,
    models: Sequence[SensorModel] | None = None,
    step: Step | None = None,
) -> RunSummary:
    note = step or (lambda _name: None)
    if hours is not None:
        if not 0 < hours <= 24 * 31:
            raise InputError(f"--hours {hours}: give a duration of more than 0 and at most 744")
        scenario = replace(scenario, hours=hours)
    start_ns = parse_ns(scenario.start)
    note("world")
    world = World(agreement, Gazetteer.default())
    note("happenings")
    generated = generate(world, scenario, start_ns, seed)
    conditions = conditions_for(
        deployment, scenario, start_ns, generated.jamming, stream(seed, "conditions")
    )
    emissions: list[Emission] = []
    for model in models if models is not None else sensor_models():
        note(model.stream)
        emissions.append(
            model.observe(
                generated.happenings, deployment.sensors, conditions, stream(seed, model.stream)
            )
        )
    note("complaints")
    emissions.append(_complaints(world, scenario, generated, start_ns, conditions, seed))
    emissions.append(generated.notifications)
    note("status")
    emissions.append(_status(generated, deployment, conditions, seed))
    note("writing")
    return _write(out_dir, world, scenario, seed, deployment, generated, conditions, emissions)


def _complaints(
    world: World,
    scenario: Scenario,
    generated: Generated,
    start_ns: int,
    conditions: Conditions,
    seed: int,
) -> Emission:
    from ceasewatch.sim.sources.complaints import complaints

    return complaints(
        generated.happenings,
        world.parties,
        scenario.complaints,
        start_ns,
        conditions.end_ns,
        stream(seed, "complaints"),
        gazetteer=world.gazetteer,
    )


def _status(
    generated: Generated, deployment: Deployment, conditions: Conditions, seed: int
) -> Emission:
    from ceasewatch.sim.sources.status import status

    return status(generated.happenings, deployment.sensors, conditions, seed)


def _write(
    out_dir: Path,
    world: World,
    scenario: Scenario,
    seed: int,
    deployment: Deployment,
    generated: Generated,
    conditions: Conditions,
    emissions: list[Emission],
) -> RunSummary:
    from ceasewatch.sim.deployment import write_geojson

    truth_dir = out_dir / "truth"
    try:
        truth_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create the output folder ({exc.strerror})") from exc
    write_geojson(deployment, out_dir / "sensors.geojson")
    merged = _merge(emissions)
    ids = {name: write_stream(out_dir, emission) for name, emission in merged.items()}
    for name, file in STREAM_FILES.items():
        if name not in merged:
            (out_dir / file).write_text("", encoding="utf-8")
    happenings = generated.happenings
    write_jsonl(truth_dir / "happenings.jsonl", happening_rows(world, happenings))
    write_jsonl(truth_dir / "sources.jsonl", source_rows(happenings, list(merged.values()), ids))
    false_alarms = false_alarm_rows(list(merged.values()), ids)
    write_jsonl(truth_dir / "false_alarms.jsonl", false_alarms)
    if "complaints" in merged:
        write_jsonl(
            truth_dir / "complaints.jsonl",
            extras_rows(merged["complaints"], ids["complaints"], "complaint_id"),
        )
    if "reports" in merged:
        write_jsonl(
            truth_dir / "reports.jsonl", extras_rows(merged["reports"], ids["reports"], "report_id")
        )
    write_jsonl(
        truth_dir / "delivery.jsonl",
        [row for name, e in merged.items() for row in delivery_rows(e, ids[name])],
    )
    write_json(truth_dir / "conditions.json", _conditions_json(conditions, deployment))
    write_jsonl(
        truth_dir / "coverage.jsonl", coverage_rows(deployment, conditions, happenings, seed)
    )
    summary = _summary(out_dir, scenario, seed, happenings, merged, len(false_alarms), conditions)
    write_json(
        truth_dir / "scenario.json",
        _scenario_json(world, scenario, seed, deployment, conditions, summary),
    )
    return summary


def _merge(emissions: list[Emission]) -> dict[str, Emission]:
    merged: dict[str, Emission] = {}
    for emission in emissions:
        if emission.stream not in merged:
            merged[emission.stream] = emission
            continue
        target = merged[emission.stream]
        offset = len(target.records)
        target.records += emission.records
        target.causes += emission.causes
        target.phases += emission.phases
        target.delay_s += emission.delay_s
        target.duplicates += [offset + i for i in emission.duplicates]
        for key, sensors in emission.could_detect.items():
            target.could_detect.setdefault(key, []).extend(sensors)
        target.truth.update({offset + i: v for i, v in emission.truth.items()})
    return merged


def _summary(
    out_dir: Path,
    scenario: Scenario,
    seed: int,
    happenings: Sequence[Any],
    merged: dict[str, Emission],
    false_alarms: int,
    conditions: Conditions,
) -> RunSummary:
    kinds = Counter(h.kind.value for h in happenings)
    parties = Counter(h.party for h in happenings if h.violations)
    rules = Counter(rule for h in happenings for rule in h.violations)
    records = {name: len(e.records) + len(e.duplicates) for name, e in merged.items()}
    jammed = tuple(
        f"{j.label}: {j.area.radius_m / 1000:g} km around [{j.area.lon:.3f}, {j.area.lat:.3f}] "
        f"{ns_text(j.start_ns, 0)} to {ns_text(j.end_ns, 0)}"
        for j in conditions.jamming
    )
    return RunSummary(
        out_dir,
        scenario.name,
        seed,
        scenario.hours,
        dict(kinds),
        {str(k): v for k, v in parties.items()},
        dict(rules),
        records,
        false_alarms,
        jammed,
    )


def _conditions_json(conditions: Conditions, deployment: Deployment) -> dict[str, Any]:
    return {
        "start": ns_text(conditions.start_ns, 0),
        "end": ns_text(conditions.end_ns, 0),
        "cloud_fraction": conditions.cloud_fraction,
        "outages": [
            {"sensor_id": s, "start": ns_text(a, 0), "end": ns_text(b, 0)}
            for s, a, b in conditions.outages
        ],
        "jamming": [
            {
                "label": j.label,
                "center": [j.area.lon, j.area.lat],
                "radius_m": j.area.radius_m,
                "start": ns_text(j.start_ns, 0),
                "end": ns_text(j.end_ns, 0),
            }
            for j in conditions.jamming
        ],
        "clock_skew_s": {s.sensor_id: s.clock_skew_s for s in deployment.sensors if s.clock_skew_s},
    }


def _scenario_json(
    world: World,
    scenario: Scenario,
    seed: int,
    deployment: Deployment,
    conditions: Conditions,
    summary: RunSummary,
) -> dict[str, Any]:
    agreement = world.agreement
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "seed": seed,
        "hours": scenario.hours,
        "start": ns_text(conditions.start_ns, 0),
        "end": ns_text(conditions.end_ns, 0),
        "agreement": {"id": agreement.id, "version": agreement.version, "digest": agreement.digest},
        "deployment": deployment.name,
        "sensors": dict(Counter(str(s.kind) for s in deployment.sensors)),
        "software": {"ceasewatch": __version__},
        "counts": {
            "happenings": summary.happenings,
            "violating_by_party": summary.by_party,
            "violations_by_rule": summary.violations,
            "records": summary.records,
            "false_alarms": summary.false_alarms,
        },
    }
