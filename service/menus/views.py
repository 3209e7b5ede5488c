"""The menu editor: server-rendered pages for staff, enhanced by web/static/js/editor.js.

Every action is a plain form POST that works without JavaScript and answers 303 back to the
editor with `?done=<version>`: the page then says what that version changed (read from the
revision, never from the URL) and offers Undo. A refused or invalid save answers 303 too
(redirect after POST: a reload never sends the form again), and the editor shows once what
was typed and why it was not saved (`http/flash.py`). Every save carries the version its page showed
(`based_on`). Saves of different things merge (operations.change_menu, menus/conflicts.py);
if someone else changed the same thing first, the editor comes back as 409 with the menu as
it is now, what clashed, and the person's input still in its form; bad input comes back as
422 with a message per field. A refused or invalid save writes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context, Endpoint
from chalkboard.media.views import media_choices
from chalkboard.menus import csv_import, display, operations, queries
from chalkboard.menus.board import Board
from chalkboard.menus.csv_import import RowError
from chalkboard.menus.forms import (
    MAX_PRICE_MINOR,
    BeverageIn,
    EntryFields,
    EntryMove,
    MenuIn,
    SectionIn,
    SectionMove,
    ServingSizeIn,
)
from chalkboard.menus.operations import MenuChange
from chalkboard.menus.queries import Beverage, EntryPlace, MenuSummary, ServingSize
from chalkboard.venues import views as venue_views

LIBRARY_PAGE = 100  # beverages listed at once on the library page; search narrows it
PICK_LIST = 8  # beverages offered in the editor's "add" form before anyone searches
IMPORT_MAX_BODY = 1024 * 1024
CONFLICT = (
    "Someone else changed this menu while you were editing; your change was NOT saved. "
    "Here is the menu now — make your change again."
)
CLASH = (
    "Someone else changed {what} while you were editing, so your change was NOT saved. "
    "Here is the menu now, with what you typed — check it and save again."
)
BEVERAGE_CONFLICT = (
    "Someone else changed this beverage while you were editing; your change was NOT saved. "
    "Here it is now — make your change again."
)
STATUSES = [
    ("on_tap", "On tap"),
    ("on_deck", "On deck"),
    ("kicked", "Kicked"),
    ("hidden", "Hidden"),
]
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
SECTION_KINDS = [("taps", "Taps (numbered)"), ("list", "List (cans, bottles, food)")]
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
            venue_id=ctx.venue.id, menu_id=self.menu.id, based_on=self.based_on, actor=_actor(ctx)
        )


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def _actor(ctx: Context) -> operations.Actor:
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


def _editor_url(ctx: Context, menu_id: int) -> str:
    return f"/v/{ctx.venue.slug}/menus/{menu_id}"


def _done(ctx: Context, board: Board, anchor: str = "") -> Response:
    """Back to the editor, which then shows what this version changed, with Undo."""
    menu = board["menu"]
    url = f"{_editor_url(ctx, menu['id'])}?done={menu['version']}"
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), 303)


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
) -> Response:
    """The editor for `board`, whether all is well (200), input is bad (422) or stale (409)."""
    menu_id = board["menu"]["id"]
    revisions = await queries.list_revisions(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id, limit=10
    )
    matches = await queries.search_beverages(
        ctx.conn, venue_id=ctx.venue.id, text=query, limit=PICK_LIST
    )
    private_notes = await queries.private_notes(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    target = await queries.undo_target(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    return await render(
        ctx,
        "editor.html",
        status,
        undoes=target["summary"] if target and target["restore_version"] is not None else None,
        board=board,
        base=_editor_url(ctx, menu_id),
        attempt=attempt or Attempt(),
        problem=problem,
        done=next((r for r in revisions if r.version == done), None),
        query=query,
        adding=adding,
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
    attempt = Attempt(
        shown.get("action", ""), shown.get("values", {}), FormErrors(shown.get("errors", {}))
    )
    response = await editor_page(
        ctx,
        board,
        attempt=attempt,
        problem=shown.get("problem", ""),
        done=_int(params.get("done")),
        query=params.get("q", "").strip()[:80],
        adding=_int(params.get("add")),
    )
    return flash.forget(request, response, settings)


async def _come_back(
    ctx: Context, board: Board, attempt: Attempt, *, status: int, problem: str = ""
) -> Response:
    """A save that was not made: back to the editor (303), which shows the menu as it is now,
    what was typed and why; drawn in place (`status`) when that is too large to carry."""
    back = flash.redirect(
        ctx.services.settings,
        _editor_url(ctx, board["menu"]["id"]),
        action=attempt.action,
        values=attempt.values,
        errors=dict(attempt.errors),
        problem=problem,
    )
    return back or await editor_page(ctx, board, status=status, attempt=attempt, problem=problem)


# --- resolving what a POST is about ------------------------------------------------------

MenuAction = Callable[[Request, Context, Editing], Awaitable[Response]]


async def _menu(request: Request, ctx: Context) -> MenuSummary:
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
        menu = await _menu(request, ctx)
        values = await form_values(request)
        editing = Editing(menu, values, _int(values.get("based_on")))
        attempt = Attempt(request.url.path, values)
        try:
            # A savepoint: a refused save also takes back what the view wrote before the
            # operation refused (a beverage created inline), while the 409 page commits.
            async with ctx.conn.transaction():
                return await view(request, ctx, editing)
        except operations.StaleVersion as exc:
            problem = CLASH.format(what=", ".join(exc.clashes)) if exc.clashes else CONFLICT
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


async def _section_id(request: Request, ctx: Context, editing: Editing) -> int:
    section_id: int = request.path_params["section_id"]
    position = await queries.section_position(
        ctx.conn, venue_id=ctx.venue.id, menu_id=editing.menu.id, section_id=section_id
    )
    if position is None:
        await _gone(ctx, editing, "No such section on this menu.")
    return section_id


async def _entry(request: Request, ctx: Context, editing: Editing) -> EntryPlace:
    entry = await queries.entry_in_menu(
        ctx.conn,
        venue_id=ctx.venue.id,
        menu_id=editing.menu.id,
        entry_id=request.path_params["entry_id"],
    )
    if entry is None:
        await _gone(ctx, editing, "No such entry on this menu.")
    return entry


async def _invalid(
    request: Request, ctx: Context, editing: Editing, errors: FormErrors
) -> Response:
    """422 with a message per field, on the menu as it is now (out-of-date or not)."""
    board = await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=editing.menu.id)
    return await _come_back(
        ctx, board, Attempt(request.url.path, editing.values, errors), status=422
    )


# --- menus ---------------------------------------------------------------------------------


async def create_menu(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(MenuIn, {"name": values.get("name", "")})
    if form is None:
        return await venue_views.venue_home(request, ctx, status=422, values=values, errors=errors)
    board = await operations.create_menu(
        ctx.conn, venue_id=ctx.venue.id, name=form.name, actor=_actor(ctx)
    )
    return _done(ctx, board)


@menu_action
async def rename_menu(request: Request, ctx: Context, editing: Editing) -> Response:
    form, errors = validate(MenuIn, {"name": editing.values.get("name", "")})
    if form is None:
        return await _invalid(request, ctx, editing, errors)
    board = await operations.rename_menu(
        ctx.conn,
        **editing.change(ctx),
        name=form.name,
    )
    return _done(ctx, board)


async def delete_menu(request: Request, ctx: Context) -> Response:
    """Delete a whole menu with its history (owners only; the page asks to confirm)."""
    menu = await _menu(request, ctx)
    await operations.delete_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    return RedirectResponse(f"/v/{ctx.venue.slug}", 303)


@menu_action
async def undo(request: Request, ctx: Context, editing: Editing) -> Response:
    board = await operations.undo(
        ctx.conn,
        **editing.change(ctx),
    )
    return _done(ctx, board)


async def history(request: Request, ctx: Context) -> Response:
    menu = await _menu(request, ctx)
    revisions = await queries.list_revisions(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id, limit=100
    )
    return await render(
        ctx,
        "history.html",
        menu=menu,
        revisions=revisions,
        base=_editor_url(ctx, menu.id),
        tz=ZoneInfo(ctx.venue.timezone),
    )


@menu_action
async def restore(request: Request, ctx: Context, editing: Editing) -> Response:
    board = await operations.restore(
        ctx.conn,
        **editing.change(ctx),
        version=request.path_params["version"],
    )
    return _done(ctx, board)


# --- sections ------------------------------------------------------------------------------


async def _section_input(
    ctx: Context, values: dict[str, str]
) -> tuple[SectionIn | None, FormErrors]:
    """A section's form; its serving sizes are a checkbox each (`size_<id>`): all of them
    ticked means all of the venue's, including sizes added later."""
    fields: dict[str, Any] = {"name": values.get("name", ""), "kind": values.get("kind", "")}
    if values.get("sizes_shown"):
        every = [s.id for s in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)]
        chosen = [size for size in every if values.get(f"size_{size}")]
        fields["sizes"] = None if chosen == every else chosen
    return validate(SectionIn, fields)


