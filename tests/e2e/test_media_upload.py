"""Uploading an image in the editor, in real Chromium: pick, progress, preview, use, visible."""

from __future__ import annotations

import io
import re

import asyncpg
import pytest
from PIL import Image
from playwright.async_api import BrowserContext, expect

from tests.conftest import RunningServer
from tests.e2e.test_editor import sign_up_with_venue

pytestmark = pytest.mark.browser


def photo() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (1600, 1200), (30, 90, 160))
    image.paste((230, 200, 40), (0, 0, 800, 1200))
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def test_an_editor_uploads_an_image_and_gives_it_to_a_beverage(
    phone: BrowserContext, live: RunningServer, db: asyncpg.Pool
) -> None:
    """Pick a file on the beverage page → progress and preview → use it → its thumbnail shows."""
    page = await phone.new_page()
    slug = await sign_up_with_venue(page, live)
    await page.goto(f"{live.url}/v/{slug}/beverages")
    await page.fill("#nb-name", "Harbour Stout")
    await page.click("#new-beverage button[type=submit]")
    item = page.locator("li[id^=beverage-]", has_text="Harbour Stout")
    await item.locator("summary").click()
    form = item.locator("form.beverage-image-form")
    uploader = form.locator(".uploader")
    await expect(uploader).to_be_visible()
    await uploader.locator("input[type=file]").set_input_files(
        files=[{"name": "stout.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    await expect(uploader.locator(".upload-status")).to_contain_text("Uploaded")
    await expect(uploader.locator(".upload-progress")).to_have_attribute("value", "100")
    preview = uploader.locator(".upload-preview")
    await expect(preview).to_be_visible()
    # First the local file (a data: URL), then the server's re-encoded 480 px variant.
    await expect(preview).to_have_attribute(
        "src", re.compile(r"^/media/\d+/[0-9a-f]{64}-480\.jpg$")
    )
    await preview.evaluate(
        "img => img.complete ? null : new Promise(done => { img.onload = done; })"
    )
    assert await preview.evaluate("img => img.naturalWidth") == 480
    chosen = await form.locator("select[name=image_id]").input_value()
    assert chosen.isdigit()

    await form.get_by_role("button", name="Use this image").click()
    await expect(page.locator(".notice")).to_contain_text("Saved Harbour Stout")
    thumb = page.locator("li[id^=beverage-]", has_text="Harbour Stout").locator(
        "img.beverage-thumb"
    )
    await expect(thumb).to_be_visible()
    # Visible is not loaded yet: wait for the image to finish (or fail) before looking.
    await thumb.evaluate(
        "img => img.complete ? null : new Promise(done => { img.onload = img.onerror = done; })"
    )
    assert await thumb.evaluate("img => img.naturalWidth > 0")
    image_id = await db.fetchval(
        "SELECT b.image_id FROM beverages b JOIN venues v ON v.id = b.venue_id "
        "WHERE v.slug = $1 AND b.name = 'Harbour Stout'",
        slug,
    )
    assert image_id == int(chosen)


async def test_a_refused_file_says_why_in_the_page(
    phone: BrowserContext, live: RunningServer
) -> None:
    """An SVG picked in the media library gets the server's message, and no preview stays."""
    page = await phone.new_page()
    slug = await sign_up_with_venue(page, live)
    await page.goto(f"{live.url}/v/{slug}/media")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    await page.locator("#upload input[type=file]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": svg}]
    )
    status = page.locator("#upload .upload-status")
    await expect(status).to_contain_text("SVG images are not accepted")
    await expect(page.locator("#upload .upload-preview")).to_be_hidden()
