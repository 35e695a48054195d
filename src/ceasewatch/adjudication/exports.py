"""Violations in the columns of two public conflict datasets: ACLED and the UCDP GED.

Outside researchers already hold tools for ACLED (Armed Conflict Location & Event Data) and for
the UCDP Georeferenced Event Dataset; an export in their columns lets them put our verdicts beside
theirs. The input is the violation JSON (``violations.jsonl`` rows, :meth:`Violation.to_json`);
the output is one dict per exported violation, keyed by the dataset's own column names, in its
official column order (:data:`ACLED_COLUMNS`, :data:`UCDP_COLUMNS`), and :func:`write_csv` writes
them. The mapping and every choice is in docs/adjudication-escalation-exports.md; in short:

- Category → ACLED event type and sub-event type, and → UCDP type of violence, come from the
  taxonomy (:data:`ceasewatch.adjudication.taxonomy.CATEGORIES`); a different map can be passed.
- ACLED ``actor1`` names a party's forces only when P(that party) ≥ 0.9; otherwise it is
  "Unidentified Armed Group (<country>)". Attribution below 0.9 is not published as a name.
- Precision codes come from the location uncertainty (the radius of the 95 % error ellipse):
  ACLED ``geo_precision`` 1 ≤ 2 km < 2 ≤ 25 km < 3; UCDP ``where_prec`` 1 ≤ 1 km < 2 ≤ 25 km
  < 3 ≤ 50 km < 4. Unknown uncertainty gives the coarsest code (ACLED 3, UCDP 4).
- Deaths are unknown to the mechanism: ACLED ``fatalities`` 0 with the tag "fatalities unknown",
  UCDP deaths 0 (GED itself holds only fatal events; see the document).
- Dismissed violations and those with ``p_occurred`` < 0.5 are not exported; the UCDP export
  holds only uses of force (not weapons standing in a zone, drones or interference).

Pure and deterministic: rows are sorted by time, then violation id; no clock is read (ACLED's
``timestamp`` is the ``exported_ns`` the caller passes, or empty).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.taxonomy import CATEGORIES
from ceasewatch.agreement.types import Agreement
from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip
"""ACLED's export columns in its order (ACLED codebook, "Data columns at a glance")."""

UCDP_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
"""The 49 columns of the UCDP GED CSV in its order (GED codebook, versions 21–25)."""

ACTOR_MIN_P = 0.9
"""ACLED ``actor1`` names a party only when the party is at least this likely responsible."""
MIN_P_OCCURRED = 0.5

ACLED_ACTORS: dict[str, str] = {
    "RU": "Military Forces of Russia (2000-)",
    "UA": "Military Forces of Ukraine (2019-)",
}
"""Party id → ACLED actor name (state forces, inter code 1)."""

UCDP_SIDES: dict[str, tuple[str, int]] = {
    "RU": ("Government of Russia (Soviet Union)", 365),
    "UA": ("Government of Ukraine", 369),
}
"""Party id → UCDP side name and Gleditsch–Ward number."""


def default_categories() -> dict[str, tuple[str, str]]:
    """Category id → (ACLED event type, ACLED sub-event type), from the taxonomy."""
    return {c.id: (c.acled_event_type, c.acled_sub_event_type) for c in CATEGORIES.values()}


VIOLENT_EVENT_TYPES = frozenset(
    {"Battles", "Explosions/Remote violence", "Violence against civilians"}
)
"""ACLED event types of use of force: disorder type "Political violence", and UCDP events."""

COUNTRIES: dict[str, tuple[int, int, str]] = {
    "Ukraine": (804, 369, "Europe"),
    "Russia": (643, 365, "Europe"),
    "Syria": (760, 652, "Middle East"),
    "Israel": (376, 666, "Middle East"),
    "Egypt": (818, 651, "Middle East"),
}
"""Country → (ISO 3166 numeric, Gleditsch–Ward number, region as both datasets name it)."""

ISO3: dict[str, str] = {
    "Ukraine": "UKR",
    "Russia": "RUS",
    "Syria": "SYR",
    "Israel": "ISR",
    "Egypt": "EGY",
}

