"""Venue settings, the account, the team and API tokens on a 390 x 844 phone: they fit, pass
axe, and the dangerous buttons ask first."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningServer
from tests.e2e.axe import serious_violations
from tests.e2e.test_editor import sign_up_with_venue
from tests.e2e.test_foundation import no_horizontal_scroll

pytestmark = pytest.mark.browser


async def looks_right(page: Page, name: str) -> None:
    await no_horizontal_scroll(page)
    assert await serious_violations(page) == [], f"{name}: {page.url}"


async def phone_owner(chromium: Browser, live: RunningServer) -> tuple[Page, str]:
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = await context.new_page()
    return page, await sign_up_with_venue(page, live)


async def test_revoking_a_token_asks_first(
    live: RunningServer, chromium: Browser, db: asyncpg.Pool
) -> None:
    """One tap on Revoke only asks; the token stops only when the confirmation is tapped."""
    page, slug = await phone_owner(chromium, live)
    try:
        await page.goto(f"{live.url}/v/{slug}/tokens")
        await page.fill("#f-name", "Keg sensor")
        await page.click("text=Create token")
        await expect(page.locator("#new-token")).to_be_visible()
        await page.goto(f"{live.url}/v/{slug}/tokens")

        async def revoked() -> bool:
            found: bool = await db.fetchval(
                "SELECT t.revoked_at IS NOT NULL FROM api_tokens t JOIN venues v "
                "ON v.id = t.venue_id WHERE v.slug = $1",
                slug,
            )
            return found

        await page.locator("summary", has_text="Keg sensor").get_by_text("Revoke…").tap()
        confirm = page.get_by_role("button", name="Revoke “Keg sensor” for good")
        await expect(confirm).to_be_visible()
        await expect(page.get_by_text("stops working at once")).to_be_visible()
        assert not await revoked(), "the first tap only asks"
        await looks_right(page, "tokens-confirm")
        await confirm.tap()
        await expect(page.locator("summary", has_text="Keg sensor")).to_have_count(0)
        assert await revoked()
    finally:
        await page.context.close()


async def test_settings_account_and_team_fit_a_phone_and_pass_axe(
    live: RunningServer, chromium: Browser, db: asyncpg.Pool
) -> None:
    """The time zone is found by typing a city; a mistyped delete confirmation keeps the
    form and shows its error by the delete field; account, email and team pages pass axe."""
    page, slug = await phone_owner(chromium, live)
    try:
        await page.goto(f"{live.url}/v/{slug}/settings")
        await expect(page.locator("#f-timezone")).to_have_attribute("list", "timezone-list")
        await looks_right(page, "settings")
        await page.fill("#f-timezone", "kolkata")
        await page.click("text=Save settings")
        await expect(page.locator(".notice")).to_contain_text("Saved")
        await expect(page.locator("#f-timezone")).to_have_value("Asia/Kolkata")
        timezone = await db.fetchval("SELECT timezone FROM venues WHERE slug = $1", slug)
        assert timezone == "Asia/Kolkata"

        await page.fill("#f-confirm", "not the name")
        await page.click("#delete button[type=submit]")
        await expect(page.locator("#e-confirm")).to_contain_text("Type the venue")
        await expect(page.locator("[role=alert]").first).to_contain_text("not deleted")
        await expect(page.locator("#f-timezone")).to_have_value("Asia/Kolkata")
        await looks_right(page, "settings-delete-refused")

        for name, path in (("account", "/account"), ("email", "/account/email")):
            await page.goto(f"{live.url}{path}")
            await looks_right(page, name)
        await page.goto(f"{live.url}/v/{slug}/team")
        await expect(page.get_by_text("the only owner")).to_be_visible()
        await expect(page.get_by_role("button", name="Leave")).to_have_count(0)
        await looks_right(page, "team")
    finally:
        await page.context.close()
