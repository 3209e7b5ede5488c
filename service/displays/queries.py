"""All SQL for displays and pairing codes. Every display query of a venue takes venue_id.

Writes that a TV must hear about NOTIFY in the same transaction (docs/protocol.md):
`display_changed` ('<display_id>:<event>') and `display_paired` ('<code>:<display_id>').
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from chalkboard.db import Conn, fetch_one, take_turn
from chalkboard.displays.daypart_menus import MenuRule, next_switch, rule_at, rules_from
from chalkboard.media.pictures import picture
from chalkboard.text import CONTROL

DISPLAY_EVENTS = ("updated", "revoked", "reload")
SLIDE_WIDTH = 1920  # the picture variant a promo slide shows (srcset offers the others)


@dataclass(frozen=True)
class Display:
    id: int
    venue_id: int
    name: str
    menu_id: int | None
    orientation: str
    theme: dict[str, Any]
    paired: bool  # the TV has received its token
    created_at: datetime
    last_seen_at: datetime | None
    app_version: str
    screen: str
    revoked_at: datetime | None
    venue_logo: str = ""  # the URL of the venue's logo (media library), "" for none
    slides: list[dict[str, Any]] = field(default_factory=list)  # promo slides it shows


@dataclass(frozen=True)
class PairingCode:
    code: str
    expires_at: datetime
    venue_id: int | None
    display_id: int | None


# The promo slides a display shows (promos/), future ones too (the TV starts each on its day,
# even offline); those that ended before yesterday are left out (time zones either side).
SLIDES_OF_DISPLAY = """
SELECT coalesce(json_agg(json_build_object(
    'id', s.id, 'title', s.title, 'body', s.body, 'seconds', s.seconds,
    'starts_on', s.starts_on, 'ends_on', s.ends_on, 'variants', i.variants
  ) ORDER BY s.starts_on NULLS FIRST, s.id), '[]')
