"""A seeded adjudication folder whose every violation, cluster and complaint is known, and what
the daily report of its day must say, worked out from that known set alone.

:func:`make_scenario` draws bursts of fire (and a few acts of interference, weapons in withdrawal
zones and drones over the security zone) around towns near the line of the default agreement
ua-2026, with known probabilities: the most likely party of a burst is RU, UA or unknown with
:data:`PARTY_P`, each member's severity follows :data:`SEVERITY_P`, a share of the
responsibility and occurrence probabilities sit on or just under a bound of the confidence scale,
and bursts start before the day, in it, across and after the cut-off, and on the next day.
Complaints are drawn the same way. The rows are written in the format ``ceasewatch adjudicate``
writes (see daily_scenario.py); :class:`Truth` is computed from the drawn values here, never from
the report's code, so the test can compare the rendered report with it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from shapely.prepared import prep

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.places import Gazetteer

Row = dict[str, Any]

DAY = datetime(2026, 2, 18, tzinfo=UTC)
DAY_TEXT = "2026-02-18"
NEXT_DAY = DAY + timedelta(days=1)
NO_SECTOR = "(no sector)"
PARTIES = ("UA", "RU")
PARTY_P = {"RU": 0.5, "UA": 0.35, "unknown": 0.15}
SEVERITY_P = {"critical": 0.1, "high": 0.35, "medium": 0.35, "low": 0.2}
SEVERITIES = ("critical", "high", "medium", "low")  # most severe first
NOTABLE = ("critical", "high")
STATUS_P = {"auto": 0.8, "verified": 0.08, "disputed": 0.05, "dismissed": 0.07}
OUTCOME_P = {"corroborated": 0.4, "contradicted": 0.25, "unverifiable": 0.25, "duplicate": 0.1}
OUTCOMES = ("corroborated", "contradicted", "unverifiable", "duplicate")
ON_THE_SCALE = (0.95, 0.9496, 0.8, 0.7996, 0.6, 0.5996)
"""Probabilities on a bound of the confidence scale and just under it."""
MAX_MATTERS = 25  # docs/reports.md: "The 25 most severe and largest matters are told"

ANCHORS = (  # (lon, lat) near places along the line, in several sectors of ua-2026
    (38.05, 48.30),  # Horlivka, Donetsk
    (38.00, 48.60),  # Bakhmut, Donetsk
    (37.75, 48.14),  # Avdiivka, Donetsk
    (35.30, 47.45),  # Vasylivka, Zaporizhzhia
    (36.26, 47.66),  # Huliaipole, Zaporizhzhia
    (37.62, 49.71),  # Kupiansk, Kharkiv
    (36.94, 50.29),  # Vovchansk, Kharkiv
    (38.22, 49.05),  # Kreminna, Luhansk
    (32.62, 46.64),  # Kherson
    (33.40, 46.80),  # Nova Kakhovka, Kherson
    (34.40, 47.57),  # Nikopol, Dnipropetrovsk
    (31.20, 46.00),  # at sea: in no sector
)
REAR = ("odesa", "kirovohrad", "poltava")  # sectors read as "no line here" when coverage is given

KINDS = {  # kind → (rule, weight)
    "fire": ("no-fire", 0.75),
    "interference": ("no-interference", 0.08),
    "withdrawal": ("heavy-weapons-withdrawal", 0.1),
    "flight": ("no-flight-security-zone", 0.07),
}
FIRE_CATEGORIES = {"explosion/impact": 0.6, "explosion/launch": 0.2, "explosion/drone": 0.12,
                   "burst": 0.08}  # fmt: skip
WEAPONS = {
    "explosion/impact": ("artillery_ge_100mm", "artillery_lt_100mm", "mortar", "mlrs", None),
    "explosion/launch": ("artillery_ge_100mm", "artillery_lt_100mm", "mlrs"),
    "explosion/drone": (None,),
    "burst": ("small_arms",),
    "interference": (None,),
    "weapon/withdrawal": ("tank", "artillery_ge_100mm", "mlrs"),
    "drone/no_fly": (None,),
}


@dataclass
class Scenario:
    """The known set: every row written, and the cut-off (None: the end of the day)."""

    seed: int
    cutoff: datetime | None
    violations: list[Row] = field(default_factory=list)
    indeterminate: list[Row] = field(default_factory=list)
    clusters: list[Row] | None = None
    sectors: list[Row] | None = None
    answers: list[Row] = field(default_factory=list)
    records: Row = field(default_factory=dict)

    @property
    def stop(self) -> datetime:
        return self.cutoff or NEXT_DAY

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, list[Row] | None] = {
            "violations.jsonl": self.violations,
            "indeterminate.jsonl": self.indeterminate,
            "escalation.jsonl": self.clusters,
            "sectors.jsonl": self.sectors,
            "complaint-answers.jsonl": self.answers,
        }
        for name, rows in files.items():
            if rows is not None:
                text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                (folder / name).write_text(text, encoding="utf-8")
        (folder / "complaint-records.json").write_text(json.dumps(self.records), encoding="utf-8")
        window = {"from": _text(DAY, 0), "to": _text(NEXT_DAY, 0)}
        (folder / "verdicts.json").write_text(json.dumps({"coverage": window}), encoding="utf-8")
        return folder


# --- drawing the known set ------------------------------------------------------------------


def make_scenario(
    seed: int, agreement: Agreement, gazetteer: Gazetteer, *, busy: bool = False
) -> Scenario:
    """The known set of ``seed``; ``busy``: a day of 60–70 bursts, more notable matters than a
    report tells."""
    rng = random.Random(seed)
    cutoff_h = rng.choice((None, 20.0, 22.0, 23.5))
    cutoff = None if cutoff_h is None else DAY + timedelta(hours=cutoff_h)
    scenario = Scenario(seed, cutoff)
    count = rng.randint(60, 70) if busy else rng.randint(8, 14)
    bursts = [_burst(rng, i, cutoff_h or 24.0) for i in range(count)]
    bursts += _edges(rng, cutoff, len(bursts))
    _place(bursts, agreement, gazetteer)
    for burst in bursts:
        scenario.violations.extend(burst["rows"])
    scenario.violations.sort(key=lambda r: (r["t"], r["violation_id"]))
    scenario.indeterminate = _indeterminate(rng, seed)
    if rng.random() < 0.8:  # else no escalation.jsonl: every violation is its own matter
        scenario.clusters = [c for b in bursts for c in _clusters(rng, b)]
    if rng.random() < 0.85:  # else no sectors.jsonl: coverage unknown everywhere
        scenario.sectors = _coverage(rng, agreement, scenario.violations)
    scenario.answers = _answers(rng)
    scenario.records = _records(scenario.answers)
    return scenario


def _burst(rng: random.Random, index: int, cutoff_h: float) -> Row:
    """One burst: a party, a rule, a place and a time, and its members' drawn values."""
    kind = rng.choices(list(KINDS), weights=[w for _, w in KINDS.values()])[0]
    party = rng.choices(list(PARTY_P), weights=list(PARTY_P.values()))[0]
    zone = rng.choices(["before", "day", "cut", "after", "next"], weights=[1, 6, 2, 1.5, 1])[0]
    start_h = {
        "before": rng.uniform(-4.0, -0.1),
        "day": rng.uniform(0.0, max(cutoff_h - 0.5, 0.5)),
        "cut": rng.uniform(cutoff_h - 1.5, cutoff_h - 0.05),
        "after": rng.uniform(min(cutoff_h, 23.0), 24.0),
        "next": rng.uniform(24.0, 27.0),
    }[zone]
    size = rng.choices([1, 2, 3, 5, 8], weights=[4, 3, 2, 1.5, 1])[0]
    if kind != "fire":
        size = min(size, 2)
    spread_s = rng.choice((50.0, 720.0, 3600.0, 9000.0))
    t0_us = round(start_h * 3600e6)
    offsets = sorted(round(rng.uniform(0.0, spread_s) * 1e6) for _ in range(size))
    same_p = rng.random() < 0.4  # one firing ground: every member the same probabilities
    shared = _responsible(rng, party)
    lon0, lat0 = rng.choice(ANCHORS)
    lon0, lat0 = lon0 + rng.uniform(-0.05, 0.05), lat0 + rng.uniform(-0.04, 0.04)
    rows = []
    for k, offset in enumerate(offsets):
        category = _category(rng, kind)
        basis = _basis(rng, category)
        responsible = shared if same_p else _responsible(rng, party)
        rows.append(
            {
                "t_us": t0_us + offset,
                "position": [lon0 + rng.uniform(-0.02, 0.02), lat0 + rng.uniform(-0.015, 0.015)],
                "violation_id": f"vi-{index:04x}{k:04x}{rng.getrandbits(32):08x}",
                "rule_id": KINDS[kind][0],
                "category": category,
                "weapon": rng.choice(WEAPONS[category]),
                "basis": basis,
                "responsible": responsible,
                "p_occurred": _probability(rng, 0.5),
                "severity": rng.choices(list(SEVERITY_P), weights=list(SEVERITY_P.values()))[0],
                "status": rng.choices(list(STATUS_P), weights=list(STATUS_P.values()))[0],
            }
        )
    return {"index": index, "party": party, "rows": rows}