@menu_action
async def add_section(request: Request, ctx: Context, editing: Editing) -> Response:
    form, errors = await _section_input(ctx, editing.values)
    if form is None:
        return await _invalid(request, ctx, editing, errors)
    board, section_id = await operations.add_section(
        ctx.conn,
        **editing.change(ctx),
        name=form.name,
        kind=form.kind,
        sizes=form.sizes,
    )
    return _done(ctx, board, f"section-{section_id}")


@menu_action
async def update_section(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await _section_id(request, ctx, editing)
    form, errors = await _section_input(ctx, editing.values)
    if form is None:
        return await _invalid(request, ctx, editing, errors)
    board = await operations.update_section(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
        changes=form.model_dump(exclude=set() if "sizes_shown" in editing.values else {"sizes"}),
    )
    return _done(ctx, board, f"section-{section_id}")


@menu_action
async def move_section(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await _section_id(request, ctx, editing)
    form, errors = validate(SectionMove, {"position": editing.values.get("position")})
    if form is None:
        return await _invalid(request, ctx, editing, errors)
    board = await operations.move_section(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
        position=form.position,
    )
    return _done(ctx, board, f"section-{section_id}")


@menu_action
async def remove_section(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await _section_id(request, ctx, editing)
    board = await operations.remove_section(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
    )
    return _done(ctx, board)


# --- entries -------------------------------------------------------------------------------


async def _entry_input(
    ctx: Context, values: dict[str, str]
) -> tuple[dict[str, Any], dict[int, int], FormErrors]:
    """An entry's form: its fields, and its prices per serving size typed like "4.50"."""
    form, errors = validate(
        EntryFields,
        {
            "tap_label": values.get("tap_label", ""),
            "status": values.get("status", "on_tap"),
            "keg_percent": values.get("keg_percent", "").strip() or None,
            "note": values.get("note", ""),
            "private_note": values.get("private_note", ""),
        },
    )
    prices: dict[int, int] = {}
    for size in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id):
        name = f"price_{size.id}"
        typed = values.get(name, "").strip()
        if not typed:
            continue
        try:
            prices[size.id] = display.to_minor(typed, ctx.venue.currency)
        except ValueError as exc:
            errors[name] = f"{exc}."
            continue
        if prices[size.id] > MAX_PRICE_MINOR:
            errors[name] = "That price is too high."
    fields = (
        form.model_dump(include={"tap_label", "status", "keg_percent", "note", "private_note"})
        if form
        else {}
    )
    return fields, prices, errors


def _beverage_input(
    values: dict[str, str], prefix: str = ""
) -> tuple[BeverageIn | None, FormErrors]:
    """A beverage's form (fields named `prefix` + field): empty numbers are None, tags are
    separated by commas."""

    def typed(name: str) -> str:
        return values.get(prefix + name, "").strip()

    form, errors = validate(
        BeverageIn,
        {
            "name": typed("name"),
            "producer": typed("producer"),
            "style": typed("style"),
            "kind": typed("kind") or "beer",
            "abv": typed("abv").removesuffix("%").strip() or None,
            "ibu": typed("ibu") or None,
            "srm": typed("srm") or None,
            "description": typed("description"),
            "tags": [tag.strip() for tag in typed("tags").split(",") if tag.strip()],
        },
    )
    return form, FormErrors({prefix + name: message for name, message in errors.items()})


@menu_action
async def add_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    section_id = await _section_id(request, ctx, editing)
    fields, prices, errors = await _entry_input(ctx, editing.values)
    beverage_id = _int(editing.values.get("beverage_id"))
    new_beverage = None
    if editing.values.get("new_name", "").strip():
        new_beverage, problems = _beverage_input(editing.values, prefix="new_")
        errors.update(problems)
    elif beverage_id is None:
        errors["beverage_id"] = "Pick a beverage from your library, or type a new one's name."
    if errors:
        return await _invalid(request, ctx, editing, errors)
    if new_beverage is not None:
        created = await queries.create_beverage(
            ctx.conn, venue_id=ctx.venue.id, **new_beverage.model_dump()
        )
        beverage_id = created.id
    assert beverage_id is not None
    board, entry_id = await operations.add_entry(
        ctx.conn,
        **editing.change(ctx),
        section_id=section_id,
        beverage_id=beverage_id,
        fields=fields,
        prices=prices,
        position=None,
    )
    return _done(ctx, board, f"entry-{entry_id}")


@menu_action
async def update_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await _entry(request, ctx, editing)
    fields, prices, errors = await _entry_input(ctx, editing.values)
    if errors:
        return await _invalid(request, ctx, editing, errors)
    shown = editing.values.get("keg_percent_shown")
    if shown is not None and shown.strip() == editing.values.get("keg_percent", "").strip():
        del fields["keg_percent"]  # not typed in: the level is what the pours made it
    board = await operations.update_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
        changes=fields,
        prices=prices,
    )
    return _done(ctx, board, f"entry-{entry.id}")


@menu_action
async def move_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await _entry(request, ctx, editing)
    form, errors = validate(
        EntryMove,
        {
            "section_id": editing.values.get("section_id"),
            "position": editing.values.get("position"),
        },
    )
    if form is None:
        return await _invalid(request, ctx, editing, errors)
    board = await operations.move_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
        section_id=form.section_id,
        position=form.position,
    )
    return _done(ctx, board, f"entry-{entry.id}")