FROM promo_slides s
JOIN promo_slide_displays sd ON sd.slide_id = s.id AND sd.display_id = displays.id
LEFT JOIN images i ON i.venue_id = s.venue_id AND i.id = s.image_id
WHERE s.ends_on IS NULL OR s.ends_on >= current_date - 1
"""
DISPLAY_COLUMNS = (
    "id, venue_id, name, menu_id, orientation, theme, token_hash IS NOT NULL AS paired, "
    "created_at, last_seen_at, app_version, screen, revoked_at, "
    "(SELECT i.variants FROM venues v JOIN images i ON i.venue_id = v.id "
    "AND i.id = v.logo_image_id WHERE v.id = displays.venue_id) AS venue_logo, "
    f"({SLIDES_OF_DISPLAY}) AS slides"
)


def display_from(row: asyncpg.Record) -> Display:
    return Display(
        row["id"],
        row["venue_id"],
        row["name"],
        row["menu_id"],
        row["orientation"],
        dict(row["theme"]),
        row["paired"],
        row["created_at"],
        row["last_seen_at"],
        row["app_version"],
        row["screen"],
        row["revoked_at"],
        (picture(row["venue_logo"]) or {}).get("url", ""),
        [slide_shown(slide) for slide in row["slides"]],
    )


def slide_shown(slide: dict[str, Any]) -> dict[str, Any]:
    """A promo slide as the TV gets it: its picture at full-screen width, or None."""
    shown = {key: value for key, value in slide.items() if key != "variants"}
    return shown | {"image": picture(slide["variants"], width=SLIDE_WIDTH)}


def pairing_from(row: asyncpg.Record) -> PairingCode:
    return PairingCode(row["code"], row["expires_at"], row["venue_id"], row["display_id"])


# --- displays of a venue (the editor) ----------------------------------------------------

INSERT_DISPLAY = f"""
INSERT INTO displays (venue_id, name, menu_id, orientation, theme)
VALUES ($1, $2, $3, $4, $5)
RETURNING {DISPLAY_COLUMNS}
"""
SELECT_DISPLAYS = f"""
SELECT {DISPLAY_COLUMNS} FROM displays
WHERE venue_id = $1 AND revoked_at IS NULL
ORDER BY lower(name), id
"""
SELECT_DISPLAY = f"SELECT {DISPLAY_COLUMNS} FROM displays WHERE venue_id = $1 AND id = $2"
UPDATE_DISPLAY = f"""
UPDATE displays SET name = $3, menu_id = $4, orientation = $5, theme = $6
WHERE venue_id = $1 AND id = $2 AND revoked_at IS NULL
RETURNING {DISPLAY_COLUMNS}
"""
REVOKE_DISPLAY = """
UPDATE displays SET revoked_at = now(), token_hash = NULL
WHERE venue_id = $1 AND id = $2 AND revoked_at IS NULL
"""


async def create_display(
    conn: Conn,
    *,
    venue_id: int,
    name: str,
    menu_id: int | None,
    orientation: str = "landscape",
    theme: dict[str, Any] | None = None,
) -> Display:
    row = await fetch_one(conn, INSERT_DISPLAY, venue_id, name, menu_id, orientation, theme or {})
    return display_from(row)


async def list_displays(conn: Conn, *, venue_id: int) -> list[Display]:
    return [display_from(r) for r in await conn.fetch(SELECT_DISPLAYS, venue_id)]


async def get_display(conn: Conn, *, venue_id: int, display_id: int) -> Display | None:
    row = await conn.fetchrow(SELECT_DISPLAY, venue_id, display_id)
    return display_from(row) if row else None


async def update_display(
    conn: Conn,
    *,
    venue_id: int,
    display_id: int,
    name: str,
    menu_id: int | None,
    orientation: str,
    theme: dict[str, Any],
) -> Display | None:
    row = await conn.fetchrow(
        UPDATE_DISPLAY, venue_id, display_id, name, menu_id, orientation, theme
    )
    return display_from(row) if row else None


async def revoke_display(conn: Conn, *, venue_id: int, display_id: int) -> bool:
    """Revoke: the token stops working at once, and the TV is told to close (within 5 s)."""
    return await conn.execute(REVOKE_DISPLAY, venue_id, display_id) == "UPDATE 1"


# --- pairing -------------------------------------------------------------------------------

INSERT_PAIRING_CODE = """
INSERT INTO pairing_codes (code, expires_at) VALUES ($1, now() + $2::interval)
ON CONFLICT (code) DO NOTHING
RETURNING code, expires_at, venue_id, display_id
"""
# Single use: one claim per code, and only while it is fresh.
CLAIM_PAIRING_CODE = """
UPDATE pairing_codes SET venue_id = $2, display_id = $3, claimed_at = now()
WHERE code = $1 AND claimed_at IS NULL AND expires_at > now()
RETURNING code, expires_at, venue_id, display_id
"""
SELECT_PAIRING_CODE = (
    "SELECT code, expires_at, venue_id, display_id FROM pairing_codes WHERE code = $1"
)
# Deliver the token once: only a claimed display that has no token yet gets one.
SET_DISPLAY_TOKEN = """
UPDATE displays d SET token_hash = $2, last_seen_at = now()  -- it is connected, taking it
FROM pairing_codes p
WHERE p.code = $1 AND p.display_id = d.id AND d.token_hash IS NULL AND d.revoked_at IS NULL
RETURNING d.id
"""
DELETE_OLD_PAIRING_CODES = "DELETE FROM pairing_codes WHERE expires_at < now() - interval '1 day'"


async def create_pairing_code(conn: Conn, *, code: str, valid_for: timedelta) -> PairingCode | None:
    """The new code, or None if it is taken (the caller draws another)."""
    row = await conn.fetchrow(INSERT_PAIRING_CODE, code, valid_for)
    return pairing_from(row) if row else None


async def claim_pairing_code(
    conn: Conn, *, code: str, venue_id: int, display_id: int
) -> PairingCode | None:
    row = await conn.fetchrow(CLAIM_PAIRING_CODE, code, venue_id, display_id)
    return pairing_from(row) if row else None


async def get_pairing_code(conn: Conn, *, code: str) -> PairingCode | None:
    row = await conn.fetchrow(SELECT_PAIRING_CODE, code)
    return pairing_from(row) if row else None


async def set_display_token(conn: Conn, *, code: str, token_hash: bytes) -> int | None:
    """Give the display claimed with `code` its token hash; its id, or None if not due."""
    display_id: int | None = await conn.fetchval(SET_DISPLAY_TOKEN, code, token_hash)
    return display_id


COUNT_PAIRING_FAILURES = """
SELECT count(*) FILTER (WHERE user_id = $1) AS by_user,
       count(*) FILTER (WHERE venue_id = $2) AS by_venue
