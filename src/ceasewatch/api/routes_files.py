"""Documents: the daily report in the edition the caller may read, and exports.

``GET /api/reports/{day}`` renders the day's report from the adjudication folder (HTML, or PDF
from the same HTML) in the caller's edition — ``full`` for the cell, ``party:<ID>`` for a party,
``public`` for everyone else — by the one redaction policy of
:mod:`ceasewatch.report.editions`. Rendered documents are kept by day, edition, format and the
state of the folder, so a second request costs nothing until the folder changes.

``GET /api/exports/{kind}`` hands out the adjudication's files to the cell; a party gets the
violations that concern it as GeoJSON in its view; everyone gets ``aggregates.csv``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from ceasewatch.api.app import Access, guard, problem
from ceasewatch.api.catalog import Catalog
from ceasewatch.api.policy import Scope
from ceasewatch.api.tokens import Role
from ceasewatch.api.views import aggregate, view
from ceasewatch.errors import NotFoundError

router = APIRouter()

CACHED_DOCUMENTS = 32
CELL_EXPORTS = (
    "violations.geojson",
    "incidents.geojson",
    "violations.csv",
    "acled.csv",
    "ucdp-ged.csv",
)
AGGREGATES = "aggregates.csv"
PARTY_EXPORTS = ("violations.geojson", AGGREGATES)
_TYPES = {".geojson": "application/geo+json", ".csv": "text/csv; charset=utf-8"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- reports -------------------------------------------------------------------------------


class Documents:
    """Rendered reports by (day, edition, format, folder state); the oldest go first."""

    def __init__(self, size: int = CACHED_DOCUMENTS) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()  # one rendering at a time (matplotlib, WeasyPrint)

    def get(self, catalog: Catalog, day: str, edition: str, fmt: str) -> bytes:
        key = (day, edition, fmt, folder_state(catalog))
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                found = render_report(catalog, day, edition, fmt)
                self._kept[key] = found
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
            self._kept.move_to_end(key)
            return found


_DOCUMENTS_LOCK = threading.Lock()


def documents(app: FastAPI) -> Documents:
    with _DOCUMENTS_LOCK:
        found = getattr(app.state, "report_documents", None)
        if found is None:
            found = app.state.report_documents = Documents()
        return found


def folder_state(catalog: Catalog) -> tuple[int, int]:
    """The latest change in the adjudication folder, and the log's checkpoint size."""
    try:
        stamps = [p.stat().st_mtime_ns for p in catalog.adjudication.iterdir()]
    except FileNotFoundError:
        stamps = []
    with catalog.store.read() as log:
        row = log.latest_checkpoint()
    return (max(stamps, default=0), 0 if row is None else row.size)


def edition_of(access: Access) -> str:
    """The edition the caller may read: the table's scope decides, never the caller."""
    if access.scope is Scope.ALL:
        return "full"
    if access.scope is Scope.CONCERNING:
        return f"party:{access.principal.party}"
    return "public"


def render_report(catalog: Catalog, day: str, edition: str, fmt: str) -> bytes:
    """The report of ``day`` in ``edition`` as HTML or PDF bytes."""
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.report.daily_inputs import read_adjudication
    from ceasewatch.report.daily_record import build_record, day_window
    from ceasewatch.report.daily_render import render_html, render_pdf
    from ceasewatch.report.editions import edition as make_edition

    files = read_adjudication(catalog.adjudication)
    named = (files.verdicts or {}).get("agreement")
    law = resolve(f"{named[0]}@{named[1]}" if isinstance(named, list) and len(named) > 1 else None)
    with catalog.store.read() as log:
        row = log.latest_checkpoint()
    note = None if row is None else row.note.decode("utf-8", errors="replace")
    start_ns, end_ns = day_window(day)
    record = build_record(
        files, law, start_ns, end_ns, checkpoint=note, gazetteer=Gazetteer.default()
    )
    html = render_html(make_edition(record, edition), law)
    return html.encode("utf-8") if fmt == "html" else render_pdf(html)


