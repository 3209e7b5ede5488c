"""How menus change: the one home for every edit, from the editor, the API or a keg sensor.

Every change to a menu goes through `change_menu`, inside the request's transaction:
  1. lock the menu row (concurrent saves to one menu queue here);
  2. if the caller says which version it based its edit on and that is no longer the
     current one, refuse with `StaleVersion` (carrying the current board) when what the
     edit changes changed since (`conflicts.py`; with `whole_menu`, anything did) — nothing
     is lost and nothing is silently overwritten, and edits of different things merge;
  3. apply the edit — an edit that changes nothing (a form saved as it was, a sensor
     repeating itself) stops here: no version, no History line, no push, and the answer is
     the current board; 4. bump `version`; 5. store the new board as a revision (who, what,
  when; the base for undo and restore); 6. NOTIFY `menu_changed` with `menu_id:version`,
  delivered when the transaction commits.
A failure anywhere rolls the whole request back: no row, no revision, no notification.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from chalkboard.db import Conn
from chalkboard.menus import changes, conflicts, queries
from chalkboard.menus.board import Board, build_board, with_levels
from chalkboard.menus.conflicts import WHOLE_MENU, Touches
from chalkboard.menus.queries import Beverage, EntryPlace, MenuSummary
from chalkboard.venues import queries as venues

# Enough history to walk back a busy night; older revisions are pruned.
KEEP_REVISIONS = 500


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in person or an API token."""

    user_id: int | None = None
    token_id: int | None = None
    # Added to the history line, e.g. "scheduled by sam@bar.example" (schedules, #16).
    note: str = ""

    @property
    def ids(self) -> tuple[int | None, int | None]:
        return (self.user_id, self.token_id)


class NotFound(Exception):
    """The venue has no such menu, section, entry, beverage or serving size."""


class StaleVersion(Exception):
    """The edit was based on an older version and what it changes changed since; `board` is
    the current state to show, `clashes` says what changed ("Jaipur: Pint price"), if known;
    `who` who changed it, if known, and `by_you` whether only the editor did (elsewhere)."""

    def __init__(
        self,
        current: int,
        board: Board,
        clashes: tuple[str, ...] = (),
        *,
        who: str = "",
        by_you: bool = False,
    ) -> None:
        super().__init__(f"the menu is at version {current}")
        self.current = current
        self.board = board
        self.clashes = clashes
        self.who = who
        self.by_you = by_you

    def changed(self, what: str) -> str:
        """Who changed `what`, truthfully: "sam@bar.example changed Jaipur: Pint price",
        "You changed … on another device or tab", or "Someone else changed …"."""
        if self.by_you:
            return f"You changed {what} on another device or tab"
        return f"{self.who or 'Someone else'} changed {what}"


class Conflict(Exception):
    """The change cannot be made as asked (e.g. deleting a beverage still on a menu)."""


# An edit makes its change and returns a one-line summary, or None when there was nothing to
# change (everything was already as asked).
Edit = Callable[[], Awaitable[str | None]]


class MenuChange(TypedDict):
    """The arguments every change to a menu takes: which menu, in which venue, based on
    which version (None: whatever is current), by whom; `whole_menu`: refuse if anything at
    all changed since `based_on` (the API's If-Match), not only what the edit changes."""

    venue_id: int
    menu_id: int
    based_on: int | None
    actor: Actor
    whole_menu: NotRequired[bool]


async def snapshot_or_build(conn: Conn, venue_id: int, menu: MenuSummary) -> Board:
    stored = await queries.get_snapshot(
        conn, venue_id=venue_id, menu_id=menu.id, version=menu.version
    )
    return stored or await build_board(conn, venue_id=venue_id, menu=menu, version=menu.version)


async def levels_now(conn: Conn, venue_id: int, board: Board) -> Board:
    levels = await queries.keg_levels(conn, venue_id=venue_id, menu_id=board["menu"]["id"])
    return with_levels(board, levels)


