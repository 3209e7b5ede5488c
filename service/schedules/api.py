"""Day-parts, the board at an instant, and planned changes in the JSON API.

Routes under /api/v1/venues/{slug}/, in the same OpenAPI document as the menus API (they are
`ApiRoute`s). Same order as there: ids in the path are resolved first (another venue's is a
404), then the body is validated (a 422 naming each field, e.g. `windows.1`, before
anything is written), then the change is made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError, field_validator
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http.routing import Context
from chalkboard.menus import openapi, operations
from chalkboard.menus import queries as menus
from chalkboard.menus.api.base import MAX_ID, ApiRoute, Invalid, Json, actor_of
from chalkboard.menus.forms import Id, Strict
from chalkboard.schedules import answers, dayparts, planned, queries
from chalkboard.schedules.effective import effective
from chalkboard.schedules.forms import DayPartIn, PlannedIn, nested_errors
from chalkboard.schedules.queries import DayPartRow, Planned

Model = TypeVar("Model", bound=BaseModel)


class ScheduleQuery(Strict):
    """Query parameters of GET /menus/{menu_id}/schedule."""

    at: datetime | None = None
    daypart: Id | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _iso(cls, at: object) -> object:
        # Pydantic would read "1700000000" as a Unix time; the document promises ISO 8601.
        if isinstance(at, str):
            try:
                return datetime.fromisoformat(at)
            except ValueError:
                raise ValueError(
                    "Give the time in ISO 8601 with its UTC offset, like 2026-03-01T17:00:00Z."
                ) from None
        return at

    @field_validator("at")
    @classmethod
    def _aware(cls, at: datetime | None) -> datetime | None:
        if at is not None and at.tzinfo is None:
            raise ValueError("Give the time with its UTC offset, like 2026-03-01T17:00:00Z.")
        return at


def _valid(model: type[Model], values: dict[str, Any]) -> Model:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise Invalid.fields(nested_errors(exc)) from None


async def _read(request: Request, model: type[Model]) -> Model:
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"The body is not valid JSON ({exc.msg}).") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "The body must be a JSON object.")
    return _valid(model, data)


def _id(request: Request, name: str, what: str) -> int:
    value: int = request.path_params[name]
    if value > MAX_ID:
        raise operations.NotFound(f"No such {what} in this venue.")
    return value


async def _menu(request: Request, ctx: Context) -> int:
    menu_id = _id(request, "menu_id", "menu")
    if await menus.get_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id) is None:
        raise operations.NotFound("No such menu in this venue.")
    return menu_id


async def _daypart(request: Request, ctx: Context) -> DayPartRow:
    found = await queries.get_daypart(
        ctx.conn, venue_id=ctx.venue.id, daypart_id=_id(request, "daypart_id", "day-part")
    )
    if found is None:
        raise operations.NotFound("No such day-part in this venue.")
    return found


async def _planned(request: Request, ctx: Context) -> Planned:
    found = await queries.get_planned(
        ctx.conn,
        venue_id=ctx.venue.id,
        planned_id=_id(request, "planned_id", "planned change"),
        lock=request.method != "GET",
    )
    if found is None:
        raise operations.NotFound("No such planned change in this venue.")
    return found


def _daypart_answer(part: DayPartRow) -> dict[str, Any]:
    entries: dict[int, dict[str, Any]] = {}
    for entry_id, prices in part.prices.items():
        entries.setdefault(entry_id, {"entry_id": entry_id, "prices": {}, "shows": None})
        entries[entry_id]["prices"] = {str(size): price for size, price in prices.items()}
    for entry_id, shows in part.entries.items():
        entries.setdefault(entry_id, {"entry_id": entry_id, "prices": {}, "shows": None})
        entries[entry_id]["shows"] = shows
    return {
        "id": part.id,
        "name": part.name,
        "windows": part.windows,
        "entries": [entries[key] for key in sorted(entries)],
        "sections": [
            {"section_id": section_id, "shows": shows}
            for section_id, shows in sorted(part.sections.items())
        ],
    }


def _planned_answer(found: Planned) -> dict[str, Any]:
    return {
        "id": found.id,
        "menu_id": found.menu_id,
        "run_at": found.run_at,
        "change": found.change,
        "planned_by": found.planned_by,
        "state": found.state,
        "applied_version": found.applied_version,
        "outcome": found.outcome,
        "applied_at": found.applied_at,
    }


def _location(ctx: Context, *parts: object) -> str:
    return "/".join([f"/api/v1/venues/{ctx.venue.slug}", *map(str, parts)])


def _planned_by(ctx: Context) -> str:
    return f"API token {ctx.token.name}" if ctx.token is not None else ctx.user.email


# --- day-parts -----------------------------------------------------------------------------


async def list_dayparts(request: Request, ctx: Context) -> Response:
    """The venue's day-parts: their weekly windows and what they change."""
    found = await queries.list_dayparts(ctx.conn, venue_id=ctx.venue.id)
    return Json({"dayparts": [_daypart_answer(part) for part in found]})


async def create_daypart(request: Request, ctx: Context) -> Response:
    """Add a day-part; every menu gets a new version (its board carries the day-parts)."""
    form = await _read(request, DayPartIn)
    saved = await dayparts.save_daypart(
        ctx.conn, venue_id=ctx.venue.id, daypart_id=None, form=form, actor=actor_of(ctx)
    )
    location = _location(ctx, "dayparts", saved.id)
    return Json(_daypart_answer(saved), 201, {"Location": location})


async def get_daypart(request: Request, ctx: Context) -> Response:
    """One day-part."""
    return Json(_daypart_answer(await _daypart(request, ctx)))