@router.get(
    "/reports/{day}",
    operation_id="report",
    tags=["documents"],
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}},
        404: {"description": "No such day in the calendar."},
    },
)
async def report(
    day: Annotated[str, PathParam(pattern=_DAY.pattern, description="YYYY-MM-DD (UTC)")],
    request: Request,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
    access: Access = guard("report"),
) -> Response:
    """The daily report of ``day`` (YYYY-MM-DD, UTC) in the edition the caller may read: full
    for the cell, the party's own edition for a party, the public edition for everyone else."""
    try:
        datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        raise NotFoundError(
            f"no day {day!r} in the calendar; e.g. /api/reports/2026-02-18"
        ) from None
    edition = edition_of(access)
    body = await run_in_threadpool(documents(request.app).get, access.catalog, day, edition, format)
    media = "text/html; charset=utf-8" if format == "html" else "application/pdf"
    slug = edition.replace(":", "-")
    headers = {
        "Content-Disposition": f'inline; filename="report-{day}-{slug}.{format}"',
        "X-Report-Edition": edition,
    }
    return Response(body, media_type=media, headers=headers)


# -- exports -------------------------------------------------------------------------------


@router.get(
    "/exports/{kind}",
    operation_id="export",
    tags=["documents"],
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}, "text/csv": {}}}},
)
def export(kind: str, access: Access = guard("export")) -> Response:
    """One export: the adjudication's files for the cell (violations.geojson,
    incidents.geojson, violations.csv, acled.csv, ucdp-ged.csv), the violations that concern
    it for a party (violations.geojson), and aggregates.csv for everyone."""
    allowed = _exports(access.scope)
    if kind not in (*CELL_EXPORTS, AGGREGATES):
        raise NotFoundError(f"no export {kind!r}; exports are {', '.join(allowed)}")
    if kind not in allowed:
        role = access.principal.role.value
        return problem(403, f"a {role} token may export {' and '.join(allowed)} only")
    if kind == AGGREGATES:
        body = aggregates_csv(access.catalog)
    elif access.scope is Scope.CONCERNING:
        body = party_geojson(access)
    else:
        path = access.catalog.adjudication / kind
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"no {kind} yet: run ceasewatch adjudicate first") from None
    media = _TYPES[kind[kind.rindex(".") :]]
    headers = {"Content-Disposition": f'attachment; filename="{kind}"'}
    return Response(body, media_type=media, headers=headers)


def _exports(scope: Scope) -> tuple[str, ...]:
    if scope is Scope.ALL:
        return (*CELL_EXPORTS, AGGREGATES)
    if scope is Scope.CONCERNING:
        return PARTY_EXPORTS
    return (AGGREGATES,)


def aggregates_csv(catalog: Catalog) -> bytes:
    """Counts per day and sector (:func:`ceasewatch.api.views.aggregate`) as CSV; a withheld
    count is an empty cell."""
    rows = catalog.reviewed_violations()
    parties = [*catalog.parties(), "unknown"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "sector", "violations", "withheld", *(f"party_{p}" for p in parties)])
    for cell in aggregate(rows, catalog.parties()):
        by_party = cell["by_party"] or {}
        writer.writerow(
            [
                cell["day"],
                cell["sector"],
                "" if cell["violations"] is None else cell["violations"],
                "true" if cell["withheld"] else "false",
                *("" if by_party.get(p) is None else by_party[p] for p in parties),
            ]
        )
    return out.getvalue().encode("utf-8")


def party_geojson(access: Access) -> bytes:
    """The violations that concern the caller's party, as GeoJSON in the party's view."""
    catalog, principal = access.catalog, access.principal
    assert principal.role is Role.PARTY and principal.party
    ids = catalog.sensor_ids()
    features = []
    for row in catalog.concerning(principal.party):
        props = view("violation", principal, row, ids)
        position = props.pop("position", None)
        geometry = {"type": "Point", "coordinates": position} if position else None
        features.append(
            {
                "type": "Feature",
                "id": row.get("violation_id"),
                "geometry": geometry,
                "properties": props,
            }
        )
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
