"""The Schedules page: day-parts (with their happy-hour prices and what shows when) and
planned changes, for staff on a phone. The same checks as the API (forms.py, dayparts.py,
planned.py); a refused form is shown again with what was typed and why, and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.http import flash
from chalkboard.http.forms import FormErrors
from chalkboard.http.pages import render
from chalkboard.http.routing import MAX_FORM_FIELDS, Access, AppRoute, Context
from chalkboard.menus import display, operations
from chalkboard.menus import queries as menus
from chalkboard.menus.api.base import Invalid, actor_of
from chalkboard.schedules import dayparts, queries
from chalkboard.schedules.clock import staff_time
from chalkboard.schedules.effective import effective, schedule_at
from chalkboard.schedules.forms import DAYS, DayPartIn, nested_errors
from chalkboard.schedules.queries import DayPartRow, Planned

# The day-part form's per-item fields: price-<entry>-<size>, section-<id>, entry-<id>.
FIELD = re.compile(r"(?P<kind>price|section|entry)-(?P<id>[0-9]{1,18})(-(?P<size>[0-9]{1,18}))?")
# Rows of windows a form offers: the day-part's own, and this many empty ones.
SPARE_WINDOWS = 1
DAY_NAMES = dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
STATUSES = [("", "Leave as it is"), ("on_tap", "On tap"), ("on_deck", "On deck"),
            ("kicked", "Kicked"), ("hidden", "Hidden")]  # fmt: skip


@dataclass(frozen=True)
class Attempt:
    """A refused form, shown again: which form (its action), what was typed, and why."""

    action: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def url_of(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/schedules"


def days_text(days: list[str]) -> str:
    """Days as staff write them: Mon to Fri as a range, else a list, or "Every day"."""
    numbers = [DAYS.index(day) for day in days]
    if len(numbers) == 7:
        return "Every day"
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}\u2013{DAY_NAMES[days[-1]]}"  # an en dash
    return ", ".join(DAY_NAMES[day] for day in days)


def _window_values(windows: list[dict[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for i, window in enumerate(windows):
        values[f"w{i}-days"] = window["days"]
        values[f"w{i}-start"] = window["start"]
        values[f"w{i}-end"] = window["end"]
        values[f"w{i}-overnight"] = window.get("overnight", False)
    return values


def _saved_values(part: DayPartRow, currency: str) -> dict[str, Any]:
    values = {"name": part.name, **_window_values(part.windows)}
    for entry_id, prices in part.prices.items():
        for size_id, price in prices.items():
            values[f"price-{entry_id}-{size_id}"] = display.typed_price(price, currency)
    for section_id, shows in part.sections.items():
        values[f"section-{section_id}"] = shows
    for entry_id, shows in part.entries.items():
        values[f"entry-{entry_id}"] = shows
    return values


def planned_values(change: Planned, tz: ZoneInfo, currency: str) -> dict[str, str]:
    """A planned change as its edit form starts."""
    local = change.run_at.astimezone(tz)
    values = {"day": local.date().isoformat(), "time": f"{local:%H:%M}"}
    if "rename" in change.change:
        return values | {"rename": change.change["rename"]}
    patch = change.change["patch"]
    values |= {"entry_id": str(change.change["entry_id"])}
    values |= {key: str(patch[key]) for key in ("tap_label", "status") if patch.get(key)}
    for size_id, price in (patch.get("prices") or {}).items():
        if price is not None:  # a removal (planned through the API) has no field to show
            values[f"price-{size_id}"] = display.typed_price(price, currency)
    return values


async def boards(ctx: Context) -> list[dict[str, Any]]:
    return [
        await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
        for menu_id in await menus.all_menu_ids(ctx.conn, venue_id=ctx.venue.id)
    ]


def _preview(
    boards: list[dict[str, Any]], parts: list[DayPartRow], menu: str, daypart: str, now: datetime
) -> dict[str, Any] | None:
    """The menu picked for a preview as it shows now, or as the picked day-part shows it."""
    board = next((b for b in boards if str(b["menu"]["id"]) == menu), None)
    if board is None:
        return None
    chosen = next((p.id for p in parts if str(p.id) == daypart), None)
    return effective(board, now, as_if=None if chosen is None else frozenset({chosen}))


async def schedules_page(
    ctx: Context,
    *,
    status: int = 200,
    attempt: Attempt | None = None,
    notice: str = "",
    preview: tuple[str, str] = ("", ""),
    problem: str = "",
) -> Response:
    tz = ZoneInfo(ctx.venue.timezone)
    now = datetime.now(UTC)
    parts = await queries.list_dayparts(ctx.conn, venue_id=ctx.venue.id)
    rules = {
        "timezone": ctx.venue.timezone,
        "parts": [{"id": p.id, "name": p.name, "windows": p.windows} for p in parts],
    }
    schedule = schedule_at(rules if parts else None, now)
    boards_ = await boards(ctx)
    entries = {
        entry["id"]: f"{board['menu']['name']}: {entry['beverage']['name']}"
        + (f" (tap {entry['tap_label']})" if entry["tap_label"] else "")
        for board in boards_
        for section in board["sections"]
        for entry in section["entries"]
    }
    planned_rows = await queries.list_planned(ctx.conn, venue_id=ctx.venue.id)
    currency = ctx.venue.currency
    return await render(
        ctx,
        "schedules.html",
        status,
        parts=[(p, _saved_values(p, currency)) for p in parts],
        schedule=schedule,
        next_at=staff_time(schedule["next_change_at"], tz, now),
        boards=boards_,
        entries=entries,
        entry_options=[(str(entry_id), label) for entry_id, label in entries.items()],
        sizes=await menus.list_serving_sizes(ctx.conn, venue_id=ctx.venue.id),
        planned=planned_rows,
        when=lambda instant: staff_time(instant.isoformat(), tz, now),
        days_text=days_text,
        day_names=DAY_NAMES,
        statuses=STATUSES,
        spare=SPARE_WINDOWS,
        today=now.astimezone(tz).date().isoformat(),
        attempt=attempt or Attempt(),
        notice=notice,
        preview=_preview(boards_, parts, *preview, now),
        menu_options=[(str(b["menu"]["id"]), b["menu"]["name"]) for b in boards_],
        daypart_options=[("", "Now"), *((str(p.id), p.name) for p in parts)],
        picked=preview,
        problem=problem,
        planned_values={p.id: planned_values(p, tz, currency) for p in planned_rows},
        # The sizes each entry's section prices by: its planned-change form offers only those.
        entry_sizes={
            str(entry["id"]): section["sizes"]
            for board in boards_
            for section in board["sections"]
            for entry in section["entries"]
        },
        menu_entries={
            b["menu"]["id"]: [
                (str(e["id"]), entries[e["id"]]) for sec in b["sections"] for e in sec["entries"]
            ]
            for b in boards_
        },
    )


async def schedules(request: Request, ctx: Context) -> Response:
    """The venue's day-parts and planned changes: showing now, the next change."""
    notice = {"saved": "Saved. TVs and embeds follow within a few seconds.",
              "deleted": "Deleted.", "planned": "Planned.",
              "edited": "Saved: the planned change will do this instead.",
              "cancelled": "Cancelled: it will not happen."}  # fmt: skip
    shown = next((text for key, text in notice.items() if key in request.query_params), "")
    picked = (request.query_params.get("menu", ""), request.query_params.get("daypart", ""))
    back = flash.take(request, ctx.services.settings)  # a refused form, once (`refused`)
    attempt = Attempt(
        back.get("action", ""), back.get("values", {}), FormErrors(back.get("errors", {}))
    )
    response = await schedules_page(
        ctx, attempt=attempt, notice=shown, preview=picked, problem=back.get("problem", "")
    )
    return flash.forget(request, response, ctx.services.settings)