async def current_board(conn: Conn, *, venue_id: int, menu_id: int) -> Board:
    """The menu now: its current version, with the keg levels as they are this moment."""
    menu = await queries.get_menu(conn, venue_id=venue_id, menu_id=menu_id)
    if menu is None:
        raise NotFound("No such menu in this venue.")
    return await levels_now(conn, venue_id, await snapshot_or_build(conn, venue_id, menu))


async def board_at(conn: Conn, *, venue_id: int, menu_id: int, version: int) -> Board:
    """The board as it was at `version` (its stored snapshot), or the current one if that
    snapshot is gone (pruned, or the menu moved on); keg levels as they are now."""
    stored = await queries.get_snapshot(conn, venue_id=venue_id, menu_id=menu_id, version=version)
    if stored is None:
        return await current_board(conn, venue_id=venue_id, menu_id=menu_id)
    return await levels_now(conn, venue_id, stored)


async def change_menu(
    conn: Conn,
    *,
    venue_id: int,
    menu_id: int,
    based_on: int | None,
    actor: Actor,
    edit: Edit,
    touches: Touches = WHOLE_MENU,
    whole_menu: bool = False,
    kind: str = "edit",
    described: bool = False,
    mover: changes.Mover | None = None,
) -> Board:
    """Apply `edit` (which returns a one-line summary) as the menu's next version; when it
    returns None (nothing to change), answer the current board and make no version.

    `touches` says what the edit changes: based on an older version, it is refused only
    when one of those things changed since (or, with `whole_menu`, when anything did).
    `described`: History says what changed from the board before to the board after
    (`menus/changes.py`: "Renamed section Cask → Cask ales"), the edit's summary if nothing
    shows; `mover`: the section or entry the edit moves, named as the one that moved."""
    menu = await queries.lock_menu(conn, venue_id=venue_id, menu_id=menu_id)
    if menu is None:
        raise NotFound("No such menu in this venue.")
    if based_on is not None and based_on != menu.version:
        now = await snapshot_or_build(conn, venue_id, menu)
        base = await queries.get_snapshot(
            conn, venue_id=venue_id, menu_id=menu_id, version=based_on
        )
        clashing = ["the menu"]  # a pruned (or future) version: nothing to merge with
        if base is not None and not whole_menu:
            sizes = {str(s["id"]): s["name"] for s in now["sizes"]}
            clashing = conflicts.clashes(base, now, touches, sizes)
        if clashing:
            shown = await levels_now(conn, venue_id, now)
            editors = await queries.editors_since(
                conn, venue_id=venue_id, menu_id=menu_id, version=based_on
            )
            others = [name for user, token, name in editors if (user, token) != actor.ids]
            raise StaleVersion(
                menu.version,
                shown,
                tuple(c for c in clashing if base is not None),
                who=", ".join(others),
                by_you=bool(editors) and not others,
            )
    before = await snapshot_or_build(conn, venue_id, menu) if described else None
    summary = await edit()
    if summary is None:
        return await levels_now(conn, venue_id, await snapshot_or_build(conn, venue_id, menu))
    version = await queries.bump_menu_version(conn, venue_id=venue_id, menu_id=menu_id)
    menu = await queries.get_menu(conn, venue_id=venue_id, menu_id=menu_id) or menu
    return await record(conn, venue_id, menu, version, summary, kind, actor, before, mover)


async def record(
    conn: Conn,
    venue_id: int,
    menu: MenuSummary,
    version: int,
    summary: str,
    kind: str,
    actor: Actor,
    before: Board | None = None,
    mover: changes.Mover | None = None,
) -> Board:
    board = await build_board(conn, venue_id=venue_id, menu=menu, version=version)
    if before is not None:
        venue = await venues.get_venue(conn, venue_id=venue_id)
        lines = changes.describe(before, board, venue.currency if venue else "USD", mover)
        summary = changes.summary(lines, summary)
    if actor.note:
        summary = f"{summary} ({actor.note})"[:300]
    await queries.insert_revision(
        conn,
        venue_id=venue_id,
        menu_id=menu.id,
        version=version,
        summary=summary,
        kind=kind,
        user_id=actor.user_id,
        token_id=actor.token_id,
        snapshot=board,
    )
    await queries.prune_revisions(
        conn, venue_id=venue_id, menu_id=menu.id, latest=version, keep=KEEP_REVISIONS
    )
    await queries.notify_menu_changed(conn, menu_id=menu.id, version=version)
    return board