@menu_action
async def duplicate_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await _entry(request, ctx, editing)
    board, copy_id = await operations.duplicate_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
    )
    return _done(ctx, board, f"entry-{copy_id}")


@menu_action
async def remove_entry(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await _entry(request, ctx, editing)
    board = await operations.remove_entry(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
    )
    return _done(ctx, board, f"section-{entry.section_id}")


@menu_action
async def kick(request: Request, ctx: Context, editing: Editing) -> Response:
    entry = await _entry(request, ctx, editing)
    board = await operations.kick(
        ctx.conn,
        **editing.change(ctx),
        entry_id=entry.id,
    )
    return _done(ctx, board, f"section-{entry.section_id}")


# --- the beverage library ------------------------------------------------------------------


def _library_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/beverages"


async def library_page(
    ctx: Context,
    *,
    status: int = 200,
    query: str = "",
    attempt: Attempt | None = None,
    problem: str = "",
    notice: str = "",
    import_errors: list[RowError] | None = None,
    import_text: str = "",
) -> Response:
    found = await queries.search_beverages(
        ctx.conn, venue_id=ctx.venue.id, text=query, limit=LIBRARY_PAGE + 1
    )
    return await render(
        ctx,
        "beverages.html",
        status,
        beverages=found[:LIBRARY_PAGE],
        more=len(found) > LIBRARY_PAGE,
        query=query,
        attempt=attempt or Attempt(),
        problem=problem,
        notice=notice,
        kinds=KINDS,
        beverage_values=beverage_values,
        columns=csv_import.COLUMNS,
        import_errors=import_errors or [],
        import_text=import_text,
        **await media_choices(ctx),
    )


def beverage_values(beverage: Beverage) -> dict[str, str]:
    """A beverage as its edit form shows it."""
    return {
        "name": beverage.name,
        "producer": beverage.producer,
        "style": beverage.style,
        "kind": beverage.kind,
        "abv": "" if beverage.abv is None else f"{beverage.abv:f}",
        "ibu": "" if beverage.ibu is None else str(beverage.ibu),
        "srm": "" if beverage.srm is None else f"{beverage.srm:f}",
        "description": beverage.description,
        "tags": ", ".join(beverage.tags),
    }


async def _beverage(request: Request, ctx: Context) -> Beverage:
    beverage = await queries.get_beverage(
        ctx.conn, venue_id=ctx.venue.id, beverage_id=request.path_params["beverage_id"]
    )
    if beverage is None:
        raise operations.NotFound("No such beverage in this venue's library.")
    return beverage


def _saved(ctx: Context, beverage: Beverage) -> Response:
    # Searching for its name keeps it in view however long the library is.
    url = f"{_library_url(ctx)}?q={quote(beverage.name)}&saved={beverage.id}"
    return RedirectResponse(f"{url}#beverage-{beverage.id}", 303)


async def beverages(request: Request, ctx: Context) -> Response:
    params = request.query_params
    notice = ""
    if (saved := _int(params.get("saved"))) is not None:
        beverage = await queries.get_beverage(ctx.conn, venue_id=ctx.venue.id, beverage_id=saved)
        notice = f"Saved {beverage.name}." if beverage else ""
    elif (imported := _int(params.get("imported"))) is not None:
        notice = f"Imported {imported} beverages."
    elif "deleted" in params:
        notice = "Deleted the beverage."
    return await library_page(ctx, query=params.get("q", "").strip()[:80], notice=notice)


async def create_beverage(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = _beverage_input(values)
    if form is None:
        return await library_page(
            ctx, status=422, attempt=Attempt(request.url.path, values, errors)
        )
    beverage = await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **form.model_dump())
    return _saved(ctx, beverage)


async def update_beverage(request: Request, ctx: Context) -> Response:
    beverage = await _beverage(request, ctx)
    values = await form_values(request)
    form, errors = _beverage_input(values)
    if form is None:
        return await library_page(
            ctx,
            status=422,
            query=beverage.name,
            attempt=Attempt(request.url.path, values, errors),
        )
    try:
        updated = await operations.update_beverage(
            ctx.conn,
            venue_id=ctx.venue.id,
            beverage_id=beverage.id,
            based_on=_int(values.get("based_on")),
            fields=form.model_dump(),
            actor=_actor(ctx),
        )
    except operations.StaleVersion:
        return await library_page(
            ctx,
            status=409,
            query=beverage.name,
            problem=BEVERAGE_CONFLICT,
            attempt=Attempt(request.url.path, values),
        )
    return _saved(ctx, updated)


async def delete_beverage(request: Request, ctx: Context) -> Response:
    beverage = await _beverage(request, ctx)
    try:
        await operations.delete_beverage(ctx.conn, venue_id=ctx.venue.id, beverage_id=beverage.id)
    except operations.Conflict as exc:
        return await library_page(
            ctx, status=409, query=beverage.name, problem=f"{beverage.name} was not deleted. {exc}"
        )
    return RedirectResponse(f"{_library_url(ctx)}?deleted=1", 303)


async def import_beverages(request: Request, ctx: Context) -> Response:
    """All or nothing: one bad row and no beverage is created; every problem is listed."""
    text = (await form_values(request)).get("csv", "")
    rows, errors = csv_import.parse_beverages(text)
    if errors:
        return await library_page(ctx, status=422, import_errors=errors, import_text=text)
    for row in rows:
        await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **row.model_dump())
    return RedirectResponse(f"{_library_url(ctx)}?imported={len(rows)}", 303)


