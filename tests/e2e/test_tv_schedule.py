"""A real TV page against the real server switches day-parts by its own clock: on time with
its network cut, after a reload while offline, with its clock set minutes wrong; and it
shows the right board again once it reconnects (docs/schedules.md, "The TV side")."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from chalkboard.displays import queries as displays
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.schedules import dayparts
from chalkboard.schedules.forms import DAYS, DayPartIn
from tests.conftest import RunningServer
from tests.e2e.test_live_tv import NetworkCut
from tests.e2e.test_tv import screen_context, service_worker_in_control
from tests.test_live import Tv, new_tv
from tests.test_menu_operations import ACTOR
from tests.test_schedules_live import priced_entries

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USUAL, HAPPY = "$4.50", "$3.00"
# Both sections have a Beer 1; the first section's shows only in happy hour.
BEER_1 = "Beer 1"
# How late (by the real clock) a switch may come, and how early: the TV's clock is the
# server's to within half a round trip on loopback.
ON_TIME_S, EARLY_S = 1.0, 0.25
RECONNECT_MS = 30_000

# Before the page's scripts: a log of what the page's WebSocket heard, when it closed, and
# when the board's text changed, all stamped by the real clock (performance.timeOrigin),
# which a page that overrides Date does not move.
WATCH = """
(function () {
  var log = window.__tv = { messages: [], closes: [], texts: [] };
  function realNow() { return performance.timeOrigin + performance.now(); }
  var Native = window.WebSocket;
  window.WebSocket = function (url) {
    var ws = new Native(url);
    ws.addEventListener("message", function (event) {
      log.messages.push({ at: realNow(), type: JSON.parse(event.data).type });
    });
    ws.addEventListener("close", function () { log.closes.push(realNow()); });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  new MutationObserver(function () {
    var columns = document.querySelector(".board-columns");
    var text = columns ? columns.textContent : "";
    var last = log.texts[log.texts.length - 1];
    if (!last || last.text !== text) log.texts.push({ at: realNow(), text: text });
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();
"""

# The page's Date, shifted by a number of ms (its clock set wrong).
SKEW = """
(function (shift) {
  var NativeDate = Date;
  function Shifted() {
    if (!(this instanceof Shifted)) return new NativeDate(NativeDate.now() + shift).toString();
    if (!arguments.length) return new NativeDate(NativeDate.now() + shift);
    var args = [null].concat(Array.prototype.slice.call(arguments));
    return new (Function.prototype.bind.apply(NativeDate, args))();
  }
  Shifted.now = function () { return NativeDate.now() + shift; };
  Shifted.parse = NativeDate.parse;
  Shifted.UTC = NativeDate.UTC;
  Shifted.prototype = NativeDate.prototype;
  window.Date = Shifted;
})(%d);
"""


def next_minute() -> tuple[datetime, datetime, dict[str, Any]]:
    """The next whole minute at least 25 s ahead, the minute after, and a window from one to
    the other every day."""
    now = datetime.now(UTC)
    starts = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (starts - now).total_seconds() < 25:
        starts += timedelta(minutes=1)
    ends = starts + timedelta(minutes=1)
    start, end = f"{starts:%H:%M}", f"{ends:%H:%M}"
    return starts, ends, {"days": list(DAYS), "start": start, "end": end, "overnight": end <= start}


@dataclass
class HappyHour:
    tv: Tv
    starts: datetime
    ends: datetime


@pytest.fixture
async def happy_hour(db: asyncpg.Pool) -> HappyHour:
    """A venue (in UTC) whose first tap is $4.50 and whose second shows only in a happy
    hour ($3.00) that starts at the next whole minute at least 25 s ahead, for a minute."""
    tv = await new_tv(db, entries=2)
    size_id, (first, second, *_) = await priced_entries(db, tv, 450, 500)
    starts, ends, window = next_minute()
    async with db.acquire() as conn, conn.transaction():
        form = DayPartIn.model_validate(
            {
                "name": "Happy hour",
                "windows": [window],
                "entries": [
                    {"entry_id": first["id"], "prices": {str(size_id): 300}},
                    {"entry_id": second["id"], "shows": "only"},
                ],
            }
        )
        await dayparts.save_daypart(
            conn, venue_id=tv.venue_id, daypart_id=None, form=form, actor=ACTOR
        )
    return HappyHour(tv, starts, ends)


@dataclass
class Screen:
    context: BrowserContext
    page: Page
    network: NetworkCut
    problems: list[str]

    async def log(self) -> dict[str, Any]:
        found: dict[str, Any] = await self.page.evaluate("window.__tv")
        return found

    async def cut(self) -> float:
        """Pull the cable: the socket is cut (the page sees it close) and nothing loads.
        Returns when, by the real clock (Unix s)."""
        await self.network.cut()
        await self.context.set_offline(True)
        for _ in range(100):
            if (await self.log())["closes"]:
                return time.time()
            await asyncio.sleep(0.1)
        raise AssertionError("the TV's socket did not close when its network was cut")

    async def reconnect(self) -> None:
        """Network back: the TV reconnects and is sent a board (as it shows now)."""
        await self.network.connect()
        await self.context.set_offline(False)
        for _ in range(RECONNECT_MS // 100):
            if any(m["type"] == "board" for m in (await self.log())["messages"]):
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the TV was sent no board after its network came back")


@pytest.fixture
async def screens(chromium: Browser, live: RunningServer) -> AsyncIterator[Any]:
    """Opens TV pages at 1920x1080 with a token, each behind its own network (a TCP proxy
    for its socket); fails the test on any page error or CSP violation."""
    opened: list[Screen] = []

    async def open_(token: str, *, skew_ms: int = 0) -> Screen:
        context, problems = await screen_context(chromium, 1920, 1080)
        await context.add_init_script(WATCH)
        if skew_ms:
            await context.add_init_script(SKEW % skew_ms)
        await context.add_init_script(  # the TV is paired (only /tv may read its storage)
            "if (location.pathname === '/tv' && !localStorage.getItem('chalkboard.tv.token'))"
            f" localStorage.setItem('chalkboard.tv.token', {json.dumps(token)});"
        )
        network = NetworkCut(urlsplit(live.url).port or 80)
        await network.connect()
        page = await context.new_page()
        await page.goto(f"{live.url}/tv?ws=ws://127.0.0.1:{network.port}/tv/ws")
        screen = Screen(context, page, network, problems)
        opened.append(screen)
        await expect(first_price(page)).to_have_text(USUAL, timeout=RECONNECT_MS)
        return screen

    yield open_
    for screen in opened:
        await screen.context.close()
        await screen.network.cut()
        assert screen.problems == []


def first_price(page: Page) -> Any:
    return page.locator(".board-columns .entry").first.locator(".price").first


def beer_1(page: Page) -> Any:
    return page.locator(".board-columns .beverage", has_text=BEER_1)


def switched_at(log: dict[str, Any], text: str, *, after: float) -> float:
    """When (Unix s, real clock) the board first showed `text` after `after`."""
    for change in log["texts"]:
        if change["at"] / 1000 > after and text in change["text"]:
            return float(change["at"]) / 1000
    raise AssertionError(f"the board never showed {text!r}")


def assert_on_time(at: float, boundary: datetime) -> None:
    late = at - boundary.timestamp()
    assert -EARLY_S <= late <= ON_TIME_S, f"switched {late:+.3f} s from the boundary"


async def until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, moment.timestamp() - time.time()))


async def cut_before(boundary: datetime, *screens: Screen) -> list[float]:
    """Cut each screen's network, well before `boundary`; when each was cut (Unix s)."""
    assert boundary.timestamp() - time.time() > 3, "too slow to set up before it"
    return [await screen.cut() for screen in screens]


async def switched_on_their_own(
    boundary: datetime, text: str, cut: list[float], *screens: Screen
) -> list[dict[str, Any]]:
    """Just after `boundary`, each screen showed `text` from within a second of it, having
    heard nothing since its cut; their logs."""
    await until(boundary + timedelta(seconds=1.5))
    logs = []
    for screen, cut_at in zip(screens, cut, strict=True):
        log = await screen.log()
        assert_on_time(switched_at(log, text, after=cut_at), boundary)
        assert [m for m in log["messages"] if m["at"] / 1000 > cut_at] == []  # on its own
        logs.append(log)
    return logs


async def learnt_offset(page: Page) -> float:
    """The clock offset the TV keeps (ms), once a pong has set it."""
    for _ in range(100):
        stored = await page.evaluate("localStorage.getItem('chalkboard.tv.clock')")
        if stored is not None:
            return float(stored)
        await asyncio.sleep(0.1)
    raise AssertionError("the TV never stored a clock offset")


async def test_a_tv_cut_off_before_happy_hour_switches_on_time_and_catches_up(
    happy_hour: HappyHour, screens: Any
) -> None:
    """Two TVs lose their network before happy hour and hear nothing more: both show the
    happy-hour price (and the entry shown only then) within a second of its start. One
    reloads while offline and still shows happy hour, then reconnects and is sent it; the
    other stays offline past the end, switches back on time, and reconnects to the usual
    board."""
    back_early = await screens(happy_hour.tv.token)
    back_late = await screens(happy_hour.tv.token)
    await service_worker_in_control(back_early.page)
    for screen in (back_early, back_late):
        await learnt_offset(screen.page)
        await expect(beer_1(screen.page)).to_have_count(1)
    cut = await cut_before(happy_hour.starts, back_early, back_late)

    logs = await switched_on_their_own(happy_hour.starts, HAPPY, cut, back_early, back_late)
    for log in logs:
        assert log["texts"][-1]["text"].count(BEER_1) == 2

    # Rebooted while offline during happy hour: the offline copy shows happy hour too.
    await back_early.page.reload()
    await expect(first_price(back_early.page)).to_have_text(HAPPY)
    await expect(beer_1(back_early.page)).to_have_count(2)
    assert (await back_early.log())["messages"] == []
    await back_early.reconnect()
    await expect(first_price(back_early.page)).to_have_text(HAPPY)
    await expect(back_early.page.locator("#badge")).to_be_hidden(timeout=RECONNECT_MS)

    # Offline through the end of happy hour: back to the usual board, on time, and after.
    await until(happy_hour.ends + timedelta(seconds=1.5))
    log = await back_late.log()
    assert_on_time(switched_at(log, USUAL, after=happy_hour.starts.timestamp()), happy_hour.ends)
    assert log["texts"][-1]["text"].count(BEER_1) == 1
    assert log["messages"][-1]["at"] / 1000 < cut[1]
    await back_late.reconnect()
    await expect(first_price(back_late.page)).to_have_text(USUAL)
    await expect(beer_1(back_late.page)).to_have_count(1)
    await expect(back_late.page.locator("#badge")).to_be_hidden(timeout=RECONNECT_MS)
    # The one that reconnected during happy hour was pushed the end of it.
    await expect(first_price(back_early.page)).to_have_text(USUAL)


async def test_a_tv_whose_clock_is_minutes_wrong_switches_at_the_servers_boundary(
    happy_hour: HappyHour, screens: Any
) -> None:
    """TVs whose clocks run five minutes fast and five minutes slow learn the offset from the
    server's pongs and, cut off before happy hour, switch within a second of its start by
    the server's clock (uncorrected, one would have switched five minutes early, the other
    five minutes late)."""
    fast = await screens(happy_hour.tv.token, skew_ms=300_000)
    slow = await screens(happy_hour.tv.token, skew_ms=-300_000)
    for screen, skew in ((fast, 300_000), (slow, -300_000)):
        assert abs(await learnt_offset(screen.page) + skew) < 1000
        await expect(first_price(screen.page)).to_have_text(USUAL)
    cut = await cut_before(happy_hour.starts, fast, slow)
    await switched_on_their_own(happy_hour.starts, HAPPY, cut, fast, slow)


LUNCH_SPECIAL = "Lunch pint"


@pytest.fixture
async def lunch(db: asyncpg.Pool) -> HappyHour:
    """A venue (in UTC) whose TV shows its usual menu (first tap $4.50) and, during "Lunch"
    (from the next whole minute at least 25 s ahead, for a minute), the lunch menu: one
    "Lunch pint" at $5.00."""
    tv = await new_tv(db, entries=2)
    size_id, _ = await priced_entries(db, tv, 450)
    starts, ends, window = next_minute()
    async with db.acquire() as conn, conn.transaction():
        daypart = await dayparts.save_daypart(
            conn, venue_id=tv.venue_id, daypart_id=None, actor=ACTOR,
            form=DayPartIn.model_validate({"name": "Lunch", "windows": [window]}),
        )  # fmt: skip
        menu_id = (await operations.create_menu(
            conn, venue_id=tv.venue_id, name="Lunch", actor=ACTOR
        ))["menu"]["id"]  # fmt: skip
        change: Any = {
            "venue_id": tv.venue_id,
            "menu_id": menu_id,
            "based_on": None,
            "actor": ACTOR,
        }
        _, section_id = await operations.add_section(conn, name="Food", kind="taps", **change)
        beverage = await menus.create_beverage(conn, venue_id=tv.venue_id, name=LUNCH_SPECIAL)
        await operations.add_entry(
            conn, section_id=section_id, beverage_id=beverage.id, fields={},
            prices={size_id: 500}, position=None, **change,
        )  # fmt: skip
        await displays.replace_menu_rules(
            conn, venue_id=tv.venue_id, display_id=tv.display_id, rules=[(daypart.id, menu_id)]
        )
    return HappyHour(tv, starts, ends)


async def holds_next_menu(page: Page) -> None:
    """Waits until the TV keeps the board of its display's next menu (sent ahead)."""
    for _ in range(100):
        if await page.evaluate("localStorage.getItem('chalkboard.tv.next')"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the TV was never sent its next menu")


async def test_a_tv_cut_off_before_its_lunch_menu_switches_to_it_on_time_and_catches_up(
    lunch: HappyHour, screens: Any
) -> None:
    """Two TVs whose display shows the lunch menu during Lunch lose their network before it
    and hear nothing more: both show the lunch menu within a second of its start. One
    reloads while offline and still shows it, then reconnects to it; the other stays offline
    past the end of Lunch and reconnects to its usual menu."""
    back_early = await screens(lunch.tv.token)
    back_late = await screens(lunch.tv.token)
    await service_worker_in_control(back_early.page)
    for screen in (back_early, back_late):
        await learnt_offset(screen.page)
        await holds_next_menu(screen.page)
    cut = await cut_before(lunch.starts, back_early, back_late)

    logs = await switched_on_their_own(lunch.starts, LUNCH_SPECIAL, cut, back_early, back_late)
    for screen, log in zip((back_early, back_late), logs, strict=True):
        assert "$5.00" in log["texts"][-1]["text"]
        await expect(screen.page.locator(".board-menu")).to_have_text("Lunch")

    # Rebooted while offline during Lunch: the offline copy is the lunch menu.
    await back_early.page.reload()
    await expect(first_price(back_early.page)).to_have_text("$5.00")
    assert (await back_early.log())["messages"] == []
    await back_early.reconnect()
    await expect(back_early.page.locator(".board-menu")).to_have_text("Lunch")
    await expect(back_early.page.locator("#badge")).to_be_hidden(timeout=RECONNECT_MS)

    # Offline past the end of Lunch (it holds no switch back): the usual menu once reconnected.
    await until(lunch.ends + timedelta(seconds=1.5))
    await back_late.reconnect()
    await expect(first_price(back_late.page)).to_have_text(USUAL)
    await expect(back_late.page.locator(".board-menu")).not_to_have_text("Lunch")
    await expect(back_late.page.locator("#badge")).to_be_hidden(timeout=RECONNECT_MS)
    # The one that reconnected during Lunch was pushed its end.
    await expect(first_price(back_early.page)).to_have_text(USUAL)
