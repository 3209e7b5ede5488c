"""The JSON API for integrators (POS, keg sensors, scripts): /api/v1/venues/{slug}/...

The same changes as the editor, through `menus.operations`. Each route also declares what
its OpenAPI description needs besides the path (body, query, answer, If-Match), so the
document at /api/v1/openapi.json is built from this very list and cannot drift from it.

Every endpoint follows the same order:
  1. resolve the path's ids in the venue (404 before anything else, so another venue's ids
     never get as far as validation);
  2. read `If-Match: "<version>"` (the change is refused with 412 when the menu changed
     at all since), or `?based_on=<version>` (refused with 409 only when what the change
     changes changed since: menus/conflicts.py);
  3. read the body: not a JSON object is a 400; fields that do not validate are a 422 with a
     message per field, raised before anything is written;
  4. change, and answer with the new board or object and `ETag: "<version>"`.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import orjson
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chalkboard.http.forms import FormErrors, text, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import (
    DEFAULT_MAX_BODY,
    Access,
    AppRoute,
    Context,
    Endpoint,
    Prepare,
)
from chalkboard.menus import csv_import, openapi, operations, queries
from chalkboard.menus.board import Board
from chalkboard.menus.forms import (
    BeverageIn,
    EntryFields,
    EntryIn,
    EntryMove,
    EntryPatch,
    MenuIn,
    PourIn,
    RestoreIn,
    SectionIn,
    SectionMove,
    ServingSizeIn,
    Strict,
)
from chalkboard.menus.operations import MenuChange
from chalkboard.menus.queries import Beverage, EntryPlace, MenuSummary, ServingSize

Model = TypeVar("Model", bound=BaseModel)

PREFIX = "/api/v1/venues/{slug}"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# Ids are bigint: a larger number in a path cannot name anything (and would overflow $n).
MAX_ID = 2**63 - 1


class BeverageSearch(Strict):
    """Query parameters of GET /beverages."""

    q: Annotated[str, text(120)] = Field("", description="Text in the name, producer or style.")
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class RevisionPage(Strict):
    """Query parameters of GET /menus/{menu_id}/revisions: the newest `limit` revisions."""

    limit: Annotated[int, Field(ge=1, le=operations.KEEP_REVISIONS)] = 50


class MergeBase(Strict):
    """Query parameters of a change that merges with what others changed meanwhile."""

    based_on: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        None,
        description="The version your change is based on: it merges with what others changed "
        "since, and is refused (409, with `clashes`) only when the same field, price, entry or "
        "section changed. Send this or If-Match, not both.",
    )


class Invalid(Exception):
    """The request was read but does not validate: a 422 saying what to fix; nothing written."""

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    @classmethod
    def fields(cls, errors: FormErrors) -> Invalid:
        names = ", ".join(errors)
        return cls(f"Check {names}: nothing was saved.", fields=dict(errors))

    def response(self) -> Response:
        return JSONResponse({"error": {"status": 422, "message": self.message, **self.detail}}, 422)


class Json(Response):
    """orjson-encoded JSON; dataclasses as objects, Decimal (ABV, volumes) as numbers."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_decimal)