FROM pairing_failures
WHERE failed_at > now() - $3::interval AND (user_id = $1 OR venue_id = $2)
"""
INSERT_PAIRING_FAILURE = "INSERT INTO pairing_failures (user_id, venue_id) VALUES ($1, $2)"
DELETE_OLD_PAIRING_FAILURES = "DELETE FROM pairing_failures WHERE failed_at < now() - $1::interval"


async def count_pairing_failures(
    conn: Conn, *, user_id: int, venue_id: int, window: timedelta
) -> tuple[int, int]:
    """Wait for this user's and this venue's turn to claim; then (wrong codes this user
    typed, wrong codes typed into this venue) within the window. User first: no deadlock."""
    await take_turn(conn, f"pair-user:{user_id}")
    await take_turn(conn, f"pair-venue:{venue_id}")
    row = await fetch_one(conn, COUNT_PAIRING_FAILURES, user_id, venue_id, window)
    return row["by_user"], row["by_venue"]


async def record_pairing_failure(conn: Conn, *, user_id: int, venue_id: int) -> None:
    await conn.execute(INSERT_PAIRING_FAILURE, user_id, venue_id)


async def delete_old_pairing_failures(conn: Conn, *, older_than: timedelta) -> None:
    await conn.execute(DELETE_OLD_PAIRING_FAILURES, older_than)


async def delete_old_pairing_codes(conn: Conn) -> None:
    await conn.execute(DELETE_OLD_PAIRING_CODES)


# --- what a connected TV needs ------------------------------------------------------------

# A display's menus by day-part, in order, with what resolving them needs (#16).
MENU_RULES_OF_DISPLAY = """
SELECT coalesce(json_agg(json_build_object(
    'daypart_id', r.daypart_id, 'daypart', d.name, 'windows', d.windows,
    'menu_id', r.menu_id, 'menu', m.name, 'version', m.version
  ) ORDER BY r.position), '[]')
FROM display_daypart_menus r
JOIN dayparts d ON d.venue_id = r.venue_id AND d.id = r.daypart_id
JOIN menus m ON m.venue_id = r.venue_id AND m.id = r.menu_id
WHERE r.display_id = displays.id
"""
# The display and its menu's current version in one round trip: all a TV needs on hello;
# with its menus by day-part and the venue's timezone, to tell which menu shows now.
SHOWING_COLUMNS = f"""{DISPLAY_COLUMNS},
  (SELECT m.version FROM menus m WHERE m.venue_id = displays.venue_id AND m.id = displays.menu_id)
    AS menu_version,
  ({MENU_RULES_OF_DISPLAY}) AS menu_rules,
  (SELECT v.timezone FROM venues v WHERE v.id = displays.venue_id) AS venue_timezone
"""
SELECT_SHOWING = f"SELECT {SHOWING_COLUMNS} FROM displays "
SELECT_SHOWINGS_BY_TOKENS = (
    f"SELECT token_hash, {SHOWING_COLUMNS} FROM displays "
    "WHERE token_hash = ANY($1::bytea[]) AND revoked_at IS NULL"
)
SELECT_SHOWING_BY_ID = SELECT_SHOWING + "WHERE id = $1"
SELECT_SHOWINGS_BY_IDS = SELECT_SHOWING + "WHERE id = ANY($1::bigint[])"
# One statement for every TV seen since the last write (a NULL keeps what the TV reported).
RECORD_SEEN = """
UPDATE displays d SET last_seen_at = now(),
  app_version = coalesce(s.app_version, d.app_version), screen = coalesce(s.screen, d.screen)
