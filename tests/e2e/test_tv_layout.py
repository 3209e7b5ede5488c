"""The TV's layout engine on the real /tv page at 720p, 1080p, 4K and portrait 1080x1920.

Each case pairs a TV (a stored token) with the scripted protocol server of test_tv.py and
checks the drawn page by its element boxes: nothing overflows its column or the screen,
nothing overlaps, no text is under the readable minimum (docs/tv.md: the screen's short side
/ 60 at the default viewing distance), and a board too long for one page rotates its pages.
Screenshots of every case are saved under pytest's temporary directory (`tv-screens/`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from chalkboard.displays.looks import LOOKS
from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_tv import SLOW, TOKEN, FakeProtocolServer, Message, board, display, entry

pytestmark = pytest.mark.browser

SCREENS = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920)]
READABLE_DIVISOR = {"close": 80, "room": 60, "across": 45}  # docs/tv.md, "Layout"

BEERS = [
    ("Foghorn Pils", "Harbor Lane", "Pilsner", 4.8),
    ("Barrel-Aged Imperial Breakfast Stout with Vanilla and Coconut", "Night Shift", "Stout", 11.5),
    ("Hazy Days", "Other Half", "New England IPA", 6.8),
    ("Gose to the Beach", "Anderson Valley", "Gose", 4.2),
    ("Saison Dupont", "Brasserie Dupont", "Saison", 6.5),
    ("West Coast Classic", "Russian River", "IPA", 7.0),
    ("Oktoberfest Märzen", "Ayinger", "Märzen", 5.8),
    ("Raspberry Berliner Weisse", "Local Friends", "Berliner Weisse", 3.9),
    ("Old Rasputin", "North Coast", "Russian Imperial Stout", 9.0),
    ("Kölsch", "Früh", "Kölsch", 4.8),
    ("Double Dry-Hopped Citra Mosaic Pale Ale", "Tree House", "Pale Ale", 5.5),
    ("Cider Royale", "Aval", "Cider", 6.0),
]
COCKTAILS = [
    "Old Fashioned",
    "Negroni",
    "Paloma",
    "Espresso Martini",
    "Margarita on the Rocks with Smoked Salt",
    "Aperol Spritz",
    "Penicillin",
    "Whiskey Sour",
]
SNACKS = ["Pretzel", "Loaded Nachos", "Wings", "Fries", "Pickles", "Cheese Board for Two"]


def menu_entry(n: int, name: str, prices: dict[str, int], **beverage: Any) -> Message:
    made = entry(n, name)
    made["prices"] = prices
    made["beverage"] |= {"producer": None, "style": None, "abv": None, "ibu": None} | beverage
    made["keg_percent"] = None
    return made


def long_menu(version: int = 2) -> Message:
    """26 entries: 12 beers by the glass, 8 cocktails, 6 snacks, each priced its own way."""
    beers = [
        menu_entry(
            n + 1, name, {"1": 450 + 25 * n, "2": 700 + 25 * n}, producer=by, style=style, abv=abv
        )
        | {"keg_percent": 90.0 - 7 * n, "note": "New" if n == 2 else None}
        for n, (name, by, style, abv) in enumerate(BEERS)
    ]
    cocktails = [menu_entry(20 + n, name, {"4": 1200 + 50 * n}) for n, name in enumerate(COCKTAILS)]
    snacks = [menu_entry(40 + n, name, {"5": 600 + 100 * n}) for n, name in enumerate(SNACKS)]
    message = board(version, [], name="Tonight")
    message["board"]["sizes"] = [
        *message["board"]["sizes"],
        {"id": 4, "name": "Cocktail", "volume_ml": None},
        {"id": 5, "name": "Plate", "volume_ml": None},
    ]
    message["board"]["sections"] = [
        {"id": 1, "name": "On tap", "kind": "taps", "entries": beers},
        {"id": 2, "name": "Cocktails", "kind": "list", "entries": cocktails},
        {"id": 3, "name": "Snacks", "kind": "list", "entries": snacks},
    ]
    return message


def short_menu(version: int = 2) -> Message:
    """Five beers."""
    message = long_menu(version)
    message["board"]["sections"] = [message["board"]["sections"][0]]
    message["board"]["sections"][0]["entries"] = message["board"]["sections"][0]["entries"][:5]
    return message


MENUS = {"long": long_menu, "short": short_menu}

# Every problem a drawn page can have, as text (an empty list is a clean page).
PROBLEMS_JS = "\n".join(
    line
    for line in (Path(__file__).parent / "tv_problems.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//")  # Playwright calls the text as a function when it starts as one
)


def min_text(width: int, height: int, distance: str = "room", scale: float = 1.0) -> float:
    """The readable minimum in px, computed here from the documented rule, not asked of the TV."""
    return min(width, height) / READABLE_DIVISOR[distance] * max(1.0, scale)


@pytest.fixture
async def fake() -> AsyncIterator[FakeProtocolServer]:
    server = FakeProtocolServer()
    await server.start()
    yield server
    if server.server is not None:
        await server.stop()


@pytest.fixture(scope="session")
def screens_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: a test artifact, under pytest's temporary directory."""
    return tmp_path_factory.mktemp("tv-screens", numbered=False)