def _decimal(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


class ApiRoute(AppRoute):
    """An /api/v1 venue route, with what its OpenAPI description needs besides the path.

    `answer` is the model of a successful answer (None: 204, no content); `body` the model the
    endpoint reads (`partial`: fields left out keep their value), or `csv` for a text/csv
    upload, or `upload` for a multipart/form-data file (images); `if_match`: the change can
    be made conditional; `conflict`: it can be refused with 409.
    """

    def __init__(
        self,
        method: str,
        path: str,
        endpoint: Endpoint,
        *,
        answer: type[BaseModel] | None,
        status: int = 200,
        body: type[BaseModel] | None = None,
        partial: bool = False,
        example: dict[str, Any] | None = None,
        csv: bool = False,
        upload: bool = False,
        query: type[BaseModel] | None = None,
        if_match: bool = False,
        conflict: bool = False,
        max_body: int = DEFAULT_MAX_BODY,
        prepare: Prepare | None = None,
    ) -> None:
        self.method, self.view, self.answer, self.status = method, endpoint, answer, status
        self.body, self.partial, self.example = body, partial, example
        self.csv, self.query, self.if_match, self.conflict = csv, query, if_match, conflict
        self.upload = upload

        @functools.wraps(endpoint)
        async def answering_invalid(request: Request, ctx: Context) -> Response:
            try:
                return await endpoint(request, ctx)
            except Invalid as exc:
                # Raised before anything is written, so the (empty) transaction may commit.
                return exc.response()

        super().__init__(
            PREFIX + path,
            answering_invalid,
            access=Access.API,
            methods=[method],
            name=f"api.{endpoint.__name__}",
            max_body=max_body,
            prepare=prepare,
        )


# --- reading requests ---------------------------------------------------------------------


def _path_id(request: Request, name: str) -> int:
    value: int = request.path_params[name]
    if value > MAX_ID:
        raise operations.NotFound(f"No such {name.removesuffix('_id')} in this venue.")
    return value


def _based_on(request: Request) -> int | None:
    """The version named by If-Match ("12", W/"12" or 12), or None when absent or `*`."""
    sent = request.headers.get("if-match")
    if sent is None or sent.strip() == "*":
        return None
    sent = sent.strip()
    if re.fullmatch(openapi.IF_MATCH, sent) is None:
        raise HTTPException(400, 'If-Match must be the version from the ETag header, like "12".')
    return int(sent.removeprefix("W/").strip('"'))


def _merge_base(request: Request) -> int | None:
    """The version named by ?based_on=12: the change merges with what changed since then,
    unless it changes the same thing."""
    based_on = _query(request, MergeBase).based_on
    if based_on is not None and "if-match" in request.headers:
        raise HTTPException(400, "Send If-Match or based_on, not both.")
    return based_on


async def _object(request: Request) -> dict[str, Any]:
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"The body is not valid JSON ({exc.msg}).") from None
    if not isinstance(data, dict):
        raise HTTPException(400, 'The body must be a JSON object, like {"name": "Taps"}.')
    return data


def _valid(model: type[Model], values: dict[str, Any]) -> Model:
    form, errors = validate(model, values)
    if form is None:
        raise Invalid.fields(errors)
    return form


async def _read(request: Request, model: type[Model]) -> Model:
    return _valid(model, await _object(request))


def _query(request: Request, model: type[Model]) -> Model:
    return _valid(model, dict(request.query_params))


def _actor(ctx: Context) -> operations.Actor:
    if ctx.token is not None:
        return operations.Actor(token_id=ctx.token.id)
    return operations.Actor(user_id=ctx.user.id)


async def _menu(request: Request, ctx: Context) -> MenuSummary:
    menu_id = _path_id(request, "menu_id")
    menu = await queries.get_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    if menu is None:
        raise operations.NotFound("No such menu in this venue.")
    return menu


async def _change(request: Request, ctx: Context) -> MenuChange:
    """A change to the menu in the path, which must exist; `based_on` comes from If-Match
    (the whole menu must be unchanged) or from ?based_on= (what the change changes must be)."""
    menu = await _menu(request, ctx)
    merge_base = _merge_base(request)
    return MenuChange(
        venue_id=ctx.venue.id,
        menu_id=menu.id,
        based_on=_based_on(request) if merge_base is None else merge_base,
        actor=_actor(ctx),
        whole_menu=merge_base is None,
    )


async def _section(request: Request, ctx: Context, change: MenuChange) -> dict[str, Any]:
    """The section in the path, as the current board shows it."""
    section_id = _path_id(request, "section_id")
    board = await operations.current_board(
        ctx.conn, venue_id=ctx.venue.id, menu_id=change["menu_id"]
    )
    for section in board["sections"]:
        if section["id"] == section_id:
            return dict(section)
    raise operations.NotFound("No such section on this menu.")