def _edges(rng: random.Random, cutoff: datetime | None, first: int) -> list[Row]:
    """Single violations exactly at the start of the day, at the cut-off and at the end."""
    instants = [DAY, NEXT_DAY] + ([cutoff] if cutoff else [])
    out = []
    for n, instant in enumerate(i for i in instants if rng.random() < 0.6):
        burst = _burst(rng, first + n, 12.0)
        row = burst["rows"][0]
        row["t_us"] = round((instant - DAY).total_seconds() * 1e6)
        burst["rows"] = [row]
        out.append(burst)
    return out


def _category(rng: random.Random, kind: str) -> str:
    if kind == "fire":
        return rng.choices(list(FIRE_CATEGORIES), weights=list(FIRE_CATEGORIES.values()))[0]
    return {"interference": "interference", "withdrawal": "weapon/withdrawal",
            "flight": "drone/no_fly"}[kind]  # fmt: skip


def _basis(rng: random.Random, category: str) -> str | None:
    if category in ("explosion/impact", "burst"):
        return "firing_position" if rng.random() < 0.6 else "impact_only"
    return {"explosion/launch": "launch", "explosion/drone": "impact_only",
            "weapon/withdrawal": "presence", "drone/no_fly": "flight"}.get(category)  # fmt: skip


def _probability(rng: random.Random, low: float) -> float:
    if rng.random() < 0.3:
        return rng.choice(ON_THE_SCALE)
    return round(rng.uniform(low, 0.9999), 4)


