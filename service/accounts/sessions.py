"""Server-side sign-in sessions and CSRF tokens, carried in cookies.

Session: the cookie holds a random id; Postgres holds its hash, the user, and when it was
made and last used (idle and absolute timeouts). Signing out deletes the row, so a copied
cookie stops working at once.

CSRF: a signed double-submit token. A random seed lives in its own HttpOnly cookie; forms
and scripts send HMAC(SECRET_KEY, seed). Another site can make the browser send the cookie
but can neither read it nor compute the token. Over https both cookies take the `__Host-`
prefix, so no subdomain can plant them.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from chalkboard import tokens
from chalkboard.accounts import queries
from chalkboard.accounts.queries import User
from chalkboard.db import Conn
from chalkboard.settings import Settings

SESSION_COOKIE = "cb_session"
CSRF_COOKIE = "cb_csrf"
API_TOKEN_PREFIX = "cbt_"


def cookie_name(base: str, settings: Settings) -> str:
    return f"__Host-{base}" if settings.is_https else base


def _set_cookie(
    response: Response, name: str, value: str, max_age: int, settings: Settings
) -> None:
    response.set_cookie(
        cookie_name(name, settings),
        value,
        max_age=max_age,
        path="/",
        secure=settings.is_https,
        httponly=True,
        samesite="lax",
    )


# --- sessions ----------------------------------------------------------------------------


def _timeouts(settings: Settings) -> tuple[timedelta, timedelta]:
    return timedelta(days=settings.session_idle_days), timedelta(
        days=settings.session_absolute_days
    )


async def current_user(request: Request, conn: Conn, settings: Settings) -> User | None:
    token = request.cookies.get(cookie_name(SESSION_COOKIE, settings))
    if not token:
        return None
    idle, absolute = _timeouts(settings)
    return await queries.get_session_user(
        conn, token_hash=tokens.hash_token(token), idle=idle, absolute=absolute
    )


async def sign_in(
    request: Request, response: Response, conn: Conn, settings: Settings, user: User
) -> None:
    """Start a new session (always a new id: no fixation) and set its cookie."""
    await sign_out(request, response, conn, settings)
    token, token_hash = tokens.new_token()
    await queries.create_session(
        conn,
        token_hash=token_hash,
        user_id=user.id,
        user_agent=request.headers.get("user-agent", ""),
    )
    _set_cookie(response, SESSION_COOKIE, token, settings.session_absolute_days * 86400, settings)


async def sign_out(request: Request, response: Response, conn: Conn, settings: Settings) -> None:
    token = request.cookies.get(cookie_name(SESSION_COOKIE, settings))
    if token:
        await queries.delete_session(conn, token_hash=tokens.hash_token(token))
    response.delete_cookie(
        cookie_name(SESSION_COOKIE, settings), path="/", secure=settings.is_https, httponly=True
    )


# --- CSRF --------------------------------------------------------------------------------


def _csrf_seed(request: Request, settings: Settings) -> str:
    """This browser's seed: from its cookie, or a new one remembered for the response."""
    seed = request.cookies.get(cookie_name(CSRF_COOKIE, settings))
    if not seed or len(seed) > 100:
        seed = request.scope.setdefault("chalkboard.new_csrf_seed", secrets.token_urlsafe(32))
    return seed


def csrf_token(request: Request, settings: Settings) -> str:
    return tokens.sign(settings.secret_key.reveal(), "csrf:" + _csrf_seed(request, settings))


def csrf_matches(sent: str, expected: str) -> bool:
    return tokens.same(sent, expected)


def remember_csrf_seed(request: Request, response: Response, settings: Settings) -> None:
    """Set the seed cookie when this request had to make a new seed. A call with an API token
    is not a browser's: it needs no CSRF token, and gets no cookie at all."""
    seed = request.scope.get("chalkboard.new_csrf_seed")
    if seed is not None and bearer_token(request) is None:
        _set_cookie(response, CSRF_COOKIE, seed, 365 * 86400, settings)


# --- API tokens --------------------------------------------------------------------------


def bearer_token(request: Request) -> bytes | None:
    """The hash of the request's `Authorization: Bearer` token, if it sent one."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return tokens.hash_token(value.strip())


def new_api_token() -> tuple[str, bytes]:
    return tokens.new_token(API_TOKEN_PREFIX)