async def _entry(request: Request, ctx: Context) -> tuple[MenuChange, EntryPlace]:
    change = await _change(request, ctx)
    entry = await queries.entry_in_menu(
        ctx.conn,
        venue_id=ctx.venue.id,
        menu_id=change["menu_id"],
        entry_id=_path_id(request, "entry_id"),
    )
    if entry is None:
        raise operations.NotFound("No such entry on this menu.")
    return change, entry


async def _beverage(request: Request, ctx: Context) -> Beverage:
    beverage = await queries.get_beverage(
        ctx.conn, venue_id=ctx.venue.id, beverage_id=_path_id(request, "beverage_id")
    )
    if beverage is None:
        raise operations.NotFound("No such beverage in this venue's library.")
    return beverage


# For other domains' API routes (media/api.py): the same reading, lookups and actor.
read_body = _read
beverage_in_path = _beverage
actor_of = _actor


async def _size(request: Request, ctx: Context) -> ServingSize:
    size_id = _path_id(request, "size_id")
    for size in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id):
        if size.id == size_id:
            return size
    raise operations.NotFound("No such serving size in this venue.")


# --- answers ------------------------------------------------------------------------------


def _answer(
    content: Any, status: int = 200, *, version: int | None = None, location: str | None = None
) -> Response:
    headers = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location is not None:
        headers["Location"] = location
    return Json(content, status, headers)


def _board(board: Board, status: int = 200, *, location: str | None = None) -> Response:
    return _answer(board, status, version=board["menu"]["version"], location=location)


def _location(ctx: Context, *parts: object) -> str:
    return "/".join([f"/api/v1/venues/{ctx.venue.slug}", *map(str, parts)])


# --- menus --------------------------------------------------------------------------------


async def list_menus(request: Request, ctx: Context) -> Response:
    """List the venue's menus with their current versions."""
    return _answer({"menus": await queries.list_menus(ctx.conn, venue_id=ctx.venue.id)})


async def create_menu(request: Request, ctx: Context) -> Response:
    """Create an empty menu."""
    form = await _read(request, MenuIn)
    board = await operations.create_menu(
        ctx.conn, venue_id=ctx.venue.id, name=form.name, actor=_actor(ctx)
    )
    return _board(board, 201, location=_location(ctx, "menus", board["menu"]["id"]))


async def get_menu(request: Request, ctx: Context) -> Response:
    """The whole menu as TVs show it (the board), with its version as the ETag."""
    menu = await _menu(request, ctx)
    return _board(await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id))


async def rename_menu(request: Request, ctx: Context) -> Response:
    """Rename a menu."""
    change = await _change(request, ctx)
    form = await _read(request, MenuIn)
    return _board(await operations.rename_menu(ctx.conn, **change, name=form.name))


async def delete_menu(request: Request, ctx: Context) -> Response:
    """Delete a menu with its sections, entries and history."""
    menu = await _menu(request, ctx)
    await operations.delete_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    return Response(status_code=204)


# --- sections -----------------------------------------------------------------------------


async def add_section(request: Request, ctx: Context) -> Response:
    """Add a section at the end of the menu."""
    change = await _change(request, ctx)
    form = await _read(request, SectionIn)
    board, section_id = await operations.add_section(
        ctx.conn, **change, name=form.name, kind=form.kind, sizes=form.sizes
    )
    location = _location(ctx, "menus", change["menu_id"], "sections", section_id)
    return _board(board, 201, location=location)


async def update_section(request: Request, ctx: Context) -> Response:
    """Rename a section, change its kind or its serving sizes; fields left out keep their value."""
    change = await _change(request, ctx)
    section = await _section(request, ctx, change)
    sent = await _object(request)
    form = _valid(SectionIn, {"name": section["name"], "kind": section["kind"]} | sent)
    board = await operations.update_section(
        ctx.conn,
        **change,
        section_id=section["id"],
        changes=form.model_dump(include={"name", "kind"} | ({"sizes"} & set(sent))),
    )
    return _board(board)