async def paired_screen(
    chromium: Browser, live: RunningServer, fake: FakeProtocolServer, width: int, height: int
) -> tuple[Page, list[str]]:
    """A TV of that size that already holds its token, showing fake's display and board."""
    context = await chromium.new_context(viewport={"width": width, "height": height})
    await context.add_init_script(
        f"if (location.pathname === '/tv') localStorage.setItem('chalkboard.tv.token', '{TOKEN}')"
    )
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    page = await context.new_page()
    await page.goto(f"{live.url}/tv?ws={fake.url}")
    await expect(page.locator("#board")).to_be_visible()
    # Drawn again in its look's own faces once they load: check that drawing.
    await expect(page.locator("#stage")).to_have_attribute("data-fonts", "ready")
    return page, errors


async def problems(page: Page, minimum: float) -> list[str]:
    found: list[str] = await page.evaluate(PROBLEMS_JS, minimum)
    return found


def orientation(width: int, height: int) -> str:
    return "portrait" if height > width else "landscape"


@pytest.mark.parametrize("look", [look.key for look in LOOKS])
@pytest.mark.parametrize("menu", ["long", "short"])
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
async def test_board_fits_the_screen_readably(
    chromium: Browser,
    live: RunningServer,
    fake: FakeProtocolServer,
    screens_dir: Path,
    width: int,
    height: int,
    menu: str,
    look: str,
) -> None:
    """In every look, every page of the board stays inside its columns and the screen,
    without overlaps, and no text is under the screen's readable minimum; no serious axe
    violations."""
    palette = next(each for each in LOOKS if each.key == look).palette()
    fake.display = display(orientation(width, height), rotation_seconds=3, look=look, **palette)
    fake.display["display"]["images"] = {"logo": "/tv/qr/ABC234.svg", "background": None}
    fake.board = MENUS[menu]()
    page, errors = await paired_screen(chromium, live, fake, width, height)
    entries = sum(len(s["entries"]) for s in fake.board["board"]["sections"])
    counter = page.locator(".board-pages")
    pages = (
        1 if await counter.is_hidden() else int((await counter.text_content() or "").split("/")[1])
    )
    seen = 0
    for number in range(1, pages + 1):
        if pages > 1:
            await expect(counter).to_have_text(f"{number} / {pages}", timeout=SLOW)
        await page.screenshot(path=screens_dir / f"{look}-{menu}-{width}x{height}-page{number}.png")
        assert await problems(page, min_text(width, height)) == []
        seen += await page.locator(".board-columns .entry").count()
    assert seen == entries  # every entry is on exactly one page
    assert await serious_violations(page) == []
    assert errors == []
    await page.context.close()


