"""Menus by day-part on a display: its settings page's form and the JSON API.

A display shows its usual menu, and during each of its rules' day-parts that rule's menu
(`daypart_menus.py`). Both doors check the same way: another venue's display is a 404
before anything is read; malformed input is a 422 naming the field; a day-part or menu id
not in the venue is a 404 naming the field; nothing is stored unless all of it is good.
Saving tells the display's TVs (NOTIFY display_changed), which move to the menu shown now.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.db import Conn
from chalkboard.displays import queries
from chalkboard.displays.daypart_menus import MenuRule, next_switch, rule_at
from chalkboard.displays.forms import MAX_DAYPART_MENUS, DaypartMenusIn
from chalkboard.displays.queries import Display
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors
from chalkboard.http.routing import MAX_FORM_FIELDS, Access, AppRoute, Context
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.api.base import ApiRoute, Invalid, Json, json_object, path_id
from chalkboard.schedules import queries as schedules
from chalkboard.schedules.forms import nested_errors

ROW = re.compile(r"rule-(?P<row>[0-9]{1,2})-(?P<part>daypart|menu)")


async def _display(ctx: Context, display_id: int) -> Display:
    display = await queries.get_display(ctx.conn, venue_id=ctx.venue.id, display_id=display_id)
    if display is None or display.revoked_at is not None:
        raise HTTPException(404, "No such TV in this venue: it may have been revoked.")
    return display


async def save(conn: Conn, *, venue_id: int, display: Display, form: DaypartMenusIn) -> None:
    """Check the ids (a 404 naming the field), store the rules, tell the display's TVs."""
    dayparts = {part.id for part in await schedules.list_dayparts(conn, venue_id=venue_id)}
    found = {menu.id for menu in await menus.list_menus(conn, venue_id=venue_id)}
    for i, rule in enumerate(form.rules):
        if rule.daypart_id not in dayparts:
            raise operations.NotFound(f"rules.{i}.daypart_id: no such day-part in this venue.")
        if rule.menu_id not in found:
            raise operations.NotFound(f"rules.{i}.menu_id: no such menu in this venue.")
    await queries.replace_menu_rules(
        conn, venue_id=venue_id, display_id=display.id, rules=form.pairs()
    )
    await queries.notify_display_changed(conn, display_id=display.id, event="updated")


# --- what shows now -----------------------------------------------------------------------


class RuleAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    daypart_id: int
    daypart: str
    menu_id: int
    menu: str


class DaypartMenus(BaseModel):
    """A display's menus by day-part, and what it shows now."""

    model_config = ConfigDict(extra="forbid")

    display_id: int
    usual_menu_id: int | None
    rules: list[RuleAnswer]
    showing_menu_id: int | None
    showing_daypart_id: int | None
    next_switch_at: datetime | None
    next_menu_id: int | None


def now_and_next(
    display: Display, rules: list[MenuRule], tz: ZoneInfo, at: datetime
) -> dict[str, Any]:
    """Which menu shows at `at` (and during which day-part), and the next switch of menu."""
    rule = rule_at(rules, tz, at)
    showing = rule.menu_id if rule else display.menu_id
    switch = next_switch(rules, display.menu_id, tz, at)
    real = switch is not None and switch.menu_id != showing
    return {
        "showing_menu_id": showing,
        "showing_daypart_id": rule.daypart_id if rule else None,
        "next_switch_at": switch.at if switch and real else None,
        "next_menu_id": switch.menu_id if switch and real else None,
    }


async def _answer(ctx: Context, display: Display) -> dict[str, Any]:
    rules = await queries.menu_rules(ctx.conn, venue_id=ctx.venue.id, display_id=display.id)
    return {
        "display_id": display.id,
        "usual_menu_id": display.menu_id,
        "rules": [
            {"daypart_id": r.daypart_id, "daypart": r.daypart, "menu_id": r.menu_id, "menu": r.menu}
            for r in rules
        ],
        **now_and_next(display, rules, ZoneInfo(ctx.venue.timezone), datetime.now(UTC)),
    }