async def delete_section(request: Request, ctx: Context) -> Response:
    """Remove a section and its entries."""
    change = await _change(request, ctx)
    section = await _section(request, ctx, change)
    return _board(await operations.remove_section(ctx.conn, **change, section_id=section["id"]))


async def move_section(request: Request, ctx: Context) -> Response:
    """Move a section to a position (0 is first; past the end is last)."""
    change = await _change(request, ctx)
    section = await _section(request, ctx, change)
    form = await _read(request, SectionMove)
    board = await operations.move_section(
        ctx.conn, **change, section_id=section["id"], position=form.position
    )
    return _board(board)


# --- entries ------------------------------------------------------------------------------


async def add_entry(request: Request, ctx: Context) -> Response:
    """Put a beverage from the library on the menu, with its prices per serving size."""
    change = await _change(request, ctx)
    form = await _read(request, EntryIn)
    board, entry_id = await operations.add_entry(
        ctx.conn,
        **change,
        section_id=form.section_id,
        beverage_id=form.beverage_id,
        fields=form.model_dump(include=set(EntryFields.model_fields)),
        prices=form.prices,
        position=form.position,
    )
    location = _location(ctx, "menus", change["menu_id"], "entries", entry_id)
    return _board(board, 201, location=location)


async def update_entry(request: Request, ctx: Context) -> Response:
    """Change some of an entry's fields; fields left out keep their value, `prices` replaces all."""
    change, entry = await _entry(request, ctx)
    patch = await _read(request, EntryPatch)
    sent = patch.model_fields_set
    board = await operations.update_entry(
        ctx.conn,
        **change,
        entry_id=entry.id,
        changes=patch.model_dump(include=sent - {"prices"}),
        prices=patch.prices if "prices" in sent else None,
    )
    return _board(board)


async def delete_entry(request: Request, ctx: Context) -> Response:
    """Take an entry off the menu (the beverage stays in the library)."""
    change, entry = await _entry(request, ctx)
    return _board(await operations.remove_entry(ctx.conn, **change, entry_id=entry.id))


async def move_entry(request: Request, ctx: Context) -> Response:
    """Move an entry to a position in a section of the same menu."""
    change, entry = await _entry(request, ctx)
    form = await _read(request, EntryMove)
    board = await operations.move_entry(
        ctx.conn, **change, entry_id=entry.id, section_id=form.section_id, position=form.position
    )
    return _board(board)


async def duplicate_entry(request: Request, ctx: Context) -> Response:
    """Copy an entry (fields and prices) to just below it."""
    change, entry = await _entry(request, ctx)
    board, copy_id = await operations.duplicate_entry(ctx.conn, **change, entry_id=entry.id)
    location = _location(ctx, "menus", change["menu_id"], "entries", copy_id)
    return _board(board, 201, location=location)


async def kick_entry(request: Request, ctx: Context) -> Response:
    """The keg is empty: the next on-deck entry takes over its tap."""
    change, entry = await _entry(request, ctx)
    return _board(await operations.kick(ctx.conn, **change, entry_id=entry.id))


async def record_pour(request: Request, ctx: Context) -> Response:
    """Report volume served (flow meter, keg scale); answers the new keg level."""
    change, entry = await _entry(request, ctx)
    form = await _read(request, PourIn)
    level = await operations.record_pour(
        ctx.conn,
        venue_id=change["venue_id"],
        menu_id=change["menu_id"],
        entry_id=entry.id,
        volume_ml=form.volume_ml,
        actor=change["actor"],
    )
    # A pour is an event, not an edit: the menu's version (the ETag) stays as it was.
    menu = await _menu(request, ctx)
    answer = {
        "entry_id": entry.id,
        "status": level.status,
        "keg_size_ml": level.keg_size_ml,
        "keg_remaining_ml": level.keg_remaining_ml,
        "keg_percent": level.keg_percent,
        "version": menu.version,
    }
    return _answer(answer, version=menu.version)


