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
# Swagger UI (served from the package by fastapi-offline) needs its own inline start script.
DOCS_CSP = (
    SECURITY_HEADERS["Content-Security-Policy"]
    .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
)


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

    from ceasewatch.api.routes_act import router as act_router
    from ceasewatch.api.routes_read import router as read_router

    app = FastAPIOffline(
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
    check_routes(app)
    _handlers(app)
    _headers(app)
    return app


def check_routes(app: FastAPI) -> None:
    """Every API route names an operation of the policy table and depends on its guard."""
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue  # the documentation pages and the schema itself are public
        if route.operation_id not in POLICY:
            raise RuntimeError(f"{route.path}: operation {route.operation_id!r} has no policy row")
        guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, Guard)]
        if [g.operation for g in guards] != [route.operation_id]:
            raise RuntimeError(f"{route.path}: not guarded by its own operation's row")


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
        if request.url.path in ("/docs", "/redoc"):
            response.headers["Content-Security-Policy"] = DOCS_CSP
        return response
