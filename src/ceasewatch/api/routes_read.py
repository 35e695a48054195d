"""Read routes: the log and its proofs, violations, incidents, aggregates, coverage,
complaints, the sensor registry and raw records. Each takes its :class:`Access` from the guard
and lets :mod:`ceasewatch.api.views` decide what of each row leaves."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ceasewatch.api.app import Access, guard
from ceasewatch.api.policy import Scope
from ceasewatch.api.tokens import Role
from ceasewatch.api.views import aggregate, view
from ceasewatch.errors import NotFoundError

router = APIRouter()
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many rows.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many rows first.")]


@router.get("/health", operation_id="health", tags=["service"])
def health(access: Access = guard("health")) -> dict[str, Any]:
    """Whether the service is up, and the size of the log it serves."""
    with access.catalog.store.read() as log:
        return {"status": "ok", "log_size": log.size()}


@router.get("/whoami", operation_id="whoami", tags=["service"])
def whoami(access: Access = guard("whoami")) -> dict[str, Any]:
    """The role (and party or contributor) the caller's token names."""
    p = access.principal
    return {"role": p.role.value, "party": p.party, "contributor": p.contributor}


# -- the evidence log ----------------------------------------------------------------------


@router.get("/log/checkpoint", operation_id="checkpoint", tags=["log"])
def checkpoint(access: Access = guard("checkpoint")) -> dict[str, Any]:
    """The latest signed checkpoint (C2SP signed-note text), its size and root."""
    with access.catalog.store.read() as log:
        row = log.latest_checkpoint()
    if row is None:
        raise NotFoundError("the log has no checkpoint yet; run ceasewatch log checkpoint")
    return {
        "size": row.size,
        "root": base64.b64encode(row.root).decode(),
        "note": row.note.decode("utf-8", errors="replace"),
    }


@router.get("/log/proofs/consistency", operation_id="consistency_proof", tags=["log"])
def consistency_proof(
    old: Annotated[int, Query(ge=1, le=2**40, description="The earlier tree size.")],
    new: Annotated[int, Query(ge=1, le=2**40, description="The later tree size.")],
    access: Access = guard("consistency_proof"),
) -> dict[str, Any]:
    """That the log of size ``new`` extends the log of size ``old`` (RFC 6962 proof)."""
    from ceasewatch.evidence.merkle import consistency_proof_from

    with access.catalog.store.read() as log:
        size = log.size()
        if not old <= new <= size:
            raise NotFoundError(
                f"no proof from {old} to {new}: need 1 ≤ old ≤ new ≤ {size} (the log's size)"
            )
        proof = consistency_proof_from(old, new, log.subtree)
    return {"old": old, "new": new, "proof": [base64.b64encode(h).decode() for h in proof]}


@router.get("/log/entries/{index}", operation_id="log_entry", tags=["log"])
def log_entry(
    index: Annotated[int, Path(ge=0, le=2**40, description="The entry's index.")],
    access: Access = guard("log_entry"),
) -> dict[str, Any]:
    """One entry of the log (its public leaf), if the caller may see it."""
    leaf = _visible_entry(access, index)
    return {"index": index, "leaf": json.loads(leaf)}


@router.get("/log/proofs/inclusion", operation_id="inclusion_proof", tags=["log"])
def inclusion_proof(
    index: Annotated[int, Query(ge=0, le=2**40, description="The entry's index.")],
    size: Annotated[int, Query(ge=1, le=2**40, description="The tree size to prove against.")],
    access: Access = guard("inclusion_proof"),
) -> dict[str, Any]:
    """That entry ``index`` is in the log of size ``size`` (RFC 6962 audit path), for an
    entry the caller may see."""
    from ceasewatch.evidence.merkle import inclusion_proof_from

    _visible_entry(access, index)
    with access.catalog.store.read() as log:
        if not index < size <= log.size():
            raise NotFoundError(f"no proof of {index} in {size}: need index < size ≤ {log.size()}")
        proof = inclusion_proof_from(index, size, log.subtree)
    return {"index": index, "size": size, "proof": [base64.b64encode(h).decode() for h in proof]}


def _visible_entry(access: Access, index: int) -> bytes:
    catalog = access.catalog
    owners = catalog.owners()
    if not 0 <= index < len(owners):
        raise NotFoundError(f"no entry {index}: the log has {len(owners)} entries")
    who = owners[index]
    if access.scope is Scope.OWN:
        p = access.principal
        mine = (
            p.role is Role.CONTRIBUTOR and catalog.sensor_owner(who.sensor_id) == p.contributor
        ) or (p.role is Role.PARTY and who.party == p.party)
        if not mine:  # the same answer as a missing entry: existence is not disclosed
            raise NotFoundError(f"no entry {index} you may see")
    with catalog.store.read() as log:
        return log.entry(index).leaf


# -- findings ------------------------------------------------------------------------------


def _violations(access: Access) -> list[dict[str, Any]]:
    """The violations the caller may see, with their reviewed status."""
    if access.scope is Scope.CONCERNING:
        return access.catalog.concerning(access.principal.party or "")
    return access.catalog.reviewed_violations()


@router.get("/violations", operation_id="violations", tags=["findings"])
def violations(
    limit: Limit = 100,
    offset: Offset = 0,
    sector: Annotated[str | None, Query(max_length=64)] = None,
    access: Access = guard("violations"),
) -> dict[str, Any]:
    """Violations the caller may see, in time order, in the caller's view."""
    rows = [v for v in _violations(access) if sector is None or v.get("sector") == sector]
    ids = access.catalog.sensor_ids()
    page = [view("violation", access.principal, v, ids) for v in rows[offset : offset + limit]]
    return {"total": len(rows), "offset": offset, "items": page}