# --- history ------------------------------------------------------------------------------


async def undo(request: Request, ctx: Context) -> Response:
    """Revert the latest change not yet undone; again to go one further back."""
    return _board(await operations.undo(ctx.conn, **await _change(request, ctx)))


async def list_revisions(request: Request, ctx: Context) -> Response:
    """The menu's history, newest first."""
    menu = await _menu(request, ctx)
    page = _query(request, RevisionPage)
    revisions = await queries.list_revisions(
        ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id, limit=page.limit
    )
    return _answer({"revisions": revisions})


async def restore(request: Request, ctx: Context) -> Response:
    """Bring back the menu as it was at a version, as a new version."""
    change = await _change(request, ctx)
    form = await _read(request, RestoreIn)
    return _board(await operations.restore(ctx.conn, **change, version=form.version))


# --- the beverage library -----------------------------------------------------------------


def _beverage_answer(
    beverage: Beverage, status: int = 200, location: str | None = None
) -> Response:
    return _answer(beverage, status, version=beverage.version, location=location)


async def search_beverages(request: Request, ctx: Context) -> Response:
    """List the library's beverages, or those matching `q`, by name."""
    search = _query(request, BeverageSearch)
    found = await queries.search_beverages(
        ctx.conn, venue_id=ctx.venue.id, text=search.q, limit=search.limit
    )
    return _answer({"beverages": found})


async def create_beverage(request: Request, ctx: Context) -> Response:
    """Add a beverage to the library."""
    form = await _read(request, BeverageIn)
    beverage = await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **form.model_dump())
    return _beverage_answer(beverage, 201, _location(ctx, "beverages", beverage.id))


async def get_beverage(request: Request, ctx: Context) -> Response:
    """One beverage, with its version as the ETag."""
    return _beverage_answer(await _beverage(request, ctx))


async def update_beverage(request: Request, ctx: Context) -> Response:
    """Change a beverage; fields left out keep their value. Menus listing it update."""
    beverage = await _beverage(request, ctx)
    based_on = _based_on(request)
    current = {name: getattr(beverage, name) for name in queries.BEVERAGE_FIELDS}
    form = _valid(BeverageIn, current | await _object(request))
    changed = await operations.update_beverage(
        ctx.conn,
        venue_id=ctx.venue.id,
        beverage_id=beverage.id,
        based_on=based_on,
        fields=form.model_dump(),
        actor=_actor(ctx),
    )
    return _beverage_answer(changed)


async def delete_beverage(request: Request, ctx: Context) -> Response:
    """Delete a beverage that is on no menu."""
    beverage = await _beverage(request, ctx)
    await operations.delete_beverage(ctx.conn, venue_id=ctx.venue.id, beverage_id=beverage.id)
    return Response(status_code=204)


async def import_beverages(request: Request, ctx: Context) -> Response:
    """Add many beverages from a CSV file: all of them, or none if any row is invalid."""
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "The file must be UTF-8 text (save it as “CSV UTF-8”).") from None
    forms, errors = csv_import.parse_beverages(text)
    if errors:
        problems = [
            {"row": e.row, "field": e.column or "__all__", "message": e.message} for e in errors
        ]
        if errors[0].row == 1:  # the header itself: no row could be read
            raise Invalid(errors[0].message, rows=problems)
        bad_rows = len({e.row for e in errors})
        total = len(forms) + bad_rows
        raise Invalid(
            f"{bad_rows} of {total} rows need fixing: nothing was imported.", rows=problems
        )
    ids = [
        (await queries.create_beverage(ctx.conn, venue_id=ctx.venue.id, **form.model_dump())).id
        for form in forms
    ]
    return _answer({"count": len(ids), "ids": ids}, 201)


