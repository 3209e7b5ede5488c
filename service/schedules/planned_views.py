"""The Schedules page's planned changes: plan an entry change or a menu's new name, edit a
pending one, cancel it. The same checks as the API (forms.py, planned.py); every POST
answers 303, and a refused form comes back once, with what was typed and why (views.refused).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.http import flash
from chalkboard.http.forms import FormErrors
from chalkboard.http.routing import Context
from chalkboard.menus import display, operations
from chalkboard.menus import queries as menus
from chalkboard.menus.api.base import Invalid, actor_of
from chalkboard.schedules import planned, queries
from chalkboard.schedules.forms import PlannedIn, nested_errors
from chalkboard.schedules.queries import Planned
from chalkboard.schedules.views import (
    BASE,
    Attempt,
    boards,
    invalid_fields,
    post,
    read_form,
    refused,
    typed,
    url_of,
)


def planned_input(
    form: FormData, currency: str, tz: ZoneInfo
) -> tuple[PlannedIn | None, FormErrors]:
    """The planned-change form: a date and time in the venue's timezone, and either a new
    name for a menu (`rename`) or an entry with its new prices, tap or status."""
    errors = FormErrors()
    run_at: datetime | str = ""
    try:
        day = date.fromisoformat(str(form.get("day", "")))
        moment = time.fromisoformat(str(form.get("time", "")))
        run_at = datetime.combine(day, moment, tzinfo=tz)
    except ValueError:
        errors["run_at"] = "Give a date and a time."
    values: dict[str, Any] = {"run_at": run_at}
    if form.get("kind") == "rename":
        values["rename"] = str(form.get("rename", "")).strip()
    else:
        values |= {
            "entry_id": str(form.get("entry_id", "")) or None,
            "patch": _patch(form, currency, errors),
        }
        if not values["patch"] and not any(key.startswith("price-") for key in errors):
            errors["patch"] = "Give new prices, a tap or a status: what should change."
    try:
        parsed = PlannedIn.model_validate(values)
    except ValidationError as exc:
        found = FormErrors({**nested_errors(exc), **errors})
        if not values.get("patch", True):  # "nothing to change", or a price that is not
            found.pop("__all__", None)  # money, says it better than "give a patch"
        return None, found
    return (None, errors) if errors else (parsed, errors)


def _patch(form: FormData, currency: str, errors: FormErrors) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    prices = {}
    for key in form:
        value = str(form.get(key, "")).strip()
        if key.startswith("price-") and key[6:].isdigit() and len(key) < 25 and value:
            try:
                prices[int(key.removeprefix("price-"))] = display.to_minor(value, currency)
            except ValueError as exc:
                errors[key] = str(exc)
    if prices:
        patch["prices"] = prices
    if tap := str(form.get("tap_label", "")).strip():
        patch["tap_label"] = tap
    if status := str(form.get("status", "")):
        patch["status"] = status
    return patch


async def _menu_of(ctx: Context, form: FormData, parsed: PlannedIn) -> int:
    """The menu a new planned change is for: the one picked for a rename, else its entry's."""
    if parsed.entry_id is None:
        picked = str(form.get("menu_id", ""))
        if picked.isdigit() and await menus.get_menu(
            ctx.conn, venue_id=ctx.venue.id, menu_id=int(picked)
        ):
            return int(picked)
        raise operations.NotFound("No such menu in this venue.")
    for board in await boards(ctx):
        for section in board["sections"]:
            if any(entry["id"] == parsed.entry_id for entry in section["entries"]):
                menu_id: int = board["menu"]["id"]
                return menu_id
    raise operations.NotFound("No such entry in this venue.")


async def _checked(ctx: Context, menu_id: int, parsed: PlannedIn) -> FormErrors:
    """The API's checks (planned.check); what they refuse, by the form's field names (the
    prices a section does not use go by the "New prices" fields)."""
    try:
        await planned.check(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id, form=parsed)
    except Invalid as exc:
        return FormErrors(
            {name.removeprefix("patch."): message for name, message in invalid_fields(exc).items()}
        )
    return FormErrors()


async def create_planned(request: Request, ctx: Context) -> Response:
    form = await read_form(request)
    parsed, errors = planned_input(form, ctx.venue.currency, ZoneInfo(ctx.venue.timezone))
    if parsed is None:
        return await refused(ctx, Attempt(request.url.path, typed(form), errors), "#planned")
    menu_id = await _menu_of(ctx, form, parsed)
    if problems := await _checked(ctx, menu_id, parsed):
        return await refused(ctx, Attempt(request.url.path, typed(form), problems), "#planned")
    await queries.create_planned(
        ctx.conn,
        venue_id=ctx.venue.id,
        menu_id=menu_id,
        run_at=parsed.run_at,
        change=parsed.change(),
        planned_by=ctx.user.email,
        actor_user_id=actor_of(ctx).user_id,
        actor_token_id=None,
    )
    return RedirectResponse(f"{url_of(ctx)}?planned#planned", 303)


async def _found(request: Request, ctx: Context) -> Planned:
    found = await queries.get_planned(
        ctx.conn, venue_id=ctx.venue.id, planned_id=request.path_params["planned_id"], lock=True
    )
    if found is None:
        raise operations.NotFound("No such planned change in this venue.")
    return found


def _too_late(ctx: Context, found: Planned) -> Response:
    """It ran meanwhile (or was tried): say so, change nothing."""
    what = "was applied" if found.state == "done" else "was tried and could not be applied"
    problem = (
        f"That change {what} already ({found.outcome}); nothing was changed."
        " Plan a new one instead."
    )
    back = flash.redirect(ctx.services.settings, f"{url_of(ctx)}#planned", problem=problem)
    assert back is not None  # one sentence fits in a cookie
    return back


async def edit_planned(request: Request, ctx: Context) -> Response:
    """Change when and what a pending planned change does (its menu stays the same)."""
    found = await _found(request, ctx)
    form = await read_form(request)
    if found.state != "pending":
        return _too_late(ctx, found)
    parsed, errors = planned_input(form, ctx.venue.currency, ZoneInfo(ctx.venue.timezone))
    if parsed is None:
        attempt = Attempt(request.url.path, typed(form), errors)
        return await refused(ctx, attempt, f"#planned-{found.id}")
    if problems := await _checked(ctx, found.menu_id, parsed):
        attempt = Attempt(request.url.path, typed(form), problems)
        return await refused(ctx, attempt, f"#planned-{found.id}")
    await queries.update_planned(
        ctx.conn,
        venue_id=ctx.venue.id,
        planned_id=found.id,
        run_at=parsed.run_at,
        change=parsed.change(),
    )
    return RedirectResponse(f"{url_of(ctx)}?edited#planned", 303)


async def cancel_planned(request: Request, ctx: Context) -> Response:
    found = await _found(request, ctx)
    if not await queries.cancel_planned(ctx.conn, venue_id=ctx.venue.id, planned_id=found.id):
        return _too_late(ctx, found)
    return RedirectResponse(f"{url_of(ctx)}?cancelled#planned", 303)


PLANNED = BASE + "/planned/{planned_id:int}"
routes = [
    post(BASE + "/planned", create_planned),
    post(PLANNED, edit_planned),
    post(PLANNED + "/cancel", cancel_planned),
]