async def touch_all_menus(conn: Conn, venue_id: int, actor: Actor, summary: str) -> None:
    """Venue-wide changes (serving sizes) show on every board: each menu gets a version."""
    for menu_id in await queries.all_menu_ids(conn, venue_id=venue_id):
        await change_menu(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            based_on=None,
            actor=actor,
            edit=fixed_summary(summary),
        )


def fixed_summary(summary: str) -> Edit:
    async def edit() -> str:
        return summary

    return edit


# --- looking things up, for every kind of change ---------------------------------------


async def section_exists(conn: Conn, venue_id: int, menu_id: int, section_id: int) -> None:
    if (
        await queries.section_position(
            conn, venue_id=venue_id, menu_id=menu_id, section_id=section_id
        )
        is None
    ):
        raise NotFound("No such section on this menu.")


async def entry_in_menu(conn: Conn, venue_id: int, menu_id: int, entry_id: int) -> EntryPlace:
    entry = await queries.entry_in_menu(conn, venue_id=venue_id, menu_id=menu_id, entry_id=entry_id)
    if entry is None:
        raise NotFound("No such entry on this menu.")
    return entry


# An entry's fields the board carries (and so a version's snapshot can tell apart).
BOARD_FIELDS = {*conflicts.ENTRY_FIELDS, "beverage_id"}


async def base_board(conn: Conn, change: MenuChange) -> Board | None:
    """The board as the version the change was based on showed it (None: no such version)."""
    if change["based_on"] is None:
        return None
    return await queries.get_snapshot(
        conn, venue_id=change["venue_id"], menu_id=change["menu_id"], version=change["based_on"]
    )


def section_in(board: Board | None, section_id: int) -> dict[str, Any] | None:
    sections = board["sections"] if board else []
    return next((s for s in sections if s["id"] == section_id), None)


async def beverage_in_venue(conn: Conn, venue_id: int, beverage_id: int) -> Beverage:
    beverage = await queries.get_beverage(conn, venue_id=venue_id, beverage_id=beverage_id)
    if beverage is None:
        raise NotFound("No such beverage in this venue's library.")
    return beverage


async def check_sizes(conn: Conn, venue_id: int, prices: dict[int, int]) -> None:
    unknown = set(prices) - await queries.existing_size_ids(conn, venue_id=venue_id)
    if unknown:
        raise NotFound(f"No such serving size in this venue: {sorted(unknown)}.")


def keg_fields(fields: dict[str, Any], changed: set[str] | None = None) -> dict[str, Any]:
    """Keep keg percentage and remaining volume consistent when the keg size is known.

    Whichever the caller set wins: a new percentage sets the remaining volume, otherwise
    the percentage is derived from the remaining volume (as a flow meter reports it).
    """
    size, remaining = fields.get("keg_size_ml"), fields.get("keg_remaining_ml")
    percent = fields.get("keg_percent")
    if changed is None:
        changed = {name for name, value in fields.items() if value is not None}
    # A new keg size alone corrects what the keg holds: the level (%) seen stays.
    resized = "keg_size_ml" in changed and not changed & {"keg_percent", "keg_remaining_ml"}
    if (
        size
        and percent is not None
        and ("keg_percent" in changed or resized)
        and "keg_remaining_ml" not in changed
    ):
        fields["keg_remaining_ml"] = int(size * Decimal(percent) / 100)
    elif size and remaining is not None:
        remaining = min(remaining, size)
        fields["keg_remaining_ml"] = remaining
        fields["keg_percent"] = (Decimal(remaining) * 100 / size).quantize(Decimal("0.01"))
    return fields