# --- serving sizes -------------------------------------------------------------------------


def _sizes_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/sizes"


async def sizes_page(
    ctx: Context, *, status: int = 200, attempt: Attempt | None = None, notice: str = ""
) -> Response:
    found = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
    return await render(
        ctx, "sizes.html", status, sizes=found, attempt=attempt or Attempt(), notice=notice
    )


def _size_input(values: dict[str, str], unit: str) -> tuple[ServingSizeIn | None, FormErrors]:
    """The form's volume is typed in the venue's unit; the model keeps millilitres."""
    typed = values.get("volume", "").strip()
    try:
        volume_ml = display.to_ml(typed, unit) if typed else None
    except ValueError as exc:
        return None, FormErrors(volume=str(exc))
    form, errors = validate(ServingSizeIn, {"name": values.get("name", ""), "volume_ml": volume_ml})
    if "volume_ml" in errors:
        errors["volume"] = errors.pop("volume_ml")
    return form, errors


async def _size(request: Request, ctx: Context) -> ServingSize:
    size_id = request.path_params["size_id"]
    for size in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id):
        if size.id == size_id:
            return size
    raise operations.NotFound("No such serving size in this venue.")


async def sizes(request: Request, ctx: Context) -> Response:
    params = request.query_params
    notice = ""
    if (saved := _int(params.get("saved"))) is not None:
        found = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
        notice = next((f"Saved {s.name}." for s in found if s.id == saved), "")
    elif "deleted" in params:
        notice = "Deleted the serving size and its prices."
    return await sizes_page(ctx, notice=notice)


