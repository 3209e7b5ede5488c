"""Modern image formats in real Chromium: the phone page's <picture> offers AVIF and WebP,
and a browser that takes them downloads one instead of the bigger JPEG."""

from __future__ import annotations

import io

import asyncpg
import pytest
from PIL import Image
from playwright.async_api import BrowserContext

from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.test_media import venue  # noqa: F401 (the fixture: a fresh venue with a write token)
from tests.test_menu_api import Venue, make_menu

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def photo() -> bytes:
    """A photo-like JPEG (a gradient with grain), the kind of picture a bar uploads."""
    gradient = Image.linear_gradient("L").resize((1200, 900))
    grain = Image.effect_noise((1200, 900), 12)
    out = io.BytesIO()
    Image.merge("RGB", (gradient, grain, gradient.rotate(90))).save(out, "JPEG", quality=90)
    return out.getvalue()


async def test_the_phone_page_serves_avif_to_a_browser_that_takes_it(
    venue: Venue,  # noqa: F811
    live: RunningServer,
    phone: BrowserContext,
    db: asyncpg.Pool,
) -> None:
    """A beverage image on /m/<id> loads as AVIF or WebP in Chromium; the JPEG stays as src."""
    menu = await make_menu(venue.api)
    image = (
        await venue.api.post("images", files={"file": ("p.jpg", photo(), "image/jpeg")})
    ).json()
    beverage_id = menu.beverage_ids[0]
    await venue.api.put(f"beverages/{beverage_id}/image", json={"image_id": image["id"]})
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE id = $1", menu.id)
    page = await phone.new_page()
    await page.goto(f"{live.url}/m/{public_id}")
    art = page.locator("picture img.art").first
    await art.scroll_into_view_if_needed()
    await page.wait_for_function(
        "() => { const i = document.querySelector('picture img.art'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    chosen = await art.evaluate("img => img.currentSrc")
    assert chosen.endswith((".avif", ".webp")), chosen
    assert (await art.get_attribute("src") or "").endswith(".jpg")
    assert await serious_violations(page) == []