def _responsible(rng: random.Random, party: str) -> dict[str, float]:
    """UA, RU, unknown summing to 1 (to 4 decimals), ``party`` strictly the largest."""
    top = _probability(rng, 0.51)
    rest = round(1.0 - top, 4)
    a = round(rest * rng.uniform(0.0, 1.0), 4)
    others = [k for k in (*PARTIES, "unknown") if k != party]
    out = {party: top, others[0]: a, others[1]: round(rest - a, 4)}
    assert max(out.values()) == top and sum(v == top for v in out.values()) == 1
    return {k: out[k] for k in (*PARTIES, "unknown")}


def _place(bursts: list[Row], agreement: Agreement, gazetteer: Gazetteer) -> None:
    """Each member's sector (the agreement's sector areas) and place wording (the gazetteer),
    then its row as ``violations.jsonl`` has it."""
    areas = [(str(s.id), prep(s.area)) for s in agreement.sectors]
    members = [r for b in bursts for r in b["rows"]]
    places = gazetteer.describe_many(
        [r["position"][0] for r in members], [r["position"][1] for r in members]
    )
    described = iter(places)
    for burst in bursts:
        rows = []
        for r in burst["rows"]:
            spot = Point(*r["position"])
            sector = next((sid for sid, area in areas if area.contains(spot)), None)
            place = next(described)
            rows.append(_row(r, sector, None if place is None else place.text))
        burst["rows"] = rows