ACLED_GEO_LIMITS_M = (2_000.0, 25_000.0)
"""Radius limits of ACLED geo_precision 1 (town level) and 2 (within a part of a region)."""
UCDP_WHERE_LIMITS_M = (1_000.0, 25_000.0, 50_000.0)
"""Radius limits of UCDP where_prec 1 (exact), 2 (within 25 km) and 3 (district/ADM2 size)."""

_MECHANISM = "Ceasefire monitoring mechanism"
_PLACE = re.compile(r"^(?:\d+(?:\.\d+)? km [NESW]{1,3} of |in )(?P<name>.+?)(?: \([^()]*\))?$")


def acled_geo_precision(radius_m: float | None) -> int:
    """ACLED ``geo_precision`` from the 95 % location radius: 1 ≤ 2 km, 2 ≤ 25 km, else 3."""
    if radius_m is None or not math.isfinite(radius_m):
        return 3
    for code, limit in enumerate(ACLED_GEO_LIMITS_M, start=1):
        if radius_m <= limit:
            return code
    return 3


def ucdp_where_prec(radius_m: float | None) -> int:
    """UCDP ``where_prec`` from the 95 % location radius: 1 ≤ 1 km, 2 ≤ 25 km, 3 ≤ 50 km, else 4
    (only the first-order unit, here the agreement sector, is certain)."""
    if radius_m is None or not math.isfinite(radius_m):
        return 4
    for code, limit in enumerate(UCDP_WHERE_LIMITS_M, start=1):
        if radius_m <= limit:
            return code
    return 4


def location_radius_m(
    violation: Mapping[str, Any], incidents: Mapping[str, Mapping[str, Any]] | None = None
) -> float | None:
    """The radius (m) of the 95 % location error of a violation, or None when unknown.

    Read from the violation's own ``uncertainty_m`` or ``ellipse`` (semi-major axis), else from
    the ellipse of its incident in ``incidents`` (``incidents.jsonl`` rows by incident id).
    """
    if violation.get("uncertainty_m") is not None:
        return float(violation["uncertainty_m"])
    ellipse = violation.get("ellipse")
    if ellipse is None and incidents is not None:
        incident = incidents.get(str(violation.get("incident_id")))
        ellipse = None if incident is None else incident.get("ellipse")
    if not ellipse:
        return None
    return float(ellipse["semi_major_m"])


def acled_rows(
    violations: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    *,
    country: str = "Ukraine",
    categories: Mapping[str, tuple[str, str]] | None = None,
    actors: Mapping[str, str] | None = None,
    incidents: Mapping[str, Mapping[str, Any]] | None = None,
    exported_ns: int | None = None,
) -> list[dict[str, Any]]:
    """One ACLED row per exported violation, in :data:`ACLED_COLUMNS` order, by time then id."""
    mapping = default_categories() if categories is None else categories
    actor_names = ACLED_ACTORS if actors is None else actors
    iso, _gw, region = _country(country)
    rows = []
    for v, t_ns in _exported(violations):
        vid = str(v["violation_id"])
        event_type, sub_event_type = _category(mapping, v)
        party, p = _most_likely(v)
        named = p >= ACTOR_MIN_P and party in actor_names
        actor1 = actor_names[party] if named else f"Unidentified Armed Group ({country})"
        inter1 = 1 if named else 3  # state forces; unidentified groups are coded as militias
        lon, lat = (float(x) for x in v["position"])
        date = format_ns(t_ns, 0)[:10]
        tags = ["fatalities unknown", f"ceasewatch status: {v['status']}"]
        if not named:
            tags.append(f"attribution below {ACTOR_MIN_P:g}: most likely {party} at {p:.2f}")
        row = {
            "event_id_cnty": f"{ISO3.get(country, country[:3].upper())}-{vid}",
            "event_date": date,
            "year": int(date[:4]),
            "time_precision": 1,
            "disorder_type": "Political violence"
            if event_type in VIOLENT_EVENT_TYPES
            else "Strategic developments",
            "event_type": event_type,
            "sub_event_type": sub_event_type,
            "actor1": actor1,
            "assoc_actor_1": "",
            "inter1": inter1,
            "actor2": "",
            "assoc_actor_2": "",
            "inter2": 0,
            "interaction": inter1 * 10,  # "sole" action: no second actor is known
            "civilian_targeting": "",
            "iso": iso,
            "region": region,
            "country": country,
            "admin1": _sector_name(agreement, v.get("sector")),
            "admin2": "",
            "admin3": "",
            "location": _settlement(v.get("place")) or _sector_name(agreement, v.get("sector")),
            "latitude": round(lat, 4),
            "longitude": round(lon, 4),
            "geo_precision": acled_geo_precision(location_radius_m(v, incidents)),
            "source": f"{_MECHANISM} ({agreement.label})",
            "source_scale": "Other",
            "notes": _notes(v, agreement, date),
            "fatalities": 0,
            "tags": "; ".join(tags),
            "timestamp": "" if exported_ns is None else exported_ns // NS_PER_S,
        }
        rows.append({column: row[column] for column in ACLED_COLUMNS})
    return rows


