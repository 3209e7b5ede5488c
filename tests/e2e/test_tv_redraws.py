"""When the TV draws its board again, against a scripted protocol server (tests/e2e/test_tv.py):
not for a board it already shows (the server's push at a day-part boundary, just after the
TV's own switch), always for levels, settings and a new version; and a day-part switch during
a promo slide waits for the slide to end."""

from __future__ import annotations

import asyncio
import copy
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.conftest import RunningServer
from tests.e2e import test_tv
from tests.e2e.test_tv import (
    TOKEN,
    FakeProtocolServer,
    Message,
    display,
    open_tv,
    paired_tv,
    sample_board,
)

pytestmark = pytest.mark.browser

fake = test_tv.fake  # the fixtures: the scripted server, and a 1920x1080 TV browser
tv = test_tv.tv

HAPPY_HOUR = {"id": 9, "name": "Happy hour"}

# Counts the board's drawings: each sets #stage's data-layout-passes once.
COUNT_DRAWS = """() => {
  window.__draws = 0;
  new MutationObserver(function (records) { window.__draws += records.length; })
    .observe(document.getElementById("stage"),
             { attributes: true, attributeFilter: ["data-layout-passes"] });
}"""


async def draws_after(page: Page, at_least: int) -> int:
    """How many times the board was drawn, once it was drawn at least `at_least` times.
    (Polled with evaluate: the page's CSP refuses wait_for_function's eval.)"""
    for _ in range(200):
        found: int = await page.evaluate("window.__draws")
        if found >= at_least:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"the board was drawn {found} times, not {at_least}")


def with_happy_hour(board: Message, starts: datetime) -> Message:
    """`board` with a happy hour from `starts` that prices Foghorn Pils' pint at $5.00."""
    made = copy.deepcopy(board)
    made["board"]["dayparts"] = {"parts": [{**HAPPY_HOUR, "prices": {"1": {"2": 500}}}]}
    made["board"]["schedule"] = {
        "current": [],
        "upcoming": [{"at": starts.isoformat(), "current": [HAPPY_HOUR["id"]]}],
    }
    return made


def during_happy_hour(board: Message) -> Message:
    """The board the server sends at that happy hour's start (its stretch, as it shows)."""
    made = copy.deepcopy(board)
    first = made["board"]["sections"][0]["entries"][0]
    first["usual_prices"] = dict(first["prices"])
    first["prices"]["2"] = 500
    made["board"]["schedule"] = {"current": [HAPPY_HOUR], "upcoming": []}
    return made


async def test_a_board_the_screen_already_shows_is_not_drawn_again(
    tv: BrowserContext, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """The same board again (same version) draws nothing; keg levels, a new version with the
    same content and changed display settings each draw the board once."""
    page = await paired_tv(tv, live, fake)
    await page.evaluate(COUNT_DRAWS)
    low = page.locator(".board-columns .keg.low")
    await expect(low).to_have_count(1)  # Harbor Stout's
    level = {"keg_percent": 10.0, "keg_size_ml": 19500, "keg_remaining_ml": None}
    # Messages are handled in order: once the levels are drawn, the board before them was.
    await fake.broadcast(sample_board(), {"type": "levels", "menu": 7, "levels": {"1": level}})
    await expect(low).to_have_count(2)
    assert await draws_after(page, 1) == 1
    await fake.broadcast(sample_board(version=2))
    assert await draws_after(page, 2) == 2
    await fake.broadcast(sample_board(version=2), display(show_ibu=False, show_keg=True))
    assert await draws_after(page, 3) == 3
    await expect(page.locator(".board-columns .ibu")).to_have_count(0)


async def test_the_servers_push_at_a_boundary_after_the_tvs_own_switch_draws_nothing(
    tv: BrowserContext, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """A TV switches to happy hour by its own clock (one drawing, the pint at $5.00); the
    server's board for that stretch, a moment later, is what it shows: not drawn again."""
    page = await paired_tv(tv, live, fake)
    starts = datetime.now(UTC) + timedelta(seconds=3)
    await fake.broadcast(with_happy_hour(sample_board(), starts))
    pint = page.locator(".board-columns .entry").first.locator(".price").last
    await expect(pint).to_have_text("$7.00")
    await page.evaluate(COUNT_DRAWS)
    await expect(pint).to_have_text("$5.00", timeout=6000)
    level = {"keg_percent": 10.0, "keg_size_ml": 19500, "keg_remaining_ml": None}
    await fake.broadcast(
        during_happy_hour(sample_board()), {"type": "levels", "menu": 7, "levels": {"1": level}}
    )
    await expect(page.locator(".board-columns .keg.low")).to_have_count(2)  # the levels drawn
    assert await draws_after(page, 2) == 2  # its own switch, and the levels


async def test_a_day_part_switch_during_a_promo_slide_waits_for_the_slide_to_end(
    tv: BrowserContext, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """Happy hour begins while an 8-second promo slide shows: the slide stays its 8 seconds,
    then the board comes back with the happy-hour price."""
    fake.display = display(rotation_seconds=3)
    fake.display["display"]["slides"] = [
        {"id": 1, "title": "Trivia night", "body": "", "seconds": 8, "image": None,
         "starts_on": None, "ends_on": None},
    ]  # fmt: skip
    page = await open_tv(tv, live, fake)
    await fake.next_hello()
    # The board shows from now for 3 s, then the slide for 8: happy hour begins in between.
    starts = datetime.now(UTC) + timedelta(seconds=5.5)
    await fake.broadcast(
        {"type": "paired", "token": TOKEN}, fake.display, with_happy_hour(sample_board(), starts)
    )
    slide = page.locator("#slide")
    await expect(slide).to_be_visible(timeout=6000)
    shown_at = time.monotonic()
    assert datetime.now(UTC) < starts, "too slow to show the slide before happy hour"
    await expect(page.locator("#board")).to_be_visible(timeout=12_000)
    assert time.monotonic() - shown_at > 7  # not cut short at happy hour's start
    pint = page.locator(".board-columns .entry").first.locator(".price").last
    await expect(pint).to_have_text("$5.00")