def _row(r: Row, sector: str | None, place: str | None) -> Row:
    party = max(r["responsible"], key=lambda k: r["responsible"][k])
    ground = "ground no party holds" if party == "unknown" else f"{party}-held ground"
    reason = {
        "firing_position": f"fired from {ground}, 2.4 km from the line (that this firing "
        "position belongs to the impact: 0.91)",
        "impact_only": f"impact on {ground} with no firing position: fire comes from across "
        "the line with probability 0.85 (short rounds fall on their own side)",
        "launch": f"outgoing fire heard from {ground}, 1.2 km from the line",
        "presence": f"weapons seen on {ground}, 6.0 km from the line",
        "flight": f"seen over {ground}; drones are flown from across the line with "
        "probability 0.80",
        None: "not assessed: interference logs show that sensors were jammed",
    }[r["basis"]]
    evidence = f"events:ev-{r['violation_id'][3:]}"
    return {
        "violation_id": r["violation_id"],
        "rule_id": r["rule_id"],
        "event_ids": [evidence.split(":")[1]],
        "t": _text(DAY + timedelta(microseconds=r["t_us"])),
        "position": [round(r["position"][0], 6), round(r["position"][1], 6)],
        "place": place,
        "p_occurred": r["p_occurred"],
        "responsible": r["responsible"],
        "p_deliberate": None,
        "severity": r["severity"],
        "status": r["status"],
        "reasons": ["located by 4 sensors", reason],
        "incident_id": "in-" + r["violation_id"][3:],
        "category": r["category"],
        "weapon": r["weapon"],
        "attribution_basis": r["basis"],
        "sector": sector,
        "findings": {
            "occurred": {"reasons": ["heard by 4 sensors"], "evidence": [evidence]},
            "responsible": {"reasons": [reason], "evidence": [evidence]},
            "deliberate": {"reasons": ["not assessed"], "evidence": []},
        },
        "evidence": [evidence],
    }


def _indeterminate(rng: random.Random, seed: int) -> list[Row]:
    """Verdicts below p_occurred 0.5 in the day: never a violation of the report."""
    rows = []
    for k in range(rng.randint(1, 4)):
        t = DAY + timedelta(seconds=rng.uniform(0, 86_399))
        rows.append({"violation_id": f"vi-ffff{seed:04x}{k:08x}", "rule_id": "no-fire",
                     "t": _text(t), "position": [38.0, 48.3], "place": "2 km E of Horlivka",
                     "p_occurred": round(rng.uniform(0.05, 0.49), 4),
                     "responsible": {"UA": 0.1, "RU": 0.8, "unknown": 0.1},
                     "severity": "critical", "status": "auto", "category": "explosion/impact",
                     "sector": "donetsk", "reasons": ["one sensor alone"]})  # fmt: skip
    return rows


def _clusters(rng: random.Random, burst: Row) -> list[Row]:
    """The burst's escalation clusters: its members that are not dismissed, one cluster per
    sector (clusters never cross a sector)."""
    by_sector: dict[str | None, list[Row]] = {}
    for r in burst["rows"]:
        if r["status"] != "dismissed":
            by_sector.setdefault(r["sector"], []).append(r)
    out = []
    for sector, rows in by_sector.items():
        ids = sorted(r["violation_id"] for r in rows)
        first, last = min(r["t"] for r in rows), max(r["t"] for r in rows)
        due = _text(_parse(first) + timedelta(hours=24))
        notified = ["coordination-cell"] + (["guarantors"] if rng.random() < 0.3 else [])
        out.append(
            {"cluster_id": "cl-" + hashlib.sha256(" ".join(ids).encode()).hexdigest()[:16],
             "anchor_id": min(rows, key=lambda r: (r["t"], r["violation_id"]))["violation_id"],
             "rule_id": rows[0]["rule_id"], "party": burst["party"], "sector": sector,
             "violation_ids": ids, "count": len(ids), "first": first, "last": last,
             "severity": min((r["severity"] for r in rows), key=SEVERITIES.index),
             "state": rng.choices(["open", "answered"], weights=[3, 1])[0],
             "notified": notified, "escalated": rng.random() < 0.15,
             "next": rng.choice([None, {"step": 1, "after_h": 24.0, "due": due,
                                        "notify": ["guarantors", "parties"], "escalate": True}])}
        )  # fmt: skip
    return out


