"""All SQL for users, sign-in sessions, sign-in failures and venue API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from chalkboard.db import Conn, fetch_one, take_turn


@dataclass(frozen=True)
class User:
    id: int
    email: str


@dataclass(frozen=True)
class ApiToken:
    id: int
    venue_id: int
    name: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None


# --- users -------------------------------------------------------------------------------

INSERT_USER = """
INSERT INTO users (email, password_hash) VALUES ($1, $2)
ON CONFLICT (email) DO NOTHING
RETURNING id, email
"""
SELECT_USER_FOR_LOGIN = "SELECT id, email, password_hash FROM users WHERE email = $1"
SELECT_USER_BY_EMAIL = "SELECT id, email FROM users WHERE email = $1"
SELECT_USER = "SELECT id, email FROM users WHERE id = $1"
UPDATE_PASSWORD = "UPDATE users SET password_hash = $2 WHERE id = $1"


async def create_user(conn: Conn, *, email: str, password_hash: str) -> User | None:
    """The new user, or None when the email is taken."""
    row = await conn.fetchrow(INSERT_USER, email, password_hash)
    return User(row["id"], row["email"]) if row else None


async def get_user_for_login(conn: Conn, *, email: str) -> tuple[User, str] | None:
    row = await conn.fetchrow(SELECT_USER_FOR_LOGIN, email)
    return (User(row["id"], row["email"]), row["password_hash"]) if row else None


async def get_user_by_email(conn: Conn, *, email: str) -> User | None:
    row = await conn.fetchrow(SELECT_USER_BY_EMAIL, email)
    return User(row["id"], row["email"]) if row else None


async def get_user(conn: Conn, *, user_id: int) -> User | None:
    row = await conn.fetchrow(SELECT_USER, user_id)
    return User(row["id"], row["email"]) if row else None


async def set_password_hash(conn: Conn, *, user_id: int, password_hash: str) -> None:
    await conn.execute(UPDATE_PASSWORD, user_id, password_hash)


# --- sessions ----------------------------------------------------------------------------

INSERT_SESSION = "INSERT INTO sessions (token_hash, user_id, user_agent) VALUES ($1, $2, $3)"
# Idle and absolute timeouts in one place; last_seen_at is written at most once a minute
# so that reading pages does not turn every request into a write.
SELECT_SESSION_USER = """
WITH live AS (
    SELECT s.token_hash, s.last_seen_at, u.id, u.email
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = $1
      AND s.last_seen_at > now() - $2::interval
      AND s.created_at > now() - $3::interval
), touched AS (
    UPDATE sessions SET last_seen_at = now()
    FROM live
    WHERE sessions.token_hash = live.token_hash
      AND live.last_seen_at < now() - interval '1 minute'
)
SELECT id, email FROM live
"""
DELETE_SESSION = "DELETE FROM sessions WHERE token_hash = $1"
DELETE_USER_SESSIONS = "DELETE FROM sessions WHERE user_id = $1"
DELETE_EXPIRED_SESSIONS = """
DELETE FROM sessions WHERE last_seen_at < now() - $1::interval OR created_at < now() - $2::interval
"""


async def create_session(conn: Conn, *, token_hash: bytes, user_id: int, user_agent: str) -> None:
    await conn.execute(INSERT_SESSION, token_hash, user_id, user_agent[:300])


async def get_session_user(
    conn: Conn, *, token_hash: bytes, idle: timedelta, absolute: timedelta
) -> User | None:
    row = await conn.fetchrow(SELECT_SESSION_USER, token_hash, idle, absolute)
    return User(row["id"], row["email"]) if row else None


async def delete_session(conn: Conn, *, token_hash: bytes) -> None:
    await conn.execute(DELETE_SESSION, token_hash)


async def delete_user_sessions(conn: Conn, *, user_id: int) -> None:
    await conn.execute(DELETE_USER_SESSIONS, user_id)


async def delete_expired_sessions(conn: Conn, *, idle: timedelta, absolute: timedelta) -> None:
    await conn.execute(DELETE_EXPIRED_SESSIONS, idle, absolute)


# --- sign-in failures (throttling) -------------------------------------------------------

INSERT_LOGIN_FAILURE = "INSERT INTO login_failures (email, client_ip) VALUES ($1, $2::inet)"
COUNT_RECENT_FAILURES = """
SELECT count(*) FILTER (WHERE email = $1) AS by_email,
       count(*) FILTER (WHERE client_ip = $2::inet) AS by_ip
