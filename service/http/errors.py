"""One answer per kind of failure: a page for people, JSON for the API, never a stack trace."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from urllib.parse import quote

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ExceptionHandler

from chalkboard.http.pages import render_bare
from chalkboard.http.routing import DatabaseUnreachable, PoolExhausted, SignInRequired
from chalkboard.http.security import security_headers
from chalkboard.menus import operations

log = logging.getLogger("chalkboard.errors")

TITLES = {
    400: "That request did not make sense",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    408: "That took too long",
    409: "That cannot be done as asked",
    410: "This link has expired",
    412: "Someone else changed this first",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "Temporarily unavailable",
}
DATABASE_DOWN = (
    "The menu database cannot be reached right now, so nothing was saved. Try again in a moment."
)
DATABASE_BUSY = (
    "Chalkboard is very busy right now and could not finish this in time, so nothing was "
    "saved. Try again in a few seconds."
)


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status, headers)
    response = render_bare(
        request,
        "error.html",
        status,
        title=TITLES.get(status, "Something went wrong"),
        message=message,
        request_id=request.scope.get("chalkboard.request_id", ""),
    )
    response.headers.update(headers or {})
    return response


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return error_response(request, exc.status_code, exc.detail, exc.headers)


async def sign_in_required(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return error_response(
            request,
            401,
            "Sign in, or send a venue API token as `Authorization: Bearer <token>`.",
            {"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
    return error_response(request, 503, DATABASE_DOWN, {"Retry-After": "5"})


async def database_busy(request: Request, exc: Exception) -> Response:
    """Postgres cancelled a statement (statement or lock timeout): an overload, not a bug. The
    transaction rolled back, so nothing was saved, and trying again shortly is the remedy."""
    log.warning("database busy: %s: %s", exc.__class__.__name__, exc)
    return error_response(request, 503, DATABASE_BUSY, {"Retry-After": "5"})


async def server_error(request: Request, exc: Exception) -> Response:
    # Logged with the request id by the telemetry middleware, which sees it re-raised.
    # Starlette answers this one outside the middleware, so it adds the headers itself.
    https = request.state.services.settings.is_https
    return error_response(
        request,
        500,
        "Something broke on our side and nothing was saved. Please try again; if it keeps "
        "happening, tell us the request id below.",
        security_headers(https=https),
    )


async def not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404, str(exc))


async def conflict(request: Request, exc: Exception) -> Response:
    return error_response(request, 409, str(exc))


async def stale_version(request: Request, exc: Exception) -> Response:
    """Someone saved first. Nothing was written; the caller gets the current state.

    The API answers 412 when the client sent If-Match (RFC 9110) and 409 otherwise, with
    the current version and board so an integration can re-apply its change.
    """
    assert isinstance(exc, operations.StaleVersion)
    what = ", ".join(exc.clashes) or "this"
    message = (
        f"{exc.changed(what)} while you were editing, so your change was not saved. "
        f"It is now at version {exc.current}: check it and make your change again."
    )
    if wants_json(request):
        status = 412 if "if-match" in request.headers else 409
        error = {"status": status, "message": message, "current_version": exc.current}
        if exc.clashes:  # what changed since the client's based_on (menus/conflicts.py)
            error["clashes"] = list(exc.clashes)
        body = {"error": error, "current": exc.board or None}
        return JSONResponse(body, status, {"ETag": f'"{exc.current}"'})
    return error_response(request, 409, message)


def exception_handlers() -> dict[type[Exception] | int, ExceptionHandler]:
    return {
        HTTPException: http_exception,
        operations.NotFound: not_found,
        operations.Conflict: conflict,
        operations.StaleVersion: stale_version,
        SignInRequired: sign_in_required,
        PoolExhausted: database_busy,
        DatabaseUnreachable: database_unavailable,
        # The connection broke (failover, restart, killed backend): the transaction did not
        # commit, so nothing was saved; the pool replaces the connection for the next request.
        asyncpg.PostgresConnectionError: database_unavailable,
        asyncpg.CannotConnectNowError: database_unavailable,
        asyncpg.AdminShutdownError: database_unavailable,
        asyncpg.CrashShutdownError: database_unavailable,
        asyncpg.TooManyConnectionsError: database_unavailable,
        asyncpg.QueryCanceledError: database_busy,
        asyncpg.LockNotAvailableError: database_busy,
        asyncpg.InterfaceError: database_unavailable,
        asyncpg.exceptions.InternalClientError: database_unavailable,
        ConnectionError: database_unavailable,
        asyncio.TimeoutError: database_unavailable,
        Exception: server_error,
    }