async def refused(ctx: Context, attempt: Attempt, anchor: str) -> Response:
    """Redirect after POST: the page shows the refused form once, with what was typed (what
    was left empty is not kept) and why. Too large for a cookie: drawn here, as a 422."""
    values = {key: value for key, value in attempt.values.items() if value not in ("", [])}
    back = flash.redirect(
        ctx.services.settings,
        url_of(ctx) + anchor,
        action=attempt.action,
        values=values,
        errors=dict(attempt.errors),
    )
    return back or await schedules_page(ctx, status=422, attempt=attempt)


async def read_form(request: Request) -> FormData:
    return await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)


def typed(form: FormData) -> dict[str, Any]:
    """What was typed, kept to show again (checkbox lists as lists)."""
    values: dict[str, Any] = {}
    for key in form:
        found = form.getlist(key)
        values[key] = found if key.endswith("-days") else found[-1]
    return values


def daypart_input(form: FormData, currency: str) -> tuple[DayPartIn | None, FormErrors]:
    """The day-part form as DayPartIn: rows of windows (empty rows ignored), a usual-price
    field per entry and size (blank: no day-part price), a select per section."""
    errors = FormErrors()
    windows = []
    for i in range(20):
        days = [str(d) for d in form.getlist(f"w{i}-days")]
        start, end = str(form.get(f"w{i}-start", "")), str(form.get(f"w{i}-end", ""))
        if days or start or end:
            overnight = form.get(f"w{i}-overnight") == "on"
            windows.append({"days": days, "start": start, "end": end, "overnight": overnight})
    entries: dict[int, dict[str, Any]] = {}
    sections = []
    for key in form:
        value = str(form.get(key, "")).strip()
        field = FIELD.fullmatch(key)
        if not value or field is None or (field["kind"] == "price") != bool(field["size"]):
            continue  # left empty, or not a field of this form
        kind, item = field["kind"], int(field["id"])
        if kind == "price":
            try:
                price = display.to_minor(value, currency)
            except ValueError as exc:
                errors[key] = str(exc)
                continue
            entry = entries.setdefault(item, {"entry_id": item})
            entry.setdefault("prices", {})[int(field["size"])] = price
        elif kind == "section":
            sections.append({"section_id": item, "shows": value})
        elif kind == "entry":
            entries.setdefault(item, {"entry_id": item})["shows"] = value
    values = {
        "name": form.get("name", ""),
        "windows": windows,
        "entries": list(entries.values()),
        "sections": sections,
    }
    try:
        parsed = DayPartIn.model_validate(values)
    except ValidationError as exc:
        return None, FormErrors({**nested_errors(exc), **errors})
    return (None, errors) if errors else (parsed, errors)