def _coverage(rng: random.Random, agreement: Agreement, violations: list[Row]) -> list[Row]:
    """sectors.jsonl: a reading per sector drawn independently of the violations there (a
    sector nobody could observe may still have violations, e.g. reported by observers)."""
    sectors = [str(s.id) for s in agreement.sectors]
    if any(v["sector"] is None for v in violations):
        sectors.append(NO_SECTOR)
    rows = []
    for sector in sectors:
        mine = [v for v in violations if (v["sector"] or NO_SECTOR) == sector]
        if sector in REAR or sector == NO_SECTOR:
            seen, reading = None, "no line here"
        else:
            seen = round(rng.choice([rng.uniform(0.8, 1.0), rng.uniform(0.2, 0.8),
                                     rng.uniform(0.0, 0.2)]), 4)  # fmt: skip
            reading = "observed" if seen >= 0.8 else "partly observed"
            reading = reading if seen >= 0.2 else "not observable"
        parties = Counter(most_likely(v)[0] for v in mine)
        rows.append(
            {"sector": sector, "violations": len(mine), "by_party": dict(sorted(parties.items())),
             "line_observable": seen, "sensors_available": round(rng.uniform(0.05, 1.0), 4),
             "hours": 24, "blind_hours": 0 if seen is None else rng.randint(0, 24),
             "reading": reading}
        )  # fmt: skip
    return rows


def _answers(rng: random.Random) -> list[Row]:
    out, numbers = [], Counter[str]()
    for _ in range(rng.randint(3, 9)):
        party = rng.choice(PARTIES)
        numbers[party] += 1
        cid = f"{party}-2026-{numbers[party]:04d}"
        t = (DAY + timedelta(hours=rng.uniform(-20.0, 40.0))).replace(microsecond=0)
        outcome = rng.choices(list(OUTCOME_P), weights=list(OUTCOME_P.values()))[0]
        against = "RU" if party == "UA" else "UA"
        reason = {
            "corroborated": f"corroborated: {rng.randint(1, 4)} violations by {against} seen in "
            "the alleged place and window",
            "contradicted": f"contradicted: nothing by {against} seen where it would have been "
            f"seen (chance {rng.uniform(0.6, 0.99):.2f})",
            "unverifiable": "unverifiable: not observable there",
            "duplicate": "duplicate of an earlier complaint",
        }[outcome]
        out.append(
            {"complaint_id": cid, "party": party, "alleged_party": against,
             "category": rng.choice(["shelling", "drone strike", "small-arms fire"]),
             "outcome": outcome, "violation_ids": [], "incident_ids": [], "duplicate_of": None,
             "reasons": [reason], "t_submitted": _text(t, 0),
             "t_due": _text(t + timedelta(hours=72), 0),
             "t_answered": _text(t + timedelta(hours=5), 0), "late": rng.random() < 0.2,
             "observed": None}
        )  # fmt: skip
    return out


def _records(answers: list[Row]) -> Row:
    """complaint-records.json: each party's record over every answer (to date)."""
    parties = {}
    for party in sorted({a["party"] for a in answers}):
        n = party_counts([a for a in answers if a["party"] == party])
        parties[party] = {"party": party, **n}
    return {"as_of": _text(NEXT_DAY + timedelta(days=1), 0), "answer_within_h": 72.0,
            "parties": parties}  # fmt: skip


def party_counts(answers: list[Row]) -> Row:
    """submitted, each outcome, late and the accurate share of decided complaints."""
    n = Counter(a["outcome"] for a in answers)
    decided = n["corroborated"] + n["contradicted"]
    share = None if not decided else round(n["corroborated"] / decided, 4)
    return {"submitted": len(answers), **{o: n[o] for o in OUTCOMES},
            "late": sum(a["late"] for a in answers), "accurate_share": share}  # fmt: skip


