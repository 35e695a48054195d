"""``POST /api/ingest/{source}``: records over HTTP into the evidence log, acknowledged only
once durable.

The body is one source file in its exchange format (JSON Lines for picks, status, tracks…, the
sensors' GeoJSON, FIRMS CSV), read by the same adapter as ``ceasewatch ingest``; every record is
checked alone and a bad one is answered with its line, field, reason and fix. A contributor may
send records of its own sensors only (the registry in the log says whose a sensor is). A 200 is
sent only after the records' transaction has committed, and a ``receipt`` entry records the
request in the log.

Backpressure: at most ``Settings.ingest_slots`` requests write at a time and at most
``Settings.ingest_queue`` wait; beyond that the answer is 429 with ``Retry-After`` and nothing
is queued. ``Idempotency-Key`` makes a retry safe (:mod:`ceasewatch.api.idempotency`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from ceasewatch.api.app import Access, Settings, guard, problem
from ceasewatch.api.catalog import Catalog
from ceasewatch.api.idempotency import (
    FILE,
    Busy,
    Fresh,
    IdempotencyStore,
    Mismatch,
    Replay,
    check_key,
    request_digest,
)
from ceasewatch.api.policy import Scope
from ceasewatch.api.tokens import Principal
from ceasewatch.errors import InputError, NotFoundError
from ceasewatch.evidence.log import SIGNATURE_FIELD, EvidenceLog, RecordIn
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.ingest.run import BATCH_RECORDS, MAX_LISTED_REJECTIONS

router = APIRouter()

SENSOR_SOURCES = ("picks", "tracks", "detections", "status", "sensors")
"""The sources whose records name a sensor: the only ones a contributor may send."""

_BODY = {"schema": {"type": "string"}}
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": _BODY, "application/json": _BODY, "text/csv": _BODY},
    }
}
_MISMATCH = (
    "Idempotency-Key: already used for another request; a retry must send the same body to "
    "the same source, a new request needs a new key"
)
_BUSY = (
    "Idempotency-Key: the first request with this key is still running; wait for its answer, "
    "then retry to get the same answer"
)


class Gate:
    """At most ``slots`` requests at work and ``queue`` waiting; the rest are turned away."""

    def __init__(self, slots: int, queue: int) -> None:
        if slots < 1 or queue < 0:
            raise InputError(f"ingest slots {slots}, queue {queue}: need slots ≥ 1, queue ≥ 0")
        self._slots = threading.BoundedSemaphore(slots)
        self._limit = slots + queue
        self._admitted = 0
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Take a place (at work or waiting), or False when every place is taken."""
        with self._lock:
            if self._admitted >= self._limit:
                return False
            self._admitted += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._admitted -= 1

    @property
    def admitted(self) -> int:
        """Requests at work or waiting now (the metrics' gauge)."""
        return self._admitted

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for a place at work (only admitted requests call this)."""
        with self._slots:
            yield


@dataclass(frozen=True)
class Runtime:
    """What the ingest route keeps per app: its gate, its keys, one writer to the log."""

    gate: Gate
    keys: IdempotencyStore
    log: EvidenceLog
    write_lock: threading.Lock


_RUNTIME_LOCK = threading.Lock()


def runtime(app: FastAPI) -> Runtime:
    """The app's ingest runtime, made on first use from its settings."""
    with _RUNTIME_LOCK:
        found = getattr(app.state, "ingest_runtime", None)
        if found is None:
            settings: Settings = app.state.settings
            catalog = settings.catalog
            found = Runtime(
                Gate(settings.ingest_slots, settings.ingest_queue),
                IdempotencyStore(catalog.folder / FILE),
                EvidenceLog(catalog.store, salts=os.urandom),
                threading.Lock(),
            )
            app.state.ingest_runtime = found
        return found


@router.post("/ingest/{source}", operation_id="ingest", tags=["ingest"], openapi_extra=_OPENAPI)
async def ingest(
    source: str,
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", max_length=200, description="Makes a retry safe."),
    ] = None,
    access: Access = guard("ingest"),
) -> Response:
    """Append one source file's records to the evidence log (the body: the source's exchange
    format, at most ``ingest_max_bytes``). The answer — counts, each rejected record's line,
    field, reason and fix, and the receipt's log index — comes once the records are durable."""
    settings: Settings = request.app.state.settings
    if source not in ADAPTERS:
        raise NotFoundError(f"no source {source!r}: send to /api/ingest/<{'|'.join(ADAPTERS)}>")
    principal = access.principal
    if access.scope is Scope.OWN and source not in SENSOR_SOURCES:
        return problem(
            403,
            f"a contributor sends records of its own sensors only: {', '.join(SENSOR_SOURCES)}; "
            f"{source} records name no sensor",
        )
    data = await _body(request, settings.ingest_max_bytes)
    if data is None:
        limit = settings.ingest_max_bytes
        return problem(413, f"the body is over {limit} bytes; send the records in smaller parts")
    run = runtime(request.app)
    begun: Fresh | None = None
    if idempotency_key is not None:
        owner = f"{principal.role.value}:{principal.contributor or principal.subject}"
        digest = request_digest(source.encode(), data)
        found = run.keys.begin(owner, check_key(idempotency_key), digest)
        if isinstance(found, Replay):
            headers = {"Idempotent-Replayed": "true"}
            return Response(found.body, found.status, headers, media_type="application/json")
        if isinstance(found, Mismatch):
            return problem(422, _MISMATCH)
        if isinstance(found, Busy):
            return problem(409, _BUSY)
        begun = found
    if not run.gate.admit():
        if begun is not None:
            run.keys.abandon(begun)
        busy = problem(429, "ingest is at capacity; retry after the time in Retry-After")
        busy.headers["Retry-After"] = str(settings.ingest_retry_after_s)
        return busy
    try:
        answer = await run_in_threadpool(_in_slot, run, settings, access, source, data)
    except BaseException:
        if begun is not None:
            run.keys.abandon(begun)
        raise
    finally:
        run.gate.leave()
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if begun is not None:
        await run_in_threadpool(run.keys.finish, begun, 200, body)
    return Response(body, 200, media_type="application/json")


