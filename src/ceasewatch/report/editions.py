"""One redaction policy: the record → the edition a reader may have.

Every edition is made from the one full record by :func:`edition`, never kept by hand:

=====================  ===========================  ==============================  ==========
what                   ``public``                   ``party:<ID>``                  ``full``
=====================  ===========================  ==============================  ==========
summary, counts by     kept                         kept                            kept
sector/type/party,
coverage statements,
trend, escalation
notable matters        sector only: no place, no    those concerning the party      all
                       reasons, no ids, no          (responsibility ≥ 0.05), with
                       positions                    place and reasons as evidence
                                                    summary; no evidence ids
violations on the map  none (counts per sector)     those concerning the party      all
complaints             each party's record only     its own, with their answers;    all
                                                    every party's record
coverage per 10 km of  none                         none                            all
line (on the map)
=====================  ===========================  ==============================  ==========

Sensor ids and positions are never in the record at all (coverage is per sector, and per 10 km
of line), so no edition can leak them. Coverage per 10 km of line shows where the monitors are
blind, which a party could exploit: only the full edition keeps it; the others keep the
per-sector statements. Evidence ids (``events:…``) are in the full edition only.
"""

from __future__ import annotations

from dataclasses import replace

from ceasewatch.errors import InputError
from ceasewatch.report.daily_types import Incident, Record

EDITIONS_HELP = "public | full | party:<ID> (e.g. party:RU)"


def edition(record: Record, name: str) -> Record:
    """The edition ``name`` of ``record`` (which must be the full record)."""
    if record.edition != "full":
        raise InputError(
            f"edition {name!r} must be made from the full record, not {record.edition!r}"
        )
    if name == "full":
        return record
    if name == "public":
        return _public(record)
    if name.startswith("party:"):
        party = name.removeprefix("party:")
        known = [pid for pid, _ in record.parties]
        if party not in known:
            raise InputError(
                f"edition {name!r}: no party {party!r} in {record.agreement}; "
                f"use one of {', '.join('party:' + p for p in known)}"
            )
        return _party(record, party)
    raise InputError(f"edition {name!r}: use {EDITIONS_HELP}")


def edition_slug(name: str) -> str:
    """The edition as it appears in file names: 'party:RU' → 'party-RU'."""
    return name.replace(":", "-")


def _public(record: Record) -> Record:
    return replace(
        record,
        edition="public",
        incidents=tuple(_sector_only(i) for i in record.incidents),
        points=(),
        complaints=(),
        line_coverage=(),
    )


def _sector_only(incident: Incident) -> Incident:
    return replace(
        incident,
        key="",
        text_place=incident.text_sector,
        reasons=(),
        violation_ids=(),
        evidence_ids=(),
        positions=(),
    )


def _party(record: Record, party: str) -> Record:
    mine = tuple(replace(i, evidence_ids=()) for i in record.incidents if party in i.concerns)
    return replace(
        record,
        edition=f"party:{party}",
        incidents=mine,
        points=tuple(p for p in record.points if party in p.concerns),
        complaints=tuple(c for c in record.complaints if c.party == party),
        line_coverage=(),
    )
