"""All SQL for venues, memberships and invites. Every venue query filters on venue_id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from chalkboard.db import Conn, fetch_one

ROLES = ("owner", "editor")


@dataclass(frozen=True)
class Venue:
    id: int
    slug: str
    name: str
    timezone: str
    currency: str
    volume_unit: str


@dataclass(frozen=True)
class Membership:
    venue: Venue
    role: str


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class Invite:
    id: int
    venue_id: int
    role: str
    note: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


VENUE_COLUMNS = "v.id, v.slug, v.name, v.timezone, v.currency, v.volume_unit"


def _venue(row: asyncpg.Record) -> Venue:
    return Venue(
        row["id"], row["slug"], row["name"], row["timezone"], row["currency"], row["volume_unit"]
    )


INSERT_VENUE = f"""
WITH v AS (
    INSERT INTO venues (slug, name, timezone, currency, volume_unit)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (slug) DO NOTHING
    RETURNING *
)
SELECT {VENUE_COLUMNS} FROM v
"""
UPDATE_VENUE = f"""
WITH v AS (
    UPDATE venues SET name = $2, timezone = $3, currency = $4, volume_unit = $5
    WHERE id = $1
    RETURNING *
)
SELECT {VENUE_COLUMNS} FROM v
"""
DELETE_VENUE = "DELETE FROM venues WHERE id = $1"  # everything of the venue goes with it
INSERT_MEMBERSHIP = """
INSERT INTO memberships (venue_id, user_id, role) VALUES ($1, $2, $3)
ON CONFLICT (venue_id, user_id) DO NOTHING
"""
SELECT_MEMBERSHIP = f"""
SELECT {VENUE_COLUMNS}, m.role
FROM venues v JOIN memberships m ON m.venue_id = v.id
WHERE v.slug = $1 AND m.user_id = $2
"""
SELECT_USER_MEMBERSHIPS = f"""
SELECT {VENUE_COLUMNS}, m.role
FROM venues v JOIN memberships m ON m.venue_id = v.id
WHERE m.user_id = $1
ORDER BY lower(v.name), v.id
"""
SELECT_VENUE_BY_SLUG = f"SELECT {VENUE_COLUMNS} FROM venues v WHERE v.slug = $1"
SELECT_VENUE_BY_ID = f"SELECT {VENUE_COLUMNS} FROM venues v WHERE v.id = $1"
SELECT_MEMBERS = """
SELECT u.id, u.email, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.venue_id = $1
ORDER BY m.role DESC, lower(u.email)
"""
# The last owner cannot be removed: a venue always has someone who can manage it.
DELETE_MEMBER = """
DELETE FROM memberships m
WHERE m.venue_id = $1 AND m.user_id = $2
  AND (m.role <> 'owner'
       OR (SELECT count(*) FROM memberships o WHERE o.venue_id = $1 AND o.role = 'owner') > 1)
"""

# The venue's owners, locked: two owners demoting each other at once cannot leave none.
LOCK_OWNERS = "SELECT user_id FROM memberships WHERE venue_id = $1 AND role = 'owner' FOR UPDATE"
UPDATE_MEMBER_ROLE = """
UPDATE memberships m SET role = $3
WHERE m.venue_id = $1 AND m.user_id = $2
  AND (m.role <> 'owner' OR $3 = 'owner'
       OR (SELECT count(*) FROM memberships o WHERE o.venue_id = $1 AND o.role = 'owner') > 1)