FROM login_failures
WHERE failed_at > now() - $3::interval AND (email = $1 OR client_ip = $2::inet)
"""
DELETE_LOGIN_FAILURES = "DELETE FROM login_failures WHERE email = $1"
DELETE_OLD_LOGIN_FAILURES = "DELETE FROM login_failures WHERE failed_at < now() - $1::interval"


async def wait_login_turn(conn: Conn, *, email: str, client_ip: str | None) -> None:
    """Wait until no other sign-in for this email or from this address is in flight (the
    turn lasts until this request's transaction ends). Always email first: no deadlock."""
    await take_turn(conn, "login-email:" + email)
    if client_ip is not None:
        await take_turn(conn, "login-address:" + client_ip)


async def record_login_failure(conn: Conn, *, email: str, client_ip: str | None) -> None:
    await conn.execute(INSERT_LOGIN_FAILURE, email, client_ip)


async def count_recent_failures(
    conn: Conn, *, email: str, client_ip: str | None, window: timedelta
) -> tuple[int, int]:
    """(failures for this email, failures from this address) within the window."""
    row = await fetch_one(conn, COUNT_RECENT_FAILURES, email, client_ip, window)
    return row["by_email"], row["by_ip"]


async def clear_login_failures(conn: Conn, *, email: str) -> None:
    await conn.execute(DELETE_LOGIN_FAILURES, email)


async def delete_old_login_failures(conn: Conn, *, older_than: timedelta) -> None:
    await conn.execute(DELETE_OLD_LOGIN_FAILURES, older_than)


# --- venue API tokens --------------------------------------------------------------------

INSERT_API_TOKEN = """
INSERT INTO api_tokens (venue_id, name, token_hash, scope, created_by)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, venue_id, name, scope, created_at, last_used_at
"""
SELECT_API_TOKEN = """
WITH live AS (
    SELECT id, venue_id, name, scope, created_at, last_used_at FROM api_tokens
    WHERE token_hash = $1 AND revoked_at IS NULL
), touched AS (
    UPDATE api_tokens SET last_used_at = now()
    FROM live
    WHERE api_tokens.id = live.id
      AND (live.last_used_at IS NULL OR live.last_used_at < now() - interval '1 minute')
)
SELECT * FROM live
"""
SELECT_VENUE_API_TOKENS = """
SELECT id, venue_id, name, scope, created_at, last_used_at FROM api_tokens
WHERE venue_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC
"""
REVOKE_API_TOKEN = """
UPDATE api_tokens SET revoked_at = now()
WHERE venue_id = $1 AND id = $2 AND revoked_at IS NULL
"""


def _api_token(row: asyncpg.Record) -> ApiToken:
    return ApiToken(
        row["id"],
        row["venue_id"],
        row["name"],
        row["scope"],
        row["created_at"],
        row["last_used_at"],
    )


async def create_api_token(
    conn: Conn,
    *,
    venue_id: int,
    name: str,
    token_hash: bytes,
    scope: str,
    created_by: int | None,
) -> ApiToken:
    row = await fetch_one(conn, INSERT_API_TOKEN, venue_id, name, token_hash, scope, created_by)
    return _api_token(row)


async def use_api_token(conn: Conn, *, token_hash: bytes) -> ApiToken | None:
    """The live token with this hash (marking it used), or None."""
    row = await conn.fetchrow(SELECT_API_TOKEN, token_hash)
    return _api_token(row) if row else None


async def list_api_tokens(conn: Conn, *, venue_id: int) -> list[ApiToken]:
    return [_api_token(row) for row in await conn.fetch(SELECT_VENUE_API_TOKENS, venue_id)]


async def revoke_api_token(conn: Conn, *, venue_id: int, token_id: int) -> bool:
    return await conn.execute(REVOKE_API_TOKEN, venue_id, token_id) == "UPDATE 1"


# --- password resets (a link by email) ------------------------------------------------------

INSERT_PASSWORD_RESET = """
INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3)
"""
COUNT_RECENT_RESETS = """
SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > now() - $2::interval
"""
SELECT_PASSWORD_RESET = """
SELECT user_id FROM password_resets
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
"""
# Single use: the first claim wins; every other open link of that person stops working too.
CLAIM_PASSWORD_RESET = """
UPDATE password_resets SET used_at = now()
WHERE user_id = (SELECT user_id FROM password_resets
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now())
  AND used_at IS NULL
RETURNING user_id, token_hash = $1 AS claimed
"""


async def create_password_reset(
    conn: Conn, *, token_hash: bytes, user_id: int, valid_for: timedelta
) -> None:
    await conn.execute(INSERT_PASSWORD_RESET, token_hash, user_id, valid_for)


async def count_recent_resets(conn: Conn, *, user_id: int, window: timedelta) -> int:
    count: int = await conn.fetchval(COUNT_RECENT_RESETS, user_id, window)
    return count


async def password_reset_user(conn: Conn, *, token_hash: bytes) -> int | None:
    """The user an open (unused, unexpired) reset link is for, or None."""
    user_id: int | None = await conn.fetchval(SELECT_PASSWORD_RESET, token_hash)
    return user_id


async def claim_password_reset(conn: Conn, *, token_hash: bytes) -> int | None:
    """Use the link (and close the person's other links): its user, or None if not open."""
    rows = await conn.fetch(CLAIM_PASSWORD_RESET, token_hash)
    return next((int(r["user_id"]) for r in rows if r["claimed"]), None)


# --- email changes -----------------------------------------------------------------------

INSERT_EMAIL_CHANGE = """
INSERT INTO email_changes (token_hash, user_id, new_email, expires_at)
VALUES ($1, $2, $3, now() + $4)
"""
COUNT_RECENT_EMAIL_CHANGES = """
SELECT count(*) FROM email_changes WHERE user_id = $1 AND created_at > now() - $2::interval
"""
SELECT_EMAIL_CHANGE = """
SELECT c.user_id, c.new_email, u.email AS old_email
FROM email_changes c JOIN users u ON u.id = c.user_id
WHERE c.token_hash = $1 AND c.used_at IS NULL AND c.expires_at > now()
"""
# Single use: the first claim wins, and the person's other open links stop working too.
CLAIM_EMAIL_CHANGE = """
UPDATE email_changes SET used_at = now()
WHERE user_id = (SELECT user_id FROM email_changes
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now())
  AND used_at IS NULL
RETURNING token_hash = $1 AS claimed
"""
# The unique index on users.email refuses an address taken since the link was sent.
UPDATE_EMAIL = """
UPDATE users SET email = $2 WHERE id = $1
  AND NOT EXISTS (SELECT 1 FROM users WHERE email = $2)
RETURNING id
"""


@dataclass(frozen=True)
class EmailChange:
    user_id: int
    new_email: str
    old_email: str


async def create_email_change(
    conn: Conn, *, token_hash: bytes, user_id: int, new_email: str, valid_for: timedelta
) -> None:
    await conn.execute(INSERT_EMAIL_CHANGE, token_hash, user_id, new_email, valid_for)


async def count_recent_email_changes(conn: Conn, *, user_id: int, window: timedelta) -> int:
    count: int = await conn.fetchval(COUNT_RECENT_EMAIL_CHANGES, user_id, window)
    return count


async def open_email_change(conn: Conn, *, token_hash: bytes) -> EmailChange | None:
    """The change an open (unused, unexpired) link asks for, or None."""
    row = await conn.fetchrow(SELECT_EMAIL_CHANGE, token_hash)
    return EmailChange(row["user_id"], row["new_email"], row["old_email"]) if row else None


async def claim_email_change(conn: Conn, *, token_hash: bytes) -> bool:
    """Use the link (and close the person's other links): False if it was not open."""
    rows = await conn.fetch(CLAIM_EMAIL_CHANGE, token_hash)
    return any(r["claimed"] for r in rows)


async def set_email(conn: Conn, *, user_id: int, email: str) -> bool:
    """Give the account its new email: False when another account has it by now."""
    try:
        async with conn.transaction():  # a savepoint: a lost race leaves the request usable
            return await conn.fetchval(UPDATE_EMAIL, user_id, email) is not None
    except asyncpg.UniqueViolationError:
        return False