async def _save(request: Request, ctx: Context, daypart_id: int | None) -> Response:
    form = await read_form(request)
    parsed, errors = daypart_input(form, ctx.venue.currency)
    if parsed is not None:
        try:
            await dayparts.save_daypart(
                ctx.conn,
                venue_id=ctx.venue.id,
                daypart_id=daypart_id,
                form=parsed,
                actor=actor_of(ctx),
            )
            return RedirectResponse(f"{url_of(ctx)}?saved", 303)
        except Invalid as exc:
            errors = invalid_fields(exc)
    attempt = Attempt(request.url.path, typed(form), _for_people(errors))
    return await refused(ctx, attempt, f"#daypart-{daypart_id}" if daypart_id else "#new-daypart")


def invalid_fields(exc: Invalid) -> FormErrors:
    """A 422's messages by field (`windows.0`, `patch.prices`), or one for the whole form."""
    fields = exc.detail.get("fields")
    return FormErrors(fields if isinstance(fields, dict) else {"__all__": exc.message})


def _for_people(errors: FormErrors) -> FormErrors:
    """The API's field paths and wording, as the form names them ("windows.0" is the
    first "When")."""
    shown = FormErrors()
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "windows" and len(parts) > 1:
            name = f"When (row {int(parts[1]) + 1})"
        elif parts[0] == "entries":
            name = "Prices"
        shown[name] = message.replace("set overnight to true", 'tick "Ends the next day"')
    return shown


async def create_daypart(request: Request, ctx: Context) -> Response:
    return await _save(request, ctx, None)


async def _daypart_id(request: Request, ctx: Context) -> int:
    daypart_id: int = request.path_params["daypart_id"]
    if await queries.get_daypart(ctx.conn, venue_id=ctx.venue.id, daypart_id=daypart_id) is None:
        raise operations.NotFound("No such day-part in this venue.")
    return daypart_id


async def update_daypart(request: Request, ctx: Context) -> Response:
    return await _save(request, ctx, await _daypart_id(request, ctx))


async def delete_daypart(request: Request, ctx: Context) -> Response:
    await dayparts.delete_daypart(
        ctx.conn,
        venue_id=ctx.venue.id,
        daypart_id=await _daypart_id(request, ctx),
        actor=actor_of(ctx),
    )
    return RedirectResponse(f"{url_of(ctx)}?deleted", 303)


BASE = "/v/{slug}/schedules"
DAYPART = BASE + "/dayparts/{daypart_id:int}"


def post(path: str, endpoint: Any) -> AppRoute:
    return AppRoute(path, endpoint, access=Access.VENUE, methods=["POST"])


routes = [
    AppRoute(BASE, schedules, access=Access.VENUE),
    post(BASE + "/dayparts", create_daypart),
    post(DAYPART, update_daypart),
    post(DAYPART + "/delete", delete_daypart),
]
