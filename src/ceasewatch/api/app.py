"""The service: one FastAPI app over a state folder, its routes guarded in one place.

:func:`create_app` builds the app. Every route is registered with an ``operation_id`` that is a
row of :data:`ceasewatch.api.policy.POLICY`; the :class:`Guard` dependency reads the caller's
token (none: the public), looks the operation up in the table and hands the route an
:class:`Access` — or answers 401/403 itself. The app refuses to start with a route that has no
row. Every response carries the security headers of :data:`SECURITY_HEADERS`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from ceasewatch import __version__
from ceasewatch.api.catalog import Catalog
from ceasewatch.api.policy import POLICY, Denied, Scope, scope_of
from ceasewatch.api.tokens import Principal, TokenError, TokenKey
from ceasewatch.errors import CeasewatchError, NotFoundError

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
DOCS_FILES = {
    "docs": ("docs.html", "text/html; charset=utf-8"),
    "docs-init.js": ("docs-init.js", "text/javascript; charset=utf-8"),
}
"""The documentation page — Swagger UI from fastapi-offline's packaged files, started by a script
file of ours, so the page needs no inline script: URL → (file in ceasewatch/data/api, type)."""


@dataclass(frozen=True)
class Access:
    """What a route may do for this caller: who it is and the scope the table grants."""

    principal: Principal
    scope: Scope
    catalog: Catalog
    key: TokenKey


@dataclass(frozen=True)
class Settings:
    catalog: Catalog
    key: TokenKey
    clock_s: Callable[[], int] = lambda: int(time.time())
    ingest_slots: int = 2  # ingest requests writing at once
    ingest_queue: int = 8  # ingest requests waiting for a slot; beyond this: 429
    ingest_max_bytes: int = 5 * 1024 * 1024  # one ingest request's body
    ingest_retry_after_s: int = 1  # the Retry-After of a 429
    ingest_hook: Callable[[str], None] | None = None  # called in the slot (tests: a slow writer)
    stream_poll_s: float = 1.0  # how often the violations stream looks at the file
    stream_heartbeat_s: float = 15.0  # a comment line this often keeps proxies from timing out


class Guard:
    """The one place access is decided: a dependency per operation."""

    def __init__(self, operation: str) -> None:
        if operation not in POLICY:
            raise RuntimeError(f"no policy row for operation {operation!r}")
        self.operation = operation

    def __call__(self, request: Request) -> Access:
        settings: Settings = request.app.state.settings
        principal = caller(request, settings)
        scope = scope_of(self.operation, principal)
        return Access(principal, scope, settings.catalog, settings.key)


def caller(request: Request, settings: Settings) -> Principal:
    """The principal of the request's bearer token, or the public when there is none."""
    header = request.headers.get("authorization")
    if header is None:
        return Principal.anonymous()
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise TokenError("send the token as 'Authorization: Bearer <token>'")
    return settings.key.verify(token.strip(), settings.clock_s())


def guard(operation: str) -> Any:
    return Depends(Guard(operation))


def create_app(settings: Settings) -> FastAPI:
    """The service over ``settings.catalog``."""
    from fastapi_offline import FastAPIOffline

    from ceasewatch.api.metrics import measure
    from ceasewatch.api.metrics import router as metrics_router
    from ceasewatch.api.routes_act import router as act_router
    from ceasewatch.api.routes_files import router as files_router
    from ceasewatch.api.routes_ingest import router as ingest_router
    from ceasewatch.api.routes_read import router as read_router
    from ceasewatch.api.routes_stream import router as stream_router
    from ceasewatch.api.routes_web import router as web_router

    app = FastAPIOffline(
        docs_url=None,  # our own page below: Swagger UI's packaged files, no inline script
        redoc_url=None,
        title="ceasewatch",
        version=__version__,
        description=(
            "Ceasefire monitoring: violations with their three findings, coverage, complaints, "
            "review, and the tamper-evident evidence log with its proofs. Send a token as "
            "`Authorization: Bearer …` (`ceasewatch token create`); without one you are the "
            "public, which sees aggregates only."
        ),
    )
    app.state.settings = settings
    app.include_router(read_router, prefix="/api")
    app.include_router(act_router, prefix="/api")
    app.include_router(ingest_router, prefix="/api")
    app.include_router(stream_router, prefix="/api")
    app.include_router(files_router, prefix="/api")
    app.include_router(metrics_router, prefix="/api")
    app.include_router(web_router)  # the dashboard and /api/agreement
    _docs(app)
    check_routes(app)
    document_errors(app)
    _handlers(app)
    _headers(app)
    measure(app)  # the outermost middleware: it sees every answer, refusals included
    return app


def _docs(app: FastAPI) -> None:
    """``/docs``: the documentation page and its start script, read from the package."""
    from importlib import resources

    folder = resources.files("ceasewatch.data").joinpath("api")

    def page(name: str, media_type: str) -> Callable[[], Response]:
        def serve() -> Response:
            return Response(folder.joinpath(name).read_bytes(), media_type=media_type)

        return serve

    for url, (name, media_type) in DOCS_FILES.items():
        app.add_api_route(f"/{url}", page(name, media_type), include_in_schema=False)


_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
ERROR_RESPONSES: dict[int, dict[str, Any]] = {
    400: {"description": "The body cannot be read (not JSON): FastAPI's `detail`."},
    401: {"description": "The token is refused; `error` says why."},
    403: {"description": "The caller's role may not use this operation."},
    404: {"description": "Nothing the caller may see by that name."},
    422: {"description": "The request is not valid: `error`, or FastAPI's `detail` list."},
}


def document_errors(app: FastAPI) -> None:
    """Every API operation documents the error answers the guard and handlers give, in the
    one error shape (``{"error": …}``; a 422 of FastAPI's own validation has ``detail``)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (EdDSA)"}
        }
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                # without a token the caller is the public: a bad token is 401, a role the
                # table refuses (the public included) is 403
                operation["security"] = [{"bearer": []}, {}]
                answers = operation.setdefault("responses", {})
                for status, doc in ERROR_RESPONSES.items():
                    found = answers.get(str(status), {}).get("content", {})
                    known = found.get("application/json", {}).get("schema")
                    if status == 400:
                        known = {"type": "object", "required": ["detail"]}
                    body = _ERROR if known is None else {"anyOf": [known, _ERROR]}
                    answers[str(status)] = {
                        **doc,
                        "content": {"application/json": {"schema": body}},
                    }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def check_routes(app: FastAPI) -> None:
    """Every API route names an operation of the policy table and depends on its guard (the
    routes of included routers too: FastAPI keeps those inside the router it includes)."""
    from fastapi.routing import iter_route_contexts

    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue  # the documentation pages and the schema itself are public
        if route.operation_id not in POLICY:
            raise RuntimeError(
                f"{context.path}: operation {route.operation_id!r} has no policy row"
            )
        guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, Guard)]
        if [g.operation for g in guards] != [route.operation_id]:
            raise RuntimeError(f"{context.path}: not guarded by its own operation's row")


def problem(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(TokenError)
    async def _token(_request: Request, exc: TokenError) -> JSONResponse:
        response = problem(401, str(exc))
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    @app.exception_handler(Denied)
    async def _denied(_request: Request, exc: Denied) -> JSONResponse:
        return problem(403, str(exc))

    @app.exception_handler(NotFoundError)
    async def _missing(_request: Request, exc: NotFoundError) -> JSONResponse:
        return problem(404, str(exc))

    @app.exception_handler(CeasewatchError)
    async def _bad(_request: Request, exc: CeasewatchError) -> JSONResponse:
        return problem(422, str(exc))


def _headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def _secure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
