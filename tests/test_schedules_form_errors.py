"""The Schedules page names a refused field by its label, never by its raw form name."""

from __future__ import annotations

from chalkboard.schedules import answers
from tests import test_menu_api
from tests.test_menu_api import Venue, answer, make_menu
from tests.test_schedules_api import happy_hour

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token


async def test_a_taken_day_part_name_is_shown_by_the_name_field_without_its_raw_name(
    venue: Venue,
) -> None:
    """A second "Happy hour" is refused with the reason under the Name field and in the
    list as "Name: …", not "name: …"."""
    menu = await make_menu(venue.api)
    answer(answers.DayPart, await venue.api.post("dayparts", json=happy_hour(menu)), 201)
    page = f"/v/{venue.slug}/schedules"
    typed = {"name": "Happy hour", "w0-days": "sat", "w0-start": "12:00", "w0-end": "14:00"}
    assert (await venue.owner.submit(f"{page}/dayparts", typed)).status_code == 303
    shown = (await venue.owner.page(page)).text
    reason = "There is already a day-part called Happy hour"
    assert f'<small class="error" id="nd-name-error">{reason}' in shown
    assert f"<li>Name: {reason}" in shown
    assert f"name: {reason}" not in shown


async def test_a_refused_planned_price_is_named_new_prices(venue: Venue) -> None:
    """A price that is not money is shown under its size's field and listed without its
    raw name ("price-1") or a second, wrong reason; a size the section does not use is
    listed as "New prices"."""
    menu = await make_menu(venue.api)
    page = f"/v/{venue.slug}/schedules"
    typed = {"entry_id": str(menu.entry_id), "day": "2099-03-01", "time": "17:00"}
    price = f"price-{menu.size_id}"
    assert (
        await venue.owner.submit(f"{page}/planned", {**typed, price: "lots"})
    ).status_code == 303
    shown = (await venue.owner.page(page)).text
    assert f'id="pc-{price}-error">' in shown
    assert f"{price}:" not in shown
    assert "What changes" not in shown  # the bad price is the reason, not "nothing to change"
    assert (
        await venue.owner.submit(f"{page}/planned", {**typed, "price-999": "3"})
    ).status_code == 303
    shown = (await venue.owner.page(page)).text
    assert "<li>New prices: Landlord is in Taps, which is not priced by serving size 999" in shown
