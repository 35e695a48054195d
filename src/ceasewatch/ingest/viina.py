"""VIINA 2.0 news-event files as observer reports (``reports.jsonl`` records).

VIINA (Zhukov & Ayers, ODbL 1.0) geocodes Ukrainian and Russian news headlines, one row per
(headline, place): ``datetime, lon, lat, place_name, event_type, headline``. Each accepted row
becomes one report record the ``reports`` adapter accepts, with ``team_id`` ``"viina"`` and
optional extra fields: ``source``, ``headline``, ``place_name``, ``viina_event_types``,
``category`` (a taxonomy id, see :data:`CODES`), ``oblast``, ``geo_check``, ``geo_offset_km``.

Geolocation: the row's lon/lat, checked against the gazetteer settlement of the same name
(Latin, Ukrainian or Russian spelling, compared as a consonant skeleton so Kharkiv, Харків and
Харьков agree). Coordinates more than :data:`DISAGREE_KM` from every settlement of that name are
flagged ``"name_far"``; a row without coordinates takes the named settlement's (``"from_name"``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.model.geo import geodesic_inverse
from ceasewatch.model.places import Gazetteer, Settlement
from ceasewatch.model.translit import skeleton

COLUMNS = ("datetime", "lon", "lat", "place_name", "event_type", "headline")
DISAGREE_KM = 25.0
"""Coordinates farther than this from every settlement bearing the row's place name are flagged."""


@dataclass(frozen=True)
class Code:
    meaning: str
    category: str  # a taxonomy category id (adjudication/taxonomy.py) or "unknown"
    what: str | None  # the reports.jsonl ``what`` it implies, if any


CODES: dict[str, Code] = {
    "artillery": Code("artillery or rocket fire", "explosion/impact", "explosion"),
    "airstrike": Code("air or missile strike", "explosion/impact", "explosion"),
    "uav": Code("drone attack or drone use", "explosion/drone", "explosion"),
    "ied": Code("mine, IED or unexplained blast", "explosion/undetermined", "explosion"),
    "aad": Code("air defence engaging targets", "projectile", "projectile"),
    "firefight": Code("small-arms fire, armed clash", "burst", "burst"),
    "armor": Code("armoured vehicles or tanks", "weapon/withdrawal", "weapon_sighting"),
    "property": Code("damage to property or infrastructure", "damage/civilian", "damage"),
    "civcas": Code("civilian casualties", "damage/civilian", "casualty"),
    "hospital": Code("strike on a hospital or clinic", "damage/civilian", "damage"),
    "milcas": Code("military casualties", "other", "casualty"),
    "raid": Code("sabotage or reconnaissance raid", "other", None),
    "control": Code("territorial control claimed", "other", None),
    "occupy": Code("place taken or occupied", "other", None),
    "retreat": Code("withdrawal from a place", "other", None),
    "loc": Code("place named, no event class", "unknown", None),
    "arrest": Code("arrest or detention", "unknown", None),
    "airalert": Code("air-raid alert", "unknown", None),
    "cyber": Code("cyber attack", "unknown", None),
    "san": Code("sanctions", "unknown", None),
}
"""VIINA 2.0 event-type code → meaning, taxonomy category and report ``what``."""

TRUNCATED = {"firefighb": "firefight", "arresb": "arrest", "airalerb": "airalert",
             "retreab": "retreat"}  # fmt: skip
"""Codes cut short in the VIINA export, mapped to their full form."""

PRIORITY = tuple(CODES)
"""A row's category and ``what`` come from its first code in this order (most specific first)."""


@dataclass(frozen=True)
class Rejected:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ViinaBatch:
    reports: tuple[dict[str, object], ...]
    rejected: tuple[Rejected, ...]


def classify(field: str) -> tuple[tuple[str, ...], str, str | None, tuple[str, ...]]:
    """(codes in full form, category, what, unmapped codes) of one ``event_type`` field."""
    codes = tuple(TRUNCATED.get(c, c) for c in (p.strip() for p in field.split("|")) if c)
    known = [c for c in PRIORITY if c in codes]
    unmapped = tuple(c for c in codes if c not in CODES)
    category = CODES[known[0]].category if known else "unknown"
    whats = [CODES[c].what for c in known if CODES[c].what]
    return codes, category, whats[0] if whats else None, unmapped