# --- serving sizes ------------------------------------------------------------------------


async def list_serving_sizes(request: Request, ctx: Context) -> Response:
    """The venue's serving sizes, in menu order (prices are keyed by their ids)."""
    sizes = await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id)
    return _answer({"serving_sizes": sizes})


async def create_serving_size(request: Request, ctx: Context) -> Response:
    """Add a serving size (every menu gets a new version)."""
    form = await _read(request, ServingSizeIn)
    size = await operations.create_serving_size(
        ctx.conn, venue_id=ctx.venue.id, name=form.name, volume_ml=form.volume_ml, actor=_actor(ctx)
    )
    return _answer(size, 201, location=_location(ctx, "serving-sizes", size.id))


async def update_serving_size(request: Request, ctx: Context) -> Response:
    """Change a serving size; fields left out keep their value."""
    size = await _size(request, ctx)
    form = _valid(
        ServingSizeIn, {"name": size.name, "volume_ml": size.volume_ml} | await _object(request)
    )
    changed = await operations.update_serving_size(
        ctx.conn,
        venue_id=ctx.venue.id,
        size_id=size.id,
        name=form.name,
        volume_ml=form.volume_ml,
        actor=_actor(ctx),
    )
    return _answer(changed)


async def delete_serving_size(request: Request, ctx: Context) -> Response:
    """Delete a serving size and every price for it."""
    size = await _size(request, ctx)
    await operations.delete_serving_size(
        ctx.conn, venue_id=ctx.venue.id, size_id=size.id, actor=_actor(ctx)
    )
    return Response(status_code=204)


# --- the description ----------------------------------------------------------------------


def _document(request: Request) -> dict[str, Any]:
    """Built once per app from its own route list: every ApiRoute of every domain."""
    state = request.app.state
    if not hasattr(state, "openapi"):
        state.openapi = openapi.document(r for r in request.app.routes if isinstance(r, ApiRoute))
    document: dict[str, Any] = state.openapi
    return document


async def openapi_json(request: Request, ctx: Context) -> Response:
    """The OpenAPI 3.1 description of this API."""
    return Json(_document(request))


async def api_docs(request: Request, ctx: Context) -> Response:
    """The API reference for people, from the same description."""
    base_url = ctx.services.settings.public_base_url
    return await render(ctx, "api_docs.html", api=openapi.reference(_document(request), base_url))


MENU = "/menus/{menu_id:int}"
SECTION = MENU + "/sections/{section_id:int}"
ENTRY = MENU + "/entries/{entry_id:int}"
BEVERAGE = "/beverages/{beverage_id:int}"
SIZE = "/serving-sizes/{size_id:int}"

