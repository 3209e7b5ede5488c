"""Images on the TV, in real Chromium: beverage pictures, the logo and the background."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.conftest import RunningServer
from tests.e2e import test_tv
from tests.e2e.test_tv import FakeProtocolServer, board, display, entry, paired_tv

pytestmark = pytest.mark.browser
tv, fake = test_tv.tv, test_tv.fake  # the fixtures: a 1920x1080 TV and a scripted server

URL = "/media/1/" + "a" * 64 + "-{}.jpg"
PICTURE = {
    "url": URL.format(480),
    "srcset": f"{URL.format(160)} 160w, {URL.format(480)} 480w",
    "width": 480,
    "height": 320,
}


def with_images(version: int) -> dict[str, object]:
    pictured = entry(1, "Foghorn Pils")
    pictured["beverage"]["image"] = PICTURE  # type: ignore[index]
    plain = entry(2, "Harbor Stout")
    plain["beverage"]["image"] = None  # type: ignore[index]
    return board(version, [pictured, plain, entry(3, "Old Snapshot")])


async def test_beverage_images_logo_and_background_show_when_set(
    tv: BrowserContext, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """An entry with an image shows it beside the name; the logo heads the board; the
    background fills the screen; show_images off hides the pictures."""
    page = await paired_tv(tv, live, fake)
    message = display()
    message["display"]["images"] = {"logo": URL.format(480), "background": URL.format(3840)}
    await fake.broadcast(message, with_images(2))
    rows = page.locator(".board-columns .entry")
    await expect(rows.first.locator("img.bev-image")).to_have_attribute("src", PICTURE["url"])
    await expect(rows.first.locator("img.bev-image")).to_have_attribute("srcset", PICTURE["srcset"])
    await expect(page.locator(".board-columns img.bev-image")).to_have_count(1)
    await expect(page.locator(".board-head img.board-logo")).to_have_attribute(
        "src", URL.format(480)
    )
    background = await page.evaluate("document.getElementById('stage').style.backgroundImage")
    assert URL.format(3840) in background

    hidden = display(show_images=False)
    await fake.broadcast(hidden)
    await expect(page.locator(".board-columns img.bev-image")).to_have_count(0)
    await expect(page.locator(".board-head img.board-logo")).to_have_count(0)
    assert await page.evaluate("document.getElementById('stage').style.backgroundImage") == ""


async def test_an_image_url_that_could_escape_css_is_ignored(
    tv: BrowserContext, live: RunningServer, fake: FakeProtocolServer
) -> None:
    """Only http(s) or root-relative URLs without quotes or brackets are used."""
    page = await paired_tv(tv, live, fake)
    message = display()
    message["display"]["images"] = {"logo": "javascript:alert(1)", "background": '/x.jpg") ;'}
    await fake.broadcast(message, with_images(3))
    await expect(page.locator(".board-columns img.bev-image")).to_have_count(1)
    await expect(page.locator(".board-head img.board-logo")).to_have_count(0)
    assert await page.evaluate("document.getElementById('stage').style.backgroundImage") == ""
