"""``/api/metrics``: the service's own figures in the Prometheus text format, for the operator's
monitoring (docs/operations.md says what to alert on).

Every answer is counted by route template (never the raw path: ids would make a series each),
method and status — so refused ingest (429), refused access (401/403) and errors (5xx) are
series of their own — and timed per route in a histogram. The log's size, and the ingest
requests writing and waiting, are read when scraped. Each app keeps its own registry, so two
apps in one process (the tests) do not share counts. Only the operator may read it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from ceasewatch.api.app import Access, guard

UNMATCHED = "(no route)"
BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

router = APIRouter()


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ceasewatch_http_requests", "Requests answered, by route template, method and status",
            ["route", "method", "status"], registry=self.registry,
        )  # fmt: skip
        self.seconds = Histogram(
            "ceasewatch_http_request_seconds", "Seconds to answer, by route template",
            ["route"], buckets=BUCKETS_S, registry=self.registry,
        )  # fmt: skip
        self.log_entries = Gauge(
            "ceasewatch_log_entries", "Entries in the evidence log the service reads",
            registry=self.registry,
        )  # fmt: skip
        self.ingest = Gauge(
            "ceasewatch_ingest_requests", "Ingest requests writing or waiting for a slot",
            registry=self.registry,
        )  # fmt: skip


def measure(app: FastAPI) -> None:
    """Count and time every answer of ``app`` (a middleware), keeping the counts in
    ``app.state.metrics``."""
    app.state.metrics = metrics = Metrics()
    templates: dict[object, str] = {}  # endpoint → its full path, routers' prefixes included

    def template(request: Request) -> str:
        if not templates:
            from fastapi.routing import iter_route_contexts

            for context in iter_route_contexts(app.routes):
                endpoint = getattr(context.original_route, "endpoint", None)
                if endpoint is not None and context.path:
                    templates.setdefault(endpoint, context.path)
        endpoint = request.scope.get("endpoint")
        matched = request.scope.get("route")
        return templates.get(endpoint) or getattr(matched, "path", None) or UNMATCHED

    @app.middleware("http")
    async def _measured(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler is answered 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = template(request)
            metrics.requests.labels(route, request.method, str(status)).inc()
            metrics.seconds.labels(route).observe(time.perf_counter() - started)


@router.get("/metrics", operation_id="metrics", tags=["service"], response_class=Response)
def metrics_text(request: Request, access: Access = guard("metrics")) -> Response:
    """The service's counters in the Prometheus text format (operators only)."""
    metrics: Metrics = request.app.state.metrics
    with access.catalog.store.read() as log:
        metrics.log_entries.set(log.size())
    ingest = getattr(request.app.state, "ingest_runtime", None)  # made by the first ingest
    metrics.ingest.set(ingest.gate.admitted if ingest is not None else 0)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
