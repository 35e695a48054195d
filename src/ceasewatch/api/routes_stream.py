"""``GET /api/stream/violations``: violations as they appear, as Server-Sent Events.

The stream looks at ``adjudication/violations.jsonl`` every ``Settings.stream_poll_s`` seconds;
when the file has changed, each violation the caller may see and has not been sent yet goes out
as ``event: violation`` (``id:`` the violation id, ``data:`` the row in the caller's view, from
:func:`ceasewatch.api.views.view`). A comment line every ``Settings.stream_heartbeat_s`` seconds
keeps proxies from closing a quiet stream. The stream ends when the client goes, after
``max_events`` violations or after ``max_seconds``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ceasewatch.api.app import Access, Settings, guard
from ceasewatch.api.policy import Scope
from ceasewatch.api.views import view

router = APIRouter()

Row = dict[str, Any]


@router.get(
    "/stream/violations",
    operation_id="stream",
    tags=["findings"],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: ``event: violation`` with the row as JSON.",
            "content": {"text/event-stream": {}},
        }
    },
)
async def stream(
    request: Request,
    max_events: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="End after this many violations.")
    ] = None,
    max_seconds: Annotated[
        float | None, Query(gt=0, le=86_400, description="End after this many seconds.")
    ] = None,
    from_start: Annotated[
        bool, Query(description="Send the violations already found first.")
    ] = False,
    access: Access = guard("stream"),
) -> StreamingResponse:
    """Violations the caller may see, as they are found (Server-Sent Events)."""
    settings: Settings = request.app.state.settings
    events = _events(request, access, settings, max_events, max_seconds, from_start)
    headers = {"X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


async def _events(
    request: Request,
    access: Access,
    settings: Settings,
    max_events: int | None,
    max_seconds: float | None,
    from_start: bool,
) -> AsyncIterator[str]:
    start = time.monotonic()
    end = None if max_seconds is None else start + max_seconds
    path = access.catalog.adjudication / "violations.jsonl"
    seen: set[str] = set()
    stamp: tuple[int, int] | None = None
    if not from_start:
        stamp = _stamp(path)
        seen = {str(v.get("violation_id")) for v in await run_in_threadpool(_visible, access)}
    sent = 0
    beat = start
    yield ": violations of ceasewatch\n\n"  # opens the stream at once
    while True:
        now = time.monotonic()
        if end is not None and now >= end:
            return
        if await request.is_disconnected():
            return
        found = _stamp(path)
        if found != stamp:
            stamp = found
            rows = await run_in_threadpool(_visible, access)
            ids = await run_in_threadpool(_ids, access)
            for row in rows:
                vid = str(row.get("violation_id"))
                if vid in seen:
                    continue
                seen.add(vid)
                yield _event(vid, view("violation", access.principal, row, ids))
                sent += 1
                if max_events is not None and sent >= max_events:
                    return
        if now - beat >= settings.stream_heartbeat_s:
            beat = now
            yield ": heartbeat\n\n"
        wait = settings.stream_poll_s if end is None else min(settings.stream_poll_s, end - now)
        await asyncio.sleep(max(wait, 0.0))


def _stamp(path: Any) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _event(violation_id: str, row: Row) -> str:
    data = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    return f"event: violation\nid: {violation_id}\ndata: {data}\n\n"


def _ids(access: Access) -> list[str]:
    """The sensor ids to scrub from a party's words (none for the cell, who sees them)."""
    return access.catalog.sensor_ids() if access.scope is Scope.CONCERNING else []


def _visible(access: Access) -> list[Row]:
    """The violations the caller may see, with their reviewed status."""
    if access.scope is Scope.CONCERNING:
        return access.catalog.concerning(access.principal.party or "")
    return access.catalog.reviewed_violations()