async def create_size(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = _size_input(values, ctx.venue.volume_unit)
    if form is None:
        return await sizes_page(ctx, status=422, attempt=Attempt(request.url.path, values, errors))
    size = await operations.create_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=_actor(ctx),
    )
    return RedirectResponse(f"{_sizes_url(ctx)}?saved={size.id}", 303)


async def update_size(request: Request, ctx: Context) -> Response:
    size = await _size(request, ctx)
    values = await form_values(request)
    form, errors = _size_input(values, ctx.venue.volume_unit)
    if form is None:
        return await sizes_page(ctx, status=422, attempt=Attempt(request.url.path, values, errors))
    await operations.update_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        size_id=size.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=_actor(ctx),
    )
    return RedirectResponse(f"{_sizes_url(ctx)}?saved={size.id}", 303)


async def delete_size(request: Request, ctx: Context) -> Response:
    size = await _size(request, ctx)
    await operations.delete_serving_size(
        ctx.conn, venue_id=ctx.venue.id, size_id=size.id, actor=_actor(ctx)
    )
    return RedirectResponse(f"{_sizes_url(ctx)}?deleted=1", 303)


# --- routes --------------------------------------------------------------------------------

MENU = "/v/{slug}/menus/{menu_id:int}"
SECTION = MENU + "/sections/{section_id:int}"
ENTRY = MENU + "/entries/{entry_id:int}"
BEVERAGE = "/v/{slug}/beverages/{beverage_id:int}"
SIZE = "/v/{slug}/sizes/{size_id:int}"