async def replace_daypart(request: Request, ctx: Context) -> Response:
    """Replace a day-part's name, windows and effects (what is left out is removed)."""
    part = await _daypart(request, ctx)
    form = await _read(request, DayPartIn)
    saved = await dayparts.save_daypart(
        ctx.conn, venue_id=ctx.venue.id, daypart_id=part.id, form=form, actor=actor_of(ctx)
    )
    return Json(_daypart_answer(saved))


async def delete_daypart(request: Request, ctx: Context) -> Response:
    """Remove a day-part and its effects."""
    part = await _daypart(request, ctx)
    await dayparts.delete_daypart(
        ctx.conn, venue_id=ctx.venue.id, daypart_id=part.id, actor=actor_of(ctx)
    )
    return Response(status_code=204)


async def menu_schedule(request: Request, ctx: Context) -> Response:
    """The board as it shows at `at` (default: now), with `schedule` (the day-parts active
    and the next change); with `daypart`, as that day-part shows (a preview)."""
    menu_id = await _menu(request, ctx)
    query = _valid(ScheduleQuery, dict(request.query_params))
    board = await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    as_if = await dayparts.shown_as(ctx.conn, venue_id=ctx.venue.id, daypart_id=query.daypart)
    shown = effective(board, query.at or datetime.now(UTC), as_if=as_if)
    return Json(shown, headers={"ETag": f'"{board["menu"]["version"]}"'})


# --- planned changes -------------------------------------------------------------------------


async def list_planned(request: Request, ctx: Context) -> Response:
    """Pending planned changes (soonest first), then the latest applied or failed ones."""
    found = await queries.list_planned(ctx.conn, venue_id=ctx.venue.id)
    return Json({"planned_changes": [_planned_answer(p) for p in found]})


async def create_planned(request: Request, ctx: Context) -> Response:
    """Plan a change to a menu at a date and time (applied once, as a normal change)."""
    menu_id = await _menu(request, ctx)
    form = await _read(request, PlannedIn)
    await planned.check(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id, form=form)
    actor = actor_of(ctx)
    created = await queries.create_planned(
        ctx.conn,
        venue_id=ctx.venue.id,
        menu_id=menu_id,
        run_at=form.run_at,
        change=form.change(),
        planned_by=_planned_by(ctx),
        actor_user_id=actor.user_id,
        actor_token_id=actor.token_id,
    )
    location = _location(ctx, "planned-changes", created.id)
    return Json(_planned_answer(created), 201, {"Location": location})


async def get_planned(request: Request, ctx: Context) -> Response:
    """One planned change, and what became of it."""
    return Json(_planned_answer(await _planned(request, ctx)))


def _still_pending(found: Planned) -> None:
    if found.state != "pending":
        raise operations.Conflict(
            f"This change was already {'applied' if found.state == 'done' else 'tried'}"
            f" ({found.outcome}); plan a new one instead."
        )


async def replace_planned(request: Request, ctx: Context) -> Response:
    """Change when and what a pending planned change does."""
    found = await _planned(request, ctx)
    form = await _read(request, PlannedIn)
    _still_pending(found)
    await planned.check(ctx.conn, venue_id=ctx.venue.id, menu_id=found.menu_id, form=form)
    changed = await queries.update_planned(
        ctx.conn,
        venue_id=ctx.venue.id,
        planned_id=found.id,
        run_at=form.run_at,
        change=form.change(),
    )
    assert changed is not None  # locked and pending
    return Json(_planned_answer(changed))


async def cancel_planned(request: Request, ctx: Context) -> Response:
    """Cancel a pending planned change (it is forgotten)."""
    found = await _planned(request, ctx)
    _still_pending(found)
    await queries.cancel_planned(ctx.conn, venue_id=ctx.venue.id, planned_id=found.id)
    return Response(status_code=204)


DAYPART = "/dayparts/{daypart_id:int}"
PLANNED = "/planned-changes/{planned_id:int}"
MENU = "/menus/{menu_id:int}"
HAPPY_HOUR = {
    "name": "Happy hour",
    "windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "16:00", "end": "18:00"}],
    "entries": [{"entry_id": 12, "prices": {"1": 500}}],
}
PLAN = {"run_at": "2026-03-06T17:00:00-05:00", "entry_id": 12, "patch": {"tap_label": "4"}}

routes: list[ApiRoute] = [
    ApiRoute("GET", "/dayparts", list_dayparts, answer=answers.DayPartList),
    ApiRoute(
        "POST",
        "/dayparts",
        create_daypart,
        answer=answers.DayPart,
        status=201,
        body=DayPartIn,
        example=HAPPY_HOUR,
    ),
    ApiRoute("GET", DAYPART, get_daypart, answer=answers.DayPart),
    ApiRoute(
        "PUT", DAYPART, replace_daypart, answer=answers.DayPart, body=DayPartIn, example=HAPPY_HOUR
    ),
    ApiRoute("DELETE", DAYPART, delete_daypart, answer=None, status=204),
    ApiRoute("GET", MENU + "/schedule", menu_schedule, answer=openapi.Board, query=ScheduleQuery),
    ApiRoute("GET", "/planned-changes", list_planned, answer=answers.PlannedChangeList),
    ApiRoute(
        "POST",
        MENU + "/planned-changes",
        create_planned,
        answer=answers.PlannedChange,
        status=201,
        body=PlannedIn,
        example=PLAN,
    ),
    ApiRoute("GET", PLANNED, get_planned, answer=answers.PlannedChange),
    ApiRoute(
        "PUT",
        PLANNED,
        replace_planned,
        answer=answers.PlannedChange,
        body=PlannedIn,
        conflict=True,
        example=PLAN,
    ),
    ApiRoute("DELETE", PLANNED, cancel_planned, answer=None, status=204, conflict=True),
]
