"""The first minutes of a bar owner, in a real browser on a phone-sized screen."""

from __future__ import annotations

import secrets

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from chalkboard import demo
from tests.conftest import PASSWORD, RunningServer

pytestmark = pytest.mark.browser


async def no_horizontal_scroll(page: Page) -> None:
    """The page fits the phone's width (375 or 390 px): nothing scrolls sideways."""
    width, screen = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= screen, f"{page.url} is {width}px wide on a {screen}px phone"


async def test_demo_login_shows_the_sample_tap_list(
    live: RunningServer, db: asyncpg.Pool, phone: BrowserContext
) -> None:
    """Signing in with the demo login lands on the demo venue's priced tap list."""
    async with db.acquire() as conn, conn.transaction():
        login = await demo.ensure_demo(conn)
    page = await phone.new_page()
    await page.goto(f"{live.url}/")
    await expect(page).to_have_url(f"{live.url}/login")
    await page.fill("#f-email", login.email)
    await page.fill("#f-password", login.password)
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(f"{live.url}/v/{login.slug}")
    await expect(page.locator("h1")).to_have_text("The Demo Taproom")
    await expect(page.locator("table.taplist").first).to_contain_text("Foghorn Pils")
    await expect(page.locator("table.taplist").first).to_contain_text("$4.50")
    await no_horizontal_scroll(page)


async def test_owner_signs_up_creates_a_venue_and_invites_an_editor(
    live: RunningServer, chromium: Browser, phone: BrowserContext, db: asyncpg.Pool
) -> None:
    """Sign up, create a venue, copy an invite link; a second person joins with it."""
    page = await phone.new_page()
    email = f"owner-{secrets.token_hex(4)}@example.com"
    await page.goto(f"{live.url}/signup")
    await page.fill("#f-email", email)
    await page.fill("#f-password", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(f"{live.url}/venues/new")
    await no_horizontal_scroll(page)

    name = f"Hop Shop {secrets.token_hex(3)}"
    await page.fill("#f-name", name)
    await page.fill("#f-timezone", "Europe/Dublin")
    await page.select_option("#f-currency", "EUR")
    await page.select_option("#f-volume_unit", "ml")
    await page.click("main button[type=submit]")
    await expect(page.locator("h1")).to_have_text(name)
    slug = page.url.rsplit("/", 1)[1]

    await page.click("nav.venuenav >> text=Team")
    await page.fill("#f-note", "Sam, weekend shifts")
    await page.click("text=Create invite link")
    link = await page.input_value("#invite-link")
    assert link.startswith(f"{live.url}/invite/inv_")

    guest = await chromium.new_context(viewport={"width": 375, "height": 740})
    try:
        other = await guest.new_page()
        await other.goto(link)
        await other.click("text=Create an account to join")
        await other.fill("#f-email", f"sam-{secrets.token_hex(4)}@example.com")
        await other.fill("#f-password", PASSWORD)
        await other.click("main button[type=submit]")
        await expect(other.locator("h1")).to_contain_text(f"Join {name}")
        await other.click("main button[type=submit]")
        await expect(other).to_have_url(f"{live.url}/v/{slug}")
    finally:
        await guest.close()
    members = await db.fetchval(
        "SELECT count(*) FROM memberships m JOIN venues v ON v.id = m.venue_id WHERE v.slug = $1",
        slug,
    )
    assert members == 2


async def test_wrong_password_shows_a_clear_message(
    live: RunningServer, phone: BrowserContext
) -> None:
    """A failed sign-in stays on the form with the message and keeps the email typed."""
    page = await phone.new_page()
    await page.goto(f"{live.url}/login")
    await page.fill("#f-email", "someone@example.com")
    await page.fill("#f-password", "wrong password")
    await page.click("main button[type=submit]")
    await expect(page.locator(".alert")).to_contain_text("do not match")
    assert await page.input_value("#f-email") == "someone@example.com"