@router.get("/violations/{violation_id}", operation_id="violation", tags=["findings"])
def violation(violation_id: str, access: Access = guard("violation")) -> dict[str, Any]:
    """One violation, if the caller may see it."""
    for v in _violations(access):
        if v.get("violation_id") == violation_id:
            return view("violation", access.principal, v, access.catalog.sensor_ids())
    raise NotFoundError(f"no violation {violation_id} you may see")


@router.get("/incidents", operation_id="incidents", tags=["findings"])
def incidents(
    limit: Limit = 100, offset: Offset = 0, access: Access = guard("incidents")
) -> dict[str, Any]:
    """Incidents (fused from every source), as adjudicated."""
    rows = _incident_rows(access)
    page = [view("incident", access.principal, i) for i in rows[offset : offset + limit]]
    return {"total": len(rows), "offset": offset, "items": page}


@router.get("/incidents/{incident_id}", operation_id="incident", tags=["findings"])
def incident(incident_id: str, access: Access = guard("incident")) -> dict[str, Any]:
    """One incident with its evidence."""
    for i in _incident_rows(access):
        if incident_id in (i.get("id"), i.get("incident_id")):  # the file's rows name it "id"
            return view("incident", access.principal, i)
    raise NotFoundError(f"no incident {incident_id}")


def _incident_rows(access: Access) -> list[dict[str, Any]]:
    path = access.catalog.adjudication / "incidents.geojson"
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [
        {**(f.get("properties") or {}), "geometry": f.get("geometry")}
        for f in body.get("features", [])
    ]


@router.get("/aggregates", operation_id="aggregates", tags=["findings"])
def aggregates(access: Access = guard("aggregates")) -> dict[str, Any]:
    """Violations per day and sector, by most likely party; small counts withheld."""
    rows = access.catalog.reviewed_violations()
    return {"cells": aggregate(rows, access.catalog.parties())}


@router.get("/coverage", operation_id="coverage", tags=["findings"])
def coverage(access: Access = guard("coverage")) -> dict[str, Any]:
    """What could be observed: per sector for everyone; per 10 km of line for the cell."""
    p = access.principal
    sectors = [view("coverage_sector", p, r) for r in access.catalog.rows("sectors.jsonl")]
    out: dict[str, Any] = {"sectors": sectors}
    if access.scope is Scope.ALL:
        out["line"] = [
            view("coverage_line", p, r) for r in access.catalog.rows("coverage-line.jsonl")
        ]
    return out


@router.get("/complaints", operation_id="complaints", tags=["complaints"])
def complaints(
    limit: Limit = 100, offset: Offset = 0, access: Access = guard("complaints")
) -> dict[str, Any]:
    """Complaints and their answers: a party's own, or all for the cell."""
    rows = access.catalog.complaints()
    if access.scope is Scope.OWN:
        rows = [c for c in rows if c.get("party") == access.principal.party]
    ids = access.catalog.sensor_ids()
    page = [view("complaint", access.principal, c, ids) for c in rows[offset : offset + limit]]
    return {"total": len(rows), "offset": offset, "items": page}


# -- raw data ------------------------------------------------------------------------------


@router.get("/sensors", operation_id="sensors", tags=["raw"])
def sensors(access: Access = guard("sensors")) -> dict[str, Any]:
    """The sensor registry: all of it for the cell, a contributor's own sensors for it."""
    catalog = access.catalog
    wanted = [  # the registry's records (not the receipts of its uploads)
        i for i, o in enumerate(catalog.owners()) if o.source == "sensors"
    ]
    items = []
    for index in wanted:
        record = _opened(access, index)
        props = record.get("properties") or {}
        if access.scope is Scope.OWN and props.get("owner") != access.principal.contributor:
            continue
        items.append(view("sensor", access.principal, {"index": index, **record}))
    return {"total": len(items), "items": items}


@router.get("/records", operation_id="records", tags=["raw"])
def records(
    source: Annotated[str, Query(max_length=32, description="e.g. picks, status, tracks")],
    limit: Limit = 100,
    after: Annotated[int, Query(ge=-1, le=2**40, description="Entries after this index.")] = -1,
    access: Access = guard("records"),
) -> dict[str, Any]:
    """Raw records of one source, with restricted values opened: all for the cell, a
    contributor's own sensors' for it. Page on with ``after`` = the last ``index``."""
    catalog = access.catalog
    items = []
    for index, who in enumerate(catalog.owners()):
        if index <= after or who.source != source:
            continue
        if access.scope is Scope.OWN and catalog.sensor_owner(who.sensor_id) != (
            access.principal.contributor
        ):
            continue
        items.append(view("record", access.principal, {"index": index, **_opened(access, index)}))
        if len(items) >= limit:
            break
    return {"items": items, "next_after": items[-1]["index"] if items else None}


def _opened(access: Access, index: int) -> dict[str, Any]:
    """The record of entry ``index`` with its sealed values put back (restricted callers
    never reach here: the policy gives them no raw data)."""
    with access.catalog.store.read() as log:
        body = json.loads(log.entry(index).leaf)
        sealed = log.sealed(index, index + 1)
    record = dict(body.get("record") or {})
    for row in sealed:
        if row.path == "raw":
            continue
        *heads, key = row.path.split(".")
        node = record
        for head in heads:
            node = node.setdefault(head, {})
        node[key] = json.loads(row.value)
    return record