"""

INVITE_COLUMNS = "id, venue_id, role, note, created_at, expires_at, accepted_at, revoked_at"
INSERT_INVITE = f"""
INSERT INTO invites (venue_id, token_hash, role, note, created_by, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + $6::interval)
RETURNING {INVITE_COLUMNS}
"""
SELECT_INVITE_BY_TOKEN = f"SELECT {INVITE_COLUMNS} FROM invites WHERE token_hash = $1"
SELECT_PENDING_INVITES = f"""
SELECT {INVITE_COLUMNS} FROM invites
WHERE venue_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
ORDER BY created_at DESC
"""
# Single use: the row is claimed by exactly one accepting transaction.
CLAIM_INVITE = f"""
UPDATE invites SET accepted_by = $2, accepted_at = now()
WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
RETURNING {INVITE_COLUMNS}
"""
REVOKE_INVITE = """
UPDATE invites SET revoked_at = now()
WHERE venue_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
"""


def _membership(row: asyncpg.Record) -> Membership:
    return Membership(_venue(row), row["role"])


def _invite(row: asyncpg.Record) -> Invite:
    return Invite(
        row["id"],
        row["venue_id"],
        row["role"],
        row["note"],
        row["created_at"],
        row["expires_at"],
        row["accepted_at"],
        row["revoked_at"],
    )


async def create_venue(
    conn: Conn,
    *,
    slug: str,
    name: str,
    timezone: str,
    currency: str,
    volume_unit: str,
) -> Venue | None:
    """The new venue, or None when the slug is taken."""
    row = await conn.fetchrow(INSERT_VENUE, slug, name, timezone, currency, volume_unit)
    return _venue(row) if row else None


async def update_venue(
    conn: Conn, *, venue_id: int, name: str, timezone: str, currency: str, volume_unit: str
) -> Venue:
    row = await fetch_one(conn, UPDATE_VENUE, venue_id, name, timezone, currency, volume_unit)
    return _venue(row)


async def delete_venue(conn: Conn, *, venue_id: int) -> None:
    await conn.execute(DELETE_VENUE, venue_id)


async def add_member(conn: Conn, *, venue_id: int, user_id: int, role: str) -> bool:
    """Add the user to the venue; False when they already belong to it."""
    return await conn.execute(INSERT_MEMBERSHIP, venue_id, user_id, role) == "INSERT 0 1"


async def get_membership(conn: Conn, *, slug: str, user_id: int) -> Membership | None:
    """The user's membership of the venue with this slug; None for a venue they are not in."""
    row = await conn.fetchrow(SELECT_MEMBERSHIP, slug, user_id)
    return _membership(row) if row else None


async def list_memberships(conn: Conn, *, user_id: int) -> list[Membership]:
    return [_membership(row) for row in await conn.fetch(SELECT_USER_MEMBERSHIPS, user_id)]


async def get_venue_by_slug(conn: Conn, *, slug: str) -> Venue | None:
    row = await conn.fetchrow(SELECT_VENUE_BY_SLUG, slug)
    return _venue(row) if row else None


async def get_venue(conn: Conn, *, venue_id: int) -> Venue | None:
    row = await conn.fetchrow(SELECT_VENUE_BY_ID, venue_id)
    return _venue(row) if row else None


async def list_members(conn: Conn, *, venue_id: int) -> list[Member]:
    rows = await conn.fetch(SELECT_MEMBERS, venue_id)
    return [Member(r["id"], r["email"], r["role"], r["created_at"]) for r in rows]


async def remove_member(conn: Conn, *, venue_id: int, user_id: int) -> bool:
    """False when the user is not a member, or is the venue's last owner."""
    return await conn.execute(DELETE_MEMBER, venue_id, user_id) == "DELETE 1"


async def set_member_role(conn: Conn, *, venue_id: int, user_id: int, role: str) -> bool:
    """False when the user is not a member, or is the venue's last owner being demoted."""
    await conn.execute(LOCK_OWNERS, venue_id)
    return await conn.execute(UPDATE_MEMBER_ROLE, venue_id, user_id, role) == "UPDATE 1"


async def create_invite(
    conn: Conn,
    *,
    venue_id: int,
    token_hash: bytes,
    role: str,
    note: str,
    created_by: int,
    valid_for: timedelta,
) -> Invite:
    row = await fetch_one(
        conn, INSERT_INVITE, venue_id, token_hash, role, note, created_by, valid_for
    )
    return _invite(row)


async def get_invite(conn: Conn, *, token_hash: bytes) -> Invite | None:
    row = await conn.fetchrow(SELECT_INVITE_BY_TOKEN, token_hash)
    return _invite(row) if row else None


async def list_pending_invites(conn: Conn, *, venue_id: int) -> list[Invite]:
    return [_invite(row) for row in await conn.fetch(SELECT_PENDING_INVITES, venue_id)]


async def claim_invite(conn: Conn, *, token_hash: bytes, user_id: int) -> Invite | None:
    """Mark the invite used by this user; None when it is unknown, used, revoked or expired."""
    row = await conn.fetchrow(CLAIM_INVITE, token_hash, user_id)
    return _invite(row) if row else None


