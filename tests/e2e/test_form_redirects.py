"""On a 390 x 844 phone: a refused form comes back as a page of its own (a reload does not send
it again) with what was typed, and the venue's logo is uploaded and chosen on the settings
page; each page fits the screen and passes axe."""

from __future__ import annotations

import io
import re
import secrets

import asyncpg
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD, RunningServer
from tests.e2e.test_phone_pages import check

pytestmark = pytest.mark.browser


def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 200), (20, 90, 70)).save(out, "PNG")
    return out.getvalue()


async def reload_is_a_get(page: Page) -> None:
    """Reloading shows the form plain: the browser is on a GET page, not the POST."""
    await page.reload()
    await expect(page.locator(".error")).to_have_count(0)


async def test_refused_forms_come_back_as_pages_and_the_logo_is_set_on_a_phone(
    live: RunningServer, chromium: Browser, db: asyncpg.Pool
) -> None:
    """Sign-up with a mistyped email keeps the password; a bad beverage keeps what was typed;
    neither is sent again by a reload. The settings page uploads and shows a logo, which the
    phone menu then shows."""
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = await context.new_page()
    try:
        await page.goto(f"{live.url}/signup")
        await page.fill("#f-email", "bob@example")  # a browser lets this through; we do not
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await expect(page.locator("#e-email")).to_contain_text("like name@example.com")
        assert page.url == f"{live.url}/signup"
        await expect(page.locator("#f-password")).to_have_value(PASSWORD)
        await check(page, "signup-refused")
        await reload_is_a_get(page)

        email = f"owner-{secrets.token_hex(4)}@example.com"
        await page.fill("#f-email", email)
        await page.fill("#f-password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.fill("#f-name", f"Tap Room {secrets.token_hex(3)}")
        await page.click("main button[type=submit]")
        await expect(page.locator("#new-menu")).to_be_visible()
        slug = page.url.rsplit("/", 1)[1]

        await page.goto(f"{live.url}/v/{slug}/beverages")
        await page.fill("#nb-name", "Harbour Stout")
        await page.fill("#nb-abv", "strong")
        await page.locator("#new-beverage button[type=submit]").click()
        await expect(page.locator("#nb-abv")).to_have_value("strong")
        await expect(page.locator("#nb-abv-error")).to_be_visible()
        await check(page, "library-refused")
        await reload_is_a_get(page)

        await page.goto(f"{live.url}/v/{slug}/settings")
        uploader = page.locator("#logo .uploader")
        await uploader.locator("input[type=file]").set_input_files(
            files=[{"name": "crown.png", "mimeType": "image/png", "buffer": logo_png()}]
        )
        await expect(uploader.locator(".upload-status")).to_contain_text("Uploaded")
        await page.get_by_role("button", name="Save settings").click()
        await expect(page.locator("p.notice")).to_contain_text("Saved")
        await expect(page.locator("img.logo-preview")).to_be_visible()
        await check(page, "settings-logo")

        await page.goto(f"{live.url}/v/{slug}")
        await page.fill("#new-menu #f-name", "Draft")
        await page.locator("#new-menu button[type=submit]").click()
        await expect(page).to_have_url(re.compile(r"/menus/\d+"))
        public_id = await db.fetchval(
            "SELECT m.public_id FROM menus m JOIN venues v ON v.id = m.venue_id WHERE v.slug = $1",
            slug,
        )
        await page.goto(f"{live.url}/m/{public_id}")
        await expect(page.locator("header.venue img.logo")).to_be_visible()
        await check(page, "phone-menu-logo")
    finally:
        await context.close()