def four_sizes_menu(version: int = 2) -> Message:
    """Five beers each priced in four sizes (taster, half, pint, growler): room to spare,
    so only the names' width holds the font back."""
    message = short_menu(version)
    message["board"]["sizes"] = [
        {"id": n, "name": name, "volume_ml": ml}
        for n, (name, ml) in enumerate(
            [("Taster", 148), ("Half", 296), ("Pint", 473), ("Growler", 1893)], start=1
        )
    ]
    beers = message["board"]["sections"][0]
    for entry_ in beers["entries"]:
        pint = entry_["prices"]["2"]
        entry_["prices"] = {"1": pint // 3, "2": pint // 2 + 50, "3": pint, "4": pint * 3}
    message["board"]["sections"] = [beers]
    return message


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)])
async def test_four_price_columns_leave_the_names_room(
    chromium: Browser,
    live: RunningServer,
    fake: FakeProtocolServer,
    screens_dir: Path,
    width: int,
    height: int,
) -> None:
    """With four sizes a row's prices are wide: the engine picks a font (and columns) that
    leaves each name at least 8 em beside them, instead of a name a word a line."""
    fake.display = display(orientation(width, height))
    fake.board = four_sizes_menu()
    page, errors = await paired_screen(chromium, live, fake, width, height)
    await page.screenshot(path=screens_dir / f"four-sizes-{width}x{height}.png")
    assert await problems(page, min_text(width, height)) == []
    assert errors == []
    await page.context.close()


async def test_text_size_scales_a_long_board_and_pages_it(
    chromium: Browser, live: RunningServer, fake: FakeProtocolServer, screens_dir: Path
) -> None:
    """On a long 1080p board, text size 2 draws larger names than 1, and, not fitting one
    page at its raised minimum, pages and rotates; still nothing under that minimum."""
    fake.board = long_menu()
    fake.display = display(rotation_seconds=3)
    page, errors = await paired_screen(chromium, live, fake, 1920, 1080)
    name = page.locator(".board-columns .name").first
    at_one = float((await name.evaluate("n => getComputedStyle(n).fontSize"))[:-2])
    await expect(page.locator(".board-pages")).to_be_hidden()

    await fake.broadcast(display(rotation_seconds=3, font_scale=2, show_descriptions=True))
    counter = page.locator(".board-pages")
    await expect(counter).to_have_text(re.compile(r"^1 / [2-9]$"))
    at_two = float((await name.evaluate("n => getComputedStyle(n).fontSize"))[:-2])
    assert at_two > at_one * 1.3
    await expect(counter).to_have_text(re.compile(r"^2 / [2-9]$"), timeout=SLOW)
    await page.screenshot(path=screens_dir / "long-1920x1080-scale2-page2.png")
    assert await problems(page, min_text(1920, 1080, scale=2)) == []
    assert errors == []
    await page.context.close()


async def test_viewing_distance_raises_the_minimum(
    chromium: Browser, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """ "Across a hall" keeps all text at or above short side / 45, paging if it must."""
    fake.board = long_menu()
    fake.display = display(viewing_distance="across", show_descriptions=True)
    page, errors = await paired_screen(chromium, live, fake, 1280, 720)
    assert await problems(page, min_text(1280, 720, "across")) == []
    assert errors == []
    await page.context.close()


async def test_sections_are_kept_together_where_they_fit(
    chromium: Browser, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """At 4K the long board's cocktails and snacks each sit whole in one column; only the
    twelve beers, taller than a column, continue into the next one."""
    fake.board = long_menu()
    page, errors = await paired_screen(chromium, live, fake, 3840, 2160)
    await expect(page.locator(".board-columns .entry")).to_have_count(26)
    await expect(page.locator(".section-head.continued .section-name")).to_have_text(["On tap"])
    assert errors == []
    await page.context.close()


async def test_a_look_takes_the_displays_colours_font_and_fields(
    chromium: Browser, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """The neon look with the display's own colours, font and fields: those win."""
    fake.board = short_menu()
    fake.display = display(
        look="neon",
        font="atkinson",
        background_color="#203040",
        accent_color="#33ccff",
        show_producer=False,
    )
    page, errors = await paired_screen(chromium, live, fake, 1920, 1080)
    stage = page.locator("#stage")
    await expect(stage).to_have_class(re.compile(r"\blook-neon\b.*\bfont-atkinson\b"))
    await expect(stage).to_have_css("background-color", "rgb(32, 48, 64)")
    name = page.locator(".board-columns .name").first
    await expect(name).to_have_css("font-family", re.compile(r"^\"Atkinson Hyperlegible\""))
    await expect(page.locator(".board-head")).to_have_css(
        "border-bottom-color", "rgb(51, 204, 255)"
    )
    await expect(page.locator(".board-columns .producer")).to_have_count(0)
    assert await page.evaluate("document.fonts.check('16px \"Atkinson Hyperlegible\"')")
    assert errors == []
    await page.context.close()