FROM unnest($1::bigint[], $2::text[], $3::text[]) AS s(id, app_version, screen)
WHERE d.id = s.id
"""


@dataclass(frozen=True)
class Showing:
    """A display and the current version of the menu it shows (None: no menu, or just
    deleted). With menus by day-part, `display.menu_id` is the menu it shows *now*, and
    `switch_at` when that is to be looked at again (the next switch)."""

    display: Display
    menu_version: int | None
    switch_at: datetime | None = None
    # (menu id, version) the display shows from `switch_at`, when that is another menu: a
    # TV is sent its board ahead, to switch by its own clock even offline (live/hub.py).
    switch_to: tuple[int, int] | None = None


def showing_from(row: asyncpg.Record, at: datetime | None = None) -> Showing:
    """The display as it shows at `at` (default: now, when it was read)."""
    display = display_from(row)
    rules = rules_from(row["menu_rules"])
    if not rules:
        return Showing(display, row["menu_version"])
    at = at or datetime.now(UTC)
    tz = ZoneInfo(row["venue_timezone"])
    switch = next_switch(rules, display.menu_id, tz, at)
    rule = rule_at(rules, tz, at)
    shown = replace(display, menu_id=rule.menu_id) if rule else display
    if switch is None:
        return Showing(shown, rule.version if rule else row["menu_version"])
    to_version = switch.rule.version if switch.rule else row["menu_version"]
    switch_to = (
        (switch.menu_id, to_version)
        if switch.menu_id not in (None, shown.menu_id) and to_version is not None
        else None
    )
    return Showing(shown, rule.version if rule else row["menu_version"], switch.at, switch_to)


async def showings_for_tokens(conn: Conn, *, token_hashes: list[bytes]) -> dict[bytes, Showing]:
    """Token hash → the showing of its display, for the tokens of displays not revoked."""
    rows = await conn.fetch(SELECT_SHOWINGS_BY_TOKENS, token_hashes)
    return {row["token_hash"]: showing_from(row) for row in rows}


async def showing_by_id(conn: Conn, *, display_id: int) -> Showing | None:
    """For the live hub, which knows displays by id from its own sockets only."""
    row = await conn.fetchrow(SELECT_SHOWING_BY_ID, display_id)
    return showing_from(row) if row else None


async def showings_by_ids(conn: Conn, *, display_ids: list[int]) -> dict[int, Showing]:
    """Display id → its showing, for those that still exist."""
    rows = await conn.fetch(SELECT_SHOWINGS_BY_IDS, display_ids)
    return {row["id"]: showing_from(row) for row in rows}


async def record_seen(conn: Conn, seen: Mapping[int, tuple[str, str] | None]) -> None:
    """Mark displays seen now; with (app version, screen) when the TV reported them."""
    reports = list(seen.items())
    await conn.execute(
        RECORD_SEEN,
        [display_id for display_id, _ in reports],
        [_as_kept(report[0], 40) if report else None for _, report in reports],
        [_as_kept(report[1], 20) if report else None for _, report in reports],
    )


def _as_kept(reported: str, limit: int) -> str:
    """What a TV reported, as its column can keep it: one TV's NUL must not fail the whole
    batch (and every TV's last_seen_at with it, retried forever)."""
    return CONTROL.sub("", reported)[:limit]


# Those that show the menu usually or during a day-part (#16).
SELECT_DISPLAYS_ON_MENU = """
SELECT id FROM displays WHERE venue_id = $1 AND menu_id = $2
UNION SELECT display_id FROM display_daypart_menus WHERE venue_id = $1 AND menu_id = $2
"""


async def displays_on_menu(conn: Conn, *, venue_id: int, menu_id: int) -> list[int]:
    return [r["id"] for r in await conn.fetch(SELECT_DISPLAYS_ON_MENU, venue_id, menu_id)]


# --- menus by day-part (#16) -------------------------------------------------------------

SELECT_MENU_RULES = (
    f"SELECT ({MENU_RULES_OF_DISPLAY}) AS rules FROM displays WHERE venue_id = $1 AND id = $2"
)
DELETE_MENU_RULES = "DELETE FROM display_daypart_menus WHERE venue_id = $1 AND display_id = $2"
INSERT_MENU_RULE = """
INSERT INTO display_daypart_menus (venue_id, display_id, daypart_id, menu_id, position)
VALUES ($1, $2, $3, $4, $5)
"""
SELECT_DISPLAYS_ON_DAYPART = (
    "SELECT DISTINCT display_id FROM display_daypart_menus WHERE venue_id = $1 AND daypart_id = $2"
)


async def menu_rules(conn: Conn, *, venue_id: int, display_id: int) -> list[MenuRule]:
    """The display's menus by day-part, in order (first listed wins)."""
    found = await conn.fetchval(SELECT_MENU_RULES, venue_id, display_id)
    return rules_from(found or [])


async def replace_menu_rules(
    conn: Conn, *, venue_id: int, display_id: int, rules: list[tuple[int, int]]
) -> None:
    """Set the display's (day-part, menu) rules, in this order."""
    await conn.execute(DELETE_MENU_RULES, venue_id, display_id)
    await conn.executemany(
        INSERT_MENU_RULE,
        [(venue_id, display_id, daypart, menu, i) for i, (daypart, menu) in enumerate(rules)],
    )


async def displays_on_daypart(conn: Conn, *, venue_id: int, daypart_id: int) -> list[int]:
    """Displays that show another menu during this day-part."""
    return [
        r["display_id"] for r in await conn.fetch(SELECT_DISPLAYS_ON_DAYPART, venue_id, daypart_id)
    ]


# --- notifications -------------------------------------------------------------------------

NOTIFY = "SELECT pg_notify($1, $2)"


async def notify_display_changed(conn: Conn, *, display_id: int, event: str) -> None:
    assert event in DISPLAY_EVENTS
    await conn.execute(NOTIFY, "display_changed", f"{display_id}:{event}")


async def notify_display_paired(conn: Conn, *, code: str, display_id: int) -> None:
    await conn.execute(NOTIFY, "display_paired", f"{code}:{display_id}")
