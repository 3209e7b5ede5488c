"""The menu editor's page, and what every POST that changes a menu shares.

Every action is a plain form POST that works without JavaScript and answers 303 back to the
editor with `?done=<version>`: the page then says what that version changed (read from the
revision, never from the URL) and offers Undo. Every save carries the version its page showed
(`based_on`); saves of different things merge (operations.change_menu, menus/conflicts.py).
A save that is refused (someone else changed the same thing first: a conflict) or invalid
writes nothing and answers 303 too (redirect after POST: a reload never sends the form again);
the editor then shows once, from `http/flash.py`, the menu as it is now, what was typed and
why it was not saved.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.embeds import queries as embeds
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values
from chalkboard.http.pages import render
from chalkboard.http.routing import Context, Endpoint
from chalkboard.menus import display, operations, queries
from chalkboard.menus.board import Board
from chalkboard.menus.operations import MenuChange
from chalkboard.menus.queries import EntryPlace, MenuSummary
from chalkboard.menus.views.showing import showing_now

PICK_LIST = 8  # beverages offered in the editor's "add" form before anyone searches
PICK_FOUND = 50  # a search's matches in the whole library (type more to narrow it)
CONFLICT = (
    "{changed} while you were editing; your change was NOT saved. "
    "Here is the menu now — make your change again."
)
CLASH = (
    "{changed} while you were editing, so your change was NOT saved. "
    "Here is the menu now, with what you typed — check it and save again."
)
STATUSES = [
    ("on_tap", "On tap"),
    ("on_deck", "On deck"),
    ("kicked", "Kicked"),
    ("hidden", "Hidden"),
]
SECTION_KINDS = [("taps", "Taps (numbered)"), ("list", "List (cans, bottles, food)")]
KINDS = [
    ("beer", "Beer"),
    ("cider", "Cider"),
    ("mead", "Mead"),
    ("seltzer", "Seltzer"),
    ("wine", "Wine"),
    ("cocktail", "Cocktail"),
    ("non_alcoholic", "Non-alcoholic"),
    ("food", "Food"),
    ("other", "Other"),
]
# A new beverage typed into a list section is guessed from the section's name (else "beer").
KIND_WORDS = [
    ("cocktail", "cocktail"), ("wine", "wine"), ("cider", "cider"), ("mead", "mead"),
    ("seltzer", "seltzer"), ("soft", "non_alcoholic"), ("alcohol", "non_alcoholic"),
    ("food", "food"), ("snack", "food"), ("bites", "food"),
]  # fmt: skip
# How the conflict banner names what was typed (prices are named after their sizes).
FIELD_LABELS = {
    "name": "Name",
    "kind": "Kind",
    "position": "Position",
    "section_id": "Section",
    "beverage_id": "Beverage",
    "new_name": "New beverage",
    "new_producer": "Producer",
    "new_style": "Style",
    "new_abv": "ABV %",
    "tap_label": "Tap",
    "status": "Status",
    "keg_percent": "Keg left (%)",
    "note": "Note",
    "private_note": "Staff only",
}


@dataclass(frozen=True)
class Attempt:
    """What was just submitted, shown again in the form it came from (matched by action)."""

    action: str = ""
    values: dict[str, str] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


@dataclass(frozen=True)
class Editing:
    """A POST that changes one menu: the menu named by the path, the form, its version."""

    menu: MenuSummary
    values: dict[str, str]
    based_on: int | None

    def change(self, ctx: Context) -> MenuChange:
        return MenuChange(
            venue_id=ctx.venue.id, menu_id=self.menu.id, based_on=self.based_on, actor=actor_of(ctx)
        )


def attempt_back(
    ctx: Context, url: str, attempt: Attempt, *, problem: str = "", **more: Any
) -> Response | None:
    """303 to `url` (redirect after POST), whose page then shows `attempt` and `problem`
    once (`attempt_shown`); None when that is too large to carry in a cookie."""
    return flash.redirect(
        ctx.services.settings,
        url,
        action=attempt.action,
        values=attempt.values,
        errors=dict(attempt.errors),
        problem=problem,
        **more,
    )


def attempt_shown(shown: dict[str, Any]) -> Attempt:
    """The attempt a page shows once, from what `attempt_back` carried (`flash.take`)."""
    return Attempt(
        shown.get("action", ""), shown.get("values", {}), FormErrors(shown.get("errors", {}))
    )


def int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def actor_of(ctx: Context) -> operations.Actor:
    return operations.Actor(user_id=ctx.user.id)


def entry_values(
    entry: dict[str, Any], currency: str, private_notes: dict[int, str] | None = None
) -> dict[str, str]:
    """A board entry as its edit form shows it (with its staff note, which the board lacks)."""
    percent = "" if entry["keg_percent"] is None else f"{entry['keg_percent']:g}"
    return {
        "tap_label": entry["tap_label"],
        "status": entry["status"],
        "keg_percent": percent,
        # The level as the form showed it: pours move it meanwhile, and an untouched field
        # must not put back what the keg held when the page loaded.
        "keg_percent_shown": percent,
        "note": entry["note"],
        "private_note": (private_notes or {}).get(entry["id"], ""),
        **{
            f"price_{size}": display.typed_price(minor, currency)
            for size, minor in entry["prices"].items()
        },
    }


# --- the editor page ---------------------------------------------------------------------


def editor_url(ctx: Context, menu_id: int) -> str:
    return f"/v/{ctx.venue.slug}/menus/{menu_id}"


def back_to_editor(
    ctx: Context,
    board: Board,
    anchor: str = "",
    *,
    adding: int | None = None,
    editing: Editing | None = None,
    adding_new: bool = False,
) -> Response:
    """Back to the editor, which then shows what this version changed, with Undo (and,
    `adding` a section id, that section's add form open again: "add another", with its
    new-beverage fields open when `adding_new`, as they were for the one just added); given
    the `editing` that saved, a save that made no version says there was nothing to save."""
    menu = board["menu"]
    url = f"{editor_url(ctx, menu['id'])}?done={menu['version']}"
    if editing is not None and menu["version"] == editing.menu.version:
        url = f"{editor_url(ctx, menu['id'])}?unchanged=1"
    if adding is not None:
        url, anchor = f"{url}&add={adding}", f"add-{adding}"
        if adding_new:
            url += "&new=1"
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), 303)


def next_taps(board: Board) -> dict[int, str]:
    """Per taps section, the tap number after its highest: what "Add" fills in."""
    taps = {}
    for section in board["sections"]:
        numbers = [int(e["tap_label"]) for e in section["entries"] if e["tap_label"].isdigit()]
        taps[section["id"]] = str(max(numbers, default=0) + 1)
    return taps


def new_kinds(board: Board) -> dict[int, str]:
    """Per section, the kind a beverage created in its "Add" form starts as: the kind most of
    its entries are, else one its name suggests ("Cocktails": cocktail), else beer."""
    kinds = {}
    for section in board["sections"]:
        listed = Counter(e["beverage"]["kind"] for e in section["entries"]).most_common(1)
        name = section["name"].lower()
        named = [kind for word, kind in KIND_WORDS if word in name]
        kinds[section["id"]] = listed[0][0] if listed else (named or ["beer"])[0]
    return kinds


async def editor_page(
    ctx: Context,
    board: Board,
    *,
    status: int = 200,
    attempt: Attempt | None = None,
    problem: str = "",
    done: int | None = None,
    query: str = "",
    adding: int | None = None,
    unchanged: bool = False,
    adding_new: bool = False,
) -> Response:
    """The editor for `board`, whether all is well (200), input is bad (422) or stale (409)."""
    menu_id = board["menu"]["id"]
    revisions = await queries.list_revisions(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id, limit=10
    )
    matches = await queries.search_beverages(
        ctx.conn, venue_id=ctx.venue.id, text=query, limit=PICK_FOUND if query else PICK_LIST
    )
    private_notes = await queries.private_notes(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    target = await queries.undo_target(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    public_id = await embeds.get_public_id(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    # The page follows the menu's public feed (what live embeds follow: a version, nothing
    # more) and redraws what changed elsewhere (web/static/js/editor.js).
    return await render(
        ctx,
        "editor.html",
        status,
        live_feed=f"/embed/{public_id}/live",
        latest=revisions[0] if revisions else None,
        next_taps=next_taps(board),
        new_kinds=new_kinds(board),
        kinds=KINDS,
        undoes=target["summary"] if target and target["restore_version"] is not None else None,
        board=board,
        showing=showing_now(board, datetime.now(UTC)),
        base=editor_url(ctx, menu_id),
        attempt=attempt or Attempt(),
        problem=problem,
        done=next((r for r in revisions if r.version == done), None),
        query=query,
        adding=adding,
        unchanged=unchanged,
        adding_new=adding_new,
        matches=matches,
        statuses=STATUSES,
        section_kinds=SECTION_KINDS,
        field_labels=FIELD_LABELS
        | {f"price_{s['id']}": f"{s['name']} price" for s in board["sizes"]},
        private_notes=private_notes,
        entry_values=functools.partial(
            entry_values, currency=ctx.venue.currency, private_notes=private_notes
        ),
    )


async def editor(request: Request, ctx: Context) -> Response:
    board = await operations.current_board(
        ctx.conn, venue_id=ctx.venue.id, menu_id=request.path_params["menu_id"]
    )
    params = request.query_params
    settings = ctx.services.settings
    shown = flash.take(request, settings)  # a save that came back: what was typed, and why
    response = await editor_page(
        ctx,
        board,
        attempt=attempt_shown(shown),
        problem=shown.get("problem", ""),
        done=int_or_none(params.get("done")),
        query=params.get("q", "").strip()[:80],
        adding=int_or_none(params.get("add")),
        unchanged=params.get("unchanged") == "1",
        adding_new=params.get("new") == "1",
    )
    return flash.forget(request, response, settings)


async def _come_back(
    ctx: Context, board: Board, attempt: Attempt, *, status: int, problem: str = ""
) -> Response:
    """A save that was not made: back to the editor (303), which shows the menu as it is now,
    what was typed and why; drawn in place (`status`) when that is too large to carry."""
    back = attempt_back(ctx, editor_url(ctx, board["menu"]["id"]), attempt, problem=problem)
    return back or await editor_page(ctx, board, status=status, attempt=attempt, problem=problem)


# --- resolving what a POST is about ------------------------------------------------------

MenuAction = Callable[[Request, Context, Editing], Awaitable[Response]]


async def menu_in_path(request: Request, ctx: Context) -> MenuSummary:
    menu = await queries.get_menu(
        ctx.conn, venue_id=ctx.venue.id, menu_id=request.path_params["menu_id"]
    )
    if menu is None:
        raise operations.NotFound("No such menu in this venue.")
    return menu


def menu_action(view: MenuAction) -> Endpoint:
    """A POST that changes one menu; the menu comes from the path first (else 404).

    When the save is refused — someone else saved first (StaleVersion) or it cannot be done
    (Conflict) — the editor comes back as 409 with the menu as it is now and what was typed.
    """

    async def endpoint(request: Request, ctx: Context) -> Response:
        menu = await menu_in_path(request, ctx)
        values = await form_values(request)
        editing = Editing(menu, values, int_or_none(values.get("based_on")))
        attempt = Attempt(request.url.path, values)
        try:
            # A savepoint: a refused save also takes back what the view wrote before the
            # operation refused (a beverage created inline), while the 409 page commits.
            async with ctx.conn.transaction():
                return await view(request, ctx, editing)
        except operations.StaleVersion as exc:
            said = exc.changed(", ".join(exc.clashes) or "this menu")
            problem = (CLASH if exc.clashes else CONFLICT).format(changed=said)
            return await _come_back(ctx, exc.board, attempt, status=409, problem=problem)
        except operations.Conflict as exc:
            board = await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
            return await _come_back(ctx, board, attempt, status=409, problem=str(exc))

    endpoint.__name__ = view.__name__
    return endpoint


async def _gone(ctx: Context, editing: Editing, message: str) -> NoReturn:
    """An id that is not on the menu. When the page was out of date, someone removed it
    meanwhile: that is a conflict (shown with the menu as it is now), not a 404."""
    if editing.based_on is not None and editing.based_on != editing.menu.version:
        board = await operations.current_board(
            ctx.conn, venue_id=ctx.venue.id, menu_id=editing.menu.id
        )
        raise operations.StaleVersion(editing.menu.version, board)
    raise operations.NotFound(message)


async def section_in_path(request: Request, ctx: Context, editing: Editing) -> int:
    section_id: int = request.path_params["section_id"]
    position = await queries.section_position(
        ctx.conn, venue_id=ctx.venue.id, menu_id=editing.menu.id, section_id=section_id
    )
    if position is None:
        await _gone(ctx, editing, "No such section on this menu.")
    return section_id


async def entry_in_path(request: Request, ctx: Context, editing: Editing) -> EntryPlace:
    entry = await queries.entry_in_menu(
        ctx.conn,
        venue_id=ctx.venue.id,
        menu_id=editing.menu.id,
        entry_id=request.path_params["entry_id"],
    )
    if entry is None:
        await _gone(ctx, editing, "No such entry on this menu.")
    return entry


async def invalid_input(
    request: Request, ctx: Context, editing: Editing, errors: FormErrors
) -> Response:
    """422 with a message per field, on the menu as it is now (out-of-date or not)."""
    board = await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=editing.menu.id)
    return await _come_back(
        ctx, board, Attempt(request.url.path, editing.values, errors), status=422
    )