def _text(t: datetime, digits: int = 6) -> str:
    text = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text[: 20 + digits] if digits else text[:19]) + "Z"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- what the report must say -----------------------------------------------------------


def most_likely(row: Row) -> tuple[str, float]:
    """The party (or unknown) holding the most responsibility (the scenario has no ties)."""
    party = max(row["responsible"], key=lambda k: row["responsible"][k])
    return party, row["responsible"][party]


@dataclass(frozen=True)
class Matter:
    """A notable matter as the report must tell it: its members among the report's
    violations, high or critical only."""

    key: str
    members: tuple[Row, ...]

    @property
    def first(self) -> datetime:
        return _parse(self.members[0]["t"])

    @property
    def last(self) -> datetime:
        return _parse(self.members[-1]["t"])

    @property
    def severity(self) -> str:
        return min((m["severity"] for m in self.members), key=SEVERITIES.index)

    @property
    def party(self) -> str:
        return Counter(most_likely(m)[0] for m in self.members).most_common(1)[0][0]

    def mean_p(self, party: str) -> Fraction:
        """The mean responsibility of ``party``, exactly (the rows hold 4 decimals)."""
        values = [Fraction(str(m["responsible"][party])) for m in self.members]
        return sum(values, Fraction(0)) / len(values)

    @property
    def p_occurred(self) -> Fraction:
        return min(Fraction(str(m["p_occurred"])) for m in self.members)


@dataclass(frozen=True)
class Truth:
    """Every figure of the daily report of :data:`DAY_TEXT`, from the known set."""

    reported: tuple[Row, ...]  # violations of the report: in the window, before the cut-off
    after_cutoff: int
    matters: tuple[Matter, ...]  # told, in time order
    left_out: tuple[Matter, ...]
    answers: tuple[Row, ...]  # complaints of the report, by submission time then id
    ladder: tuple[Row, ...] | None  # clusters of the window; None without escalation.jsonl
    cluster_of: dict[str, Row]

    def count(self, key: str) -> Counter[str]:
        """Violations of the report by ``sector`` | ``party`` | ``category`` | ``severity``."""
        if key == "party":
            return Counter(most_likely(r)[0] for r in self.reported)
        if key == "sector":
            return Counter(r["sector"] or NO_SECTOR for r in self.reported)
        return Counter(r[key] for r in self.reported)


def truth(s: Scenario) -> Truth:
    """A violation dismissed on review is "not a violation at all" (docs/adjudication-review.md)
    and is not counted anywhere; one at or after the cut-off is left to the next report."""
    kept = [v for v in s.violations if v["status"] != "dismissed"]
    window = [v for v in kept if DAY <= _parse(v["t"]) < NEXT_DAY]
    reported = tuple(v for v in window if _parse(v["t"]) < s.stop)
    cluster_of = {vid: c for c in s.clusters or () for vid in c["violation_ids"]}
    groups: dict[str, list[Row]] = {}
    for v in reported:
        if v["severity"] in NOTABLE:
            key = cluster_of[v["violation_id"]]["cluster_id"] if s.clusters else v["violation_id"]
            groups.setdefault(key, []).append(v)
    matters = [Matter(k, tuple(sorted(g, key=lambda r: r["t"]))) for k, g in groups.items()]
    matters.sort(key=lambda m: (SEVERITIES.index(m.severity), -len(m.members), m.first, m.key))
    told = sorted(matters[:MAX_MATTERS], key=lambda m: (m.first, m.key))
    answers = sorted(
        (a for a in s.answers if DAY <= _parse(a["t_submitted"]) < s.stop),
        key=lambda a: (a["t_submitted"], a["complaint_id"]),
    )
    ladder = None
    if s.clusters is not None:
        ladder = tuple(
            c for c in s.clusters if _parse(c["first"]) < s.stop and _parse(c["last"]) >= DAY
        )
    return Truth(
        reported=reported,
        after_cutoff=len(window) - len(reported),
        matters=tuple(told),
        left_out=tuple(matters[MAX_MATTERS:]),
        answers=tuple(answers),
        ladder=ladder,
        cluster_of=cluster_of,
    )