def _post(path: str, endpoint: Endpoint, **options: Any) -> AppRoute:
    return AppRoute(path, endpoint, access=Access.VENUE, methods=["POST"], **options)


routes: list[AppRoute] = [
    _post("/v/{slug}/menus", create_menu),
    AppRoute(MENU, editor, access=Access.VENUE),
    _post(MENU + "/rename", rename_menu),
    AppRoute(MENU + "/delete", delete_menu, access=Access.VENUE_OWNER, methods=["POST"]),
    _post(MENU + "/undo", undo),
    AppRoute(MENU + "/history", history, access=Access.VENUE),
    _post(MENU + "/history/{version:int}/restore", restore),
    _post(MENU + "/sections", add_section),
    _post(SECTION, update_section),
    _post(SECTION + "/move", move_section),
    _post(SECTION + "/remove", remove_section),
    _post(SECTION + "/entries", add_entry),
    _post(ENTRY, update_entry),
    _post(ENTRY + "/move", move_entry),
    _post(ENTRY + "/duplicate", duplicate_entry),
    _post(ENTRY + "/remove", remove_entry),
    _post(ENTRY + "/kick", kick),
    AppRoute("/v/{slug}/beverages", beverages, access=Access.VENUE),
    _post("/v/{slug}/beverages", create_beverage),
    _post("/v/{slug}/beverages/import", import_beverages, max_body=IMPORT_MAX_BODY),
    _post(BEVERAGE, update_beverage),
    _post(BEVERAGE + "/delete", delete_beverage),
    AppRoute("/v/{slug}/sizes", sizes, access=Access.VENUE),
    _post("/v/{slug}/sizes", create_size),
    _post(SIZE, update_size),
    _post(SIZE + "/delete", delete_size),
]