async def page_values(
    ctx: Context, display: Display, shown: dict[str, Any], preview_at: str = ""
) -> dict[str, Any]:
    """What the settings page's "Menus by day-part" card shows: the form (as saved, or as
    typed when it came back refused) and what shows now; and the day-part its preview
    shows the board at (`preview_at`, a day-part id; "" or not the venue's: now)."""
    answer = await _answer(ctx, display)
    names = {menu.id: menu.name for menu in await menus.list_menus(ctx.conn, venue_id=ctx.venue.id)}
    parts = await schedules.list_dayparts(ctx.conn, venue_id=ctx.venue.id)
    saved = {}
    for i, rule in enumerate(answer["rules"]):
        saved[f"rule-{i}-daypart"] = str(rule["daypart_id"])
        saved[f"rule-{i}-menu"] = str(rule["menu_id"])
    values = shown.get("daypart_menus_values", saved)
    tz = ZoneInfo(ctx.venue.timezone)
    switch_at = answer["next_switch_at"]
    now_menu = names.get(answer["showing_menu_id"] or 0, "no menu")
    usual = names.get(display.menu_id or 0, "no menu")
    during = {r["daypart_id"]: r["menu"] for r in answer["rules"]}
    return {
        # The preview's "Show the board" choices, each saying which menu shows then.
        "dm_preview_options": [
            ("", f"Now: {now_menu}"),
            *((str(part.id), f"{part.name}: {during.get(part.id, usual)}") for part in parts),
        ],
        "dm_preview_at": preview_at if any(str(p.id) == preview_at for p in parts) else "",
        "dm_values": values,
        "dm_errors": FormErrors(shown.get("daypart_menus_errors", {})),
        "dm_rows": min(MAX_DAYPART_MENUS, len(parts), len(answer["rules"]) + 1),
        "dm_dayparts": [(str(part.id), part.name) for part in parts],
        "dm_menus": [(str(menu_id), name) for menu_id, name in names.items()],
        "dm_now": now_menu,
        "dm_now_daypart": next(
            (
                r["daypart"]
                for r in answer["rules"]
                if r["daypart_id"] == answer["showing_daypart_id"]
            ),
            "",
        ),
        "dm_next_at": _when(switch_at, tz) if switch_at else "",
        "dm_next_menu": names.get(answer["next_menu_id"] or 0, "no menu"),
    }


def _when(instant: datetime, tz: ZoneInfo) -> str:
    local, today = instant.astimezone(tz), datetime.now(tz).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b %H:%M}"


# --- the settings page's form ---------------------------------------------------------------


def form_input(form: FormData) -> tuple[DaypartMenusIn | None, FormErrors]:
    """Rows of (day-part, menu) selects; a row with neither is left out."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        field = ROW.fullmatch(key)
        if field is not None:
            rows.setdefault(int(field["row"]), {})[field["part"]] = str(form.get(key, "")).strip()
    errors = FormErrors()
    rules = []
    for row, picked in sorted(rows.items()):
        daypart, menu = picked.get("daypart", ""), picked.get("menu", "")
        if not daypart and not menu:
            continue
        if not daypart.isdigit():
            errors[f"rule-{row}-daypart"] = "Choose the day-part, or set the menu to none too."
        elif not menu.isdigit():
            errors[f"rule-{row}-menu"] = "Choose the menu it shows during this day-part."
        else:
            rules.append({"daypart_id": int(daypart), "menu_id": int(menu)})
    if errors:
        return None, errors
    try:
        return DaypartMenusIn.model_validate({"rules": rules}), errors
    except ValidationError as exc:
        return None, nested_errors(exc)


async def save_form(request: Request, ctx: Context) -> Response:
    display = await _display(ctx, request.path_params["display_id"])
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
    parsed, errors = form_input(form)
    url = f"/v/{ctx.venue.slug}/displays/{display.id}"
    if parsed is None:
        back = flash.redirect(
            ctx.services.settings,
            url + "#daypart-menus",
            daypart_menus_values={
                key: str(form.get(key, "")) for key in form if ROW.fullmatch(key)
            },
            daypart_menus_errors=dict(errors),
        )
        assert back is not None  # 20 rows of two ids fit in a cookie
        return back
    await save(ctx.conn, venue_id=ctx.venue.id, display=display, form=parsed)
    return RedirectResponse(f"{url}?saved=1", 303)


# --- the JSON API --------------------------------------------------------------------------


async def get_daypart_menus(request: Request, ctx: Context) -> Response:
    """The display's menus by day-part, which menu it shows now, and the next switch."""
    display = await _display(ctx, path_id(request, "display_id"))
    return Json(await _answer(ctx, display))


async def put_daypart_menus(request: Request, ctx: Context) -> Response:
    """Replace the display's menus by day-part (an empty list: always its usual menu)."""
    display = await _display(ctx, path_id(request, "display_id"))
    try:
        form = DaypartMenusIn.model_validate(await json_object(request))
    except ValidationError as exc:
        raise Invalid.fields(nested_errors(exc)) from None
    await save(ctx.conn, venue_id=ctx.venue.id, display=display, form=form)
    return Json(await _answer(ctx, display))


EXAMPLE = {"rules": [{"daypart_id": 3, "menu_id": 7}]}
PATH = "/displays/{display_id:int}/daypart-menus"

routes = [
    AppRoute(
        "/v/{slug}/displays/{display_id:int}/daypart-menus",
        save_form,
        access=Access.VENUE,
        methods=["POST"],
    ),
]
api_routes = [
    ApiRoute("GET", PATH, get_daypart_menus, answer=DaypartMenus),
    ApiRoute(
        "PUT", PATH, put_daypart_menus, answer=DaypartMenus, body=DaypartMenusIn, example=EXAMPLE
    ),
]