def ucdp_rows(
    violations: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    *,
    country: str = "Ukraine",
    categories: Mapping[str, tuple[str, str]] | None = None,
    sides: Mapping[str, tuple[str, int]] | None = None,
    conflict_name: str = "Russia - Ukraine",
    incidents: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One UCDP GED row per exported use of force, in :data:`UCDP_COLUMNS` order, by time then id.

    The dyad is the agreement's first two parties that ``sides`` names (side A the lower
    Gleditsch–Ward number, as UCDP orders interstate dyads); it does not depend on who fired.
    """
    mapping = default_categories() if categories is None else categories
    side_of = UCDP_SIDES if sides is None else sides
    _iso, gw, region = _country(country)
    dyad = sorted((side_of[p.id] for p in agreement.parties if p.id in side_of), key=lambda s: s[1])
    (side_a, gwnoa), (side_b, gwnob) = (dyad + [("", 0), ("", 0)])[:2]
    rows = []
    for v, t_ns in _exported(violations):
        vid = str(v["violation_id"])
        event_type, _sub = _category(mapping, v)
        if event_type not in VIOLENT_EVENT_TYPES:
            continue
        category = CATEGORIES.get(str(v["category"]))
        lon, lat = (float(x) for x in v["position"])
        date = format_ns(t_ns, 0)[:10]
        sector = _sector_name(agreement, v.get("sector"))
        row = {
            "id": vid,
            "relid": f"CW-{agreement.id}-{vid}",
            "year": int(date[:4]),
            "active_year": "",
            "code_status": "Clear",
            "type_of_violence": 1 if category is None else category.ucdp_type_of_violence,
            "conflict_dset_id": "",
            "conflict_new_id": "",
            "conflict_name": conflict_name,
            "dyad_dset_id": "",
            "dyad_new_id": "",
            "dyad_name": f"{side_a} - {side_b}" if side_a and side_b else "",
            "side_a_dset_id": "",
            "side_a_new_id": "",
            "side_a": side_a,
            "side_b_dset_id": "",
            "side_b_new_id": "",
            "side_b": side_b,
            "number_of_sources": len(v.get("evidence") or ()),
            "source_article": f"{_MECHANISM} ({agreement.label}), violation {vid}",
            "source_office": "",
            "source_date": "",
            "source_headline": "",
            "source_original": _MECHANISM,
            "where_prec": ucdp_where_prec(location_radius_m(v, incidents)),
            "where_coordinates": _settlement(v.get("place")) or sector,
            "where_description": v.get("place") or "",
            "adm_1": sector,
            "adm_2": "",
            "latitude": round(lat, 6),
            "longitude": round(lon, 6),
            "geom_wkt": f"POINT ({round(lon, 6)} {round(lat, 6)})",
            "priogrid_gid": _priogrid(lon, lat),
            "country": country,
            "country_id": gw,
            "region": region,
            "event_clarity": 1,
            "date_prec": 1,
            "date_start": date,
            "date_end": date,
            "deaths_a": 0,
            "deaths_b": 0,
            "deaths_civilians": 0,
            "deaths_unknown": 0,
            "best": 0,
            "high": 0,
            "low": 0,
            "gwnoa": gwnoa or "",
            "gwnob": gwnob or "",
        }
        rows.append({column: row[column] for column in UCDP_COLUMNS})
    return rows


def write_csv(
    rows: Iterable[Mapping[str, Any]], path: Path | str, columns: Sequence[str] | None = None
) -> int:
    """Write rows as UTF-8 CSV with a header; return the number of rows written.

    The header is ``columns``, else :data:`ACLED_COLUMNS` or :data:`UCDP_COLUMNS` when the rows
    carry exactly one of them, else the first row's keys. An empty export still gets its header
    when ``columns`` is given. Lines end in ``\\r\\n`` as RFC 4180 says.
    """
    rows = list(rows)
    if columns is None:
        keys = tuple(rows[0]) if rows else ()
        columns = next((c for c in (ACLED_COLUMNS, UCDP_COLUMNS) if keys == c), keys)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return len(rows)


def _exported(violations: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], int]]:
    """The violations worth publishing, with their time in ns, by time then id."""
    chosen = []
    for v in violations:
        if v.get("status") == "dismissed" or not float(v["p_occurred"]) >= MIN_P_OCCURRED:
            continue
        vid = str(v["violation_id"])
        chosen.append((v, parse_ns(str(v["t"]), where=f"violation {vid}: t")))
    chosen.sort(key=lambda vt: (vt[1], str(vt[0]["violation_id"])))
    return chosen


def _category(mapping: Mapping[str, tuple[str, str]], v: Mapping[str, Any]) -> tuple[str, str]:
    category = str(v.get("category"))
    if category not in mapping:
        raise ValueError(
            f"violation {v['violation_id']}: category {category!r} has no dataset mapping "
            f"(known: {', '.join(sorted(mapping))}); add it to the taxonomy"
        )
    return mapping[category]


def _most_likely(v: Mapping[str, Any]) -> tuple[str, float]:
    responsible: Mapping[str, Any] = v.get("responsible") or {"unknown": 1.0}
    party, p = max(responsible.items(), key=lambda kp: float(kp[1]))  # ties: the first
    return str(party), float(p)


def _country(country: str) -> tuple[int | str, int | str, str]:
    if country in COUNTRIES:
        return COUNTRIES[country]
    return "", "", ""


def _sector_name(agreement: Agreement, sector: object) -> str:
    if not sector:
        return ""
    for s in agreement.sectors:
        if s.id == sector:
            return s.name
    return str(sector)


def _settlement(place: object) -> str:
    """The settlement a place-relative wording refers to: "3 km SE of Horlivka" → "Horlivka"."""
    if not place:
        return ""
    match = _PLACE.match(str(place))
    return match.group("name") if match else str(place)


def _notes(v: Mapping[str, Any], agreement: Agreement, date: str) -> str:
    category = CATEGORIES.get(str(v.get("category")))
    what = category.osce if category is not None else str(v.get("category"))
    where = v.get("place") or "an unnamed place"
    responsible = ", ".join(
        f"{party} {float(p):.2f}" for party, p in (v.get("responsible") or {}).items()
    )
    deliberate = v.get("p_deliberate")
    parts = [
        f"On {date}, {what} {_at(where)} (rule {v['rule_id']} of {agreement.label}).",
        f"Occurred: P={float(v['p_occurred']):.2f}.",
        f"Responsible: {responsible or 'not assessed'}.",
        "Deliberate: not assessed."
        if deliberate is None
        else f"Deliberate: P={float(deliberate):.2f}.",
        f"Status: {v['status']}. Violation {v['violation_id']}.",
    ]
    return " ".join(parts)


def _at(where: str) -> str:
    return where if where.startswith("in ") or " of " in where else f"at {where}"


def _priogrid(lon: float, lat: float) -> int:
    """The PRIO-GRID cell (0.5°): row-major from (-180, -90), 720 columns, 1-based."""
    row = min(int((lat + 90.0) // 0.5), 359)
    col = min(int((lon + 180.0) // 0.5), 719)
    return row * 720 + col + 1