async def _body(request: Request, max_bytes: int) -> bytes | None:
    """The request's body, or None when it is over ``max_bytes`` (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.strip():
        raise InputError("the body is empty; send the records in the source's exchange format")
    return data


def _in_slot(
    run: Runtime, settings: Settings, access: Access, source: str, data: bytes
) -> dict[str, Any]:
    with run.gate.slot():
        if settings.ingest_hook is not None:
            settings.ingest_hook(source)
        return ingest_records(run, access, source, data, time.time_ns)


def ingest_records(
    run: Runtime, access: Access, source: str, data: bytes, clock_ns: Any
) -> dict[str, Any]:
    """Check, append and receipt the records of ``data``; the answer of the route."""
    rejected: list[Rejected] = []
    accepted: list[Accepted] = []
    for item in ADAPTERS[source].parse(data):
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        foreign = None
        if access.scope is Scope.OWN:
            foreign = not_owned(item, access.principal, access.catalog)
        if foreign is not None:
            rejected.append(foreign)
        else:
            accepted.append(item)
    counts: Counter[str] = Counter()
    with run.write_lock:
        for start in range(0, len(accepted), BATCH_RECORDS):
            batch = accepted[start : start + BATCH_RECORDS]
            items = [
                RecordIn(a.kind, a.record_id, a.record, a.raw, a.source_time_ns, a.signature)
                for a in batch
            ]
            for a, outcome in zip(batch, run.log.append_records(items, clock_ns()), strict=True):
                if outcome.status == "rejected":
                    fix = "send the record exactly as the sensor signed it"
                    bad = Rejected(
                        a.kind, a.line, SIGNATURE_FIELD, outcome.reason, fix, a.raw, a.record_id
                    )
                    rejected.append(bad)
                else:
                    counts[outcome.status] += 1
        rejected.sort(key=lambda r: r.line)
        receipt = run.log.append_event(
            "receipt", _receipt(access, source, data, counts, rejected), clock_ns()
        )
    listed = rejected[:MAX_LISTED_REJECTIONS]
    return {
        "source": source,
        "counts": {
            "new": counts["new"],
            "duplicate": counts["duplicate"],
            "revision": counts["revision"],
            "rejected": len(rejected),
        },
        "errors": [
            {
                "line": r.line,
                "field": r.field,
                "reason": r.reason,
                "fix": r.fix,
                "record_id": r.record_id,
            }
            for r in listed
        ],
        "errors_listed": len(listed),
        "receipt": receipt,
    }


def not_owned(item: Accepted, principal: Principal, catalog: Catalog) -> Rejected | None:
    """A rejection when ``item`` is not a record of one of the contributor's own sensors."""
    mine = principal.contributor
    fix = (
        f"send records of {mine}'s own sensors only; register a new sensor first "
        f"(POST /api/ingest/sensors with properties.owner {mine!r})"
    )
    if item.kind == "sensors":
        props = item.record.get("properties")
        claimed = props.get("owner") if isinstance(props, dict) else None
        if claimed != mine:
            reason = f"owner {claimed!r}: a {mine} token registers {mine}'s sensors only"
            return Rejected(
                item.kind, item.line, "properties.owner", reason, fix, item.raw, item.record_id
            )
        sensor: object = item.record_id
    else:
        sensor = item.record.get("sensor_id")
    owner = catalog.sensor_owner(None if sensor is None else str(sensor))
    if owner == mine or (item.kind == "sensors" and owner is None):
        return None
    reason = f"sensor {sensor!r} is not one of {mine}'s registered sensors"
    return Rejected(item.kind, item.line, "sensor_id", reason, fix, item.raw, item.record_id)


def _receipt(
    access: Access, source: str, data: bytes, counts: Counter[str], rejected: list[Rejected]
) -> dict[str, object]:
    p = access.principal
    return {
        "name": f"POST /api/ingest/{source}",
        "source": source,
        "by": f"{p.role.value}:{p.contributor or p.subject}",
        "bytes": len(data),
        "new": counts["new"],
        "duplicate": counts["duplicate"],
        "revision": counts["revision"],
        "rejected": len(rejected),
        "rejected_lines": [
            {"line": r.line, "field": r.field} for r in rejected[:MAX_LISTED_REJECTIONS]
        ],
    }
