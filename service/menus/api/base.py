"""What every API endpoint shares: the route class (with what its OpenAPI description
needs), reading requests (ids in the path, If-Match or based_on, bodies, query strings),
and answering (JSON, ETag, Location)."""

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
from chalkboard.http.routing import (
    DEFAULT_MAX_BODY,
    Access,
    AppRoute,
    Context,
    Endpoint,
    Prepare,
)
from chalkboard.menus import openapi, operations, queries
from chalkboard.menus.board import Board
from chalkboard.menus.forms import (
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
            streams_body=upload,
        )


# --- reading requests ---------------------------------------------------------------------


def path_id(request: Request, name: str) -> int:
    value: int = request.path_params[name]
    if value > MAX_ID:
        raise operations.NotFound(f"No such {name.removesuffix('_id')} in this venue.")
    return value


def if_match_version(request: Request) -> int | None:
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
    based_on = read_query(request, MergeBase).based_on
    if based_on is not None and "if-match" in request.headers:
        raise HTTPException(400, "Send If-Match or based_on, not both.")
    return based_on


async def json_object(request: Request) -> dict[str, Any]:
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"The body is not valid JSON ({exc.msg}).") from None
    if not isinstance(data, dict):
        raise HTTPException(400, 'The body must be a JSON object, like {"name": "Taps"}.')
    return data


def valid_model(model: type[Model], values: dict[str, Any]) -> Model:
    form, errors = validate(model, values)
    if form is None:
        raise Invalid.fields(errors)
    return form


async def read_body(request: Request, model: type[Model]) -> Model:
    return valid_model(model, await json_object(request))


def read_query(request: Request, model: type[Model]) -> Model:
    return valid_model(model, dict(request.query_params))


def actor_of(ctx: Context) -> operations.Actor:
    if ctx.token is not None:
        return operations.Actor(token_id=ctx.token.id)
    return operations.Actor(user_id=ctx.user.id)


async def menu_in_path(request: Request, ctx: Context) -> MenuSummary:
    menu_id = path_id(request, "menu_id")
    menu = await queries.get_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    if menu is None:
        raise operations.NotFound("No such menu in this venue.")
    return menu


async def change_in_path(request: Request, ctx: Context) -> MenuChange:
    """A change to the menu in the path, which must exist; `based_on` comes from If-Match
    (the whole menu must be unchanged) or from ?based_on= (what the change changes must be)."""
    menu = await menu_in_path(request, ctx)
    merge_base = _merge_base(request)
    return MenuChange(
        venue_id=ctx.venue.id,
        menu_id=menu.id,
        based_on=if_match_version(request) if merge_base is None else merge_base,
        actor=actor_of(ctx),
        whole_menu=merge_base is None,
    )


async def section_in_path(request: Request, ctx: Context, change: MenuChange) -> dict[str, Any]:
    """The section in the path, as the current board shows it."""
    section_id = path_id(request, "section_id")
    board = await operations.current_board(
        ctx.conn, venue_id=ctx.venue.id, menu_id=change["menu_id"]
    )
    for section in board["sections"]:
        if section["id"] == section_id:
            return dict(section)
    raise operations.NotFound("No such section on this menu.")


async def entry_in_path(request: Request, ctx: Context) -> tuple[MenuChange, EntryPlace]:
    change = await change_in_path(request, ctx)
    entry = await queries.entry_in_menu(
        ctx.conn,
        venue_id=ctx.venue.id,
        menu_id=change["menu_id"],
        entry_id=path_id(request, "entry_id"),
    )
    if entry is None:
        raise operations.NotFound("No such entry on this menu.")
    return change, entry


async def beverage_in_path(request: Request, ctx: Context) -> Beverage:
    beverage = await queries.get_beverage(
        ctx.conn, venue_id=ctx.venue.id, beverage_id=path_id(request, "beverage_id")
    )
    if beverage is None:
        raise operations.NotFound("No such beverage in this venue's library.")
    return beverage


async def size_in_path(request: Request, ctx: Context) -> ServingSize:
    size_id = path_id(request, "size_id")
    for size in await queries.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id):
        if size.id == size_id:
            return size
    raise operations.NotFound("No such serving size in this venue.")


# --- answers ------------------------------------------------------------------------------


def json_answer(
    content: Any, status: int = 200, *, version: int | None = None, location: str | None = None
) -> Response:
    headers = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location is not None:
        headers["Location"] = location
    return Json(content, status, headers)


def board_answer(board: Board, status: int = 200, *, location: str | None = None) -> Response:
    return json_answer(board, status, version=board["menu"]["version"], location=location)


def location_of(ctx: Context, *parts: object) -> str:
    return "/".join([f"/api/v1/venues/{ctx.venue.slug}", *map(str, parts)])