class PlaceNames:
    """Settlements by name skeleton (Latin, Ukrainian, Russian) over a gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._by_key: dict[str, list[Settlement]] = {}
        for s in gazetteer.settlements:
            for key in {skeleton(n) for n in (s.name, *s.names_cyrillic)}:
                if key:
                    self._by_key.setdefault(key, []).append(s)

    def lookup(self, name: str) -> tuple[Settlement, ...]:
        return tuple(self._by_key.get(skeleton(name), ()))


def _fail(message: str, fix: str) -> InputError:
    return InputError(f"{message}. Fix: {fix}")


def _time(text: str) -> datetime:
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise _fail(
        f"datetime {text!r} is not 'YYYY-MM-DD HH:MM:SS'",
        "write the report time as 2025-03-31 06:53:00 (UTC)",
    )


def _coord(text: str, name: str, lo: float, hi: float) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise _fail(
            f"{name} {text!r} is not a number", f"write {name} in decimal degrees"
        ) from None
    if not lo <= value <= hi:
        raise _fail(f"{name} {value} is outside [{lo}, {hi}]", "check lon/lat are not swapped")
    return value


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _place(
    names: PlaceNames, place_name: str, lon: float | None, lat: float | None
) -> tuple[float, float, str, float | None, Settlement | None]:
    """(lon, lat, geo_check, offset to the named settlement in km, that settlement)."""
    matches = names.lookup(place_name) if place_name else ()
    if lon is None or lat is None:
        if not matches:
            raise _fail(
                f"no coordinates and place_name {place_name!r} is not in the gazetteer",
                "give lon and lat, or a settlement name the gazetteer knows",
            )
        best = max(matches, key=lambda s: (s.population, s.geonameid))
        return best.lon, best.lat, "from_name", 0.0, best
    if not matches:
        return lon, lat, "name_unknown", None, None
    _az, dist_m = geodesic_inverse(
        [s.lon for s in matches],
        [s.lat for s in matches],
        [lon] * len(matches),
        [lat] * len(matches),
    )
    i = int(dist_m.argmin())
    offset_km = float(dist_m[i]) / 1000.0
    return lon, lat, ("name_far" if offset_km > DISAGREE_KM else "ok"), offset_km, matches[i]


def report_id(row: dict[str, str], occurrence: int) -> str:
    """A content-derived id: the same row gives the same id on every run."""
    text = "\x1f".join(row.get(c, "") for c in COLUMNS) + f"\x1f{occurrence}"
    return "viina-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse_rows(
    rows: Iterable[tuple[int, dict[str, str]]], file: str, names: PlaceNames
) -> ViinaBatch:
    """Report records from numbered CSV rows; bad rows are rejected with file, line and fix."""
    reports: list[dict[str, object]] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        try:
            record = _record(row, names)
        except InputError as error:
            rejected.append(Rejected(file, line, str(error)))
            continue
        base = report_id(row, 0)
        seen[base] = seen.get(base, -1) + 1
        record["report_id"] = report_id(row, seen[base]) if seen[base] else base
        reports.append(record)
    oblasts = names.gazetteer.describe_many(
        [r["observer"][0] for r in reports],  # type: ignore[index]
        [r["observer"][1] for r in reports],  # type: ignore[index]
    ) if reports else []  # fmt: skip
    for record, where in zip(reports, oblasts, strict=True):
        record["oblast"] = where.settlement.oblast if where is not None else ""
        record["place"] = where.text if where is not None else ""
    return ViinaBatch(tuple(reports), tuple(rejected))


def _record(row: dict[str, str], names: PlaceNames) -> dict[str, object]:
    headline = (row.get("headline") or "").strip()
    if not headline:
        raise _fail("the headline is empty", "drop the row or restore its headline")
    t = _time(row.get("datetime") or "")
    lon = _coord(row.get("lon") or "", "lon", -180.0, 180.0)
    lat = _coord(row.get("lat") or "", "lat", -90.0, 90.0)
    place_name = (row.get("place_name") or "").strip()
    lon_v, lat_v, check, offset_km, settlement = _place(names, place_name, lon, lat)
    codes, category, what, unmapped = classify(row.get("event_type") or "")
    date_only = t.hour == t.minute == t.second == 0
    record: dict[str, object] = {
        "report_id": "",
        "team_id": "viina",
        "t_start": _stamp(t),
        "t_end": _stamp(t + timedelta(days=1, seconds=-1) if date_only else t),
        "observer": [round(lon_v, 6), round(lat_v, 6)],
        "text": headline,
        "source": "viina",
        "headline": headline,
        "place_name": place_name,
        "viina_event_types": list(codes),
        "category": category,
        "date_only": date_only,
        "geo_check": check,
        "geo_offset_km": None if offset_km is None else round(offset_km, 1),
        "settlement": settlement.name if settlement is not None else "",
    }
    if what is not None:
        record["what"] = what
    if unmapped:
        record["unmapped_event_types"] = list(unmapped)
    return record


def read_text(text: str, file: str, names: PlaceNames) -> ViinaBatch:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(
            f"{file}:1: the header lacks {', '.join(missing)}. Fix: give a VIINA CSV whose "
            f"first line names {', '.join(COLUMNS)}"
        )
    return parse_rows(((reader.line_num, row) for row in reader), file, names)


def read_files(paths: Iterable[Path], names: PlaceNames) -> ViinaBatch:
    reports: list[dict[str, object]] = []
    rejected: list[Rejected] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(
                f"{path}: cannot read ({error}). Fix: give a UTF-8 VIINA CSV"
            ) from None
        batch = read_text(text, str(path), names)
        reports.extend(batch.reports)
        rejected.extend(batch.rejected)
    return ViinaBatch(tuple(reports), tuple(rejected))