API_ROUTES = [
    ApiRoute("GET", "/menus", list_menus, answer=openapi.MenuList),
    ApiRoute(
        "POST",
        "/menus",
        create_menu,
        answer=openapi.Board,
        status=201,
        body=MenuIn,
        example={"name": "Draft list"},
    ),
    ApiRoute("GET", MENU, get_menu, answer=openapi.Board),
    ApiRoute(
        "PATCH",
        MENU,
        rename_menu,
        answer=openapi.Board,
        body=MenuIn,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"name": "Summer drafts"},
    ),
    ApiRoute("DELETE", MENU, delete_menu, answer=None, status=204),
    ApiRoute(
        "POST",
        MENU + "/sections",
        add_section,
        answer=openapi.Board,
        status=201,
        body=SectionIn,
        if_match=True,
        example={"name": "On tap", "kind": "taps"},
    ),
    ApiRoute(
        "PATCH",
        SECTION,
        update_section,
        answer=openapi.Board,
        body=SectionIn,
        partial=True,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"name": "Cans & bottles", "kind": "list"},
    ),
    ApiRoute(
        "DELETE",
        SECTION,
        delete_section,
        answer=openapi.Board,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        SECTION + "/move",
        move_section,
        answer=openapi.Board,
        body=SectionMove,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"position": 0},
    ),
    ApiRoute(
        "POST",
        MENU + "/entries",
        add_entry,
        answer=openapi.Board,
        status=201,
        body=EntryIn,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={
            "section_id": 1,
            "beverage_id": 1,
            "tap_label": "4",
            "keg_size_ml": 19500,
            "prices": {"1": 650, "2": 450},
        },
    ),
    ApiRoute(
        "PATCH",
        ENTRY,
        update_entry,
        answer=openapi.Board,
        body=EntryPatch,
        partial=True,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"status": "on_deck", "prices": {"1": 700}},
    ),
    ApiRoute(
        "DELETE",
        ENTRY,
        delete_entry,
        answer=openapi.Board,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        ENTRY + "/move",
        move_entry,
        answer=openapi.Board,
        body=EntryMove,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"section_id": 1, "position": 0},
    ),
    ApiRoute(
        "POST",
        ENTRY + "/duplicate",
        duplicate_entry,
        answer=openapi.Board,
        status=201,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        ENTRY + "/kick",
        kick_entry,
        answer=openapi.Board,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        ENTRY + "/pours",
        record_pour,
        answer=openapi.KegLevel,
        body=PourIn,
        conflict=True,
        example={"volume_ml": 473},
    ),
    ApiRoute("POST", MENU + "/undo", undo, answer=openapi.Board, if_match=True, conflict=True),
    ApiRoute(
        "GET",
        MENU + "/revisions",
        list_revisions,
        answer=openapi.RevisionList,
        query=RevisionPage,
    ),
    ApiRoute(
        "POST",
        MENU + "/restore",
        restore,
        answer=openapi.Board,
        body=RestoreIn,
        if_match=True,
        example={"version": 3},
    ),
    ApiRoute(
        "GET",
        "/beverages",
        search_beverages,
        answer=openapi.BeverageList,
        query=BeverageSearch,
    ),
    ApiRoute(
        "POST",
        "/beverages",
        create_beverage,
        answer=openapi.Beverage,
        status=201,
        body=BeverageIn,
        example={
            "name": "Pliny the Elder",
            "producer": "Russian River",
            "style": "Double IPA",
            "abv": 8.0,
            "ibu": 100,
            "tags": ["hoppy"],
        },
    ),
    ApiRoute(
        "POST",
        "/beverages/import",
        import_beverages,
        answer=openapi.Imported,
        status=201,
        csv=True,
        max_body=MAX_IMPORT_BYTES,
    ),
    ApiRoute("GET", BEVERAGE, get_beverage, answer=openapi.Beverage),
    ApiRoute(
        "PATCH",
        BEVERAGE,
        update_beverage,
        answer=openapi.Beverage,
        body=BeverageIn,
        partial=True,
        if_match=True,
        example={"abv": 7.9, "description": "Fresh keg from the brewery."},
    ),
    ApiRoute("DELETE", BEVERAGE, delete_beverage, answer=None, status=204, conflict=True),
    ApiRoute("GET", "/serving-sizes", list_serving_sizes, answer=openapi.ServingSizeList),
    ApiRoute(
        "POST",
        "/serving-sizes",
        create_serving_size,
        answer=openapi.ServingSize,
        status=201,
        body=ServingSizeIn,
        example={"name": "Pint", "volume_ml": 473},
    ),
    ApiRoute(
        "PATCH",
        SIZE,
        update_serving_size,
        answer=openapi.ServingSize,
        body=ServingSizeIn,
        partial=True,
        example={"name": "Schooner"},
    ),
    ApiRoute("DELETE", SIZE, delete_serving_size, answer=None, status=204),
]

routes: list[AppRoute] = [
    *API_ROUTES,
    AppRoute("/api/v1/openapi.json", openapi_json, access=Access.PUBLIC, name="api.openapi"),
    AppRoute("/api/docs", api_docs, access=Access.PUBLIC, name="api.docs"),
]