async def revoke_invite(conn: Conn, *, venue_id: int, invite_id: int) -> bool:
    return await conn.execute(REVOKE_INVITE, venue_id, invite_id) == "UPDATE 1"


# --- the export: everything the venue owns, but no secrets (no token or password hashes) ---

EXPORT_PARTS = {
    "venue_extras": """
SELECT json_build_object('logo_image_id', logo_image_id, 'embed_origins', embed_origins)
FROM venues WHERE id = $1
""",
    "dayparts": """
SELECT coalesce(json_agg(json_build_object(
    'id', d.id, 'name', d.name, 'windows', d.windows,
    'prices', (SELECT coalesce(json_agg(json_build_object(
        'entry_id', p.entry_id, 'serving_size_id', p.serving_size_id,
        'price_minor', p.price_minor) ORDER BY p.entry_id, p.serving_size_id), '[]')
      FROM daypart_prices p WHERE p.venue_id = d.venue_id AND p.daypart_id = d.id),
    'visibility', (SELECT coalesce(json_agg(json_build_object(
        'section_id', v.section_id, 'entry_id', v.entry_id, 'shows', v.shows)
        ORDER BY v.section_id, v.entry_id), '[]')
      FROM daypart_visibility v WHERE v.venue_id = d.venue_id AND v.daypart_id = d.id)
  ) ORDER BY d.id), '[]')
FROM dayparts d WHERE d.venue_id = $1
""",
    "planned_changes": """
SELECT coalesce(json_agg(json_build_object(
    'id', id, 'menu_id', menu_id, 'run_at', run_at, 'change', change,
    'planned_by', planned_by, 'state', state, 'applied_version', applied_version,
    'outcome', outcome, 'applied_at', applied_at, 'created_at', created_at
  ) ORDER BY run_at, id), '[]')
FROM planned_changes WHERE venue_id = $1
""",
    "displays": """
SELECT coalesce(json_agg(json_build_object(
    'id', d.id, 'name', d.name, 'menu_id', d.menu_id, 'orientation', d.orientation,
    'theme', d.theme, 'created_at', d.created_at,
    'last_seen_at', d.last_seen_at, 'app_version', d.app_version, 'screen', d.screen,
    'revoked_at', d.revoked_at,
    'daypart_menus', (SELECT coalesce(json_agg(json_build_object(
        'daypart_id', m.daypart_id, 'menu_id', m.menu_id) ORDER BY m.position), '[]')
      FROM display_daypart_menus m WHERE m.venue_id = d.venue_id AND m.display_id = d.id)
  ) ORDER BY d.id), '[]')
FROM displays d WHERE d.venue_id = $1
""",
    "promo_slides": """
SELECT coalesce(json_agg(json_build_object(
    'id', s.id, 'title', s.title, 'body', s.body, 'image_id', s.image_id,
    'seconds', s.seconds, 'starts_on', s.starts_on, 'ends_on', s.ends_on,
    'display_ids', (SELECT coalesce(json_agg(sd.display_id ORDER BY sd.display_id), '[]')
      FROM promo_slide_displays sd WHERE sd.venue_id = s.venue_id AND sd.slide_id = s.id)
  ) ORDER BY s.id), '[]')
FROM promo_slides s WHERE s.venue_id = $1
""",
    "staff_notes": """
SELECT coalesce(json_object_agg(id, private_note), '{}')
FROM menu_entries WHERE venue_id = $1 AND private_note <> ''
""",
    "api_tokens": """
SELECT coalesce(json_agg(json_build_object(
    'name', name, 'scope', scope, 'created_at', created_at, 'last_used_at', last_used_at,
    'revoked_at', revoked_at) ORDER BY id), '[]')
FROM api_tokens WHERE venue_id = $1
""",
}


async def export_parts(conn: Conn, *, venue_id: int) -> dict[str, object]:
    """The venue's day-parts, planned changes, TVs, promo slides, staff notes (by entry id),
    API token names and logo, as JSON-ready values: no hashes of tokens or passwords."""
    return {name: await conn.fetchval(sql, venue_id) for name, sql in EXPORT_PARTS.items()}
